// The fault matrix: every fault switch of the stand-ins against both collectors, in one table.
// Each run starts from a database holding only a reviewer's data (labels, a follow-up, a note, a
// manual link, restored from a user-data backup, as after losing the database) and syncs under
// one fault. Transient faults end with every normalised table equal, by checksum, to a clean
// run's; lasting ones end with an error saying what to do, only finished rows written, and the
// next sync (fault gone) equal to a clean run. In every case the reviewer's rows survive untouched.
//
// The collector tests (tests/collectors/*/faults.test.ts) probe each fault's details (waits, log
// lines, kept pages); this file is the overview, built on their helpers.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../collectors/engine/runner.ts';
import { SOURCE_TABLES } from '../../collectors/engine/tables.ts';
import { exportUserData, importUserData, type UserData } from '../../server/backup/backup.ts';
import type { VigilConfig } from '../../server/config/schema.ts';
import { type Database, openDatabase } from '../../server/db/index.ts';
import * as gh from '../collectors/github/support.ts';
import * as pd from '../collectors/pagerduty/support.ts';
import type { FaultKind, FaultRuleInput } from '../stand-ins/common/faults.ts';
import type { OrgStore } from '../stand-ins/org/model.ts';
import { bothConfig, expectOnlyFinishedRows, type TableSum, userTableSums, writeReviewerData } from './support.ts';

type Source = 'github' | 'pagerduty';

/**
 * How a run under the fault must end:
 * - `recovers`: the run succeeds and equals a clean run.
 * - `next-sync`: the run ends partial or failed with `error`, keeping only finished rows; once the
 *   fault is gone the next sync equals a clean run.
 * - `stops`: an unrecoverable fault (revoked token): the run fails at once with `error`, only
 *   finished rows are kept, and a sync with a good token equals a clean run.
 * - `skips-scope`: a repository that is gone: named in `error`, the other repository complete,
 *   nothing of the gone one written.
 */
type Outcome = 'recovers' | 'next-sync' | 'stops' | 'skips-scope';

interface Row {
  source: Source;
  fault: FaultKind;
  what: string;
  rules: FaultRuleInput[];
  outcome: Outcome;
  error?: RegExp;
  /** Collector timeout (seconds) for this run. */
  timeoutSeconds?: number;
}

const GH_DEPLOYMENTS = 'GET /repos/{owner}/{repo}/deployments';
const GH_STATUSES = 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses';
const GH_COMPARE = 'GET /repos/{owner}/{repo}/compare/{basehead}';
const GH_PULLS = 'GET /repos/{owner}/{repo}/pulls';
const GH_PULL_COMMITS = 'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits';

