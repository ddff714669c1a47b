// One repository's records rendered from its numeric timeline: commits with their SHAs and
// parents, pull requests, deployments with statuses, workflow runs, releases and issues. Final
// states are rendered once and memoised; `asOf` views cut them at the store's clock.
import { GH_BASE, ghId } from './ids.ts';
import type { OrgCommit, OrgDeployment, OrgDeploymentStatus, OrgIssue, OrgPullRequest, OrgRepo } from './model.ts';
import { HEX_SHA, HEX_TREE, hash32, hexOf } from './prng.ts';
import { prBody, prHeadRef, prLabels, prTitle, pushMessage, sideMessage } from './repo-text.ts';
import { lastAtOrBefore } from './repo-timeline.ts';
import type { StaticOrg } from './static-org.ts';
import { iso } from './time.ts';
import {
  type DeployPlan,
  M_DIRECT,
  M_MERGE,
  M_ROOT,
  M_SQUASH,
  type PrPlan,
  type RepoTimeline,
  sideIndex,
  sidePos,
  sidePr,
} from './timeline-types.ts';

export interface IncidentRef {
  id: string;
  number: number;
  title: string;
  priorityName: string | null;
  at: number;
}
export type IncidentLookup = (repo: number, deploy: number) => IncidentRef | undefined;

interface Person {
  login: string | null;
  name: string;
  email: string;
}
const DEPENDABOT: Person = {
  login: 'dependabot[bot]',
  name: 'dependabot[bot]',
  email: '49699333+dependabot[bot]@users.noreply.github.com',
};
const WEB_FLOW: Person = { login: 'web-flow', name: 'GitHub', email: 'noreply@github.com' };
const CI_BOT = 'github-actions[bot]';

/** A workflow run before rendering: a deploy run (from a deployment plan) or a CI run of a pull request. */
export interface RunPlan {
  id: number;
  deploy: DeployPlan | null;
  pr: PrPlan | null;
  createdAt: number;
  startedAt: number;
  completedAt: number;
  runNumber: number;
}

/** The per-repository key of its SHAs: the seed (all of it, not just 32 bits) and the repository. */
export function shaKeyOf(seed: number, repo: number): number {
  return hash32(seed, 'sha', repo);
}

/** The SHA of a commit position, without a RepoData (the incident renderer names guilty SHAs). */
export function shaOf(seed: number, repo: number, pos: number): string {
  return hexOf(40, shaKeyOf(seed, repo), HEX_SHA, pos, repo);
}

export class RepoData {
  readonly repo: OrgRepo;
  readonly repoIndex: number;
  private readonly shaKey: number;
  private readonly mainShas: (string | undefined)[] = [];
  private readonly sideShas = new Map<number, string>();
  private shaIndex: Map<string, number> | null = null;
  private sortedShas: string[] | null = null;
  private readonly commitMemo = new Map<number, OrgCommit>();
  private readonly pullMemo: (OrgPullRequest | undefined)[] = [];
  private readonly deployMemo: (OrgDeployment | undefined)[] = [];
  /** Rendered issues (final states), for repo-activity.ts. */
  readonly issueMemo = new Map<number, OrgIssue>();
  private prByNumberMap: Map<number, number> | null = null;
  /** Workflow runs in creation order, built once by repo-activity.ts. */
  runsList: RunPlan[] | null = null;
  /** Query results keyed by filter and clock, so paging through one list costs a slice per page. */
  readonly queryCache = new Map<string, unknown>();

  constructor(
    readonly org: StaticOrg,
    readonly t: RepoTimeline,
    readonly incidentOf: IncidentLookup,
  ) {
    this.repoIndex = t.repo;
    this.repo = org.repos[t.repo] as OrgRepo;
    this.shaKey = shaKeyOf(org.seed, t.repo);
  }

  cached<T>(key: string, make: () => T): T {
    const hit = this.queryCache.get(key);
    if (hit !== undefined) return hit as T;
    const value = make();
    if (this.queryCache.size > 64) this.queryCache.delete(this.queryCache.keys().next().value as string);
    this.queryCache.set(key, value);
    return value;
  }

  // ---- people
  person(user: number): Person {
    if (user < 0) return DEPENDABOT;
    const u = this.org.users[user];
    return { login: u?.login ?? null, name: u?.name ?? 'unknown', email: u?.email ?? 'unknown@acme.example' };
  }

  login(user: number, bot = CI_BOT): string {
    return user < 0 ? bot : (this.org.users[user]?.login ?? bot);
  }

