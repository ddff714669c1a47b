// The GitHub-side queries over one repository, as of the store's clock: filtering, GitHub's
// orderings and offset paging. Filtered lists are cached per repository keyed by filter and clock,
// so paging through a long list costs one slice per page.
import { GH_BASE, ghSeq } from './ids.ts';
import type {
  OrgCommit,
  OrgDeployment,
  OrgDeploymentStatus,
  OrgIssue,
  OrgPullRequest,
  OrgRelease,
  OrgStore,
  OrgWorkflowRun,
  Page,
} from './model.ts';
import { issueAsOf, issueOfPr, releaseAsOf, repoRuns, runAsOf } from './repo-activity.ts';
import type { RepoData, RunPlan } from './repo-records.ts';
import { prHeadRef } from './repo-text.ts';
import { lastAtOrBefore } from './repo-timeline.ts';
import { DAY } from './time.ts';
import { type DeployPlan, M_MERGE, type PrPlan, sideIndex, sidePos, sidePr } from './timeline-types.ts';

type Args<K extends keyof OrgStore> = OrgStore[K] extends (...a: infer A) => unknown ? A : never;

export function slicePage<T>(all: readonly T[], offset: number, limit: number): Page<T> {
  return { items: all.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit)), total: all.length };
}

/** Collect rendered items of a newest-first index list. */
function pageOf<T>(indices: readonly number[], offset: number, limit: number, render: (i: number) => T | undefined): Page<T> {
  const items: T[] = [];
  const end = Math.min(indices.length, Math.max(0, offset) + Math.max(0, limit));
  for (let i = Math.max(0, offset); i < end; i++) {
    const item = render(indices[i] as number);
    if (item !== undefined) items.push(item);
  }
  return { items, total: indices.length };
}

// ---- refs and reachability