// biome-ignore format: one row per line reads as the matrix it is
const MATRIX: Row[] = [
  { source: 'github', fault: 'status', what: '500, 502, 503 on deployments', rules: [{ kind: 'status', endpoint: GH_DEPLOYMENTS, status: [500, 502, 503], count: 3 }], outcome: 'recovers' },
  { source: 'github', fault: 'status', what: '503 on every pulls page (an outage)', rules: [{ kind: 'status', endpoint: GH_PULLS, status: 503, count: 'always' }], outcome: 'next-sync', error: /503/ },
  { source: 'github', fault: 'rate-limit', what: 'primary limit, 429', rules: [{ kind: 'rate-limit', endpoint: GH_PULLS, limitStatus: 429, retryAfter: 3, count: 1 }], outcome: 'recovers' },
  { source: 'github', fault: 'rate-limit', what: 'primary limit, 403', rules: [{ kind: 'rate-limit', endpoint: GH_COMPARE, limitStatus: 403, retryAfter: 2, count: 1 }], outcome: 'recovers' },
  { source: 'github', fault: 'secondary-rate-limit', what: 'twice on deployment statuses', rules: [{ kind: 'secondary-rate-limit', endpoint: GH_STATUSES, retryAfter: 5, count: 2 }], outcome: 'recovers' },
  { source: 'github', fault: 'reset', what: 'connection reset mid-body on compare', rules: [{ kind: 'reset', endpoint: GH_COMPARE, count: 2 }], outcome: 'recovers' },
  { source: 'github', fault: 'truncate', what: 'body cut short (connection closed)', rules: [{ kind: 'truncate', endpoint: GH_PULL_COMMITS, count: 1 }], outcome: 'recovers' },
  { source: 'github', fault: 'truncate', what: 'complete message, broken JSON', rules: [{ kind: 'truncate', endpoint: GH_PULLS, declare: 'sent', count: 1 }], outcome: 'recovers' },
  { source: 'github', fault: 'truncate', what: 'a page that stays unreadable', rules: [{ kind: 'truncate', endpoint: GH_PULLS, declare: 'sent', count: 'always' }], outcome: 'next-sync', error: /not valid JSON/ },
  { source: 'github', fault: 'slow', what: 'slower than the 1 s timeout', rules: [{ kind: 'slow', endpoint: GH_DEPLOYMENTS, delayMs: 2500, count: 1 }], outcome: 'recovers', timeoutSeconds: 1 },
  { source: 'github', fault: 'revoke-token', what: 'token revoked mid-run', rules: [{ kind: 'revoke-token', skip: 60, count: 1 }], outcome: 'stops', error: /401.*GITHUB_TOKEN|GITHUB_TOKEN.*401/s },
  { source: 'github', fault: 'remove-repository', what: 'a configured repository is gone', rules: [], outcome: 'skips-scope', error: /GitHub has no repository .*teams\[\d+\]\.repos\[\d+\] in the config/ },

  { source: 'pagerduty', fault: 'status', what: '500, 502, 503 on log entries, alerts, users', rules: [{ kind: 'status', endpoint: 'GET /log_entries', status: [500, 502, 503], count: 3 }, { kind: 'status', endpoint: 'GET /incidents/{id}/alerts', status: 502, count: 2 }, { kind: 'status', endpoint: 'GET /users', status: 503, count: 1 }], outcome: 'recovers' },
  { source: 'pagerduty', fault: 'status', what: '503 on every notifications page (an outage)', rules: [{ kind: 'status', endpoint: 'GET /notifications', status: 503, count: 'always' }], outcome: 'next-sync', error: /503/ },
  { source: 'pagerduty', fault: 'status', what: '404 on on-calls (a resource that is gone)', rules: [{ kind: 'status', endpoint: 'GET /oncalls', status: 404, count: 'always' }], outcome: 'next-sync', error: /PagerDuty has nothing at .*\/oncalls.*404/ },
  { source: 'pagerduty', fault: 'rate-limit', what: '429 twice on notifications', rules: [{ kind: 'rate-limit', endpoint: 'GET /notifications', retryAfter: 7, count: 2 }], outcome: 'recovers' },
  { source: 'pagerduty', fault: 'secondary-rate-limit', what: 'on on-calls', rules: [{ kind: 'secondary-rate-limit', endpoint: 'GET /oncalls', retryAfter: 3, count: 1 }], outcome: 'recovers' },
  { source: 'pagerduty', fault: 'reset', what: 'connection reset on incidents and alerts', rules: [{ kind: 'reset', endpoint: 'GET /incidents', count: 2 }, { kind: 'reset', endpoint: 'GET /incidents/{id}/alerts', bytes: 10, count: 1 }], outcome: 'recovers' },
  { source: 'pagerduty', fault: 'truncate', what: 'body cut short (connection closed)', rules: [{ kind: 'truncate', endpoint: 'GET /log_entries', count: 1 }], outcome: 'recovers' },
  { source: 'pagerduty', fault: 'truncate', what: 'complete message, broken JSON', rules: [{ kind: 'truncate', endpoint: 'GET /notifications', declare: 'sent', count: 1 }], outcome: 'recovers' },
  { source: 'pagerduty', fault: 'truncate', what: 'a page that stays unreadable', rules: [{ kind: 'truncate', endpoint: 'GET /notifications', declare: 'sent', count: 'always' }], outcome: 'next-sync', error: /notifications.*not valid JSON/s },
  { source: 'pagerduty', fault: 'slow', what: 'slower than the 1 s timeout', rules: [{ kind: 'slow', endpoint: 'GET /oncalls', delayMs: 2500, count: 1 }], outcome: 'recovers', timeoutSeconds: 1 },
  { source: 'pagerduty', fault: 'revoke-token', what: 'key revoked mid-run', rules: [{ kind: 'revoke-token', skip: 40, count: 1 }], outcome: 'stops', error: /401.*PAGERDUTY_TOKEN|PAGERDUTY_TOKEN.*401/s },
  // remove-repository has no PagerDuty counterpart (the stand-in has no repositories); a resource
  // that is gone is the 404 row above. advance-clock, which moves the organisation's clock for
  // every later test, has its own describe below, on organisations of its own.
];

/**
 * Small scopes keep two dozen syncs quick while every stream still runs: PagerDuty's last 30 days
 * (incidents, log entries, alerts, pages, on-call shifts), and two repositories on GitHub, the
 * Deployments-API one with the fewest deployments and the Actions-workflow one with the fewest
 * pull requests.
 */
const PD_HISTORY_DAYS = 30;

