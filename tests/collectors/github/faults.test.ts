// Every fault switch of the GitHub stand-in against the real collector: transient failures are
// ridden out and the tables end equal to a clean sync's; lasting ones end the run with an error a
// user can act on, keep what was committed whole, and the next sync finishes the job.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { VigilConfig } from '../../../server/config/schema.ts';
import { type Database, openDatabase } from '../../../server/db/index.ts';
import type { FaultRuleInput } from '../../stand-ins/github/index.ts';
import {
  checksums,
  configFor,
  expectEqualButInactive,
  rawSummary,
  SPARE_TOKEN,
  someRepos,
  startWorld,
  syncGitHub,
  type TableSum,
  type World,
} from './support.ts';

let world: World;
let config: VigilConfig;
let clean: Record<string, TableSum>;
let repos: string[];
const open: Database[] = [];

async function freshDb(): Promise<Database> {
  const db = await openDatabase(':memory:');
  open.push(db);
  return db;
}

function withFaults(rules: FaultRuleInput[]): void {
  for (const rule of rules) world.gh.faults.add(rule);
}

beforeAll(async () => {
  world = await startWorld();
  const only = someRepos(world.store, 2);
  repos = world.store.repos.map((r) => r.fullName).filter(only);
  config = configFor(world, ':memory:', only);
  const db = await freshDb();
  const result = await syncGitHub(db, config);
  expect(result.status, result.error ?? '').toBe('succeeded');
  clean = await checksums(db);
});

beforeEach(() => {
  world.gh.stats.reset();
});

afterEach(() => {
  world.gh.faults.clear();
});

afterAll(async () => {
  for (const db of open) await db.close();
  await world?.close();
});

describe('the GitHub collector under faults', () => {
  it('rides out server errors, connection resets and bodies cut short', async () => {
    withFaults([
      { kind: 'status', endpoint: 'GET /repos/{owner}/{repo}/deployments', status: [500, 502, 503], count: 3 },
      { kind: 'reset', endpoint: 'GET /repos/{owner}/{repo}/compare/{basehead}', count: 2 },
      { kind: 'truncate', endpoint: 'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', count: 1 },
      { kind: 'truncate', endpoint: 'GET /repos/{owner}/{repo}/pulls', declare: 'sent', count: 1 },
    ]);
    const db = await freshDb();
    const result = await syncGitHub(db, config);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(result.badRecords).toBe(0);
    expect(world.gh.stats.faults).toMatchObject({ status: 3, reset: 2, truncate: 2 });
    expect(await checksums(db)).toEqual(clean);
  });

  it('waits out a 429, a secondary rate limit and an answer slower than the timeout', async () => {
    withFaults([
      { kind: 'rate-limit', endpoint: 'GET /repos/{owner}/{repo}/pulls', limitStatus: 429, retryAfter: 3, count: 1 },
      {
        kind: 'secondary-rate-limit',
        endpoint: 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
        retryAfter: 5,
        count: 2,
      },
      { kind: 'slow', endpoint: 'GET /repos/{owner}/{repo}/deployments', delayMs: 2500, count: 1 },
    ]);
    const db = await freshDb();
    const log: string[] = [];
    const result = await syncGitHub(
      db,
      configFor(world, ':memory:', (r) => repos.includes(r), { timeoutSeconds: 1 }),
      { log },
    );
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(log.some((l) => /secondary rate limit; waiting 5 s/.test(l))).toBe(true);
    expect(log.some((l) => /rate limit (reached|used up); waiting/.test(l))).toBe(true);
    expect(world.gh.stats.faults).toMatchObject({ 'rate-limit': 1, 'secondary-rate-limit': 2, slow: 1 });
    expect(await checksums(db)).toEqual(clean);
  });

  it('keeps a page that stays unreadable, says where, and finishes at the next sync', async () => {
    const [victim] = repos as [string];
    withFaults([{ kind: 'truncate', path: `/repos/${victim}/pulls?*`, declare: 'sent', count: 'always' }]);
    const db = await freshDb();
    const result = await syncGitHub(db, config);
    expect(result.status).toBe('partial');
    expect(result.error).toContain(victim);
    expect(result.error).toContain('not valid JSON');
    expect(result.badRecords).toBeGreaterThan(0);
    const kept = await db.all<{ record_key: string; error: string }>(
      `SELECT record_key, error FROM raw_github WHERE error IS NOT NULL`,
    );
    expect(kept.length).toBeGreaterThan(0);
    expect(kept[0]?.record_key).toContain(`/repos/${victim}/pulls`);
    const errors = await db.all<{ url: string }>(`SELECT url FROM sync_errors WHERE scope = $scope`, { scope: victim });
    expect(errors.some((e) => e.url?.includes(`/repos/${victim}/pulls`))).toBe(true);
    // The other streams of that repository, and the other repository, went on.
    expect(
      (await db.one<{ n: number }>('SELECT count(*) AS n FROM deployments WHERE repo = $repo', { repo: victim }))?.n,
    ).toBeGreaterThan(0);

    world.gh.faults.clear();
    const retry = await syncGitHub(db, config);
    expect(retry.status, retry.error ?? '').toBe('succeeded');
    expect(await checksums(db)).toEqual(clean);
  });

  it('stops at once on a revoked token, says to check GITHUB_TOKEN, and leaves nothing half-written', async () => {
    withFaults([{ kind: 'revoke-token', skip: 60, count: 1 }]);
    const db = await freshDb();
    const result = await syncGitHub(db, config);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/401/);
    expect(result.error).toContain('GITHUB_TOKEN');
    const raw = await rawSummary(db);
    expect(raw.rows).toBe(raw.distinct);
    // Every cursor sits on committed rows: finishing with a good token ends equal to a clean sync.
    const resumed = await syncGitHub(db, config, { token: SPARE_TOKEN });
    expect(resumed.status, resumed.error ?? '').toBe('succeeded');
    expect(await checksums(db)).toEqual(clean);
    expect((await rawSummary(db)).rows).toBe((await rawSummary(db)).distinct);
  });

  it('names a repository that is gone, with its place in the config, and syncs the others', async () => {
    const [gone, kept] = repos as [string, string];
    withFaults([{ kind: 'remove-repository', repo: gone, count: 1 }]);
    const db = await freshDb();
    const result = await syncGitHub(db, config);
    expect(result.status).toBe('partial');
    expect(result.error).toContain(`GitHub has no repository ${gone}`);
    expect(result.error).toMatch(/teams\[\d+\]\.repos\[\d+\] in the config/);
    expect(result.failedScopes.map((f) => f.scope)).toEqual([gone]);
    const perRepo = async (d: Database) => d.all('SELECT repo, count(*) AS n FROM deployments GROUP BY repo ORDER BY repo');
    const rows = await perRepo(db);
    expect(rows.find((r) => r.repo === kept)?.n).toBeGreaterThan(0);
    expect(rows.find((r) => r.repo === gone)).toBeUndefined();
  });
});

