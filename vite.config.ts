// Builds the Preact web app from web/ into dist/web, which `vigil serve` serves on the API's port.
// In development (`npm run dev:web`) Vite proxies /api to a running `vigil serve`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

const apiTarget = process.env.VIGIL_API ?? 'http://127.0.0.1:8787';

/**
 * Brotli (best quality) and gzip copies of every text file of the build, next to it (`x.js.br`,
 * `x.js.gz`): the server answers with one when the browser accepts it (server/api/static.ts), so
 * it never compresses on a request. Compressing at the best level once here costs ~2 s of build.
 */
function precompress(): Plugin {
  return {
    name: 'vigil-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const outDir = options.dir;
      if (!outDir) return;
      for (const [name, item] of Object.entries(bundle)) {
        if (!/\.(js|css|html|svg|json|txt)$/.test(name)) continue;
        const content = item.type === 'chunk' ? Buffer.from(item.code) : Buffer.from(item.source);
        // Below ~1 KB the headers outweigh the saving.
        if (content.length < 1024) continue;
        const file = join(outDir, name);
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: content.length },
          }),
        );
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
      }
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
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
});
