// Simulates one repository's whole history as numbers: pull requests opened and merged (merge,
// squash and rebase), direct pushes, the default branch they build, releases, issues, and the
// deployments of the branch head to staging and production, with failures, retries, bad deploys
// that cause incidents, rollbacks to the previous SHA, hotfixes, and the `inactive` status GitHub
// sets when the next deployment replaces one. One event loop in time order, one seeded stream per
// repository, so a repository regenerates identically on its own.
import { EventHeap } from './heap.ts';
import { Rng } from './prng.ts';
import type { RepoInfo, StaticOrg, TeamInfo } from './static-org.ts';
import { atLocal, DAY, HOUR, localHour, MINUTE, sec, zoneOffset } from './time.ts';
import {
  type CausedPlan,
  type DeployPlan,
  type DeployReason,
  type IssuePlan,
  M_DIRECT,
  M_MERGE,
  M_REBASE,
  M_ROOT,
  M_SQUASH,
  MAX_PR_COMMITS,
  type PrKind,
  type PrPlan,
  type RepoTimeline,
  sidePos,
} from './timeline-types.ts';

type Event = { time: number } & (
  | { type: 'land-pr'; p: number }
  | { type: 'land-push'; i: number }
  | { type: 'trigger'; reason: DeployReason }
  | {
      type: 'deploy';
      pos: number;
      reason: DeployReason;
      prod: boolean;
      rollbackOf: number;
      refKind: DeployPlan['refKind'];
      refArg: number;
    }
  | { type: 'preview'; p: number }
  | { type: 'hotfix'; from: number }
  | { type: 'release' }
);

const MERGE_WEIGHTS: Record<RepoInfo['mergeStyle'], number[]> = {
  merge: [0.8, 0.12, 0.08],
  squash: [0.1, 0.82, 0.08],
  rebase: [0.12, 0.28, 0.6],
};
const METHODS = ['merge', 'squash', 'rebase'] as const;

class RepoSim {
  readonly rng: Rng;
  readonly info: RepoInfo;
  readonly team: TeamInfo;
  readonly zone: string;
  readonly start: number;
  readonly end: number;
  readonly activity: number;
  readonly workflow: boolean;
  readonly heap = new EventHeap<Event>();
  readonly t: RepoTimeline;
  private lastProd: DeployPlan | null = null;
  private lastStaging: DeployPlan | null = null;
  private readonly prodShipped: DeployPlan[] = [];
  private pipelineAt = -1;
  private version = { major: 1, minor: 0, patch: 0 };
  private runNumber = 0;

  constructor(org: StaticOrg, repoIndex: number) {
    this.rng = new Rng(org.seed, 'repo', repoIndex);
    this.info = org.repoInfo[repoIndex] as RepoInfo;
    this.team = org.teamInfo[this.info.team] as TeamInfo;
    this.zone = this.team.zone;
    this.start = org.historyStart;
    this.end = org.historyEnd;
    this.activity = org.sizeParams.activity;
    this.workflow = Boolean(org.repos[repoIndex]?.workflow);
    this.t = {
      repo: repoIndex,
      mTime: [],
      mKind: [],
      mRef: [],
      mSub: [],
      prs: [],
      pushes: [],
      deploys: [],
      releases: [],
      issues: [],
      numberBase: 40 + this.rng.int(1500),
    };
    this.version.major = 1 + this.rng.int(4);
    this.version.minor = this.rng.int(30);
    this.runNumber = 100 + this.rng.int(3000);
  }

  // ---- people and times
  private member(): number {
    const m = this.team.members;
    // A few people write most of the code.
    const i = Math.min(m.length - 1, Math.floor(m.length * this.rng.next() ** 1.6));
    return m[i] as number;
  }

  /** Is the calendar date labelled by its UTC midnight a weekday? */
  private isWorkday(dayUtc: number): boolean {
    const dow = new Date(dayUtc).getUTCDay();
    return dow >= 1 && dow <= 5;
  }

  private workTime(dayUtc: number, mean = 13.5, sd = 2.6): number {
    const hour = Math.min(23.5, Math.max(6.5, mean + sd * this.rng.normal()));
    return sec(atLocal(this.zone, dayUtc, hour));
  }

  /** Move an instant outside working hours to the next working morning (people merge at work). */
  private nextWorkingTime(ms: number): number {
    const localDay = Math.floor((ms + zoneOffset(this.zone, ms)) / DAY) * DAY;
    const h = localHour(this.zone, ms);
    if (this.isWorkday(localDay) && h >= 8 && h < 20) return ms;
    let day = h >= 8 ? localDay + DAY : localDay;
    while (!this.isWorkday(day)) day += DAY;
    return Math.max(ms, this.workTime(day, 11, 1.5));
  }

