// The numeric plan of one repository's whole history: what happened when, with no strings yet.
// It is cheap enough to regenerate at any time from the seed; records (commits, pull requests,
// deployments, ...) are rendered from it on demand.

/** Kinds of commits on the default branch's first-parent chain. */
export const M_ROOT = 0;
export const M_DIRECT = 1;
export const M_MERGE = 2;
export const M_SQUASH = 3;
export const M_REBASE = 4;

/**
 * A commit position: >= 0 is a default-branch (mainline) index; < 0 is the j-th own commit of
 * pull request p, encoded as -(p * 64 + j) - 1.
 */
export const MAX_PR_COMMITS = 63;
export function sidePos(p: number, j: number): number {
  return -(p * 64 + j) - 1;
}
export function sidePr(pos: number): number {
  return Math.floor((-pos - 1) / 64);
}
export function sideIndex(pos: number): number {
  return (-pos - 1) % 64;
}

export type PrKind = 'feature' | 'dependabot' | 'hotfix';

export interface PrPlan {
  p: number;
  number: number;
  author: number; // user index; -1 is dependabot[bot]
  merger: number;
  firstCommitAt: number;
  createdAt: number;
  /** Authored (= committed) times of the pull request's own commits, oldest first. */
  commitTimes: number[];
  mergedAt: number; // NaN when never merged within the history
  closedAt: number; // NaN while open
  method: 'merge' | 'squash' | 'rebase' | null;
  /** Mainline index of the merge or squash commit, or of the first rebased commit; -1 if unmerged. */
  landing: number;
  branchPoint: number;
  kind: PrKind;
  text: number;
  draft: boolean;
  comments: number;
}

export interface PushPlan {
  time: number;
  author: number;
  text: number;
  hotfix: boolean;
}

export type DeployReason = 'regular' | 'retry' | 'rollback' | 'redeploy' | 'hotfix' | 'preview';

export interface CausedPlan {
  /** When the incident is triggered. */
  at: number;
  service: number;
  /** 0..4 for P1..P5, -1 for none. */
  priority: number;
  urgency: 'high' | 'low';
  evidence: 'sha-in-description' | 'sha-in-note' | 'sha-in-title' | 'deployment-id' | null;
  shaLength: number;
  userReported: boolean;
  /** When a rollback of the causing deployment finished, if it was rolled back. */
  rollbackDoneAt: number;
  text: number;
}

export interface DeployPlan {
  k: number;
  prod: boolean;
  createdAt: number;
  pos: number;
  refKind: 'branch' | 'tag' | 'sha' | 'pr';
  /** Release index for tags, pull request index for pr refs. */
  refArg: number;
  creator: number; // user index; -1 for the CI bot
  inProgressAt: number;
  finalAt: number;
  outcome: 'success' | 'failure' | 'error';
  inactiveAt: number;
  reason: DeployReason;
  /** For rollbacks: the bad deployment (k) rolled back. */
  rollbackOf: number;
  /** A successful deployment whose change broke production (incident and/or rollback). */
  bad: boolean;
  rolledBackBy: number;
  incident: CausedPlan | null;
  runNumber: number;
  text: number;
}

export interface ReleasePlan {
  i: number;
  createdAt: number;
  pos: number;
  tag: string;
  author: number;
  prerelease: boolean;
}

export interface IssuePlan {
  createdAt: number;
  closedAt: number;
  author: number;
  kind: 'postmortem' | 'bug' | 'feature' | 'chore';
  text: number;
  /** Postmortems: the deployment (k) whose incident it reviews. */
  deployment: number;
  stateReason: 'completed' | 'not_planned' | null;
  comments: number;
  number: number;
}

export interface RepoTimeline {
  repo: number;
  mTime: number[];
  mKind: number[];
  mRef: number[];
  mSub: number[];
  prs: PrPlan[];
  pushes: PushPlan[];
  deploys: DeployPlan[];
  releases: ReleasePlan[];
  issues: IssuePlan[];
  /** First pull-request/issue number of the history (earlier ones predate it). */
  numberBase: number;
}