describe('the GitHub collector while new records arrive', () => {
  let moving: World;
  afterAll(async () => {
    await moving?.close();
  });

  it('misses nothing when deployments appear while it pages, and ends equal to a clean sync', async () => {
    moving = await startWorld();
    // The smallest repository whose deployments take more than one page.
    let busiest = '';
    let most = Number.POSITIVE_INFINITY;
    for (const repo of moving.store.repos) {
      const total = (await moving.store.deployments(repo.fullName, {}, 0, 1)).total;
      if (total > 100 && total < most) [busiest, most] = [repo.fullName, total];
    }
    expect(busiest).not.toBe('');
    const only = (r: string) => r === busiest;
    const movingConfig = configFor(moving, ':memory:', only);
    const before = moving.store.clock();
    // Between page 1 and page 2 the clock jumps three days: new deployments land on top of the
    // list, pushing what the collector has not read yet further down.
    moving.gh.faults.add({
      kind: 'advance-clock',
      path: `/repos/${busiest}/deployments?*page=2*`,
      advanceMs: 3 * 86_400_000,
      count: 1,
    });
    const db = await freshDb();
    const first = await syncGitHub(db, movingConfig);
    expect(first.status, first.error ?? '').toBe('succeeded');
    expect(moving.store.clock()).not.toBe(before);
    const stored = new Set((await db.all<{ id: string }>('SELECT id FROM deployments')).map((r) => r.id));
    const all = (await moving.store.deployments(busiest, {}, 0, 1_000_000)).items;
    const existedBefore = all.filter((d) => Date.parse(d.createdAt) <= Date.parse(before));
    expect(existedBefore.filter((d) => !stored.has(String(d.id)))).toEqual([]);

    // The next sync fetches what arrived meanwhile; the result equals a clean sync.
    const second = await syncGitHub(db, movingConfig);
    expect(second.status, second.error ?? '').toBe('succeeded');
    expect(await db.one('SELECT count(*) AS n FROM deployments')).toEqual({ n: all.length });
    const reference = await freshDb();
    await syncGitHub(reference, movingConfig);
    await expectEqualButInactive(db, reference);
  });
});

describe('the GitHub collector at the end of its rate-limit budget', () => {
  let small: World;
  afterAll(async () => {
    await small?.close();
  });

  it('stops as partial with the reset time, never burning requests, and resumes after the reset', async () => {
    small = await startWorld({ rateLimit: { limit: 120 } });
    const smallConfig = configFor(small, ':memory:', someRepos(small.store, 2));
    const db = await freshDb();
    const result = await syncGitHub(db, smallConfig);
    expect(result.status).toBe('partial');
    expect(result.error).toMatch(/rate limit is used up \(0 of 120 requests left until \d\d:\d\d UTC/);
    // The budget is spent by requests that returned data, not by retries: at most one refused.
    expect(small.gh.stats.byStatus['403'] ?? 0).toBeLessThanOrEqual(1);
    expect(result.requests).toBeLessThanOrEqual(121);

    small.gh.rateLimits.reset();
    for (let i = 0; i < 20; i++) {
      const next = await syncGitHub(db, smallConfig);
      if (next.status === 'succeeded') break;
      expect(next.status).toBe('partial');
      small.gh.rateLimits.reset();
    }
    const reference = await freshDb();
    small.gh.rateLimits.reset();
    // A clean sync needs more than one budget too: it gets the same chances.
    for (let i = 0; i < 20; i++) {
      const run = await syncGitHub(reference, smallConfig);
      if (run.status === 'succeeded') break;
      small.gh.rateLimits.reset();
    }
    expect(await checksums(db)).toEqual(await checksums(reference));
  });
});
