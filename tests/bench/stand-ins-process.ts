// The benchmark's stand-ins process: the simulated organisation (seed, size, anchor) behind the
// GitHub and PagerDuty stand-ins, on free loopback ports, in a process of its own so the CPU the
// stand-ins spend answering is not counted against Vigil. Rate limits are lifted (as `vigil demo`
// does: a backfill of years against api.github.com's 5,000 an hour would take days); everything
// else (paging, ETags, windows, the 10,000 offset cap) is the real APIs' behaviour.
//
// It also computes the fewest requests that fetch everything the organisation holds (what
// "requests against the minimum" is measured against), straight from the store.
//   forked by tests/bench/world.ts: stand-ins-process.ts <seed> <size> <anchor> [githubPort pagerdutyPort]
import { vigilConfigFor } from '../stand-ins/org/config.ts';
import { createOrg } from '../stand-ins/org/index.ts';
import type { OrgSize, OrgStore } from '../stand-ins/org/model.ts';
import { memory, serveRpc } from './rpc.ts';
import { GITHUB_TOKEN, type MinimumRequests, PAGERDUTY_TOKEN, type StandInsInfo } from './types.ts';

const ALL = 100_000_000;
const DAY = 86_400_000;
const PRODUCTION = /^(prod|production)$/i;

const pages = (n: number) => Math.max(1, Math.ceil(n / 100));

/**
 * The GitHub requests the data needs: every page of each repository's deployment list, of each
 * production deployment's statuses, of the deploy workflow's successful runs and of the closed
 * pull requests; one compare per successful production deployment after the first (per
 * environment); and every page of each merged pull request's commits (GitHub lists at most 250).
 */
async function githubMinimum(
  store: OrgStore,
  repos: readonly string[] | null,
  records: Record<string, number>,
): Promise<Record<string, number>> {
  const out = { deployments: 0, deployment_statuses: 0, workflow_runs: 0, compare: 0, pulls: 0, pull_commits: 0 };
  for (const repo of store.repos) {
    if (repos && !repos.includes(repo.fullName)) continue;
    const list = await store.deployments(repo.fullName, {}, 0, ALL);
    out.deployments += pages(list.total);
    records.deployments = (records.deployments ?? 0) + list.total;
    const successes = new Map<string, number>();
    for (const d of list.items) {
      if (!PRODUCTION.test(d.environment)) continue;
      const statuses = await store.deploymentStatuses(repo.fullName, d.id, 0, ALL);
      out.deployment_statuses += pages(statuses.total);
      records.deployment_statuses = (records.deployment_statuses ?? 0) + statuses.total;
      if (statuses.items.some((s) => s.state === 'success'))
        successes.set(d.environment, (successes.get(d.environment) ?? 0) + 1);
    }
    if (repo.workflow) {
      const runs = await store.workflowRuns(
        repo.fullName,
        { workflowId: repo.workflow.id, branch: repo.workflow.branch, status: 'success' },
        0,
        ALL,
      );
      out.workflow_runs += pages(runs.total);
      records.workflow_runs = (records.workflow_runs ?? 0) + runs.total;
      successes.set('production', (successes.get('production') ?? 0) + runs.total);
    }
    for (const n of successes.values()) out.compare += Math.max(0, n - 1);
    const closed = await store.pulls(repo.fullName, { state: 'closed', sort: 'updated', direction: 'desc' }, 0, ALL);
    out.pulls += pages(closed.total);
    records.pull_requests = (records.pull_requests ?? 0) + closed.total;
    for (const pr of closed.items) {
      if (!pr.mergedAt) continue;
      const commits = Math.min(250, pr.commitShas.length);
      out.pull_commits += pages(commits);
      records.pull_request_commits = (records.pull_request_commits ?? 0) + commits;
    }
  }
  return out;
}

/** Windows the API forces on a list (incidents: 6 months; notifications: under 3 months). */
function windows(fromMs: number, toMs: number, spanMs: number): [string, string][] {
  const out: [string, string][] = [];
  for (let start = fromMs; start < toMs; start += spanMs) {
    out.push([new Date(start).toISOString(), new Date(Math.min(toMs, start + spanMs)).toISOString()]);
  }
  return out;
}

/**
 * The PagerDuty requests the data needs: every page (100 records) of the directory lists, of the
 * incidents in 6-month windows, of the account's log entries, of the notifications in windows
 * under 3 months and of the on-call shifts, plus one alerts page per incident that has alerts.
 */