/** The commit position a ref names at the clock, or undefined. */
export function resolvePos(rd: RepoData, ref: string | undefined, clock: number): number | undefined {
  const t = rd.t;
  const head = lastAtOrBefore(t.mTime, clock);
  if (ref === undefined || ref === '' || ref === rd.repo.defaultBranch || ref === `refs/heads/${rd.repo.defaultBranch}`) {
    return head >= 0 ? head : undefined;
  }
  const name = ref.replace(/^refs\/(heads|tags)\//, '');
  const release = t.releases.find((r) => r.tag === name && r.createdAt <= clock);
  if (release) return release.pos;
  // Open pull requests' branches exist; merged ones were deleted.
  for (const pr of openPrsByRef(rd, clock).get(name) ?? []) {
    const j = lastAtOrBefore(pr.commitTimes, clock);
    if (j >= 0) return sidePos(pr.p, j);
  }
  const pos = rd.posOfSha(name);
  if (pos === undefined || !rd.existsPos(pos) || rd.commitTime(pos) > clock) return undefined;
  return pos;
}

function openPrsByRef(rd: RepoData, clock: number): Map<string, PrPlan[]> {
  return rd.cached(`open-refs:${clock}`, () => {
    const map = new Map<string, PrPlan[]>();
    for (const pr of rd.t.prs) {
      if (pr.createdAt > clock || (Number.isFinite(pr.closedAt) && pr.closedAt <= clock)) continue;
      const ref = prHeadRef(pr, rd.login(pr.author, 'dependabot'));
      map.set(ref, [...(map.get(ref) ?? []), pr]);
    }
    return map;
  });
}

/** Ancestry of a commit: every mainline commit up to `m`, merged side commits, and its own branch. */
interface Ancestry {
  m: number;
  own: { p: number; j: number } | null;
}

function ancestry(rd: RepoData, pos: number): Ancestry {
  if (pos >= 0) return { m: pos, own: null };
  const pr = rd.t.prs[sidePr(pos)] as PrPlan;
  return { m: rd.branchPoint(pr), own: { p: pr.p, j: sideIndex(pos) } };
}

function contains(rd: RepoData, a: Ancestry, pos: number): boolean {
  if (pos >= 0) return pos <= a.m;
  const p = sidePr(pos);
  if (a.own && a.own.p === p && sideIndex(pos) <= a.own.j) return true;
  const pr = rd.t.prs[p] as PrPlan;
  return pr.method === 'merge' && pr.landing >= 0 && pr.landing <= a.m;
}

/** Commits reachable from `head` but not from `base`, oldest first (topological). */
function difference(rd: RepoData, head: Ancestry, base: Ancestry, countOnly: boolean): { count: number; list: number[] } {
  const t = rd.t;
  const list: number[] = [];
  let count = 0;
  const add = (pos: number) => {
    if (contains(rd, base, pos)) return;
    count++;
    if (!countOnly) list.push(pos);
  };
  for (let i = Math.max(0, base.m + 1); i <= head.m; i++) {
    if (t.mKind[i] === M_MERGE) {
      const pr = t.prs[t.mRef[i] as number] as PrPlan;
      for (let j = 0; j < pr.commitTimes.length; j++) add(sidePos(pr.p, j));
    }
    add(i);
  }
  // Side commits merged before base.m that base does not contain cannot exist (base contains all
  // of them), so only head's own branch remains.
  if (head.own) for (let j = 0; j <= head.own.j; j++) add(sidePos(head.own.p, j));
  return { count, list };
}

export function compareRepo(
  rd: RepoData,
  baseRef: string,
  headRef: string,
  clock: number,
): Awaited<ReturnType<OrgStore['compare']>> {
  const basePos = resolvePos(rd, baseRef, clock);
  const headPos = resolvePos(rd, headRef, clock);
  if (basePos === undefined || headPos === undefined) return undefined;
  const base = ancestry(rd, basePos);
  const head = ancestry(rd, headPos);
  const ahead = difference(rd, head, base, false);
  const behind = difference(rd, base, head, true);
  let mergeBase: number;
  if (contains(rd, head, basePos)) mergeBase = basePos;
  else if (contains(rd, base, headPos)) mergeBase = headPos;
  else if (base.own && head.own && base.own.p === head.own.p) mergeBase = sidePos(base.own.p, Math.min(base.own.j, head.own.j));
  else mergeBase = Math.min(base.m, head.m);
  const status =
    ahead.count > 0 && behind.count > 0 ? 'diverged' : ahead.count > 0 ? 'ahead' : behind.count > 0 ? 'behind' : 'identical';
  return {
    status,
    aheadBy: ahead.count,
    behindBy: behind.count,
    mergeBase: rd.commitAt(mergeBase),
    commits: ahead.list.map((p) => rd.commitAt(p)),
  };
}

/** All commits reachable from the final default-branch head, newest commit time first. */
function mainOrder(rd: RepoData): number[] {
  return rd.cached('main-order', () => {
    const t = rd.t;
    const all: number[] = [];
    for (let i = 0; i < t.mTime.length; i++) {
      if (t.mKind[i] === M_MERGE) {
        const pr = t.prs[t.mRef[i] as number] as PrPlan;
        for (let j = 0; j < pr.commitTimes.length; j++) all.push(sidePos(pr.p, j));
      }
      all.push(i);
    }
    // Topological order is the array order; sort by commit time, newest first, keeping it for ties.
    const times = all.map((p) => rd.commitTime(p));
    const order = all.map((_, i) => i);
    order.sort((a, b) => (times[b] as number) - (times[a] as number) || b - a);
    return order.map((i) => all[i] as number);
  });
}

export function listCommits(
  rd: RepoData,
  filter: Args<'commits'>[1],
  offset: number,
  limit: number,
  clock: number,
): Page<OrgCommit> {
  const start = resolvePos(rd, filter.sha, clock);
  if (start === undefined) return { items: [], total: 0 };
  const since = filter.since ? Date.parse(filter.since) : Number.NEGATIVE_INFINITY;
  const until = filter.until ? Date.parse(filter.until) : Number.POSITIVE_INFINITY;
  const list = rd.cached(`commits:${start}:${since}:${until}`, () => {
    const from = ancestry(rd, start);
    const out: number[] = [];
    if (from.own) for (let j = from.own.j; j >= 0; j--) out.push(sidePos(from.own.p, j));
    for (const pos of mainOrder(rd)) if (contains(rd, from, pos)) out.push(pos);
    if (from.own) out.sort((a, b) => rd.commitTime(b) - rd.commitTime(a));
    return out.filter((pos) => {
      const at = rd.commitTime(pos);
      return at >= since && at <= until;
    });
  });
  return pageOf(list, offset, limit, (pos) => rd.commitAt(pos));
}

export function findCommit(rd: RepoData, sha: string, clock: number): OrgCommit | undefined {
  const pos = rd.posOfSha(sha);
  if (pos === undefined || rd.commitTime(pos) > clock) return undefined;
  return rd.commitAt(pos);
}

// ---- deployments

export function listDeployments(
  rd: RepoData,
  filter: Args<'deployments'>[1],
  offset: number,
  limit: number,
  clock: number,
): Page<OrgDeployment> {
  if (rd.repo.workflow) return { items: [], total: 0 };
  const key = `deploys:${filter.environment ?? ''}:${filter.sha ?? ''}:${filter.ref ?? ''}:${filter.task ?? ''}`;
  const matches = rd.cached(key, () => {
    const ks: number[] = [];
    const times: number[] = [];
    for (const d of rd.t.deploys) {
      if (filter.environment !== undefined && rd.environmentOf(d) !== filter.environment) continue;
      if (filter.task !== undefined && filter.task !== 'deploy') continue;
      if (filter.sha !== undefined && rd.sha(d.pos) !== filter.sha.toLowerCase()) continue;
      if (filter.ref !== undefined && rd.refOf(d) !== filter.ref) continue;
      ks.push(d.k);
      times.push(d.createdAt);
    }
    return { ks, times };
  });
  // Deployments are in creation order; the clock hides the newest. GitHub lists newest first.
  const visible = lastAtOrBefore(matches.times, clock) + 1;
  const items: OrgDeployment[] = [];
  const from = visible - 1 - Math.max(0, offset);
  for (let i = from; i >= 0 && i > from - Math.max(0, limit); i--) {
    const d = rd.deployAsOf(rd.t.deploys[matches.ks[i] as number] as DeployPlan, clock);
    if (d) items.push(d);
  }
  return { items, total: visible };
}

export function findDeployment(rd: RepoData, id: number, clock: number): OrgDeployment | undefined {
  if (rd.repo.workflow) return undefined;
  const k = ghSeq(GH_BASE.deployment, rd.repoIndex, id);
  const d = k === undefined ? undefined : rd.t.deploys[k];
  return d ? rd.deployAsOf(d, clock) : undefined;
}

export function listStatuses(rd: RepoData, id: number, offset: number, limit: number, clock: number): Page<OrgDeploymentStatus> {
  const d = findDeployment(rd, id, clock);
  if (!d) return { items: [], total: 0 };
  return slicePage([...d.statuses].reverse(), offset, limit);
}

// ---- pull requests and issues

export function listPulls(
  rd: RepoData,
  filter: Args<'pulls'>[1],
  offset: number,
  limit: number,
  clock: number,
): Page<OrgPullRequest> {
  const key = `pulls:${filter.state}:${filter.sort}:${filter.direction}:${filter.base ?? ''}:${filter.head ?? ''}:${clock}`;
  const list = rd.cached(key, () => {
    const headName = filter.head?.includes(':') ? filter.head.split(':')[1] : filter.head;
    let prs = rd.t.prs.filter((pr) => {
      if (pr.createdAt > clock) return false;
      if (filter.state !== 'all' && rd.prState(pr, clock) !== filter.state) return false;
      if (filter.base !== undefined && filter.base !== rd.repo.defaultBranch) return false;
      if (headName !== undefined && prHeadRef(pr, rd.login(pr.author, 'dependabot')) !== headName) return false;
      return true;
    });
    const sign = filter.direction === 'asc' ? 1 : -1;
    if (filter.sort === 'long-running') {
      // GitHub: open for more than a month with activity in the last month.
      prs = prs.filter(
        (pr) =>
          rd.prState(pr, clock) === 'open' && pr.createdAt < clock - 30 * DAY && rd.prUpdatedAt(pr, clock) >= clock - 30 * DAY,
      );
    }
    const keyOf = (pr: PrPlan) =>
      filter.sort === 'updated' ? rd.prUpdatedAt(pr, clock) : filter.sort === 'popularity' ? pr.comments : pr.createdAt;
    return prs.sort((a, b) => sign * (keyOf(a) - keyOf(b)) || sign * (a.number - b.number)).map((pr) => pr.p);
  });
  return pageOf(list, offset, limit, (p) => rd.pullAsOf(rd.t.prs[p] as PrPlan, clock));
}

export function findPull(rd: RepoData, number: number, clock: number): OrgPullRequest | undefined {
  const pr = rd.prByNumber(number);
  return pr ? rd.pullAsOf(pr, clock) : undefined;
}

export function pullsForCommit(rd: RepoData, sha: string, clock: number): OrgPullRequest[] {
  const pos = rd.posOfSha(sha);
  if (pos === undefined || rd.commitTime(pos) > clock) return [];
  let p = -1;
  if (pos < 0) p = sidePr(pos);
  else if ((rd.t.mRef[pos] as number) >= 0 && (rd.t.mKind[pos] as number) >= M_MERGE) p = rd.t.mRef[pos] as number;
  const pr = p >= 0 ? rd.t.prs[p] : undefined;
  const view = pr ? rd.pullAsOf(pr, clock) : undefined;
  return view ? [view] : [];
}

type IssueKey = { pr: number } | { issue: number };

export function listIssues(
  rd: RepoData,
  filter: Args<'issues'>[1],
  offset: number,
  limit: number,
  clock: number,
): Page<OrgIssue> {
  const labels = (filter.labels ?? []).map((l) => l.toLowerCase());
  const since = filter.since ? Date.parse(filter.since) : Number.NEGATIVE_INFINITY;
  const key = `issues:${filter.state}:${labels.join(',')}:${since}:${filter.sort}:${filter.direction}:${clock}`;
  const list = rd.cached(key, () => {
    const rows: { key: IssueKey; issue: OrgIssue }[] = [];
    rd.t.issues.forEach((_, i) => {
      const issue = issueAsOf(rd, i, clock);
      if (issue) rows.push({ key: { issue: i }, issue });
    });
    for (const pr of rd.t.prs) {
      if (pr.createdAt > clock) continue;
      const issue = issueOfPr(rd, pr, clock);
      if (issue) rows.push({ key: { pr: pr.p }, issue });
    }
    const filtered = rows.filter(({ issue }) => {
      if (filter.state !== 'all' && (issue.closedAt ? 'closed' : 'open') !== filter.state) return false;
      if (labels.length && !labels.every((l) => issue.labels.some((x) => x.toLowerCase() === l))) return false;
      if (Date.parse(issue.updatedAt) < since) return false;
      return true;
    });
    const sign = filter.direction === 'asc' ? 1 : -1;
    const keyOf = (i: OrgIssue) =>
      filter.sort === 'updated' ? Date.parse(i.updatedAt) : filter.sort === 'comments' ? i.comments : Date.parse(i.createdAt);
    filtered.sort((a, b) => sign * (keyOf(a.issue) - keyOf(b.issue)) || sign * (a.issue.number - b.issue.number));
    return filtered.map((r) => r.key);
  });
  const items = list
    .slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit))
    .map((k) => ('pr' in k ? issueOfPr(rd, rd.t.prs[k.pr] as PrPlan, clock) : issueAsOf(rd, k.issue, clock)) as OrgIssue);
  return { items, total: list.length };
}

