// The planning half of a repository's simulation: its people and working hours, and what will
// happen over the history (pull requests with their commits and merge times, direct pushes,
// deploy triggers by the team's cadence, releases, issues), queued as events for the event loop
// in repo-timeline.ts.
import { EventHeap } from './heap.ts';
import { Rng } from './prng.ts';
import type { RepoInfo, StaticOrg, TeamInfo } from './static-org.ts';
import { atLocal, DAY, HOUR, localHour, MINUTE, sec, zoneOffset } from './time.ts';
import {
  type DeployPlan,
  type DeployReason,
  type IssuePlan,
  M_ROOT,
  MAX_PR_COMMITS,
  type PrKind,
  type PrPlan,
  type RepoTimeline,
} from './timeline-types.ts';

export type RepoEvent = { time: number } & (
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

/** The first half of a repository simulation: people, working hours and the plan of what will happen. */
export class RepoPlanner {
  readonly rng: Rng;
  readonly info: RepoInfo;
  readonly team: TeamInfo;
  readonly zone: string;
  readonly start: number;
  readonly end: number;
  readonly activity: number;
  readonly workflow: boolean;
  readonly heap = new EventHeap<RepoEvent>();
  readonly t: RepoTimeline;
  protected lastProd: DeployPlan | null = null;
  protected lastStaging: DeployPlan | null = null;
  protected readonly prodShipped: DeployPlan[] = [];
  protected pipelineAt = -1;
  protected version = { major: 1, minor: 0, patch: 0 };
  protected runNumber = 0;

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
  protected member(): number {
    const m = this.team.members;
    // A few people write most of the code.
    const i = Math.min(m.length - 1, Math.floor(m.length * this.rng.next() ** 1.6));
    return m[i] as number;
  }

  /** Is the calendar date labelled by its UTC midnight a weekday? */
  protected isWorkday(dayUtc: number): boolean {
    const dow = new Date(dayUtc).getUTCDay();
    return dow >= 1 && dow <= 5;
  }

  protected workTime(dayUtc: number, mean = 13.5, sd = 2.6): number {
    const hour = Math.min(23.5, Math.max(6.5, mean + sd * this.rng.normal()));
    return sec(atLocal(this.zone, dayUtc, hour));
  }

  /** Move an instant outside working hours to the next working morning (people merge at work). */
  protected nextWorkingTime(ms: number): number {
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

  protected planDeployTriggers(day: number, sprintPhase: number): void {
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

  protected addPr(firstCommitAt: number, kind: PrKind, cycleOverride?: number): PrPlan {
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

  protected addIssue(createdAt: number, kind: IssuePlan['kind'], deployment: number): void {
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
