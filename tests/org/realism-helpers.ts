// Independent calculations over a simulated organisation, made only through the OrgStore queries
// the stand-ins use, so the realism tests check what the collectors will actually see: deploy
// cadence, lead times (compare + pull requests, squash merges timed from their first commit),
// change failure rates, page concentration and night pages.
import type { OrgDeployment, OrgNotification, OrgStore } from '../stand-ins/org/model.ts';

const DAY = 86_400_000;

export async function allPages<T>(
  fetch: (offset: number, limit: number) => Promise<{ items: T[]; total: number }>,
): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await fetch(offset, 100);
    out.push(...page.items);
    if (page.items.length < 100 || out.length >= page.total) return out;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function successTime(d: OrgDeployment): number | undefined {
  const s = d.statuses.find((x) => x.state === 'success');
  return s ? Date.parse(s.createdAt) : undefined;
}

/** Successful production deployments of a repository, oldest first, with their success time. */
export async function productionSuccesses(store: OrgStore, repo: string): Promise<{ d: OrgDeployment; at: number }[]> {
  const meta = store.repos.find((r) => r.fullName === repo);
  if (!meta) throw new Error(`unknown repo ${repo}`);
  const all = await allPages((o, l) => store.deployments(repo, { environment: meta.productionEnvironment }, o, l));
  return all
    .map((d) => ({ d, at: successTime(d) }))
    .filter((x): x is { d: OrgDeployment; at: number } => x.at !== undefined)
    .sort((a, b) => a.at - b.at);
}

/** Median number of successful production deployments per ISO week (weeks with none count as 0). */
export async function medianDeploysPerWeek(store: OrgStore, teamId: string, since: number, until: number): Promise<number> {
  const team = store.teams.find((t) => t.id === teamId);
  if (!team) throw new Error(`unknown team ${teamId}`);
  const weeks = new Map<number, number>();
  const monday = (ms: number) => Math.floor((ms - 4 * DAY) / (7 * DAY));
  for (let w = monday(since); w <= monday(until); w++) weeks.set(w, 0);
  for (const repo of team.repos) {
    for (const { at } of await productionSuccesses(store, repo)) {
      if (at < since || at > until) continue;
      weeks.set(monday(at), (weeks.get(monday(at)) ?? 0) + 1);
    }
  }
  // Leave out the partial weeks at both ends.
  const values = [...weeks.entries()].filter(([w]) => w !== monday(since) && w !== monday(until)).map(([, n]) => n);
  return median(values);
}

/**
 * Lead times (ms) of the changes first shipped by each successful production deployment: the
 * commits between the previous successful deployment and this one, a commit of a merged pull
 * request timed from the pull request's first commit, each change counted once.
 */
export async function leadTimes(store: OrgStore, repo: string, since: number, until: number): Promise<number[]> {
  const deploys = await productionSuccesses(store, repo);
  const counted = new Set<string>();
  const out: number[] = [];
  for (let i = 1; i < deploys.length; i++) {
    const cur = deploys[i] as { d: OrgDeployment; at: number };
    if (cur.at < since || cur.at > until) continue;
    const prev = deploys[i - 1] as { d: OrgDeployment; at: number };
    const cmp = await store.compare(repo, prev.d.sha, cur.d.sha);
    if (cmp?.status !== 'ahead') continue;
    for (const c of cmp.commits) {
      const pulls = await store.pullsForCommit(repo, c.sha);
      const merged = pulls.find((p) => p.mergedAt);
      const key = merged ? `pr#${merged.number}` : c.sha;
      if (counted.has(key)) continue;
      counted.add(key);
      let first = Date.parse(c.authoredAt);
      if (merged) {
        const firstSha = merged.commitShas[0];
        const firstCommit = firstSha ? await store.commit(repo, firstSha) : undefined;
        if (firstCommit) first = Date.parse(firstCommit.authoredAt);
      }
      out.push(cur.at - first);
    }
  }
  return out;
}

/** Pages: SMS, phone and push notifications (email excluded), as METRICS.md defines them. */
export function isPage(n: OrgNotification): boolean {
  return n.type !== 'email_notification';
}

export async function notificationsBetween(store: OrgStore, since: number, until: number): Promise<OrgNotification[]> {
  const out: OrgNotification[] = [];
  // The real API takes windows under three months.
  for (let from = since; from < until; from += 60 * DAY) {
    const to = Math.min(until, from + 60 * DAY);
    out.push(
      ...(await allPages((o, l) =>
        store.notifications({ since: new Date(from).toISOString(), until: new Date(to).toISOString() }, o, l),
      )),
    );
  }
  return out;
}

export function localHour(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: 'numeric' }).formatToParts(
    new Date(ms),
  );
  return Number(parts.find((p) => p.type === 'hour')?.value);
}
