// What the PagerDuty collector's integration tests share: the small simulated organisation served
// by the PagerDuty stand-in over HTTP, a Vigil config mapping its teams' services and schedules, a
// sync through the real SyncService with the collector's clock on the organisation's, and
// checksums of tables to compare two databases.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { RunResult } from '../../../collectors/engine/runner.ts';
import { SOURCE_TABLES } from '../../../collectors/engine/tables.ts';
import { createSyncService } from '../../../collectors/index.ts';
import type { PagerDutyCollectorOptions } from '../../../collectors/pagerduty/collector.ts';
import { parseConfig } from '../../../server/config/load.ts';
import type { VigilConfig } from '../../../server/config/schema.ts';
import { type Database, ident } from '../../../server/db/index.ts';
import { createOrg } from '../../stand-ins/org/index.ts';
import type { OrgStore } from '../../stand-ins/org/model.ts';
import { type PagerDutyStandIn, type PagerDutyStandInOptions, startPagerDutyStandIn } from '../../stand-ins/pagerduty/index.ts';

export const TOKEN = 'pd_vigil_collector_test_0001';
export const SPARE_TOKEN = 'pd_vigil_collector_test_0002';
export const ANCHOR = '2026-06-01T00:00:00Z';
const DAY = 86_400_000;

export interface World {
  store: OrgStore;
  pd: PagerDutyStandIn;
  close(): Promise<void>;
}

/** The small organisation behind a PagerDuty stand-in (its per-minute budget lifted unless asked). */
export async function startWorld(
  options: Partial<PagerDutyStandInOptions> & { anchor?: string; store?: OrgStore } = {},
): Promise<World> {
  const { anchor, store: given, ...standIn } = options;
  const store = given ?? (await createOrg({ seed: 7, size: 'small', anchor: anchor ?? ANCHOR }));
  const pd = await startPagerDutyStandIn({
    store,
    token: [TOKEN, SPARE_TOKEN],
    logLimit: 0,
    rateLimit: { perMinute: 1_000_000 },
    // `self` links name the real host, so payloads (and their hashes) do not depend on the port.
    publicUrl: 'https://api.pagerduty.com',
    ...standIn,
  });
  return {
    store,
    pd,
    close: async () => {
      await pd.close();
      await store.close();
    },
  };
}

/** Days from the start of the organisation's history to its clock: the first sync reaches all of it. */
export function historyDaysOf(store: OrgStore): number {
  return Math.ceil((Date.parse(store.clock()) - Date.parse(store.historyStart)) / DAY) + 2;
}

export function rawConfig(world: World, database: string, pagerduty: Record<string, unknown> = {}) {
  return {
    database,
    pagerduty: { baseUrl: world.pd.url, historyDays: historyDaysOf(world.store), timeoutSeconds: 5, ...pagerduty },
    teams: world.store.teams.map((team) => ({
      id: team.id,
      name: team.name,
      timeZone: team.timeZone,
      services: [...team.serviceIds],
      schedules: [...team.scheduleIds],
    })),
  };
}

export function configFor(world: World, database: string, pagerduty: Record<string, unknown> = {}): VigilConfig {
  return parseConfig('test.yaml', rawConfig(world, database, pagerduty));
}

export function writeConfigFile(file: string, world: World, database: string, pagerduty: Record<string, unknown> = {}): void {
  writeFileSync(file, stringify(rawConfig(world, database, pagerduty)));
}

export interface SyncOptions extends Partial<Omit<PagerDutyCollectorOptions, 'config' | 'token'>> {
  token?: string;
  log?: string[];
}

/** Waits that return at once: tests assert what was asked for, not how long it took. */
export const instantSleep = async (_ms: number, signal: AbortSignal) => {
  if (signal.aborted) throw new Error('stopped');
};

/** One PagerDuty sync through the real service, on the organisation's clock (no metrics refresh). */
export async function syncPagerDuty(
  db: Database,
  config: VigilConfig,
  world: World,
  options: SyncOptions = {},
): Promise<RunResult> {
  const { token, log, ...collector } = options;
  const service = await createSyncService(db, config, {
    env: { PAGERDUTY_TOKEN: token ?? TOKEN },
    afterSync: null,
    log: (line) => log?.push(line),
    pagerduty: { now: () => Date.parse(world.store.clock()), sleep: instantSleep, ...collector },
  });
  try {
    return await service.run('pagerduty', 'cli');
  } finally {
    await service.stop();
  }
}

export interface TableSum {
  rows: number;
  hash: string;
}

/** Order-independent checksums of every PagerDuty normalised table (synced_at left out unless asked). */
export async function checksums(db: Database, options: { withSyncedAt?: boolean } = {}): Promise<Record<string, TableSum>> {
  const out: Record<string, TableSum> = {};
  for (const table of SOURCE_TABLES.pagerduty) {
    const columns = await db.all<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = $table AND table_schema = 'main' ORDER BY ordinal_position`,
      { table },
    );
    const names = columns.map((c) => c.column_name).filter((c) => options.withSyncedAt || c !== 'synced_at');
    const row = await db.one<{ rows: number; hash: string | null }>(
      `SELECT count(*) AS rows, CAST(sum(hash(${names.map(ident).join(', ')})) AS VARCHAR) AS hash FROM ${ident(table)}`,
    );
    out[table] = { rows: row?.rows ?? 0, hash: row?.hash ?? '0' };
  }
  return out;
}

/** The raw log as a multiset of records and contents, with no duplicates allowed. */
export async function rawSummary(db: Database): Promise<{ rows: number; distinct: number; hash: string }> {
  const row = await db.one<{ rows: number; distinct: number; hash: string | null }>(
    `SELECT count(*) AS rows, count(DISTINCT (stream, scope, record_key, payload_hash)) AS distinct,
            CAST(sum(hash(stream, scope, record_key, payload_hash)) AS VARCHAR) AS hash
     FROM raw_pagerduty WHERE error IS NULL`,
  );
  return { rows: row?.rows ?? 0, distinct: row?.distinct ?? 0, hash: row?.hash ?? '0' };
}

/** Requests per stream of a run, from its stream counts (streams that sent none left out). */
export function requestsPerStream(result: RunResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [stream, byScope] of Object.entries(result.streams)) {
    const n = Object.values(byScope).reduce((sum, c) => sum + c.requests, 0);
    if (n > 0) out[stream] = n;
  }
  return out;
}

/** Row counts of the PagerDuty tables. */
export async function counts(db: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of SOURCE_TABLES.pagerduty) {
    out[table] = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${ident(table)}`))?.n ?? 0;
  }
  return out;
}
