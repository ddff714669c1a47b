// The PagerDuty client's rate-limit behaviour against the stand-in over HTTP: with a budget too
// small for a sync it waits for each reset the answers announce instead of sending requests it
// knows will be refused; a wait longer than it accepts ends the run 'partial' and the next sync
// finishes; a shutdown during a wait ends the run at once. Plus its URL and header helpers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpMeter } from '../../../collectors/engine/http.ts';
import { createSyncService } from '../../../collectors/index.ts';
import { buildUrl, PagerDutyClient, parsePagerDutyRateLimit } from '../../../collectors/pagerduty/client.ts';
import { type Database, openDatabase } from '../../../server/db/index.ts';
import { createOrg } from '../../stand-ins/org/index.ts';
import { ANCHOR, checksums, configFor, startWorld, syncPagerDuty, type TableSum, TOKEN, type World } from './support.ts';

const open: Database[] = [];
const worlds: World[] = [];
let clean: Record<string, TableSum>;

async function freshDb(): Promise<Database> {
  const db = await openDatabase(':memory:');
  open.push(db);
  return db;
}

beforeAll(async () => {
  const world = await startWorld();
  worlds.push(world);
  const db = await freshDb();
  const result = await syncPagerDuty(db, configFor(world, ':memory:'), world);
  expect(result.status, result.error ?? '').toBe('succeeded');
  clean = await checksums(db);
});

afterAll(async () => {
  for (const db of open) await db.close();
  for (const world of worlds) await world.close();
});

describe('the PagerDuty client and the rate limit', () => {
  it('waits for each reset when the budget runs out, and is never refused', async () => {
    // A stand-in whose clock runs with this one, and jumps ahead by each wait: 25 requests a minute.
    let skipped = 0;
    const store = await createOrg({ seed: 7, size: 'small', anchor: ANCHOR });
    const world = await startWorld({ store, now: () => Date.now() + skipped, rateLimit: { perMinute: 25 } });
    worlds.push(world);
    let waited = 0;
    const db = await freshDb();
    const result = await syncPagerDuty(db, configFor(world, ':memory:'), world, {
      sleep: async (ms) => {
        waited += ms;
        skipped += ms;
      },
    });
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(world.pd.stats.byStatus['429'] ?? 0).toBe(0);
    // About one minute per 25 requests, spent waiting, not asking.
    expect(waited).toBeGreaterThanOrEqual(Math.floor(result.requests / 25 - 1) * 55_000);
    expect(result.rateLimit?.limit).toBe(25);
    expect(await checksums(db)).toEqual(clean);
  });

  it('stops as partial when PagerDuty asks for a longer wait than it accepts, and the next sync finishes', async () => {
    const [world] = worlds as [World];
    world.pd.faults.add({ kind: 'rate-limit', endpoint: 'GET /log_entries', retryAfter: 900, count: 1 });
    const db = await freshDb();
    const config = configFor(world, ':memory:');
    const result = await syncPagerDuty(db, config, world);
    expect(result.status).toBe('partial');
    expect(result.error).toContain('900 s');
    // The streams before it were committed (incidents are final once their alerts are in).
    expect((await checksums(db)).incidents?.rows).toBe(clean.incidents?.rows);
    const next = await syncPagerDuty(db, config, world);
    expect(next.status, next.error ?? '').toBe('succeeded');
    expect(await checksums(db)).toEqual(clean);
  });

  it('ends the run at once when Vigil shuts down during a wait', async () => {
    const [world] = worlds as [World];
    world.pd.faults.add({ kind: 'rate-limit', endpoint: 'GET /notifications', retryAfter: 60, count: 1 });
    const db = await freshDb();
    const service = await createSyncService(db, configFor(world, ':memory:'), {
      env: { PAGERDUTY_TOKEN: TOKEN },
      afterSync: null,
      log: () => {},
      // The real, abortable wait.
      pagerduty: { now: () => Date.parse(world.store.clock()) },
    });
    const run = service.run('pagerduty');
    while ((world.pd.stats.byStatus['429'] ?? 0) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await service.stop();
    const result = await run;
    expect(result.status).toBe('interrupted');
    world.pd.faults.clear();
  });
});

describe('the PagerDuty client helpers', () => {
  it('repeats array parameters the way PagerDuty reads them, on any base URL', () => {
    expect(
      buildUrl('http://127.0.0.1:8080/', '/incidents', { 'statuses[]': ['triggered', 'acknowledged'], limit: 100, x: undefined }),
    ).toBe('http://127.0.0.1:8080/incidents?statuses%5B%5D=triggered&statuses%5B%5D=acknowledged&limit=100');
    expect(buildUrl('https://api.eu.pagerduty.com', 'users', { total: true })).toBe(
      'https://api.eu.pagerduty.com/users?total=true',
    );
  });

  it('reads the budget from ratelimit-* headers, the reset being seconds to wait', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(
      parsePagerDutyRateLimit(
        new Headers({ 'ratelimit-limit': '960', 'ratelimit-remaining': '12', 'ratelimit-reset': '30' }),
        now,
      ),
    ).toEqual({ limit: 960, remaining: 12, resetAt: '2026-06-01T00:00:30.000Z' });
    expect(parsePagerDutyRateLimit(new Headers({}), now)).toBeNull();
  });

  it('sends the API version and the key as PagerDuty asks, and keeps the key out of what it stores', async () => {
    const [world] = worlds as [World];
    const meter = new HttpMeter(parsePagerDutyRateLimit);
    const client = new PagerDutyClient({
      baseUrl: world.pd.url,
      token: TOKEN,
      timeoutMs: 5000,
      meter,
      signal: new AbortController().signal,
      log: () => {},
    });
    const page = await client.get('/priorities', { limit: 1 });
    expect(Array.isArray(page.data.priorities)).toBe(true);
    expect(page.url).toBe(`${world.pd.url}/priorities?limit=1`);
    expect(page.url).not.toContain(TOKEN);
    expect(meter.requests).toBe(1);
    expect(meter.rateLimit?.remaining).toBeGreaterThan(0);
    expect(client.serverNow()).not.toBeNull();
  });
});
