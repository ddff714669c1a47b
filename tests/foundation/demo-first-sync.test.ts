// `vigil demo`'s first sync on a new database: the recent days first (so the default views are
// complete early), then the rest of the history. Both steps together must end exactly where one
// full sync ends: the same normalised tables, no record fetched twice into the raw log, and the
// first step holding only the recent days. The small organisation (90 days) with a 30-day first
// step stands in for the default one (two years, 100 days), whose sync takes minutes.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SOURCE_TABLES } from '../../collectors/engine/tables.ts';
import { type Database, ident } from '../../server/db/index.ts';
import { type RunningDemo, startDemo } from '../../server/demo/demo.ts';
import { tempDir } from '../support/tmp.ts';

const root = tempDir('vigil-demo-first-sync-');
// A fixed wall clock: both demos see the same simulated organisation at the same moment.
const NOW = new Date('2026-11-20T15:00:00Z');
const running: RunningDemo[] = [];

async function demo(name: string, recentDays: number | undefined, log: string[]): Promise<RunningDemo> {
  const d = await startDemo({
    dir: join(root, name),
    seed: 11,
    size: 'small',
    host: '127.0.0.1',
    port: 0,
    fresh: true,
    cron: '0 0 1 1 *',
    log: (line) => log.push(line),
    now: () => NOW,
    ...(recentDays === undefined ? {} : { recentDays }),
  });
  running.push(d);
  await d.firstSync;
  return d;
}

/**
 * Order-independent checksums of the normalised tables of both sources (synced_at and the payload hash left out), with
 * the stand-ins' loopback address taken out of URLs: each demo serves on ports of its own.
 */
async function checksums(db: Database): Promise<Record<string, { rows: number; hash: string }>> {
  const out: Record<string, { rows: number; hash: string }> = {};
  for (const table of [...SOURCE_TABLES.github, ...SOURCE_TABLES.pagerduty]) {
    const columns = await db.all<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns
       WHERE table_name = $table AND table_schema = 'main' AND column_name NOT IN ('synced_at', 'raw_hash') ORDER BY ordinal_position`,
      { table },
    );
    const parts = columns.map((c) =>
      c.type === 'VARCHAR' ? `regexp_replace(${ident(c.name)}, '127\\.0\\.0\\.1:[0-9]+', 'stand-in', 'g')` : ident(c.name),
    );
    const row = await db.one<{ rows: number; hash: string | null }>(
      `SELECT count(*) AS rows, CAST(sum(hash(${parts.join(', ')})) AS VARCHAR) AS hash FROM ${ident(table)}`,
    );
    out[table] = { rows: row?.rows ?? 0, hash: row?.hash ?? '0' };
  }
  return out;
}

/** The raw log: rows, and distinct records (a record fetched twice with the same content is a duplicate). */
async function raw(db: Database, table: 'raw_github' | 'raw_pagerduty') {
  return db.one<{ rows: number; distinct: number }>(
    `SELECT count(*) AS rows, count(DISTINCT (stream, scope, record_key, payload_hash)) AS distinct
     FROM ${ident(table)} WHERE error IS NULL`,
  );
}

afterAll(async () => {
  for (const d of running) await d.stop();
});

describe('the demo first sync', () => {
  it('fetches the recent days first, then the rest, and ends equal to one full sync', async () => {
    const stepLog: string[] = [];
    const stepped = await demo('stepped', 30, stepLog);

    expect(stepLog.some((l) => l.startsWith('The last 30 days are in'))).toBe(true);
    expect(stepLog.some((l) => l.startsWith('The whole history is in'))).toBe(true);

    const runs = await stepped.vigil.db.all<{ source: string; status: string; n: number }>(
      `SELECT source, status, count(*) AS n FROM sync_runs GROUP BY ALL ORDER BY ALL`,
    );
    expect(runs).toEqual([
      { source: 'github', status: 'succeeded', n: 2 },
      { source: 'pagerduty', status: 'succeeded', n: 2 },
    ]);
    // The first run stored the recent days only; the second one the older history.
    const firstRun = await stepped.vigil.db.one<{ id: number }>(`SELECT min(id) AS id FROM sync_runs WHERE source = 'github'`);
    const created = await stepped.vigil.db.all<{ run: string; oldest: string }>(
      `SELECT CASE WHEN run_id = $first THEN 'first' ELSE 'second' END AS run,
              CAST(min(CAST(payload::JSON->>'created_at' AS TIMESTAMPTZ)) AS VARCHAR) AS oldest
       FROM raw_github WHERE stream = 'deployments' GROUP BY ALL ORDER BY ALL`,
      { first: firstRun?.id ?? -1 },
    );
    const daysBack = (iso: string | undefined) => (NOW.getTime() - Date.parse(iso ?? '')) / 86_400_000;
    expect(created.map((r) => r.run)).toEqual(['first', 'second']);
    expect(daysBack(created[0]?.oldest)).toBeLessThanOrEqual(31);
    expect(daysBack(created[1]?.oldest)).toBeGreaterThan(60);

    const a = await checksums(stepped.vigil.db);
    const rawA = [await raw(stepped.vigil.db, 'raw_github'), await raw(stepped.vigil.db, 'raw_pagerduty')];
    // One demo at a time: each schedules its syncs under the same job names.
    await stepped.stop();
    const wholeLog: string[] = [];
    const whole = await demo('whole', undefined, wholeLog);
    expect(wholeLog.some((l) => l.startsWith('The last'))).toBe(false);
    const b = await checksums(whole.vigil.db);
    const rawB = [await raw(whole.vigil.db, 'raw_github'), await raw(whole.vigil.db, 'raw_pagerduty')];

    expect(a).toEqual(b);
    expect(a.deployments?.rows).toBeGreaterThan(50);
    expect(a.incidents?.rows).toBeGreaterThan(20);
    // Nothing fetched twice: the second step skipped what the first one had finished.
    for (const r of rawA) expect(r?.distinct).toBe(r?.rows);
    expect(rawA.map((r) => r?.distinct)).toEqual(rawB.map((r) => r?.distinct));
  }, 240_000); // four syncs of the small organisation: ~26 s alone, minutes on a loaded machine
});
