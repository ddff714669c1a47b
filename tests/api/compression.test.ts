// JSON answers are gzipped for clients that accept it, and equal to the plain answer once
// unzipped; CSV downloads are sent as they are (streamed at full speed), whatever the client says.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import { parseConfig } from '../../server/config/load.ts';
import { type Database, openDatabase } from '../../server/db/index.ts';

let db: Database;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await openDatabase(':memory:');
  const config = parseConfig('compress.yaml', { database: ':memory:', teams: [{ id: 'core', name: 'Core' }] });
  app = createApp({ db, config, log: () => {} });
});
afterAll(() => db.close());

describe('response compression', () => {
  it('gzips JSON for a client that accepts it, to the same text', async () => {
    const plain = await app.request('/api/metrics');
    expect(plain.headers.get('content-encoding')).toBeNull();
    const text = await plain.text();
    expect(text.length).toBeGreaterThan(1024);
    const zipped = await app.request('/api/metrics', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toMatch(/accept-encoding/i);
    const body = Buffer.from(await zipped.arrayBuffer());
    expect(body.length).toBeLessThan(text.length / 3);
    expect(gunzipSync(body).toString('utf8')).toBe(text);
  });

  it('sends CSV downloads uncompressed', async () => {
    const csv = await app.request('/api/deployments.csv?from=2026-01-01&to=2026-01-31', {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-encoding')).toBeNull();
    expect((await csv.text()).startsWith('id,')).toBe(true);
  });
});
