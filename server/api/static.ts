// Serves the built web app from one folder. Paths are resolved and checked to stay inside that
// folder, so no request can read a file elsewhere (`..`, encoded slashes, absolute paths).
// Unknown paths that look like pages get index.html, so client-side routes survive a reload.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Context } from 'hono';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/** The file under `root` that a URL path names, or null when it would leave `root`. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const base = resolve(root);
  const full = resolve(base, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (full !== base && !full.startsWith(base + sep)) return null;
  return full;
}

function fileResponse(c: Context, file: string, immutable: boolean): Response {
  const type = contentTypes[extname(file)] ?? 'application/octet-stream';
  const body = Readable.toWeb(createReadStream(file)) as ReadableStream;
  return c.body(body, 200, {
    'Content-Type': type,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
}

export function serveWeb(root: string) {
  const index = resolve(root, 'index.html');
  return (c: Context): Response => {
    const file = resolveInside(root, c.req.path);
    if (file === null) return c.json({ error: { code: 'not_found', message: 'No such file.' } }, 404);
    if (existsSync(file) && statSync(file).isFile()) return fileResponse(c, file, c.req.path.startsWith('/assets/'));
    // A missing asset is a 404; any other path is a page of the single-page app.
    if (extname(c.req.path) !== '' || !existsSync(index)) {
      return c.json({ error: { code: 'not_found', message: `No such file: ${c.req.path}` } }, 404);
    }
    return fileResponse(c, index, false);
  };
}