  // ---- plan: pull requests, pushes, deploy triggers, releases, issues
  plan(): void {
    const { rng, team } = this;
    const params = team.params;
    const t = this.t;
    t.mTime.push(this.start + HOUR);
    t.mKind.push(M_ROOT);
    t.mRef.push(-1);
    t.mSub.push(0);

    let sprintPhase = rng.int(14);
    for (let day = this.start; day < this.end; day += DAY) {
      const workday = this.isWorkday(day);
      const prRate = params.prsPerDay * this.activity * (workday ? 1 : 0.05);
      for (let n = rng.poisson(prRate); n > 0; n--) this.addPr(this.workTime(day), rng.chance(0.08) ? 'dependabot' : 'feature');
      if (workday && rng.chance(0.12)) {
        const i = t.pushes.length;
        t.pushes.push({ time: this.workTime(day), author: this.member(), text: rng.u32(), hotfix: false });
        this.heap.push({ time: t.pushes[i]?.time as number, type: 'land-push', i });
      }
      if (workday) this.planDeployTriggers(day, sprintPhase);
      if (workday && rng.chance(0.22 * Math.sqrt(this.activity)))
        this.addIssue(this.workTime(day), rng.chance(0.6) ? 'bug' : 'feature', -1);
      sprintPhase = (sprintPhase + 1) % 14;
    }
    if (!this.info.releaseBased && this.info.index % 2 === 0) {
      for (let at = this.start + this.rng.range(3, 20) * DAY; at < this.end; at += this.rng.lognormal(21, 0.4) * DAY) {
        this.heap.push({ time: this.nextWorkingTime(sec(at)), type: 'release' });
      }
    }
  }

  private planDeployTriggers(day: number, sprintPhase: number): void {
    const params = this.team.params;
    const rng = this.rng;
    const rate = params.deploysPerDay * this.activity;
    if (params.deployMode === 'daily') {
      const n = Math.floor(rate) + (rng.chance(rate - Math.floor(rate)) ? 1 : 0);
      for (let i = 0; i < n; i++) this.heap.push({ time: this.workTime(day, 14, 2), type: 'trigger', reason: 'regular' });
    } else if (params.deployMode === 'weekly') {
      if (rng.chance(rate)) this.heap.push({ time: this.workTime(day, 15, 1.5), type: 'trigger', reason: 'regular' });
    } else if (params.deployMode === 'sprint') {
      // Every other week on the sprint's release day, sometimes skipped; the odd mid-sprint patch.
      if (sprintPhase === 0 && rng.chance(0.9))
        this.heap.push({ time: this.workTime(day, 15, 1), type: 'trigger', reason: 'regular' });
      if (sprintPhase === 7 && rng.chance(0.2 * this.activity))
        this.heap.push({ time: this.workTime(day, 15, 1), type: 'trigger', reason: 'regular' });
    }
  }

