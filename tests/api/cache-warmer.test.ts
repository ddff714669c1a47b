// The cache warmer (server/metrics/cache-warmer.ts) in a running Vigil with authentication on:
// after a data change the requests viewers made are computed again in the background, so the next
// viewer's answer comes from the cache, equal to a fresh computation; its own requests pass auth
// without credentials from outside and are not remembered as viewers'; it stops when the data
// changes under it, and does nothing when switched off.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuthSettings } from '../../server/api/auth.ts';
import { parseConfig } from '../../server/config/load.ts';
import { openDatabase } from '../../server/db/index.ts';
import { CacheWarmer, warmerFor } from '../../server/metrics/cache-warmer.ts';
import { type RunningVigil, startVigil } from '../../server/runtime.ts';
import { tempDir } from '../support/tmp.ts';

const TOKEN = 'cache-warmer-token-0123456789abcdef';
const root = tempDir('vigil-warmer-');
let vigil: RunningVigil;

const get = (path: string, signedIn = true) =>
  fetch(`${vigil.url}${path}`, signedIn ? { headers: { Authorization: `Bearer ${TOKEN}` } } : {});

async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const config = parseConfig('warmer.yaml', {
    database: join(root, 'vigil.duckdb'),
    teams: [{ id: 'core', name: 'Core', repos: ['acme/api'] }],
  });
  const auth = readAuthSettings({ VIGIL_AUTH_TOKEN: TOKEN });
  vigil = await startVigil({ config, host: '127.0.0.1', port: 0, auth: auth ?? null, log: () => {} });
});

afterAll(async () => {
  await vigil?.stop();
});

describe('the cache warmer in a running Vigil', () => {
  const lead = '/api/metrics/lead-time?from=2026-01-01&to=2026-03-31&grain=week';
  const freq = '/api/metrics/deployment-frequency?from=2026-01-01&to=2026-03-31&grain=month&team=core';

  it('computes the viewers’ requests again after a data change, newest first, so the next answer is a hit', async () => {
    const warmer = warmerFor(vigil.db);
    expect(warmer).toBeDefined();
    if (!warmer) return;
    // Outside requests still need the token: the warmer's way past auth is not an HTTP one.
    expect((await get(lead, false)).status).toBe(401);
    const first = await get(lead);
    expect(first.headers.get('x-vigil-cache')).toBe('miss');
    const fresh = await first.text();
    expect((await get(freq)).headers.get('x-vigil-cache')).toBe('miss');
    expect(warmer.requests()).toEqual([freq, lead]);

    const runs = warmer.runs;
    await vigil.db.write((tx) => tx.run("INSERT INTO meta (key, value) VALUES ('warmer-test', '1')"));
    await waitFor(() => warmer.runs > runs, 'a warm-up after the write');
    expect(warmer.lastRun).toMatchObject({ requested: 2, warmed: 2, failed: 0, interrupted: false });
    expect(warmer.lastRun?.version).toBe(vigil.db.dataVersion);
    // Its own requests did not count as viewers' (the order is still the viewers').
    expect(warmer.requests()).toEqual([freq, lead]);

    const after = await get(lead);
    expect(after.headers.get('x-vigil-cache')).toBe('hit');
    expect(after.headers.get('x-vigil-data-version')).toBe(String(vigil.db.dataVersion));
    expect(await after.text()).toBe(fresh);
    expect((await get(freq)).headers.get('x-vigil-cache')).toBe('hit');
  });

  it('warms nothing while switched off', async () => {
    const warmer = warmerFor(vigil.db);
    if (!warmer) throw new Error('no warmer');
    warmer.enabled = false;
    try {
      vigil.db.bumpVersion();
      const run = await warmer.warm();
      expect(run).toMatchObject({ requested: 0, warmed: 0 });
      expect((await get(lead)).headers.get('x-vigil-cache')).toBe('miss');
    } finally {
      warmer.enabled = true;
    }
  });
});

describe('CacheWarmer', () => {
  it('stops when the data changes under it, forgets requests that no longer answer, and keeps the most recent', async () => {
    const db = await openDatabase(':memory:');
    const asked: string[] = [];
    const warmer = new CacheWarmer(
      db,
      async (path) => {
        asked.push(path);
        if (path === '/gone') return new Response('{}', { status: 404 });
        if (path === '/b') db.bumpVersion();
        return new Response('{}', { status: 200 });
      },
      { maxRequests: 3, quietMs: 60_000 },
    );
    try {
      for (const path of ['/old', '/a', '/b', '/gone']) warmer.note(path);
      // Three remembered: /old fell out.
      expect(warmer.requests()).toEqual(['/gone', '/b', '/a']);
      const run = await warmer.warm();
      expect(asked).toEqual(['/gone', '/b']);
      expect(run).toMatchObject({ requested: 3, warmed: 1, failed: 1, interrupted: true });
      expect(warmer.requests()).toEqual(['/b', '/a']);
    } finally {
      await warmer.stop();
      await db.close();
    }
  });
});