// ---- workflow runs and releases

/** GitHub's `created` qualifier: a date or time, `>=`/`<=`/`>`/`<` one, or `a..b`. */
function createdMatcher(created: string | undefined): (ms: number) => boolean {
  if (!created) return () => true;
  const text = created.trim();
  const parse = (s: string, end: boolean) => {
    if (s === '*') return end ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    const ms = Date.parse(s);
    // A bare date covers the whole day.
    return /^\d{4}-\d{2}-\d{2}$/.test(s) && end ? ms + DAY - 1 : ms;
  };
  const range = /^(.+)\.\.(.+)$/.exec(text);
  if (range) {
    const lo = parse(range[1] as string, false);
    const hi = parse(range[2] as string, true);
    return (ms) => ms >= lo && ms <= hi;
  }
  const cmp = /^(>=|<=|>|<)(.+)$/.exec(text);
  if (cmp) {
    const op = cmp[1];
    const v = parse(cmp[2] as string, op === '>' || op === '<=');
    if (op === '>=') return (ms) => ms >= v;
    if (op === '>') return (ms) => ms > v;
    if (op === '<=') return (ms) => ms <= v;
    return (ms) => ms < v;
  }
  const lo = parse(text, false);
  const hi = parse(text, true);
  return (ms) => ms >= lo && ms <= hi;
}