async function pagerdutyMinimum(store: OrgStore, historyDays: number, records: Record<string, number>) {
  const clock = Date.parse(store.clock());
  const from = clock - historyDays * DAY;
  const until = new Date(clock + 1).toISOString();
  const since = new Date(from).toISOString();
  const out = {
    directory:
      pages(store.services.length) +
      pages(store.teams.length) +
      pages(store.users.length) +
      pages(store.escalationPolicies.length) +
      pages(store.schedules.length) +
      1,
    incidents: 0,
    log_entries: 0,
    alerts: 0,
    notifications: 0,
    oncalls: 0,
  };
  for (const [a, b] of windows(from, clock + 1, 180 * DAY)) {
    const page = await store.incidents({ since: a, until: b }, 0, ALL);
    out.incidents += pages(page.total);
    records.incidents = (records.incidents ?? 0) + page.total;
    for (const incident of page.items) {
      if (incident.alertCount > 0) {
        out.alerts += pages(incident.alertCount);
        records.alerts = (records.alerts ?? 0) + incident.alertCount;
      }
    }
  }
  const logs = await store.logEntries({ since, until }, 0, 1);
  out.log_entries = pages(logs.total);
  records.log_entries = logs.total;
  for (const [a, b] of windows(from, clock + 1, 85 * DAY)) {
    const n = (await store.notifications({ since: a, until: b }, 0, 1)).total;
    out.notifications += pages(n);
    records.notifications = (records.notifications ?? 0) + n;
  }
  const shifts = await store.oncalls({ since, until: store.clock() }, 0, 1);
  out.oncalls = pages(shifts.total);
  records.oncall_shifts = shifts.total;
  return out;
}

async function main(): Promise<void> {
  const [seedText, sizeText, anchor, githubPort, pagerdutyPort] = process.argv.slice(2);
  const seed = Number(seedText);
  const size = sizeText as OrgSize;
  const started = performance.now();
  const store = await createOrg({ seed, size, anchor: anchor as string });
  const generationMs = Math.round(performance.now() - started);
  const { startGitHubStandIn } = await import('../stand-ins/github/index.ts');
  const { startPagerDutyStandIn } = await import('../stand-ins/pagerduty/index.ts');
  const github = await startGitHubStandIn({
    store,
    token: GITHUB_TOKEN,
    port: Number(githubPort ?? 0),
    logLimit: 0,
    rateLimit: { limit: 1_000_000_000, pointsPerMinute: 1_000_000_000, maxConcurrent: 1_000_000 },
  });
  const pagerduty = await startPagerDutyStandIn({
    store,
    token: PAGERDUTY_TOKEN,
    port: Number(pagerdutyPort ?? 0),
    logLimit: 0,
    rateLimit: { perMinute: 1_000_000_000 },
    // PagerDuty's Date header is the organisation's clock: the collector's windows end there.
    now: () => Date.parse(store.clock()),
  });
  const configFor = () =>
    vigilConfigFor(store, { githubBaseUrl: github.url, pagerdutyBaseUrl: pagerduty.url, database: ':placeholder:' });
  serveRpc(
    {
      info: (): StandInsInfo => ({
        githubUrl: github.url,
        pagerdutyUrl: pagerduty.url,
        config: configFor(),
        clock: store.clock(),
        historyStart: store.historyStart,
        generationMs,
        repos: store.repos.length,
        teams: store.teams.length,
      }),
      /** CPU time this process has used (µs), to tell the stand-ins' work from Vigil's. */
      cpu: () => process.cpuUsage(),
      memory: () => memory(),
      requests: () => ({ github: github.stats.total, pagerduty: pagerduty.stats.total }),
      /** Move the organisation's clock (new deployments, incidents and pages appear). */
      advance: (args: { ms: number }) => {
        const next = Math.min(Date.parse(store.clock()) + args.ms, Date.parse(store.historyEnd));
        store.setClock(new Date(next).toISOString());
        return store.clock();
      },
      clock: () => store.clock(),
      setClock: (args: { iso: string }) => {
        store.setClock(args.iso);
        return store.clock();
      },
      minimum: async (args: { githubRepos: string[] | null; pagerdutyHistoryDays: number }): Promise<MinimumRequests> => {
        const records: Record<string, number> = {};
        const gh = await githubMinimum(store, args.githubRepos, records);
        const pd = await pagerdutyMinimum(store, args.pagerdutyHistoryDays, records);
        return { github: gh, pagerduty: pd, records };
      },
    },
    async () => {
      await github.close();
      await pagerduty.close();
      await store.close();
    },
  );
}

await main();