  // ---- commit positions and SHAs
  sha(pos: number): string {
    if (pos >= 0) {
      let s = this.mainShas[pos];
      if (s === undefined) {
        s = hexOf(40, this.shaKey, HEX_SHA, pos, this.repoIndex);
        this.mainShas[pos] = s;
      }
      return s;
    }
    let s = this.sideShas.get(pos);
    if (s === undefined) {
      s = hexOf(40, this.shaKey, HEX_SHA, pos, this.repoIndex);
      this.sideShas.set(pos, s);
    }
    return s;
  }

  /** When a commit came into existence (mainline: landed; own pull-request commits: pushed). */
  commitTime(pos: number): number {
    if (pos >= 0) return this.t.mTime[pos] as number;
    const pr = this.t.prs[sidePr(pos)] as PrPlan;
    return pr.commitTimes[sideIndex(pos)] as number;
  }

  existsPos(pos: number): boolean {
    if (pos >= 0) return pos < this.t.mTime.length;
    const pr = this.t.prs[sidePr(pos)];
    return pr !== undefined && sideIndex(pos) < pr.commitTimes.length;
  }

  branchPoint(pr: PrPlan): number {
    return Math.max(0, lastAtOrBefore(this.t.mTime, pr.firstCommitAt));
  }

  private buildShaIndex(): Map<string, number> {
    if (!this.shaIndex) {
      const index = new Map<string, number>();
      for (let i = 0; i < this.t.mTime.length; i++) index.set(this.sha(i), i);
      for (const pr of this.t.prs)
        for (let j = 0; j < pr.commitTimes.length; j++) index.set(this.sha(sidePos(pr.p, j)), sidePos(pr.p, j));
      this.shaIndex = index;
    }
    return this.shaIndex;
  }

