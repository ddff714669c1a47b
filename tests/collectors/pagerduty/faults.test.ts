// Every fault switch of the PagerDuty stand-in against the real collector: transient failures are
// ridden out and the tables end equal to a clean sync's; lasting ones end the run with an error a
// user can act on, keep what was committed whole, and the next sync finishes the job. Also a
// record that fails validation (kept and counted, the rest goes on), a missing token, a wrong
// base URL, and records that appear while the collector pages.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MISSING_TOKEN_MESSAGE } from '../../../collectors/pagerduty/collector.ts';
import type { VigilConfig } from '../../../server/config/schema.ts';
import { type Database, openDatabase } from '../../../server/db/index.ts';
import type { FaultRuleInput } from '../../stand-ins/common/faults.ts';
import { expectedOf } from './expected.ts';
import {
  checksums,
  configFor,
  historyDaysOf,
  rawSummary,
  SPARE_TOKEN,
  startWorld,
  syncPagerDuty,
  type TableSum,
  type World,
} from './support.ts';

let world: World;
let config: VigilConfig;
let clean: Record<string, TableSum>;
const open: Database[] = [];

async function freshDb(): Promise<Database> {
  const db = await openDatabase(':memory:');
  open.push(db);
  return db;
}

function withFaults(rules: FaultRuleInput[]): void {
  for (const rule of rules) world.pd.faults.add(rule);
}

beforeAll(async () => {
  world = await startWorld();
  config = configFor(world, ':memory:');
  const db = await freshDb();
  const result = await syncPagerDuty(db, config, world);
  expect(result.status, result.error ?? '').toBe('succeeded');
  clean = await checksums(db);
});

afterEach(() => {
  world.pd.faults.clear();
});

afterAll(async () => {
  for (const db of open) await db.close();
  await world?.close();
});