async function smallRepos(store: OrgStore): Promise<(repo: string) => boolean> {
  const smallest = async (candidates: OrgStore['repos'], size: (repo: string) => Promise<number>) => {
    const sized = await Promise.all(candidates.map(async (r) => ({ name: r.fullName, n: await size(r.fullName) })));
    return sized.filter((r) => r.n > 0).sort((a, b) => a.n - b.n)[0]?.name;
  };
  const deployments = await smallest(
    store.repos.filter((r) => !r.workflow),
    async (repo) => (await store.deployments(repo, {}, 0, 1)).total,
  );
  const workflow = await smallest(
    store.repos.filter((r) => r.workflow),
    async (repo) => (await store.pulls(repo, { state: 'all', sort: 'created', direction: 'desc' }, 0, 1)).total,
  );
  const picked = new Set([deployments, workflow]);
  expect(picked.size).toBe(2);
  return (repo) => picked.has(repo);
}

let ghWorld: gh.World;
let pdWorld: pd.World;
let only: (repo: string) => boolean;
let repos: string[];
let reference: Database;
let clean: Record<Source, Record<string, TableSum>>;
let userData: UserData;
const open: Database[] = [];

async function freshDb(withUserData = true): Promise<Database> {
  const db = await openDatabase(':memory:');
  open.push(db);
  if (withUserData) await importUserData(db, userData);
  return db;
}

function configOf(source: Source, timeoutSeconds?: number): VigilConfig {
  const extra = timeoutSeconds ? { timeoutSeconds } : {};
  return source === 'github'
    ? gh.configFor(ghWorld, ':memory:', only, extra)
    : pd.configFor(pdWorld, ':memory:', { historyDays: PD_HISTORY_DAYS, ...extra });
}

function sync(source: Source, db: Database, config: VigilConfig, token?: string): Promise<RunResult> {
  const options = token ? { token } : {};
  return source === 'github' ? gh.syncGitHub(db, config, options) : pd.syncPagerDuty(db, config, pdWorld, options);
}

const checksums = (source: Source, db: Database) => (source === 'github' ? gh.checksums(db) : pd.checksums(db));
const rawSummary = (source: Source, db: Database) => (source === 'github' ? gh.rawSummary(db) : pd.rawSummary(db));
const standIn = (source: Source) => (source === 'github' ? ghWorld.gh : pdWorld.pd);

beforeAll(async () => {
  ghWorld = await gh.startWorld();
  pdWorld = await pd.startWorld();
  only = await smallRepos(ghWorld.store);
  repos = ghWorld.store.repos.map((r) => r.fullName).filter(only);
  reference = await freshDb(false);
  for (const source of ['github', 'pagerduty'] as const) {
    const result = await sync(source, reference, configOf(source));
    expect(result.status, `${source}: ${result.error ?? ''}`).toBe('succeeded');
  }
  clean = { github: await gh.checksums(reference), pagerduty: await pd.checksums(reference) };
  // A reviewer's work on the clean data, then backed up: each run below starts from its restore.
  await writeReviewerData(reference, bothConfig(ghWorld, pdWorld, ':memory:', only));
  userData = await exportUserData(reference);
});

beforeEach(() => {
  ghWorld.gh.stats.reset();
  pdWorld.pd.stats.reset();
});

afterEach(() => {
  ghWorld.gh.faults.clear();
  pdWorld.pd.faults.clear();
});

afterAll(async () => {
  for (const db of open) await db.close();
  await ghWorld?.close();
  await pdWorld?.close();
});

async function expectNoDuplicateRaw(source: Source, db: Database): Promise<void> {
  const raw = await rawSummary(source, db);
  expect(raw.rows, 'raw rows with a duplicate').toBe(raw.distinct);
}