  /** Position of a full SHA or a unique prefix of at least 7 characters. */
  posOfSha(text: string): number | undefined {
    const sha = text.toLowerCase();
    if (!/^[0-9a-f]{7,40}$/.test(sha)) return undefined;
    const index = this.buildShaIndex();
    if (sha.length === 40) return index.get(sha);
    if (!this.sortedShas) this.sortedShas = [...index.keys()].sort();
    const list = this.sortedShas;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as string) < sha) lo = mid + 1;
      else hi = mid;
    }
    const hit = list[lo];
    if (!hit?.startsWith(sha)) return undefined;
    if (list[lo + 1]?.startsWith(sha)) return undefined; // ambiguous
    return index.get(hit);
  }

  // ---- commits
  commitAt(pos: number): OrgCommit {
    let c = this.commitMemo.get(pos);
    if (!c) {
      c = this.renderCommit(pos);
      if (this.commitMemo.size > 50_000) this.commitMemo.clear();
      this.commitMemo.set(pos, c);
    }
    return c;
  }

  private renderCommit(pos: number): OrgCommit {
    const t = this.t;
    const repo = this.repo.fullName;
    let author: Person;
    let committer: Person;
    let authoredAt: number;
    let committedAt: number;
    let message: string;
    let parents: string[];
    if (pos < 0) {
      const pr = t.prs[sidePr(pos)] as PrPlan;
      const j = sideIndex(pos);
      author = this.person(pr.author);
      committer = author;
      authoredAt = committedAt = pr.commitTimes[j] as number;
      message = sideMessage(pr, j);
      parents = [j === 0 ? this.sha(this.branchPoint(pr)) : this.sha(sidePos(pr.p, j - 1))];
    } else {
      const kind = t.mKind[pos];
      const time = t.mTime[pos] as number;
      committedAt = time;
      authoredAt = time;
      parents = pos > 0 ? [this.sha(pos - 1)] : [];
      const ref = t.mRef[pos] as number;
      if (kind === M_ROOT) {
        const team = this.org.teamInfo[this.org.repoInfo[this.repoIndex]?.team ?? 0];
        author = this.person(team?.manager ?? 0);
        committer = author;
        message = 'Initial commit';
      } else if (kind === M_DIRECT) {
        const push = t.pushes[ref];
        author = this.person(push?.author ?? 0);
        committer = author;
        message = push ? pushMessage(push) : 'Update';
      } else {
        const pr = t.prs[ref] as PrPlan;
        const title = prTitle(pr);
        committer = WEB_FLOW;
        if (kind === M_MERGE) {
          author = this.person(pr.merger);
          message = `Merge pull request #${pr.number} from ${this.repo.fullName.split('/')[0]}/${prHeadRef(pr, this.login(pr.author))}\n\n${title}`;
          parents.push(this.sha(sidePos(pr.p, pr.commitTimes.length - 1)));
        } else if (kind === M_SQUASH) {
          // GitHub stamps a squash commit with the merge time: only the pull request's own
          // commits keep the time work started.
          author = this.person(pr.author);
          const lines = pr.commitTimes.map((_, j) => `* ${sideMessage(pr, j)}`).join('\n');
          message = `${title} (#${pr.number})${pr.commitTimes.length > 1 ? `\n\n${lines}` : ''}`;
        } else {
          const j = t.mSub[pos] as number;
          author = this.person(pr.author);
          authoredAt = pr.commitTimes[j] as number;
          message = sideMessage(pr, j);
        }
      }
    }
    return {
      repo,
      sha: this.sha(pos),
      parents,
      authorLogin: author.login ?? '',
      authorName: author.name,
      authorEmail: author.email,
      authoredAt: iso(authoredAt),
      committedAt: iso(committedAt),
      message,
      committerLogin: committer.login,
      committerName: committer.name,
      committerEmail: committer.email,
      treeSha: hexOf(40, this.shaKey, HEX_TREE, pos, this.repoIndex),
    };
  }

  // ---- pull requests
  prByNumber(number: number): PrPlan | undefined {
    if (!this.prByNumberMap) this.prByNumberMap = new Map(this.t.prs.map((pr) => [pr.number, pr.p]));
    const p = this.prByNumberMap.get(number);
    return p === undefined ? undefined : this.t.prs[p];
  }

  /** The commit GitHub reports as merge_commit_sha: merge or squash commit, or the last rebased one. */
  mergeCommitPos(pr: PrPlan): number {
    if (pr.landing < 0) return -1;
    return pr.method === 'rebase' ? pr.landing + pr.commitTimes.length - 1 : pr.landing;
  }

  pullFinal(pr: PrPlan): OrgPullRequest {
    let o = this.pullMemo[pr.p];
    if (!o) {
      const mergedAt = Number.isFinite(pr.mergedAt) ? iso(pr.mergedAt) : null;
      const closedAt = Number.isFinite(pr.closedAt) ? iso(pr.closedAt) : null;
      const last = Math.max(
        pr.createdAt,
        pr.commitTimes[pr.commitTimes.length - 1] as number,
        Number.isFinite(pr.closedAt) ? pr.closedAt : 0,
      );
      o = {
        repo: this.repo.fullName,
        id: ghId(GH_BASE.pull, this.repoIndex, pr.number),
        number: pr.number,
        title: prTitle(pr),
        body: prBody(pr),
        authorLogin: this.login(pr.author, 'dependabot[bot]'),
        createdAt: iso(pr.createdAt),
        updatedAt: iso(last),
        closedAt,
        mergedAt,
        mergeMethod: pr.method,
        mergeCommitSha: pr.landing >= 0 ? this.sha(this.mergeCommitPos(pr)) : null,
        headRef: prHeadRef(pr, this.login(pr.author, 'dependabot')),
        headSha: this.sha(sidePos(pr.p, pr.commitTimes.length - 1)),
        baseRef: this.repo.defaultBranch,
        draft: pr.draft,
        commitShas: pr.commitTimes.map((_, j) => this.sha(sidePos(pr.p, j))),
        labels: prLabels(pr),
        mergedByLogin: mergedAt ? this.login(pr.merger) : null,
      };
      this.pullMemo[pr.p] = o;
    }
    return o;
  }

  /** The pull request as it was at the clock (undefined before it was opened). */
  pullAsOf(pr: PrPlan, clock: number): OrgPullRequest | undefined {
    if (pr.createdAt > clock) return undefined;
    const final = this.pullFinal(pr);
    const lastCommit = pr.commitTimes[pr.commitTimes.length - 1] as number;
    if ((Number.isNaN(pr.closedAt) || pr.closedAt <= clock) && lastCommit <= clock) return final;
    const visible = lastAtOrBefore(pr.commitTimes, clock);
    const shas = final.commitShas.slice(0, visible + 1);
    const closed = Number.isFinite(pr.closedAt) && pr.closedAt <= clock;
    const updated = Math.max(pr.createdAt, pr.commitTimes[visible] as number, closed ? pr.closedAt : 0);
    return {
      ...final,
      updatedAt: iso(updated),
      closedAt: closed ? final.closedAt : null,
      mergedAt: closed ? final.mergedAt : null,
      mergeMethod: closed ? final.mergeMethod : null,
      mergeCommitSha: closed ? final.mergeCommitSha : null,
      mergedByLogin: closed ? final.mergedByLogin : null,
      headSha: shas[shas.length - 1] as string,
      commitShas: shas,
    };
  }

  prState(pr: PrPlan, clock: number): 'open' | 'closed' {
    return Number.isFinite(pr.closedAt) && pr.closedAt <= clock ? 'closed' : 'open';
  }

  prUpdatedAt(pr: PrPlan, clock: number): number {
    const visible = lastAtOrBefore(pr.commitTimes, clock);
    return Math.max(
      pr.createdAt,
      pr.commitTimes[Math.max(0, visible)] as number,
      Number.isFinite(pr.closedAt) && pr.closedAt <= clock ? pr.closedAt : 0,
    );
  }

  // ---- deployments
  deployId(d: DeployPlan): number {
    return ghId(GH_BASE.deployment, this.repoIndex, d.k);
  }

  environmentOf(d: DeployPlan): string {
    if (d.prod) return this.repo.productionEnvironment;
    if (d.reason === 'preview') return `preview-pr-${this.t.prs[d.refArg]?.number ?? 0}`;
    return 'staging';
  }

  refOf(d: DeployPlan): string {
    if (d.refKind === 'tag') return this.t.releases[d.refArg]?.tag ?? this.repo.defaultBranch;
    if (d.refKind === 'sha') return this.sha(d.pos);
    if (d.refKind === 'pr') {
      const pr = this.t.prs[d.refArg] as PrPlan;
      return prHeadRef(pr, this.login(pr.author, 'dependabot'));
    }
    return this.repo.defaultBranch;
  }

  deployFinal(d: DeployPlan): OrgDeployment {
    let o = this.deployMemo[d.k];
    if (!o) {
      const id = this.deployId(d);
      const env = this.environmentOf(d);
      const short = this.sha(d.pos).slice(0, 7);
      const creator = this.login(d.creator);
      const name = this.repo.fullName.split('/')[1];
      const logUrl = `https://ci.acme.example/${name}/deploys/${id}`;
      const environmentUrl = d.prod ? `https://${name}.acme.example` : `https://${env}.${name}.acme.example`;
      const status = (j: number, state: OrgDeploymentStatus['state'], at: number, description: string): OrgDeploymentStatus => ({
        id: id * 8 + j,
        state,
        description,
        createdAt: iso(at),
        creatorLogin: creator,
        logUrl,
        environmentUrl,
      });
      const statuses = [
        status(0, 'queued', d.createdAt, 'Deployment queued'),
        status(1, 'in_progress', d.inProgressAt, 'Deploying'),
        status(
          2,
          d.outcome,
          d.finalAt,
          d.outcome === 'success'
            ? `Deployed ${short}`
            : d.outcome === 'failure'
              ? 'Health checks failed'
              : 'Deployment job errored',
        ),
      ];
      if (Number.isFinite(d.inactiveAt)) statuses.push(status(3, 'inactive', d.inactiveAt, 'Replaced by a newer deployment'));
      const descriptions: Record<DeployPlan['reason'], string> = {
        regular: `Deploy ${short} to ${env}`,
        hotfix: `Hotfix deploy of ${short}`,
        retry: `Retry deploy of ${short}`,
        redeploy: `Redeploy ${short}`,
        rollback: `Rollback to ${short}`,
        preview: `Preview of #${this.t.prs[d.refArg]?.number ?? 0}`,
      };
      o = {
        repo: this.repo.fullName,
        id,
        sha: this.sha(d.pos),
        ref: this.refOf(d),
        task: 'deploy',
        environment: env,
        description: descriptions[d.reason],
        creatorLogin: creator,
        createdAt: iso(d.createdAt),
        updatedAt: statuses[statuses.length - 1]?.createdAt as string,
        transient: d.reason === 'preview',
        production: d.prod,
        statuses,
      };
      this.deployMemo[d.k] = o;
    }
    return o;
  }

  deployAsOf(d: DeployPlan, clock: number): OrgDeployment | undefined {
    if (d.createdAt > clock) return undefined;
    const final = this.deployFinal(d);
    const last = Number.isFinite(d.inactiveAt) ? d.inactiveAt : d.finalAt;
    if (last <= clock) return final;
    const statuses = final.statuses.filter((s) => Date.parse(s.createdAt) <= clock);
    return { ...final, statuses, updatedAt: statuses[statuses.length - 1]?.createdAt ?? final.createdAt };
  }
}
