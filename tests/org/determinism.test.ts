// The simulated organisation is a pure function of seed, size and anchor: tests, the demo and
// the benchmark rely on byte-identical records across runs and processes.
import { describe, expect, it } from 'vitest';
import { createOrg } from '../stand-ins/org/index.ts';
import type { OrgStore } from '../stand-ins/org/model.ts';
import { SimulatedOrg, storeOf } from '../stand-ins/org/store.ts';

const anchor = '2025-06-01T12:00:00Z';

/** A sample of every kind of query, serialised. */
async function sample(store: OrgStore): Promise<string> {
  const repo = store.repos[0]?.fullName as string;
  const workflowRepo = store.repos.find((r) => r.workflow)?.fullName as string;
  const deployments = await store.deployments(repo, {}, 0, 20);
  const incidents = await store.incidents({ all: true }, 0, 30);
  const firstIncident = incidents.items[3]?.id as string;
  const parts = {
    statics: [store.teams, store.repos, store.users, store.services, store.escalationPolicies, store.schedules, store.priorities],
    deployments,
    statuses: await store.deploymentStatuses(repo, deployments.items[5]?.id as number, 0, 10),
    commits: await store.commits(repo, {}, 40, 20),
    pulls: await store.pulls(repo, { state: 'all', sort: 'created', direction: 'desc' }, 0, 20),
    issues: await store.issues(repo, { state: 'all', sort: 'created', direction: 'desc' }, 0, 20),
    runs: await store.workflowRuns(workflowRepo, {}, 0, 20),
    releases: await store.releases(store.repos[1]?.fullName as string, 0, 10),
    compare: await store.compare(repo, deployments.items[9]?.sha as string, deployments.items[0]?.sha as string),
    incidents,
    logEntries: await store.logEntries({ incidentId: firstIncident }, 0, 50),
    alerts: await store.alerts(firstIncident, {}, 0, 10),
    windowEntries: await store.logEntries({ since: '2025-05-01T00:00:00Z', until: '2025-05-08T00:00:00Z' }, 0, 100),
    notifications: await store.notifications({ since: '2025-05-01T00:00:00Z', until: '2025-05-15T00:00:00Z' }, 0, 100),
    oncalls: await store.oncalls({ since: '2025-05-01T00:00:00Z', until: '2025-06-01T00:00:00Z' }, 0, 100),
    truth: store.groundTruth(),
  };
  return JSON.stringify(parts);
}

describe('determinism', () => {
  it('gives byte-identical records for the same seed, size and anchor', async () => {
    const a = await sample(await createOrg({ seed: 11, size: 'small', anchor }));
    const b = await sample(await createOrg({ seed: 11, size: 'small', anchor }));
    expect(a.length).toBeGreaterThan(50_000);
    expect(b).toBe(a);
  });

  it('gives the same records whatever order the partitions are generated in', async () => {
    const forward = await createOrg({ seed: 11, size: 'small', anchor });
    const backward = await createOrg({ seed: 11, size: 'small', anchor });
    // Warm the second store's caches in another order first.
    for (const repo of [...backward.repos].reverse()) await backward.commits(repo.fullName, {}, 0, 5);
    await backward.logEntries({ since: '2025-04-01T00:00:00Z', until: '2025-05-01T00:00:00Z' }, 0, 5);
    expect(await sample(backward)).toBe(await sample(forward));
  });

  it('regenerates evicted partitions identically (the large size works with tiny caches)', async () => {
    const roomy = await createOrg({ seed: 11, size: 'small', anchor });
    const options = { seed: 11, size: 'small' as const, anchor };
    const tight = storeOf(new SimulatedOrg(options, Date.parse(anchor), { repos: 1, months: 1, incidents: 3 }));
    // Touch everything in between so each cache is evicted many times over.
    for (const repo of tight.repos) await tight.deployments(repo.fullName, {}, 0, 100);
    await tight.notifications({ since: '2025-03-01T00:00:00Z', until: '2025-05-30T00:00:00Z' }, 0, 1000);
    expect(await sample(tight)).toBe(await sample(roomy));
  });

  it('gives a different organisation for a different seed', async () => {
    const a = await createOrg({ seed: 11, size: 'small', anchor });
    const b = await createOrg({ seed: 12, size: 'small', anchor });
    expect(b.users.map((u) => u.pdId)).not.toEqual(a.users.map((u) => u.pdId));
    const da = await a.deployments(a.repos[0]?.fullName as string, {}, 0, 5);
    const db = await b.deployments(b.repos[0]?.fullName as string, {}, 0, 5);
    expect(db.items.map((d) => d.sha)).not.toEqual(da.items.map((d) => d.sha));
    expect(await sample(b)).not.toBe(await sample(a));
  });

  it('rejects bad options with a clear message', async () => {
    await expect(createOrg({ seed: 1.5, size: 'small', anchor })).rejects.toThrow(/seed must be an integer/);
    await expect(createOrg({ seed: 1, size: 'huge' as 'small', anchor })).rejects.toThrow(
      /size must be one of small, default, large/,
    );
    await expect(createOrg({ seed: 1, size: 'small', anchor: 'yesterday' })).rejects.toThrow(
      /anchor must be an ISO 8601 instant/,
    );
  });
});
