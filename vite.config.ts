// Builds the Preact web app from web/ into dist/web, which `vigil serve` serves on the API's port.
// In development (`npm run dev:web`) Vite proxies /api to a running `vigil serve`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip as gzipCallback } from 'node:zlib';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

const apiTarget = process.env.VIGIL_API ?? 'http://127.0.0.1:8787';

/**
 * Brotli (best quality) and gzip copies of every text file of the build, next to it (`x.js.br`,
 * `x.js.gz`): the server answers with one when the browser accepts it (server/api/static.ts), so
 * it never compresses on a request. Compressed in zlib's thread pool, in parallel: ~1.5 s of build,
 * most of it brotli on the ECharts chunk (600 KB -> 167 KB; gzip gives 199 KB).
 */
function precompress(): Plugin {
  const brotli = promisify(brotliCompress);
  const gzip = promisify(gzipCallback);
  return {
    name: 'vigil-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const outDir = options.dir;
      if (!outDir) return;
      const work: Promise<void>[] = [];
      for (const [name, item] of Object.entries(bundle)) {
        if (!/\.(js|css|html|svg|json|txt)$/.test(name)) continue;
        const content = item.type === 'chunk' ? Buffer.from(item.code) : Buffer.from(item.source);
        // Below ~1 KB the headers outweigh the saving.
        if (content.length < 1024) continue;
        const file = join(outDir, name);
        const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: content.length };
        work.push(brotli(content, { params }).then((br) => writeFile(`${file}.br`, br)));
        work.push(gzip(content, { level: 9 }).then((gz) => writeFile(`${file}.gz`, gz)));
      }
      await Promise.all(work);
    },
  };
}

export default defineConfig({
  root: 'web',
  plugins: [preact(), precompress()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    // Rolldown warns when a plugin's hook takes over a second: precompress() does, on purpose (the
    // best brotli level, once per build, instead of compressing on requests).
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
});
