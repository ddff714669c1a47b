// The GitHub collector against the GitHub stand-in over HTTP, on the small simulated organisation:
// a full sync stores everything the data has for the fewest requests, a sync with nothing new
// costs one request per repository and stream and writes nothing, a rebuild from raw gives the
// same tables, new deployments are picked up after the clock moves, and a squash-merged pull
// request is timed from its first commit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../collectors/engine/runner.ts';
import { createSyncService } from '../../../collectors/index.ts';
import type { VigilConfig } from '../../../server/config/schema.ts';
import { type Database, openDatabase } from '../../../server/db/index.ts';
import type { OrgStore } from '../../stand-ins/org/model.ts';
import { checksums, configFor, rawSummary, requestsPerStream, startWorld, syncGitHub, TOKEN, type World } from './support.ts';

const PRODUCTION = /^(prod|production)$/i;
const ALL = 1_000_000;

/** What the organisation holds at its clock, and the fewest requests that fetch it all. */
async function expectations(store: OrgStore) {
  let deployments = 0;
  let statuses = 0;
  let compares = 0;
  let closedPulls = 0;
  let pullCommits = 0;
  let minimumRequests = 0;
  const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
  for (const repo of store.repos) {
    const list = await store.deployments(repo.fullName, {}, 0, ALL);
    deployments += list.total;
    minimumRequests += pages(list.total);
    const successTimes = new Map<string, number>();
    for (const d of list.items) {
      if (!PRODUCTION.test(d.environment)) continue;
      const s = await store.deploymentStatuses(repo.fullName, d.id, 0, ALL);
      statuses += s.total;
      minimumRequests += pages(s.total);
      if (s.items.some((x) => x.state === 'success')) successTimes.set(d.environment, (successTimes.get(d.environment) ?? 0) + 1);
    }
    if (repo.workflow) {
      const runs = await store.workflowRuns(
        repo.fullName,
        { workflowId: repo.workflow.id, branch: repo.workflow.branch, status: 'success' },
        0,
        ALL,
      );
      deployments += runs.total;
      minimumRequests += pages(runs.total);
      successTimes.set('production', (successTimes.get('production') ?? 0) + runs.total);
    }
    for (const n of successTimes.values()) compares += Math.max(0, n - 1);
    const closed = await store.pulls(repo.fullName, { state: 'closed', sort: 'updated', direction: 'desc' }, 0, ALL);
    closedPulls += closed.total;
    minimumRequests += pages(closed.total);
    for (const pr of closed.items) {
      if (!pr.mergedAt) continue;
      pullCommits += Math.min(250, pr.commitShas.length);
      minimumRequests += pages(Math.min(250, pr.commitShas.length));
    }
  }
  return { deployments, statuses, compares, closedPulls, pullCommits, minimumRequests: minimumRequests + compares };
}