describe('the PagerDuty collector under faults', () => {
  it('rides out bursts of server errors', async () => {
    withFaults([
      { kind: 'status', endpoint: 'GET /log_entries', status: [500, 502, 503], count: 3 },
      { kind: 'status', endpoint: 'GET /incidents/{id}/alerts', status: 502, count: 2 },
      { kind: 'status', endpoint: 'GET /users', status: 503, count: 1 },
    ]);
    const db = await freshDb();
    const log: string[] = [];
    const result = await syncPagerDuty(db, config, world, { log });
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(world.pd.faults.list().rules.every((r) => r.fired === r.count)).toBe(true);
    expect(log.some((l) => /503 from .*\/users.*asking again in 1 s/.test(l))).toBe(true);
    expect(await checksums(db)).toEqual(clean);
  });

  it('waits exactly as long as ratelimit-reset says on a 429, then goes on', async () => {
    withFaults([
      { kind: 'rate-limit', endpoint: 'GET /notifications', retryAfter: 7, count: 2 },
      { kind: 'secondary-rate-limit', endpoint: 'GET /oncalls', retryAfter: 3, count: 1 },
    ]);
    const db = await freshDb();
    const waits: number[] = [];
    const result = await syncPagerDuty(db, config, world, {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result.status, result.error ?? '').toBe('succeeded');
    // Each 429 waited for once, as long as its ratelimit-reset said (less the moments already gone).
    expect(waits).toHaveLength(3);
    for (const [i, want] of [7000, 7000, 3000].entries()) {
      expect(waits[i]).toBeGreaterThan(want - 200);
      expect(waits[i]).toBeLessThanOrEqual(want);
    }
    expect(await checksums(db)).toEqual(clean);
  });

  it('asks again after a connection reset mid-response or a body cut short', async () => {
    withFaults([
      { kind: 'reset', endpoint: 'GET /incidents', count: 2 },
      { kind: 'truncate', endpoint: 'GET /log_entries', count: 1 },
      { kind: 'truncate', endpoint: 'GET /notifications', declare: 'sent', count: 1 },
      { kind: 'reset', endpoint: 'GET /incidents/{id}/alerts', bytes: 10, count: 1 },
    ]);
    const db = await freshDb();
    const result = await syncPagerDuty(db, config, world);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(result.badRecords).toBe(0);
    expect(world.pd.faults.list().rules.every((r) => r.fired === r.count)).toBe(true);
    expect(await checksums(db)).toEqual(clean);
  });

  it('abandons an answer slower than the timeout and asks again', async () => {
    withFaults([{ kind: 'slow', endpoint: 'GET /oncalls', delayMs: 2500, count: 1 }]);
    const db = await freshDb();
    const log: string[] = [];
    const result = await syncPagerDuty(db, configFor(world, ':memory:', { timeoutSeconds: 1 }), world, { log });
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(log.some((l) => /no complete answer within 1 s/.test(l))).toBe(true);
    expect(await checksums(db)).toEqual(clean);
  });

  it('keeps a page that stays unreadable, says where, and finishes at the next sync', async () => {
    withFaults([{ kind: 'truncate', path: '/notifications*', declare: 'sent', count: 'always' }]);
    const db = await freshDb();
    const result = await syncPagerDuty(db, config, world);
    expect(result.status).toBe('partial');
    expect(result.error).toContain('notifications');
    expect(result.error).toContain('not valid JSON');
    expect(result.badRecords).toBeGreaterThan(0);
    const kept = await db.all<{ stream: string; record_key: string; payload: string }>(
      'SELECT stream, record_key, payload FROM raw_pagerduty WHERE error IS NOT NULL',
    );
    expect(kept.length).toBeGreaterThan(0);
    expect(kept[0]?.stream).toBe('notifications');
    expect(kept[0]?.record_key).toContain('/notifications?');
    expect(kept[0]?.payload.startsWith('{')).toBe(true);
    const errors = await db.all<{ url: string }>(`SELECT url FROM sync_errors WHERE stream = 'notifications'`);
    expect(errors.some((e) => e.url?.includes('/notifications?'))).toBe(true);
    // The other streams went on.
    expect(await checksums(db).then((t) => t.incidents)).toEqual(clean.incidents);
    expect(await checksums(db).then((t) => t.oncall_shifts)).toEqual(clean.oncall_shifts);

    world.pd.faults.clear();
    const retry = await syncPagerDuty(db, config, world);
    expect(retry.status, retry.error ?? '').toBe('succeeded');
    expect(await checksums(db)).toEqual(clean);
  });

  it('keeps a record that fails validation with its error, counts it, and loads the rest', async () => {
    let corrupted = 0;
    // A proxy in front of the stand-in spoils one notification's time, as a broken API would.
    const fetchImpl: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (corrupted > 0 || !url.includes('/notifications?') || response.status !== 200) return response;
      const body = (await response.json()) as { notifications: { started_at: string }[] };
      if (body.notifications.length === 0) return new Response(JSON.stringify(body), response);
      corrupted++;
      (body.notifications[0] as { started_at: string }).started_at = 'yesterday';
      return new Response(JSON.stringify(body), { status: 200, headers: response.headers });
    };
    const db = await freshDb();
    const result = await syncPagerDuty(db, config, world, { fetchImpl });
    expect(corrupted).toBe(1);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(result.badRecords).toBe(1);
    const bad = await db.all<{ record_key: string; error: string; payload: string }>(
      'SELECT record_key, error, payload FROM raw_pagerduty WHERE error IS NOT NULL',
    );
    expect(bad).toHaveLength(1);
    expect(bad[0]?.error).toContain('started_at');
    expect(JSON.parse(bad[0]?.payload ?? '{}').started_at).toBe('yesterday');
    const errors = await db.all<{ record_key: string; url: string }>('SELECT record_key, url FROM sync_errors');
    expect(errors.map((e) => e.record_key)).toEqual([bad[0]?.record_key]);
    const tables = await checksums(db);
    expect(tables.notifications?.rows).toBe((clean.notifications?.rows ?? 0) - 1);
    expect({ ...tables, notifications: clean.notifications }).toEqual(clean);
  });

  it('stops at once on a revoked key, says to check PAGERDUTY_TOKEN, and leaves nothing half-written', async () => {
    withFaults([{ kind: 'revoke-token', skip: 40, count: 1 }]);
    const db = await freshDb();
    const result = await syncPagerDuty(db, config, world);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/401/);
    expect(result.error).toContain('PAGERDUTY_TOKEN');
    const raw = await rawSummary(db);
    expect(raw.rows).toBe(raw.distinct);
    // Every cursor sits on committed rows: finishing with a good key ends equal to a clean sync.
    const resumed = await syncPagerDuty(db, config, world, { token: SPARE_TOKEN });
    expect(resumed.status, resumed.error ?? '').toBe('succeeded');
    expect(await checksums(db)).toEqual(clean);
  });

  it('says PAGERDUTY_TOKEN is missing before sending anything', async () => {
    const db = await freshDb();
    const served = world.pd.stats.total;
    const result = await syncPagerDuty(db, config, world, { token: '' });
    expect(result.status).toBe('failed');
    expect(result.error).toBe(MISSING_TOKEN_MESSAGE);
    expect(world.pd.stats.total).toBe(served);
  });

  it('names pagerduty.baseUrl when nothing answers there', async () => {
    // A port that was free a moment ago: the connection is refused.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const db = await freshDb();
    const baseUrl = `http://127.0.0.1:${port}`;
    const result = await syncPagerDuty(db, configFor(world, ':memory:', { baseUrl }), world, { maxRetries: 1 });
    expect(result.status, result.error ?? '').toBe('failed');
    expect(result.error).toContain(`Could not reach PagerDuty at ${baseUrl}`);
    expect(result.error).toContain('pagerduty.baseUrl');
  });
});