  private addPr(firstCommitAt: number, kind: PrKind, cycleOverride?: number): PrPlan {
    const { rng, team } = this;
    const params = team.params;
    const p = this.t.prs.length;
    let cycle: number;
    if (cycleOverride !== undefined) cycle = cycleOverride;
    else if (kind === 'dependabot') cycle = rng.lognormal(30, 1.2) * HOUR;
    else cycle = rng.lognormal(params.cycleMedianHours, params.cycleSigma) * HOUR;
    cycle = Math.min(60 * DAY, Math.max(10 * MINUTE, cycle));
    let mergedAt = sec(firstCommitAt + cycle);
    if (kind !== 'hotfix' && cycle > 4 * HOUR && rng.chance(0.75)) mergedAt = this.nextWorkingTime(mergedAt);
    const span = mergedAt - firstCommitAt;
    const createdAt =
      kind === 'dependabot' ? firstCommitAt : sec(firstCommitAt + Math.max(2 * MINUTE, rng.range(0.05, 0.5) * span));
    const count = kind === 'dependabot' ? 1 : Math.min(MAX_PR_COMMITS, 1 + Math.floor(rng.exponential(1.6)));
    const lastPush = createdAt + 0.7 * (mergedAt - createdAt);
    const commitTimes = [firstCommitAt];
    for (let j = 1; j < count; j++)
      commitTimes.push(sec(rng.range(firstCommitAt + MINUTE, Math.max(firstCommitAt + 2 * MINUTE, lastPush))));
    commitTimes.sort((a, b) => a - b);
    const fate = rng.next();
    let merged = true;
    let closedAt = mergedAt;
    if (kind !== 'hotfix' && fate < 0.06) {
      merged = false;
      closedAt = sec(createdAt + rng.lognormal(2, 1) * DAY);
    } else if (kind !== 'hotfix' && fate < 0.08) {
      merged = false;
      closedAt = Number.NaN;
    }
    if (merged && mergedAt > this.end) {
      merged = false;
      closedAt = Number.NaN;
    }
    if (!merged && closedAt > this.end) closedAt = Number.NaN;
    const author = kind === 'dependabot' ? -1 : this.member();
    const pr: PrPlan = {
      p,
      number: 0,
      author,
      merger: rng.chance(0.6) && author >= 0 ? author : this.member(),
      firstCommitAt,
      createdAt,
      commitTimes,
      mergedAt: merged ? mergedAt : Number.NaN,
      closedAt,
      method: merged
        ? kind === 'hotfix'
          ? 'squash'
          : (METHODS[rng.weighted(MERGE_WEIGHTS[this.info.mergeStyle])] as PrPlan['method'])
        : null,
      landing: -1,
      branchPoint: 0,
      kind,
      text: rng.u32(),
      draft: !merged && rng.chance(0.3),
      comments: Math.floor(rng.exponential(kind === 'feature' ? 3 : 0.5)),
    };
    this.t.prs.push(pr);
    if (merged) this.heap.push({ time: mergedAt, type: 'land-pr', p });
    if (this.info.hasStaging && kind === 'feature' && rng.chance(0.08)) {
      const at = sec((commitTimes[commitTimes.length - 1] as number) + rng.range(5, 30) * MINUTE);
      if (at < (merged ? mergedAt : this.end)) this.heap.push({ time: at, type: 'preview', p });
    }
    return pr;
  }

  private addIssue(createdAt: number, kind: IssuePlan['kind'], deployment: number): void {
    const rng = this.rng;
    let closedAt = Number.NaN;
    let stateReason: IssuePlan['stateReason'] = null;
    const close = kind === 'postmortem' ? rng.chance(0.85) : rng.chance(0.75);
    if (close) {
      closedAt = sec(createdAt + rng.lognormal(kind === 'postmortem' ? 10 : 6, 1) * DAY);
      stateReason = kind !== 'postmortem' && rng.chance(0.15) ? 'not_planned' : 'completed';
      if (closedAt > this.end) {
        closedAt = Number.NaN;
        stateReason = null;
      }
    }
    if (createdAt > this.end) return;
    this.t.issues.push({
      createdAt,
      closedAt,
      author: this.member(),
      kind,
      text: rng.u32(),
      deployment,
      stateReason,
      comments: Math.floor(rng.exponential(kind === 'postmortem' ? 6 : 2)),
      number: 0,
    });
  }

  // ---- the event loop
  run(): void {
    for (let e = this.heap.pop(); e; e = this.heap.pop()) {
      if (e.time > this.end) continue;
      switch (e.type) {
        case 'land-pr':
          this.landPr(e.p, e.time);
          break;
        case 'land-push':
          this.landPush(e.i, e.time);
          break;
        case 'trigger':
          this.trigger(e.time, e.reason);
          break;
        case 'deploy':
          this.deploy(e.time, e.pos, e.reason, e.prod, e.rollbackOf, e.refKind, e.refArg);
          break;
        case 'preview':
          this.preview(e.p, e.time);
          break;
        case 'hotfix':
          this.hotfix(e.time);
          break;
        case 'release':
          this.release(e.time, false);
          break;
      }
    }
  }

  private head(): number {
    return this.t.mTime.length - 1;
  }

  private afterLanding(time: number): void {
    if (this.team.params.deployMode === 'continuous' && this.pipelineAt < time) {
      this.pipelineAt = sec(time + this.rng.range(15, 50) * MINUTE);
      this.heap.push({ time: this.pipelineAt, type: 'trigger', reason: 'regular' });
    }
  }

  private landPr(p: number, time: number): void {
    const t = this.t;
    const pr = t.prs[p] as PrPlan;
    pr.branchPoint = lastAtOrBefore(t.mTime, pr.firstCommitAt);
    pr.landing = t.mTime.length;
    if (pr.method === 'rebase') {
      pr.commitTimes.forEach((_, j) => {
        t.mTime.push(time);
        t.mKind.push(M_REBASE);
        t.mRef.push(p);
        t.mSub.push(j);
      });
    } else {
      t.mTime.push(time);
      t.mKind.push(pr.method === 'merge' ? M_MERGE : M_SQUASH);
      t.mRef.push(p);
      t.mSub.push(0);
    }
    this.afterLanding(time);
  }

