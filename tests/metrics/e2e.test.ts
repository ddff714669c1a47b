// End to end: the small simulated organisation, served by the GitHub and PagerDuty stand-ins over
// HTTP, synced through the real collectors (whose after-sync step is refreshDerived), and the
// attribution compared with the generator's ground truth of which deployment caused which incident.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncService } from '../../collectors/index.ts';
import { applyConfig } from '../../server/config/apply.ts';
import { parseConfig } from '../../server/config/load.ts';
import type { VigilConfig } from '../../server/config/schema.ts';
import { type Database, openDatabase } from '../../server/db/index.ts';
import { computeMetric, metrics } from '../../server/metrics/registry.ts';
import { type GitHubStandIn, startGitHubStandIn } from '../stand-ins/github/index.ts';
import { createOrg, vigilConfigFor } from '../stand-ins/org/index.ts';
import type { OrgGroundTruth, OrgStore } from '../stand-ins/org/model.ts';
import { type PagerDutyStandIn, startPagerDutyStandIn } from '../stand-ins/pagerduty/index.ts';

const GH_TOKEN = 'ghp_vigil_metrics_e2e_0001';
const PD_TOKEN = 'pd_vigil_metrics_e2e_0001';
const ANCHOR = '2026-06-01T00:00:00Z';

let store: OrgStore;
let gh: GitHubStandIn;
let pd: PagerDutyStandIn;
let db: Database;
let config: VigilConfig;
let truth: OrgGroundTruth;

beforeAll(async () => {
  store = await createOrg({ seed: 7, size: 'small', anchor: ANCHOR });
  truth = store.groundTruth() as OrgGroundTruth;
  gh = await startGitHubStandIn({ store, token: GH_TOKEN, logLimit: 0, rateLimit: { pointsPerMinute: 1_000_000 } });
  pd = await startPagerDutyStandIn({ store, token: PD_TOKEN, logLimit: 0, rateLimit: { perMinute: 1_000_000 } });
  const raw = vigilConfigFor(store, { githubBaseUrl: gh.url, pagerdutyBaseUrl: pd.url, database: ':memory:' });
  // The GitHub collector's horizon follows the wall clock; reach back far enough for the anchor.
  config = parseConfig('e2e.yaml', { ...raw, github: { ...(raw.github as object), historyDays: 3650, timeoutSeconds: 10 } });
  db = await openDatabase(':memory:');
  await applyConfig(db, config);
  const service = await createSyncService(db, config, {
    env: { GITHUB_TOKEN: GH_TOKEN, PAGERDUTY_TOKEN: PD_TOKEN },
    github: { retryAfterBaseValue: 1 },
    pagerduty: {
      now: () => Date.parse(store.clock()),
      sleep: async (_ms: number, signal: AbortSignal) => {
        if (signal.aborted) throw new Error('stopped');
      },
    },
  });
  try {
    for (const source of ['github', 'pagerduty'] as const) {
      const result = await service.run(source, 'cli');
      expect(result.status, `${source}: ${result.error ?? ''}`).toBe('succeeded');
    }
  } finally {
    await service.stop();
  }
}, 300_000);

afterAll(async () => {
  await db?.close();
  await gh?.close();
  await pd?.close();
  await store?.close();
});

