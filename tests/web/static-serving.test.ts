// The built web app as the server answers it: the brotli or gzip copy the build wrote when the
// browser accepts it (and the plain file when not, or when the copy is older than the file), a
// rebuilt file served afresh, a year of caching for hashed assets, index.html revalidated by its
// ETag, client-side routes answered with index.html, and nothing outside the folder.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptedEncodings, serveWeb } from '../../server/api/static.ts';
import { tempDir } from '../support/tmp.ts';

const root = tempDir('vigil-static-');
const script = `export const answer = ${JSON.stringify('x'.repeat(4000))};\n`;
const app = new Hono();
const web = serveWeb(root);
app.get('*', (c) => web(c));

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });

beforeAll(() => {
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Vigil</title>');
  writeFileSync(join(root, 'assets/app-abc123.js'), script);
  writeFileSync(join(root, 'assets/app-abc123.js.br'), brotliCompressSync(script));
  writeFileSync(join(root, 'assets/app-abc123.js.gz'), gzipSync(script));
  writeFileSync(join(root, 'assets/plain-abc123.js'), 'export {};\n');
});

describe('static files', () => {
  it('answers with the brotli copy when the browser accepts it, cached for a year', async () => {
    const res = await get('/assets/app-abc123.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(script);
  });

  it('falls back to gzip, then to the plain file', async () => {
    const gz = await get('/assets/app-abc123.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(script);
    const refused = await get('/assets/app-abc123.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers.get('content-encoding')).toBeNull();
    expect(await refused.text()).toBe(script);
    const none = await get('/assets/app-abc123.js');
    expect(none.headers.get('content-encoding')).toBeNull();
    expect(await none.text()).toBe(script);
  });

  it('serves a file without copies as it is', async () => {
    const res = await get('/assets/plain-abc123.js', { 'accept-encoding': 'br, gzip' });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('vary')).toBeNull();
    expect(await res.text()).toBe('export {};\n');
  });

  it('reads a rebuilt file again and ignores copies older than it', async () => {
    const file = join(root, 'assets/app-abc123.js');
    await get('/assets/app-abc123.js', { 'accept-encoding': 'br' });
    writeFileSync(file, 'export const answer = 42;\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    const res = await get('/assets/app-abc123.js', { 'accept-encoding': 'br, gzip' });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.text()).toBe('export const answer = 42;\n');
  });

  it('revalidates index.html by its ETag and answers pages with it', async () => {
    const first = await get('/');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    expect(await first.text()).toContain('<title>Vigil</title>');
    const again = await get('/', { 'if-none-match': etag as string });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const route = await get('/review', { 'if-none-match': '"other"' });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>Vigil</title>');
  });

  it('answers 404 for a missing asset and for paths outside the folder', async () => {
    expect((await get('/assets/missing-000.js')).status).toBe(404);
    expect((await get('/..%2f..%2fetc%2fpasswd')).status).toBe(404);
    // The URL parser already folds dot segments: this names /etc/passwd inside the folder, a page.
    const dots = await get('/%2e%2e/%2e%2e/etc/passwd');
    expect(await dots.text()).toContain('<title>Vigil</title>');
  });
});

describe('acceptedEncodings', () => {
  it('reads names and refuses those with q=0', () => {
    expect([...acceptedEncodings('gzip, deflate, br')]).toEqual(['gzip', 'deflate', 'br']);
    expect([...acceptedEncodings('br;q=0, gzip;q=0.8')]).toEqual(['gzip']);
    expect([...acceptedEncodings(undefined)]).toEqual([]);
    expect([...acceptedEncodings(' GZIP ; q=1 ,')]).toEqual(['gzip']);
  });
});