  private landPush(i: number, time: number): void {
    const t = this.t;
    t.mTime.push(time);
    t.mKind.push(M_DIRECT);
    t.mRef.push(i);
    t.mSub.push(0);
    this.afterLanding(time);
  }

  private trigger(time: number, reason: DeployReason): void {
    const head = this.head();
    const rng = this.rng;
    if (this.lastProd && this.lastProd.pos === head && this.lastProd.outcome === 'success') {
      // Nothing new to ship; now and then someone re-deploys the same SHA anyway.
      if (!rng.chance(0.04)) return;
      reason = 'redeploy';
    }
    let refKind: DeployPlan['refKind'] = 'branch';
    let refArg = -1;
    if (this.info.releaseBased) {
      // The release is cut from the head a little before the deploy, and the tag is deployed.
      refArg = this.release(sec(time - rng.range(5, 30) * MINUTE), reason === 'hotfix', head);
      refKind = 'tag';
    }
    // Staging first where there is one; its success promotes the same SHA to production.
    this.deploy(time, head, reason, !(this.info.hasStaging && reason !== 'redeploy'), -1, refKind, refArg);
  }

  private preview(p: number, time: number): void {
    const pr = this.t.prs[p] as PrPlan;
    const j = lastAtOrBefore(pr.commitTimes, time);
    this.deploy(time, sidePos(p, Math.max(0, j)), 'preview', false, -1, 'pr', p);
  }

  private deploy(
    time: number,
    pos: number,
    reason: DeployReason,
    prod: boolean,
    rollbackOf: number,
    refKind: DeployPlan['refKind'],
    refArg: number,
  ): DeployPlan {
    const { rng, team } = this;
    const params = team.params;
    const t = this.t;
    const failRate = prod ? params.deployFailure : params.deployFailure / 2;
    const failed = reason !== 'rollback' ? rng.chance(failRate) : rng.chance(0.05);
    const duration = Math.max(45_000, rng.lognormal(prod ? 6 : 4, 0.5) * MINUTE);
    const d: DeployPlan = {
      k: t.deploys.length,
      prod,
      createdAt: time,
      pos,
      refKind,
      refArg,
      creator: params.deployMode === 'continuous' || rng.chance(0.3) ? -1 : this.member(),
      inProgressAt: sec(time + rng.range(4, 50) * 1000),
      finalAt: sec(time + duration),
      outcome: failed ? (rng.chance(0.8) ? 'failure' : 'error') : 'success',
      inactiveAt: Number.NaN,
      reason,
      rollbackOf,
      bad: false,
      rolledBackBy: -1,
      incident: null,
      runNumber: 0,
      text: rng.u32(),
    };
    if (this.workflow) d.runNumber = ++this.runNumber;
    t.deploys.push(d);
    if (d.outcome !== 'success') {
      if (rng.chance(0.85)) {
        this.heap.push({
          time: sec(d.finalAt + rng.range(8, 40) * MINUTE),
          type: 'deploy',
          pos,
          reason: reason === 'rollback' || reason === 'preview' ? reason : 'retry',
          prod,
          rollbackOf,
          refKind,
          refArg,
        });
      }
      return d;
    }
    // GitHub marks the previous successful deployment to the environment inactive.
    const previous = prod ? this.lastProd : this.lastStaging;
    if (previous && previous.outcome === 'success') previous.inactiveAt = d.finalAt;
    if (prod) this.lastProd = d;
    else this.lastStaging = d;
    if (!prod) {
      if (reason !== 'preview') {
        this.heap.push({
          time: sec(d.finalAt + rng.range(5, 30) * MINUTE),
          type: 'deploy',
          pos,
          reason: reason === 'retry' ? 'regular' : reason,
          prod: true,
          rollbackOf: -1,
          refKind,
          refArg,
        });
      }
      return d;
    }
    if (rollbackOf >= 0) {
      const bad = t.deploys[rollbackOf] as DeployPlan;
      bad.rolledBackBy = d.k;
      if (bad.incident) bad.incident.rollbackDoneAt = d.finalAt;
    }
    const before = this.prodShipped[this.prodShipped.length - 1];
    this.prodShipped.push(d);
    // Hotfixes and retries are small, reviewed changes: they break things less often.
    const badRate = reason === 'hotfix' || reason === 'retry' ? params.badDeploy * 0.3 : params.badDeploy;
    if (reason === 'rollback' || reason === 'redeploy' || !rng.chance(badRate)) return d;

    // A bad change reached production.
    d.bad = true;
    const service = this.info.services[0] as number;
    let incidentAt = Number.NaN;
    if (rng.chance(0.85)) {
      incidentAt = sec(d.finalAt + Math.min(18 * HOUR, Math.max(2 * MINUTE, rng.lognormal(35, 1.0) * MINUTE)));
      const priority = [0, 1, 2, 3, -1][rng.weighted([0.1, 0.3, 0.35, 0.1, 0.15])] as number;
      const urgency: 'high' | 'low' =
        priority === 3 ? (rng.chance(0.7) ? 'low' : 'high') : priority === -1 ? (rng.chance(0.3) ? 'low' : 'high') : 'high';
      let evidence: CausedPlan['evidence'] = null;
      if (rng.chance(0.35)) {
        const e = rng.weighted([0.4, 0.3, 0.1, this.workflow ? 0 : 0.2]);
        evidence = (['sha-in-description', 'sha-in-note', 'sha-in-title', 'deployment-id'] as const)[e] ?? null;
      }
      d.incident = {
        at: incidentAt,
        service,
        priority,
        urgency,
        evidence,
        shaLength: 7 + rng.int(6),
        userReported: rng.chance(0.08),
        rollbackDoneAt: Number.NaN,
        text: rng.u32(),
      };
      if (priority >= 0 && priority <= 1 && rng.chance(0.6)) {
        this.addIssue(this.nextWorkingTime(sec(incidentAt + rng.lognormal(1.2, 0.5) * DAY)), 'postmortem', d.k);
      }
    }
    const from = Number.isNaN(incidentAt) ? d.finalAt : incidentAt;
    const target = before && before.pos !== d.pos ? before : undefined;
    if (!this.workflow && target && rng.chance(params.rollback)) {
      const at = sec(from + (Number.isNaN(incidentAt) ? rng.lognormal(60, 0.7) : rng.lognormal(25, 0.6)) * MINUTE);
      this.heap.push({
        time: at,
        type: 'deploy',
        pos: target.pos,
        reason: 'rollback',
        prod: true,
        rollbackOf: d.k,
        refKind: target.refKind === 'tag' ? 'tag' : 'sha',
        refArg: target.refKind === 'tag' ? target.refArg : -1,
      });
    }
    if (rng.chance(0.7)) this.heap.push({ time: sec(from + rng.lognormal(2, 0.7) * HOUR), type: 'hotfix', from: d.k });
    return d;
  }