export function listRuns(
  rd: RepoData,
  filter: Args<'workflowRuns'>[1],
  offset: number,
  limit: number,
  clock: number,
): Page<OrgWorkflowRun> {
  const key = `runs:${JSON.stringify(filter)}:${clock}`;
  const list = rd.cached(key, () => {
    const created = createdMatcher(filter.created);
    const out: RunPlan[] = [];
    const runs = repoRuns(rd);
    for (let i = runs.length - 1; i >= 0; i--) {
      const r = runs[i] as RunPlan;
      if (r.createdAt > clock || !created(r.createdAt)) continue;
      const view = runAsOf(rd, r, clock) as OrgWorkflowRun;
      if (filter.workflowId !== undefined && view.workflowId !== filter.workflowId) continue;
      if (filter.branch !== undefined && view.headBranch !== filter.branch) continue;
      if (filter.event !== undefined && view.event !== filter.event) continue;
      if (filter.headSha !== undefined && view.headSha !== filter.headSha) continue;
      if (filter.status !== undefined && view.status !== filter.status && view.conclusion !== filter.status) continue;
      out.push(r);
    }
    return out;
  });
  const items = list
    .slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit))
    .map((r) => runAsOf(rd, r, clock) as OrgWorkflowRun);
  return { items, total: list.length };
}

export function listReleases(rd: RepoData, offset: number, limit: number, clock: number): Page<OrgRelease> {
  const visible = lastAtOrBefore(
    rd.t.releases.map((r) => r.createdAt),
    clock,
  );
  const indices: number[] = [];
  for (let i = visible; i >= 0; i--) indices.push(i);
  return pageOf(indices, offset, limit, (i) => releaseAsOf(rd, i, clock));
}