describe('the PagerDuty collector while new records arrive', () => {
  let moving: World;
  afterAll(async () => {
    await moving?.close();
  });

  it('misses nothing when records appear while it pages', async () => {
    moving = await startWorld();
    const movingConfig = configFor(moving, ':memory:');
    const start = moving.store.clock();
    const expected = await expectedOf(moving.store, historyDaysOf(moving.store));
    // Between two pages of log entries, then of notifications, the clock jumps two days: new
    // incidents, entries and pages appear, some inside windows being read.
    moving.pd.faults.add({ kind: 'advance-clock', path: '/log_entries*offset=100*', advanceMs: 2 * 86_400_000, count: 1 });
    moving.pd.faults.add({ kind: 'advance-clock', path: '/notifications*offset=100*', advanceMs: 86_400_000, count: 1 });
    const db = await freshDb();
    const first = await syncPagerDuty(db, movingConfig, moving, { now: () => Date.parse(start) });
    expect(first.status, first.error ?? '').toBe('succeeded');
    expect(moving.store.clock()).not.toBe(start);
    const have = async (sql: string) => new Set((await db.all<{ id: string }>(sql)).map((r) => r.id));
    // Everything up to the clock the run started at is there.
    const entries = await have('SELECT id FROM log_entries');
    for (const id of expected.logEntries) expect(entries.has(id), id).toBe(true);
    const pages = await have('SELECT id FROM notifications');
    for (const id of expected.notifications.keys()) expect(pages.has(id), id).toBe(true);
    const incidents = await have('SELECT id FROM incidents');
    for (const id of expected.incidents.keys()) expect(incidents.has(id), id).toBe(true);

    // The next sync, at the new clock, ends equal to a full sync there.
    const later = configFor(moving, ':memory:', { historyDays: historyDaysOf(moving.store) });
    const second = await syncPagerDuty(db, later, moving);
    expect(second.status, second.error ?? '').toBe('succeeded');
    const full = await freshDb();
    const reference = await syncPagerDuty(full, later, moving);
    expect(reference.status, reference.error ?? '').toBe('succeeded');
    expect(await checksums(db)).toEqual(await checksums(full));
  });
});