  private hotfix(time: number): void {
    // A quick fix-forward pull request, squash-merged at `time`, then shipped.
    const firstCommitAt = sec(time - this.rng.range(20, 60) * MINUTE);
    this.addPr(firstCommitAt, 'hotfix', time - firstCommitAt);
    if (this.team.params.deployMode !== 'continuous') {
      this.heap.push({ time: sec(time + this.rng.range(10, 30) * MINUTE), type: 'trigger', reason: 'hotfix' });
    }
  }

  private release(time: number, patch: boolean, pos = this.head()): number {
    const t = this.t;
    if (patch) this.version.patch++;
    else {
      this.version.minor++;
      this.version.patch = 0;
    }
    const i = t.releases.length;
    t.releases.push({
      i,
      createdAt: time,
      pos,
      tag: `v${this.version.major}.${this.version.minor}.${this.version.patch}`,
      author: this.member(),
      prerelease: false,
    });
    return i;
  }

  /** Pull requests and issues share one number sequence, in creation order. */
  finish(): RepoTimeline {
    const t = this.t;
    const items: { at: number; pr: PrPlan | null; issue: IssuePlan | null }[] = [];
    for (const pr of t.prs) items.push({ at: pr.createdAt, pr, issue: null });
    for (const issue of t.issues) items.push({ at: issue.createdAt, pr: null, issue });
    items.sort((a, b) => a.at - b.at);
    items.forEach((item, i) => {
      if (item.pr) item.pr.number = t.numberBase + i;
      if (item.issue) item.issue.number = t.numberBase + i;
    });
    t.issues.sort((a, b) => a.number - b.number);
    return t;
  }
}

/** Index of the last element <= value in an ascending array (-1 if none). */
export function lastAtOrBefore(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export function buildRepoTimeline(org: StaticOrg, repoIndex: number): RepoTimeline {
  const sim = new RepoSim(org, repoIndex);
  sim.plan();
  sim.run();
  return sim.finish();
}
