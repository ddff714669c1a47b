// What the GitHub collector's integration tests share: the small simulated organisation served by
// the GitHub stand-in over HTTP, a Vigil config mapping it (all repositories or a few), a sync
// through the real SyncService, and checksums of tables to compare two databases.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { RunResult } from '../../../collectors/engine/runner.ts';
import { SOURCE_TABLES } from '../../../collectors/engine/tables.ts';
import { createSyncService } from '../../../collectors/index.ts';
import { parseConfig } from '../../../server/config/load.ts';
import type { VigilConfig } from '../../../server/config/schema.ts';
import { type Database, ident } from '../../../server/db/index.ts';
import { type GitHubStandIn, type GitHubStandInOptions, startGitHubStandIn } from '../../stand-ins/github/index.ts';
import { createOrg } from '../../stand-ins/org/index.ts';
import type { OrgStore } from '../../stand-ins/org/model.ts';

export const TOKEN = 'ghp_vigil_collector_test_0001';
export const SPARE_TOKEN = 'ghp_vigil_collector_test_0002';
export const ANCHOR = '2026-06-01T00:00:00Z';

export interface World {
  store: OrgStore;
  gh: GitHubStandIn;
  close(): Promise<void>;
}

/** The small organisation behind a GitHub stand-in whose secondary limits do not get in the way. */
export async function startWorld(options: Partial<GitHubStandInOptions> = {}): Promise<World> {
  const store = await createOrg({ seed: 7, size: 'small', anchor: ANCHOR });
  const gh = await startGitHubStandIn({
    store,
    token: [TOKEN, SPARE_TOKEN],
    logLimit: 0,
    ...options,
    rateLimit: { pointsPerMinute: 1_000_000, ...options.rateLimit },
  });
  return {
    store,
    gh,
    close: async () => {
      await gh.close();
      await store.close();
    },
  };
}

/** The config's teams for the organisation, optionally only some repositories. */
export function teamsFor(store: OrgStore, only?: (repo: string) => boolean) {
  return store.teams
    .map((team) => ({
      id: team.id,
      name: team.name,
      repos: team.repos
        .filter((name) => !only || only(name))
        .map((name) => {
          const repo = store.repos.find((r) => r.fullName === name);
          return {
            name,
            ...(repo?.workflow ? { workflow: { file: repo.workflow.file, branch: repo.workflow.branch } } : {}),
          };
        }),
    }))
    .filter((team) => team.repos.length > 0);
}

export function rawConfig(
  world: World,
  database: string,
  only?: (repo: string) => boolean,
  github: Record<string, unknown> = {},
) {
  return {
    database,
    // Ten years: the history horizon follows the wall clock, the organisation a fixed anchor.
    github: { baseUrl: world.gh.url, historyDays: 3650, timeoutSeconds: 5, ...github },
    teams: teamsFor(world.store, only),
  };
}

export function configFor(
  world: World,
  database: string,
  only?: (repo: string) => boolean,
  github: Record<string, unknown> = {},
): VigilConfig {
  return parseConfig('test.yaml', rawConfig(world, database, only, github));
}

export function writeConfigFile(file: string, world: World, database: string, only?: (repo: string) => boolean): void {
  writeFileSync(file, stringify(rawConfig(world, database, only)));
}

/** A few repositories that between them have every shape: a workflow, a 'prod' environment, plain ones. */
export function someRepos(store: OrgStore, count = 3): (repo: string) => boolean {
  const withWorkflow = store.repos.find((r) => r.workflow);
  const withProd = store.repos.find((r) => r.productionEnvironment === 'prod');
  const picked = new Set([withWorkflow?.fullName, withProd?.fullName].filter((r): r is string => !!r));
  for (const repo of store.repos) {
    if (picked.size >= count) break;
    picked.add(repo.fullName);
  }
  return (repo) => picked.has(repo);
}

export interface SyncOptions {
  token?: string;
  log?: string[];
  timeoutSeconds?: number;
}

/** One GitHub sync through the real service (no metrics refresh: these tests look at the collector). */
export async function syncGitHub(db: Database, config: VigilConfig, options: SyncOptions = {}): Promise<RunResult> {
  const service = await createSyncService(db, config, {
    env: { GITHUB_TOKEN: options.token ?? TOKEN },
    afterSync: null,
    log: (line) => options.log?.push(line),
    github: { retryAfterBaseValue: 1 },
  });
  try {
    return await service.run('github', 'cli');
  } finally {
    await service.stop();
  }
}

export interface TableSum {
  rows: number;
  hash: string;
}

/** Order-independent checksums of every GitHub normalised table (synced_at left out unless asked). */
export async function checksums(db: Database, options: { withSyncedAt?: boolean } = {}): Promise<Record<string, TableSum>> {
  const out: Record<string, TableSum> = {};
  for (const table of SOURCE_TABLES.github) {
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
     FROM raw_github WHERE error IS NULL`,
  );
  return { rows: row?.rows ?? 0, distinct: row?.distinct ?? 0, hash: row?.hash ?? '0' };
}

/** Requests per stream and repository of a run, from its stream counts. */
export function requestsPerStream(result: RunResult): { stream: string; scope: string; requests: number }[] {
  return Object.entries(result.streams).flatMap(([stream, byScope]) =>
    Object.entries(byScope).map(([scope, counts]) => ({ stream, scope, requests: counts.requests })),
  );
}

/**
 * Tables after incremental syncs against a clean sync at the same clock: identical, except what
 * Vigil deliberately does not fetch again. A deployment final for Vigil (successful, failed or not
 * production) is not re-read, so the `inactive` status GitHub adds when a newer deployment replaces
 * it, and the updated_at it bumps with it, are missing (they change no metric).
 */
export async function expectEqualButInactive(ours: Database, theirs: Database): Promise<void> {
  const { expect } = await import('vitest');
  const mine = await checksums(ours);
  const other = await checksums(theirs);
  for (const table of Object.keys(mine)) {
    if (table === 'deployments' || table === 'deployment_statuses') continue;
    expect(mine[table], table).toEqual(other[table]);
  }
  const read = (db: Database) =>
    db.all<{ id: string; status: string | null; raw_hash: string; core: string }>(
      `SELECT id, status, raw_hash, CAST(hash(repo, source, github_id, sha, ref, task, environment, creator, created_at, succeeded_at) AS VARCHAR) AS core
       FROM deployments`,
    );
  const byId = new Map((await read(ours)).map((r) => [r.id, r]));
  const clean = await read(theirs);
  expect(byId.size).toBe(clean.length);
  for (const row of clean) {
    const have = byId.get(row.id);
    expect(have, `deployment ${row.id}`).toBeDefined();
    if (!have || (have.status === row.status && have.raw_hash === row.raw_hash)) continue;
    expect(have.core, `deployment ${row.id}`).toBe(row.core);
    expect([have.status, row.status], `deployment ${row.id}`).toEqual(
      have.status === row.status ? [have.status, have.status] : ['success', 'inactive'],
    );
  }
  const haveStatuses = new Set((await ours.all<{ id: number }>('SELECT id FROM deployment_statuses')).map((r) => r.id));
  for (const status of await theirs.all<{ id: number; state: string }>('SELECT id, state FROM deployment_statuses')) {
    if (!haveStatuses.has(status.id)) expect(status.state, `status ${status.id}`).toBe('inactive');
  }
}