describe('the fault matrix: every stand-in fault against both collectors', () => {
  it.each(MATRIX.map((row) => [`${row.source} × ${row.fault}: ${row.what}`, row] as const))('%s', async (_name, row) => {
    const { source } = row;
    const server = standIn(source);
    const db = await freshDb();
    const userBefore = await userTableSums(db);
    const rules =
      row.fault === 'remove-repository'
        ? [{ kind: 'remove-repository' as const, repo: repos[0] as string, count: 1 }]
        : row.rules;
    for (const rule of rules) server.faults.add(rule);

    const result = await sync(source, db, configOf(source, row.timeoutSeconds));
    expect(server.stats.faults[row.fault] ?? 0, `the ${row.fault} fault fired`).toBeGreaterThan(0);

    if (row.outcome === 'recovers') {
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(result.badRecords).toBe(0);
      expect(await checksums(source, db)).toEqual(clean[source]);
    } else if (row.outcome === 'skips-scope') {
      const [gone, kept] = repos as [string, string];
      expect(result.status).toBe('partial');
      expect(result.error).toMatch(row.error as RegExp);
      expect(result.error).toContain(gone);
      expect(result.failedScopes.map((f) => f.scope)).toEqual([gone]);
      for (const table of SOURCE_TABLES.github) {
        const count = async (d: Database, repo: string) =>
          (await d.one<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE repo = $repo`, { repo }))?.n;
        expect(await count(db, gone), `${table} rows of ${gone}`).toBe(0);
        expect(await count(db, kept), `${table} rows of ${kept}`).toBe(await count(reference, kept));
      }
      await expectOnlyFinishedRows(db, reference, SOURCE_TABLES.github);
    } else {
      // The run ended early: it says why and what to do, and left nothing half-written.
      expect(result.status).toMatch(row.outcome === 'stops' ? /^failed$/ : /^(partial|failed)$/);
      expect(result.error).toMatch(row.error as RegExp);
      await expectNoDuplicateRaw(source, db);
      await expectOnlyFinishedRows(db, reference, SOURCE_TABLES[source]);
      // With the fault gone (a good token for a revoked one), the next sync finishes the job.
      server.faults.clear();
      const spare = row.outcome === 'stops' ? (source === 'github' ? gh.SPARE_TOKEN : pd.SPARE_TOKEN) : undefined;
      const next = await sync(source, db, configOf(source), spare);
      expect(next.status, next.error ?? '').toBe('succeeded');
      expect(await checksums(source, db)).toEqual(clean[source]);
      await expectNoDuplicateRaw(source, db);
    }
    expect(await userTableSums(db), 'user-owned tables').toEqual(userBefore);
  });
});

describe('the fault matrix: the organisation moves while a collector pages (advance-clock)', () => {
  const moving: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const world of moving) await world.close();
  });

  it('github × advance-clock: deployments land between two pages; the next sync equals a clean one', async () => {
    const world = await gh.startWorld();
    moving.push(world);
    // The smallest repository whose deployments span more than one page.
    let busiest = '';
    let most = Number.POSITIVE_INFINITY;
    for (const repo of world.store.repos) {
      const total = (await world.store.deployments(repo.fullName, {}, 0, 1)).total;
      if (total > 100 && total < most) [busiest, most] = [repo.fullName, total];
    }
    const config = gh.configFor(world, ':memory:', (r) => r === busiest);
    world.gh.faults.add({ kind: 'advance-clock', path: `/repos/${busiest}/deployments?*page=2*`, advanceMs: 3 * 86_400_000 });
    const db = await freshDb();
    const userBefore = await userTableSums(db);
    const first = await gh.syncGitHub(db, config);
    expect(world.gh.stats.faults['advance-clock']).toBe(1);
    expect(first.status, first.error ?? '').toBe('succeeded');
    const second = await gh.syncGitHub(db, config);
    expect(second.status, second.error ?? '').toBe('succeeded');
    const cleanAtNewClock = await freshDb(false);
    await gh.syncGitHub(cleanAtNewClock, config);
    await gh.expectEqualButInactive(db, cleanAtNewClock);
    expect(await userTableSums(db)).toEqual(userBefore);
  });

  it('pagerduty × advance-clock: incidents and pages land between two pages; the next sync equals a clean one', async () => {
    const world = await pd.startWorld();
    moving.push(world);
    const start = world.store.clock();
    world.pd.faults.add({ kind: 'advance-clock', path: '/log_entries*offset=100*', advanceMs: 2 * 86_400_000 });
    const db = await freshDb();
    const userBefore = await userTableSums(db);
    const config = pd.configFor(world, ':memory:', { historyDays: PD_HISTORY_DAYS });
    const first = await pd.syncPagerDuty(db, config, world, { now: () => Date.parse(start) });
    expect(world.pd.stats.faults['advance-clock']).toBe(1);
    expect(first.status, first.error ?? '').toBe('succeeded');
    // The same history start, two days later.
    const later = pd.configFor(world, ':memory:', { historyDays: PD_HISTORY_DAYS + 2 });
    const second = await pd.syncPagerDuty(db, later, world);
    expect(second.status, second.error ?? '').toBe('succeeded');
    const cleanAtNewClock = await freshDb(false);
    expect((await pd.syncPagerDuty(cleanAtNewClock, later, world)).status).toBe('succeeded');
    expect(await pd.checksums(db)).toEqual(await pd.checksums(cleanAtNewClock));
    expect(await userTableSums(db)).toEqual(userBefore);
  });
});
