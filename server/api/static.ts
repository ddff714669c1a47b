// Serves the built web app from one folder. Paths are resolved and checked to stay inside that
// folder, so no request can read a file elsewhere (`..`, encoded slashes, absolute paths).
// Unknown paths that look like pages get index.html, so client-side routes survive a reload.
//
// Files are answered from memory (read once, read again when their size or time changes on disk):
// streaming each from disk in 64 KB pieces through a busy event loop made the 600 KB ECharts chunk
// take ~400 ms on localhost, in the path to the first chart. The build writes brotli and gzip copies
// next to each text file (vite.config.ts); a browser that accepts one gets it (ECharts: 167 KB br,
// 199 KB gzip instead of 600 KB). Hashed /assets/ files are cached for a year, index.html is
// revalidated by its ETag.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
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

/** The precompressed copies the build writes, best first, as `<file><suffix>`. */
const encodings = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;
type Encoding = (typeof encodings)[number]['name'];

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

interface Cached {
  /** size and modification time of the file when read: a rebuilt file is read again. */
  stamp: string;
  body: Buffer;
  etag: string;
  /** Precompressed copies written by the build (only those no older than the file). */
  encoded: Partial<Record<Encoding, Buffer>>;
}

function stampOf(file: string): string | null {
  try {
    const s = statSync(file);
    return s.isFile() ? `${s.size}-${Math.floor(s.mtimeMs)}` : null;
  } catch {
    return null;
  }
}

/** Which of the encodings the request's Accept-Encoding allows (q=0 refuses one). */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [raw, ...params] = part.toLowerCase().split(';');
    const name = raw?.trim();
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    accepted.add(name);
  }
  return accepted;
}

/** A view of the buffer's bytes (no copy) as the Uint8Array a response body takes. */
const bytes = (buffer: Buffer): Uint8Array<ArrayBuffer> =>
  new Uint8Array(buffer.buffer as ArrayBuffer, buffer.byteOffset, buffer.byteLength);

export function serveWeb(root: string) {
  const index = resolve(root, 'index.html');
  const cache = new Map<string, Cached>();

  const load = (file: string): Cached | null => {
    const stamp = stampOf(file);
    if (stamp === null) {
      // Gone (a rebuild removes the previous hashed files): forget it.
      cache.delete(file);
      return null;
    }
    const hit = cache.get(file);
    if (hit?.stamp === stamp) return hit;
    const body = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const encoded: Cached['encoded'] = {};
    for (const { name, suffix } of encodings) {
      const copy = `${file}${suffix}`;
      // A copy older than the file belongs to an earlier build of it: not served.
      if (existsSync(copy) && statSync(copy).mtimeMs >= mtime - 1) encoded[name] = readFileSync(copy);
    }
    const entry: Cached = { stamp, body, etag: `"${stamp}"`, encoded };
    cache.set(file, entry);
    return entry;
  };

  const respond = (c: Context, file: string, entry: Cached, immutable: boolean): Response => {
    const headers: Record<string, string> = {
      'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: entry.etag,
    };
    if (Object.keys(entry.encoded).length > 0) headers.Vary = 'Accept-Encoding';
    if (!immutable && c.req.header('if-none-match') === entry.etag) return c.body(null, 304, headers);
    const accepted = acceptedEncodings(c.req.header('accept-encoding'));
    for (const { name } of encodings) {
      const body = entry.encoded[name];
      if (body && accepted.has(name)) {
        return c.body(bytes(body), 200, { ...headers, 'Content-Encoding': name });
      }
    }
    return c.body(bytes(entry.body), 200, headers);
  };

  return (c: Context): Response => {
    const file = resolveInside(root, c.req.path);
    if (file === null) return c.json({ error: { code: 'not_found', message: 'No such file.' } }, 404);
    const entry = load(file);
    if (entry) return respond(c, file, entry, c.req.path.startsWith('/assets/'));
    // A missing asset is a 404; any other path is a page of the single-page app.
    const page = extname(c.req.path) === '' ? load(index) : null;
    if (!page) return c.json({ error: { code: 'not_found', message: `No such file: ${c.req.path}` } }, 404);
    return respond(c, index, page, false);
  };
}