const count = async (db: Database, sql: string) => (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${sql}`))?.n ?? 0;

let world: World;
let db: Database;
let config: VigilConfig;
let full: RunResult;
let expected: Awaited<ReturnType<typeof expectations>>;
let fullRequestsSeen: number;

beforeAll(async () => {
  world = await startWorld();
  db = await openDatabase(':memory:');
  config = configFor(world, ':memory:');
  expected = await expectations(world.store);
  full = await syncGitHub(db, config);
  fullRequestsSeen = world.gh.stats.total;
});

afterAll(async () => {
  await db?.close();
  await world?.close();
});

describe('a full GitHub sync of the small organisation', () => {
  it('stores every deployment, production status, compare and closed pull request', async () => {
    expect(full.status, full.error ?? '').toBe('succeeded');
    expect(full.badRecords).toBe(0);
    expect(await count(db, 'deployments')).toBe(expected.deployments);
    expect(await count(db, 'deployment_statuses')).toBe(expected.statuses);
    expect(await count(db, 'deployment_compares')).toBe(expected.compares);
    expect(await count(db, 'pull_requests')).toBe(expected.closedPulls);
    expect(await count(db, 'pull_request_commits')).toBe(expected.pullCommits);
    // Every compare's commits are stored, in order, and each is a known commit.
    expect(await count(db, 'deployment_compares WHERE commits_stored <> total_commits')).toBe(0);
    expect(await count(db, 'deployment_commits dc LEFT JOIN commits c USING (repo, sha) WHERE c.sha IS NULL')).toBe(0);
    // Outcomes derived from statuses: every finished production deployment is final.
    expect(
      await count(
        db,
        `deployments WHERE source = 'deployments' AND status IN ('success', 'failure', 'error', 'inactive') AND NOT final`,
      ),
    ).toBe(0);
    expect(await count(db, `deployments WHERE succeeded_at IS NOT NULL AND status_at < succeeded_at`)).toBe(0);
    expect(await count(db, `deployments WHERE source = 'actions'`)).toBeGreaterThan(0);
  });

  it('sends no more requests than the data needs, and counts them as the server does', () => {
    expect(full.requests).toBe(fullRequestsSeen);
    expect(full.requests).toBeLessThanOrEqual(Math.ceil(expected.minimumRequests * 1.05));
    expect(full.rateLimit?.remaining).toBe(5000 - full.requests);
  });

  it('times a squash-merged pull request from its first commit, not the squash commit', async () => {
    // The ground truth covers the whole generated timeline; check those merged by the clock.
    const truth = [];
    for (const pr of world.store.groundTruth()?.squashMergedPulls ?? []) {
      if ((await world.store.pull(pr.repo, pr.number))?.mergedAt) truth.push(pr);
    }
    expect(truth.length).toBeGreaterThan(10);
    for (const pr of truth) {
      const row = await db.one<{ first_commit_at: string; merge_commit_sha: string; commits_synced: boolean }>(
        'SELECT first_commit_at, merge_commit_sha, commits_synced FROM pull_requests WHERE repo = $repo AND number = $number',
        { repo: pr.repo, number: pr.number },
      );
      expect(row, `${pr.repo}#${pr.number}`).toEqual({
        first_commit_at: new Date(pr.firstCommitAt).toISOString(),
        merge_commit_sha: pr.mergeCommitSha,
        commits_synced: true,
      });
    }
  });

  it('costs at most one request per repository and stream when nothing changed, and writes nothing', async () => {
    const before = await checksums(db, { withSyncedAt: true });
    const raw = await rawSummary(db);
    const version = db.dataVersion;
    const quiet = await syncGitHub(db, config);
    expect(quiet.status).toBe('succeeded');
    for (const entry of requestsPerStream(quiet)) expect(entry.requests, `${entry.stream} ${entry.scope}`).toBeLessThanOrEqual(1);
    expect(quiet.recordsWritten).toBe(0);
    expect(await checksums(db, { withSyncedAt: true })).toEqual(before);
    expect(await rawSummary(db)).toEqual(raw);
    expect(db.dataVersion).toBe(version);
  });

  it('rebuilds the same tables from raw, synced_at included, with no request', async () => {
    const before = await checksums(db, { withSyncedAt: true });
    const requests = world.gh.stats.total;
    const service = await createSyncService(db, config, { env: { GITHUB_TOKEN: TOKEN }, afterSync: null, log: () => {} });
    const rebuilt = await service.renormalize('github');
    await service.stop();
    expect(rebuilt.status, rebuilt.error ?? '').toBe('succeeded');
    expect(await checksums(db, { withSyncedAt: true })).toEqual(before);
    expect(world.gh.stats.total).toBe(requests);
  });

  it('picks up what happened after the clock moved on, for a fraction of the requests', async () => {
    const deploymentsBefore = await count(db, 'deployments');
    const pullsBefore = await count(db, 'pull_requests');
    world.store.setClock(new Date(Date.parse(world.store.clock()) + 4 * 86_400_000).toISOString());
    const incremental = await syncGitHub(db, config);
    expect(incremental.status, incremental.error ?? '').toBe('succeeded');
    const later = await expectations(world.store);
    expect(await count(db, 'deployments')).toBe(later.deployments);
    expect(await count(db, 'deployments')).toBeGreaterThan(deploymentsBefore);
    expect(await count(db, 'pull_requests')).toBe(later.closedPulls);
    expect(await count(db, 'pull_requests')).toBeGreaterThan(pullsBefore);
    expect(await count(db, 'deployment_compares')).toBe(later.compares);
    expect(await count(db, 'pull_request_commits')).toBe(later.pullCommits);
    expect(incremental.requests).toBeLessThan(full.requests / 4);
    // (Equality with a clean sync after the clock moves is checked in faults.test.ts.)
  });
});
