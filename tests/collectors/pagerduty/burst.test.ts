// A window holding 25,000 incidents (an alert storm within one hour) and 12,000 log entries,
// served over HTTP by the real stand-in, which answers 400 past offset 10,000 as PagerDuty does:
// the collector cuts the windows until each piece fits and gets every incident and every log
// entry, each once, in few requests more than the pages themselves. VIGIL_LONG_TESTS makes the
// storm 60,000 incidents with 120,000 log entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../server/db/index.ts';
import { createOrg } from '../../stand-ins/org/index.ts';
import { type Burst, withBurst } from './burst-store.ts';
import { ANCHOR, configFor, rawSummary, requestsPerStream, startWorld, syncPagerDuty, type World } from './support.ts';

const LONG = process.env.VIGIL_LONG_TESTS === '1' || process.env.VIGIL_LONG_TESTS === 'true';
const STORM = LONG ? 60_000 : 25_000;
/** Storm incidents with a trigger and a resolve entry: more entries in one hour than one window can page. */
const WITH_ENTRIES = LONG ? STORM : 6_000;

let world: World;
let burst: Burst;
let db: Database;

beforeAll(async () => {
  const base = await createOrg({ seed: 7, size: 'small', anchor: ANCHOR });
  burst = await withBurst(base, {
    count: STORM,
    withEntries: WITH_ENTRIES,
    start: new Date(Date.parse(ANCHOR) - 20 * 86_400_000).toISOString(),
  });
  world = await startWorld({ store: burst.store });
  db = await openDatabase(':memory:');
}, 120_000);

afterAll(async () => {
  await db?.close();
  await world?.close();
});

describe(`a window holding ${STORM.toLocaleString('en-US')} incidents`, () => {
  it('syncs every incident and log entry despite the 10,000-record paging limit', async () => {
    const result = await syncPagerDuty(db, configFor(world, ':memory:'), world);
    expect(result.status, result.error ?? '').toBe('succeeded');
    // The stand-in never had to refuse a page past the limit.
    expect(world.pd.stats.byStatus['400'] ?? 0).toBe(0);

    const truth = (await burst.store.incidents({ all: true }, 0, 10_000_000)).items;
    expect(truth.length).toBeGreaterThan(STORM);
    const stored = await db.all<{ id: string }>('SELECT id FROM incidents');
    expect(stored.length).toBe(truth.length);
    expect(new Set(stored.map((r) => r.id))).toEqual(new Set(truth.map((i) => i.id)));
    const storm = await db.one<{ n: number; resolved: number; final: number }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'resolved') AS resolved, count(*) FILTER (WHERE final) AS final
       FROM incidents WHERE created_at >= CAST($start AS TIMESTAMPTZ) AND created_at < CAST($end AS TIMESTAMPTZ)`,
      { start: burst.start, end: burst.end },
    );
    expect(storm).toEqual({ n: STORM, resolved: STORM, final: STORM });
    const stormEntries = await db.one<{ n: number }>('SELECT count(*) AS n FROM log_entries WHERE id IN (SELECT unnest($ids))', {
      ids: burst.entries.map((e) => e.id),
    });
    expect(stormEntries?.n).toBe(burst.entries.length);
    const raw = await rawSummary(db);
    expect(raw.rows).toBe(raw.distinct);

    // Pages of 100, plus a few requests to find where to cut: two per cut, and a last part-page per window.
    const perStream = requestsPerStream(result);
    const cuts = (n: number) => 2 * Math.ceil(n / 8_000);
    expect(perStream.incidents).toBeLessThanOrEqual(Math.ceil(truth.length / 100) + 2 * cuts(truth.length));
    const entries = (await db.one<{ n: number }>('SELECT count(*) AS n FROM log_entries'))?.n ?? 0;
    expect(perStream.log_entries).toBeLessThanOrEqual(Math.ceil(entries / 100) + 2 * cuts(entries));
    // The storm's incidents have no alerts: none was asked for.
    expect(perStream.alerts ?? 0).toBeLessThan(truth.length - STORM + 1);
  });

  it('then costs at most one request per stream', async () => {
    const result = await syncPagerDuty(db, configFor(world, ':memory:'), world);
    expect(result.status, result.error ?? '').toBe('succeeded');
    for (const [stream, n] of Object.entries(requestsPerStream(result))) expect(n, stream).toBeLessThanOrEqual(1);
    expect(result.recordsWritten).toBe(0);
  });
});
