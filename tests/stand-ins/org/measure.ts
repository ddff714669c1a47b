// Measures an organisation size: generation time, record counts, the time to touch every
// partition (every repository's records and every month of incidents), warm query latencies and
// peak memory. Run: node --import tsx tests/stand-ins/org/measure.ts [small|default|large] [seed]
import type { OrgSize } from './model.ts';
import { repoRuns } from './repo-activity.ts';
import { SimulatedOrg, storeOf } from './store.ts';
import { iso, monthIndex } from './time.ts';

export interface Measurement {
  size: OrgSize;
  createSeconds: number;
  touchSeconds: number;
  peakRssMb: number;
  counts: Record<string, number>;
  warmQueryMicros: Record<string, number>;
}

let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

export async function measure(size: OrgSize, seed = 1, anchor = '2025-06-01T12:00:00Z'): Promise<Measurement> {
  const timer = setInterval(sampleRss, 50);
  const t0 = performance.now();
  const sim = new SimulatedOrg({ seed, size, anchor }, Date.parse(anchor));
  const createSeconds = (performance.now() - t0) / 1000;
  sampleRss();

  // Touch everything: each repository's records rendered and each month's incident log.
  const t1 = performance.now();
  const counts: Record<string, number> = {
    teams: sim.org.teams.length,
    repos: sim.org.repos.length,
    services: sim.org.services.length,
    engineers: sim.org.users.length,
    deployments: 0,
    productionDeployments: 0,
    workflowRuns: 0,
    deploymentStatuses: 0,
    commits: 0,
    pullRequests: 0,
    issues: 0,
    releases: 0,
    incidents: sim.cores.length,
    logEntries: 0,
    notifications: 0,
    alerts: 0,
  };
  const store = storeOf(sim);
  // Count the whole generated history, the future buffer included, like the timelines do.
  store.setClock(iso(sim.org.historyEnd));
  for (let r = 0; r < sim.org.repos.length; r++) {
    const rd = sim.repoData(r);
    const t = rd.t;
    if (rd.repo.workflow) counts.workflowRuns = (counts.workflowRuns as number) + repoRuns(rd).length;
    else {
      counts.deployments = (counts.deployments as number) + t.deploys.length;
      for (const d of t.deploys) {
        if (d.prod) counts.productionDeployments = (counts.productionDeployments as number) + 1;
        counts.deploymentStatuses = (counts.deploymentStatuses as number) + rd.deployFinal(d).statuses.length;
      }
    }
    counts.commits =
      (counts.commits as number) +
      t.mTime.length +
      t.prs.reduce((n, pr) => n + (pr.method === 'merge' ? 0 : pr.commitTimes.length), 0);
    counts.commits =
      (counts.commits as number) + t.prs.reduce((n, pr) => n + (pr.method === 'merge' ? pr.commitTimes.length : 0), 0);
    counts.pullRequests = (counts.pullRequests as number) + t.prs.length;
    counts.issues = (counts.issues as number) + t.issues.length;
    counts.releases = (counts.releases as number) + t.releases.length;
    // Render one page of each list, as a sync would start.
    await store.commits(rd.repo.fullName, {}, 0, 100);
    await store.pulls(rd.repo.fullName, { state: 'all', sort: 'created', direction: 'desc' }, 0, 100);
    sampleRss();
  }
  const first = monthIndex(sim.org.historyStart);
  const last = monthIndex(sim.org.historyEnd);
  for (let m = first; m <= last; m++) {
    const since = iso(Date.UTC(1970 + Math.floor(m / 12), m % 12, 1));
    const until = iso(Date.UTC(1970 + Math.floor((m + 1) / 12), (m + 1) % 12, 1));
    const logs = await store.logEntries({ since, until }, 0, 1);
    const notes = await store.notifications({ since, until }, 0, 1);
    counts.logEntries = (counts.logEntries as number) + logs.total;
    counts.notifications = (counts.notifications as number) + notes.total;
    sampleRss();
  }
  for (const c of sim.cores) counts.alerts = (counts.alerts as number) + c.alerts;
  const touchSeconds = (performance.now() - t1) / 1000;

  store.setClock(anchor);
  // Warm query latency: the same page asked again, as the benchmark's millions of requests do.
  const warm: Record<string, number> = {};
  const repo = sim.org.repos[0]?.fullName as string;
  const lastMonth = iso(Date.parse(anchor) - 30 * 86_400_000);
  const probes: Record<string, () => Promise<unknown>> = {
    deploymentsPage: () => store.deployments(repo, { environment: sim.org.repos[0]?.productionEnvironment }, 100, 100),
    commitsPage: () => store.commits(repo, {}, 0, 100),
    incidentsWindow: () => store.incidents({ since: lastMonth, until: anchor }, 0, 100),
    incidentLogEntries: () => store.logEntries({ incidentId: sim.pd.renderer.incidentIds.encode(sim.cores.length - 10) }, 0, 100),
    logEntriesWindow: () => store.logEntries({ since: lastMonth, until: anchor }, 500, 100),
    notificationsWindow: () => store.notifications({ since: lastMonth, until: anchor }, 100, 100),
    oncalls: () => store.oncalls({ since: lastMonth, until: anchor }, 0, 100),
  };
  for (const [name, probe] of Object.entries(probes)) {
    // Two rounds: the first warms the JIT and the caches, the second is reported.
    for (let round = 0; round < 2; round++) {
      const n = 300;
      const s = performance.now();
      for (let i = 0; i < n; i++) await probe();
      warm[name] = Math.round(((performance.now() - s) / n) * 1000);
    }
  }
  clearInterval(timer);
  sampleRss();
  return { size, createSeconds, touchSeconds, peakRssMb: Math.round(peakRss / 1e6), counts, warmQueryMicros: warm };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = (process.argv[2] ?? 'default') as OrgSize;
  const seed = Number(process.argv[3] ?? 1);
  measure(size, seed).then(
    (m) => console.log(JSON.stringify(m, null, 2)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
