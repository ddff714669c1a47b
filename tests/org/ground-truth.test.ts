// The small organisation's ground truth agrees with its records: every claim a metrics test will
// lean on (what caused which incident and how explicitly, rollbacks, failures, flapping rules,
// squash merges, the contrasting teams) is checked against what the queries return.
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../stand-ins/org/index.ts';
import type { OrgGroundTruth, OrgIncident, OrgStore } from '../stand-ins/org/model.ts';
import { allPages, productionSuccesses } from './realism-helpers.ts';

const anchor = '2025-06-01T12:00:00Z';
let store: OrgStore;
let truth: OrgGroundTruth;
let incidents: Map<string, OrgIncident>;

beforeAll(async () => {
  store = await createOrg({ seed: 21, size: 'small', anchor });
  // The ground truth covers the future buffer too: look at everything.
  store.setClock(store.historyEnd);
  truth = store.groundTruth() as OrgGroundTruth;
  incidents = new Map((await allPages((o, l) => store.incidents({ all: true }, o, l))).map((i) => [i.id, i]));
});

async function notesOf(id: string): Promise<string[]> {
  const entries = await allPages((o, l) => store.logEntries({ incidentId: id }, o, l));
  return entries.map((e) => e.note ?? '').filter(Boolean);
}

describe('ground truth', () => {
  it('names the contrasting teams', () => {
    const profile = (id: string) => store.teams.find((t) => t.id === id)?.profile;
    expect(profile(truth.eliteTeamId)).toBe('elite');
    expect(profile(truth.strugglingTeamId)).toBe('struggling');
    expect(profile(truth.concentratedTeamId)).toBe('concentrated');
  });

  it('splits incidents into change-caused and unrelated, with every edge case present', () => {
    const caused = Object.keys(truth.causedBy);
    expect(caused.length).toBeGreaterThan(15);
    expect(truth.unrelatedIncidentIds.length).toBeGreaterThan(caused.length);
    expect(new Set([...caused, ...truth.unrelatedIncidentIds])).toEqual(new Set(incidents.keys()));
    expect(caused.filter((id) => truth.unrelatedIncidentIds.includes(id))).toEqual([]);
    const evidence = new Set(Object.values(truth.causedBy).map((c) => c.evidence));
    expect(evidence).toEqual(new Set([null, 'sha-in-description', 'sha-in-note', 'sha-in-title', 'deployment-id']));
    expect(truth.userReportedIncidentIds.length).toBeGreaterThan(3);
    expect(truth.rollbackDeployments.length).toBeGreaterThan(2);
    expect(truth.failedDeployments.length).toBeGreaterThan(5);
    expect(truth.flappingRules.length).toBeGreaterThanOrEqual(2);
    expect(truth.squashMergedPulls.length).toBeGreaterThan(50);
  });

  it('attributes each change-caused incident to a successful production deployment of the same team, shortly before', async () => {
    for (const [id, cause] of Object.entries(truth.causedBy)) {
      const incident = incidents.get(id) as OrgIncident;
      const repo = store.repos.find((r) => r.fullName === cause.repo);
      const service = store.services.find((s) => s.id === incident.serviceId);
      expect(repo?.teamId).toBe(service?.teamId);
      let successAt: number;
      let sha: string;
      if (repo?.workflow) {
        const runs = await allPages((o, l) => store.workflowRuns(cause.repo, { workflowId: repo.workflow?.id }, o, l));
        const run = runs.find((r) => r.id === cause.deploymentId);
        expect(run?.conclusion).toBe('success');
        successAt = Date.parse(run?.updatedAt as string);
        sha = run?.headSha as string;
      } else {
        const d = await store.deployment(cause.repo, cause.deploymentId);
        expect(d?.production).toBe(true);
        const success = d?.statuses.find((s) => s.state === 'success');
        expect(success).toBeDefined();
        successAt = Date.parse(success?.createdAt as string);
        sha = d?.sha as string;
      }
      const delay = Date.parse(incident.createdAt) - successAt;
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(18 * 3_600_000);
      const text = `${incident.title}\n${incident.description}`;
      const notes = (await notesOf(id)).join('\n');
      const named = (where: string) => new RegExp(`\\b${sha.slice(0, 7)}[0-9a-f]*\\b`).test(where);
      if (cause.evidence === 'sha-in-title') expect(named(incident.title)).toBe(true);
      if (cause.evidence === 'sha-in-description') expect(named(incident.description)).toBe(true);
      if (cause.evidence === 'sha-in-note') expect(named(notes)).toBe(true);
      if (cause.evidence === 'deployment-id') expect(text).toContain(String(cause.deploymentId));
      if (cause.evidence === null) {
        expect(named(text) || named(notes)).toBe(false);
        expect(text).not.toContain(String(cause.deploymentId));
      }
      expect(cause.explicitSha).toBe(cause.evidence !== null && cause.evidence !== 'deployment-id');
    }
  });

  it('marks user-reported incidents as triggered by a person', () => {
    for (const id of truth.userReportedIncidentIds) expect(incidents.get(id)?.triggeredBy).toBe('user');
    const human = [...incidents.values()].filter((i) => i.triggeredBy === 'user').map((i) => i.id);
    expect(new Set(human)).toEqual(new Set(truth.userReportedIncidentIds));
  });

  it('lists rollbacks that redeploy a SHA production already had, after a different one', async () => {
    for (const rb of truth.rollbackDeployments) {
      const deploys = await productionSuccesses(store, rb.repo);
      const k = deploys.findIndex((x) => x.d.id === rb.deploymentId);
      expect(k).toBeGreaterThan(0);
      expect(deploys[k]?.d.sha).toBe(rb.redeployedSha);
      expect(deploys[k - 1]?.d.sha).not.toBe(rb.redeployedSha);
      expect(deploys.slice(0, k - 1).some((x) => x.d.sha === rb.redeployedSha)).toBe(true);
      expect(deploys[k]?.d.description).toMatch(/^Rollback to /);
    }
  });

  it('lists failed production deployments whose outcome is failure or error', async () => {
    let runs = 0;
    for (const f of truth.failedDeployments) {
      const repo = store.repos.find((r) => r.fullName === f.repo);
      if (repo?.workflow) {
        runs++;
        continue;
      }
      const d = await store.deployment(f.repo, f.deploymentId);
      expect(d?.production).toBe(true);
      expect(['failure', 'error']).toContain(d?.statuses.at(-1)?.state);
    }
    expect(runs).toBeLessThan(truth.failedDeployments.length);
  });

  it('lists flapping rules: three or more firings in a day, each clearing itself within minutes, never acknowledged', async () => {
    for (const rule of truth.flappingRules) {
      expect(rule.incidentIds.length).toBeGreaterThanOrEqual(3);
      const firings = rule.incidentIds.map((id) => incidents.get(id) as OrgIncident);
      for (const i of firings) {
        expect(i.serviceId).toBe(rule.serviceId);
        expect(i.acknowledgedAt).toBeNull();
        expect(i.resolvedBy).toBe('integration');
        expect(Date.parse(i.resolvedAt as string) - Date.parse(i.createdAt)).toBeLessThanOrEqual(10 * 60_000);
        // Same alert rule, varying hosts and numbers.
        const pattern = new RegExp(`^${rule.title.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.+')}$`);
        expect(i.title).toMatch(pattern);
      }
      const times = firings.map((i) => Date.parse(i.createdAt)).sort((a, b) => a - b);
      expect(times.some((t, k) => k >= 2 && t - (times[k - 2] as number) <= 24 * 3_600_000)).toBe(true);
      expect(new Set(firings.map((i) => i.title)).size).toBeGreaterThan(1);
    }
  });

  it('gives squash-merged pull requests their first-commit time, which the squash commit loses', async () => {
    for (const s of truth.squashMergedPulls.slice(0, 60)) {
      const pull = await store.pull(s.repo, s.number);
      expect(pull?.mergeMethod).toBe('squash');
      expect(pull?.mergeCommitSha).toBe(s.mergeCommitSha);
      const first = await store.commit(s.repo, pull?.commitShas[0] as string);
      expect(first?.authoredAt).toBe(s.firstCommitAt);
      const squash = await store.commit(s.repo, s.mergeCommitSha);
      expect(squash?.authoredAt).toBe(pull?.mergedAt);
      expect(Date.parse(s.firstCommitAt)).toBeLessThan(Date.parse(pull?.mergedAt as string));
    }
  });
});