describe('attribution against the ground truth', () => {
  it('attributes incidents that name their cause explicitly to exactly that deployment', async () => {
    const rows = await db.all<{ incident_id: string; cause: string; method: string; deployment_id: string | null }>(
      'SELECT incident_id, cause, method, deployment_id FROM d_attribution',
    );
    const by = new Map(rows.map((r) => [r.incident_id, r]));
    const explicit = Object.entries(truth.causedBy).filter(([id, c]) => c.evidence && by.has(id));
    expect(explicit.length).toBeGreaterThan(0);
    for (const [id, cause] of explicit) {
      const got = by.get(id);
      expect(got?.method, `${id} (${cause.evidence})`).toMatch(/^explicit_/);
      expect([String(cause.deploymentId), `run:${cause.deploymentId}`], id).toContain(got?.deployment_id);
    }
  });

  it('finds most change-caused incidents and their deployment, and rarely blames a change for an unrelated one', async () => {
    const rows = await db.all<{ incident_id: string; cause: string; deployment_id: string | null }>(
      'SELECT incident_id, cause, deployment_id FROM d_attribution',
    );
    const by = new Map(rows.map((r) => [r.incident_id, r]));
    const caused = Object.entries(truth.causedBy).filter(([id]) => by.has(id));
    const right = caused.filter(([id, c]) =>
      [String(c.deploymentId), `run:${c.deploymentId}`].includes(by.get(id)?.deployment_id ?? ''),
    );
    const unrelated = truth.unrelatedIncidentIds.filter((id) => by.has(id));
    const blamed = unrelated.filter((id) => by.get(id)?.cause === 'change_caused');
    // Printed for the report: how well the window heuristic does on this organisation.
    process.stderr.write(
      `attribution: ${right.length}/${caused.length} caused incidents to the right deployment; ` +
        `${blamed.length}/${unrelated.length} unrelated incidents blamed on a change\n`,
    );
    expect(caused.length).toBeGreaterThan(5);
    expect(right.length / caused.length).toBeGreaterThanOrEqual(0.7);
    expect(blamed.length / Math.max(1, unrelated.length)).toBeLessThanOrEqual(0.35);
  });

  it('marks every generated rollback that has happened by the clock, and only those', async () => {
    const rows = await db.all<{ id: string; is_rollback: boolean }>('SELECT id, is_rollback FROM d_deployments WHERE production');
    const seen = new Map(rows.map((r) => [r.id, r.is_rollback]));
    const key = (id: number) => (seen.has(String(id)) ? String(id) : `run:${id}`);
    // The ground truth covers the generator's future buffer too: only deployments already synced count.
    const expected = truth.rollbackDeployments.filter((r) => seen.has(key(r.deploymentId)));
    expect(expected.length).toBeGreaterThan(0);
    for (const r of expected) expect(seen.get(key(r.deploymentId)), `${r.repo} ${r.deploymentId}`).toBe(true);
    const flagged = rows.filter((r) => r.is_rollback).map((r) => r.id);
    const truthIds = new Set(expected.map((r) => key(r.deploymentId)));
    for (const id of flagged.filter((x) => !truthIds.has(x))) {
      const d = await db.one<{ repo: string; environment: string }>(
        'SELECT repo, environment FROM d_deployments WHERE id = $id',
        { id },
      );
      const seq = await db.all(
        `SELECT id, sha, outcome, deployed_at, is_rollback, rolled_back FROM d_deployments WHERE repo = $repo AND environment = $env
         AND outcome = 'success' ORDER BY deployed_at`,
        { repo: d?.repo ?? '', env: d?.environment ?? '' },
      );
      const i = seq.findIndex((x) => x.id === id);
      process.stderr.write(`extra rollback ${id} ${d?.repo}: ${JSON.stringify(seq.slice(Math.max(0, i - 4), i + 2), null, 1)}\n`);
      const firstSha = seq.findIndex((x) => x.sha === seq[i]?.sha);
      process.stderr.write(`first of sha at ${firstSha}: ${JSON.stringify(seq[firstSha])}\n`);
    }
    expect(flagged.filter((id) => !truthIds.has(id))).toEqual([]);
  });

  it('times squash-merged pull requests from their own first commit', async () => {
    const squash = truth.squashMergedPulls.slice(0, 20);
    for (const pr of squash) {
      const row = await db.one<{ first_commit_at: string }>(
        "SELECT first_commit_at FROM d_changes WHERE repo = $repo AND change_key = 'pr:' || $n",
        { repo: pr.repo, n: String(pr.number) },
      );
      if (row) expect(row.first_commit_at, `${pr.repo}#${pr.number}`).toBe(new Date(pr.firstCommitAt).toISOString());
    }
  });
});

describe('every metric on the simulated organisation', () => {
  it('answers with plausible numbers', async () => {
    const raw = { from: ['2026-03-01'], to: ['2026-05-31'], grain: ['month'] };
    const out: Record<string, unknown> = {};
    for (const m of metrics) {
      const r = await computeMetric({ db, config }, m, raw);
      out[m.name] = r.summary[0] ?? null;
    }
    expect((out['deployment-frequency'] as { n: number }).n).toBeGreaterThan(10);
    const cfr = (out['change-failure-rate'] as { rate: number }).rate;
    expect(cfr).toBeGreaterThan(0);
    expect(cfr).toBeLessThan(1);
    expect((out.pages as { n: number }).n).toBeGreaterThan(0);
  });
});
