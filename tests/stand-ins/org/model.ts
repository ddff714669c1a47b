// The simulated organisation as the stand-ins see it: the records a seeded generator produces and
// the queries the GitHub and PagerDuty stand-ins run against them. The stand-ins render these
// records into the real APIs' JSON; nothing here is API-shaped.
//
// Time: every store has a simulated clock. A record is visible only once it exists at the clock
// (created at or before it), and its state is its state *as of* the clock: an incident resolved
// after the clock is still open, a deployment status created after it is not there yet, a pull
// request merged after it is still open. Advancing the clock is how tests (and the live demo)
// see new deployments, late acknowledgements and resolutions arrive between two syncs.
//
// Ids are deterministic: the same seed, size and anchor give byte-identical records.

export type OrgSize = 'small' | 'default' | 'large';

export interface OrgOptions {
  seed: number;
  size: OrgSize;
  /** The generation's "now": history ends here (plus a future buffer for clock advances). ISO. */
  anchor: string;
}

export type TeamProfile = 'elite' | 'steady' | 'struggling' | 'concentrated' | 'slow';

export interface OrgTeam {
  id: string; // Vigil team id (slug)
  name: string;
  timeZone: string;
  profile: TeamProfile;
  pdTeamId: string;
  repos: string[]; // owner/name
  serviceIds: string[];
  scheduleIds: string[];
}

export interface OrgRepo {
  fullName: string; // owner/name
  id: number;
  teamId: string;
  defaultBranch: string;
  productionEnvironment: string; // e.g. 'production' or 'prod'
  /** Repos that deploy from Actions without the Deployments API. */
  workflow?: { file: string; id: number; name: string; branch: string };
  createdAt: string;
  description: string;
}

export interface OrgUser {
  pdId: string;
  login: string; // GitHub login
  name: string;
  email: string;
  timeZone: string;
  teamIds: string[]; // Vigil team ids
  role: string;
  phone: string;
  createdAt: string;
}

export interface OrgService {
  id: string;
  name: string;
  description: string;
  teamId: string;
  escalationPolicyId: string;
  integrationIds: string[];
  createdAt: string;
  /** As of the clock: critical with an open high-urgency incident, warning with low-urgency ones. */
  status: 'active' | 'warning' | 'critical' | 'maintenance' | 'disabled';
}

export interface OrgEscalationPolicy {
  id: string;
  name: string;
  teamId: string;
  numLoops: number;
  /** Escalation rules in order; level = index + 1. */
  rules: { id: string; delayMinutes: number; scheduleIds: string[]; userIds: string[] }[];
  serviceIds: string[];
}

export interface OrgSchedule {
  id: string;
  name: string;
  timeZone: string;
  teamId: string;
  escalationPolicyIds: string[];
  /** Weekly rotation: userIds[k] is on call for the k-th week from rotationStart (cyclic). */
  rotationStart: string;
  rotationUserIds: string[];
  handoffLength: 'weekly' | 'daily';
}

export interface OrgPriority {
  id: string;
  name: string; // P1..P5
  description: string;
  order: number; // 0 = most severe
}

export interface OrgCommit {
  repo: string;
  sha: string;
  parents: string[];
  authorLogin: string;
  authorName: string;
  authorEmail: string;
  authoredAt: string;
  committedAt: string;
  message: string;
  /** Who committed: 'web-flow' / GitHub for merges made on github.com, else the author. */
  committerLogin: string | null;
  committerName: string;
  committerEmail: string;
  treeSha: string;
}

export interface OrgPullRequest {
  repo: string;
  /** GitHub's global numeric id. */
  id: number;
  number: number;
  title: string;
  body: string;
  authorLogin: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeMethod: 'merge' | 'squash' | 'rebase' | null;
  mergeCommitSha: string | null;
  headRef: string;
  headSha: string;
  baseRef: string;
  draft: boolean;
  /** The pull request's own commits, oldest first (what GET /pulls/{n}/commits lists). */
  commitShas: string[];
  labels: string[];
  mergedByLogin: string | null;
}

export type GhDeploymentState = 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress';

export interface OrgDeploymentStatus {
  id: number;
  state: GhDeploymentState;
  description: string;
  createdAt: string;
  creatorLogin: string;
  logUrl: string;
  environmentUrl: string;
}

export interface OrgDeployment {
  repo: string;
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  creatorLogin: string;
  createdAt: string;
  updatedAt: string;
  transient: boolean;
  production: boolean;
  /** Oldest first. Only those created at or before the clock are visible. */
  statuses: OrgDeploymentStatus[];
}

export interface OrgWorkflowRun {
  repo: string;
  id: number;
  workflowId: number;
  name: string;
  /** The workflow file, e.g. '.github/workflows/deploy.yml'. */
  path: string;
  /** The head commit's first line, as GitHub shows it. */
  displayTitle: string;
  headBranch: string;
  headSha: string;
  event: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | null;
  runNumber: number;
  runAttempt: number;
  createdAt: string;
  runStartedAt: string;
  updatedAt: string; // last status change as of the clock
  actorLogin: string;
}

export interface OrgIssue {
  repo: string;
  /** GitHub's global numeric id; a pull request listed here has its issue id, not its pull-request id, as on GitHub. */
  id: number;
  number: number;
  title: string;
  body: string;
  authorLogin: string;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Pull requests also appear in the issues list (with a pull_request key). */
  pullRequestNumber: number | null;
  stateReason: 'completed' | 'not_planned' | null;
  comments: number;
}

export interface OrgRelease {
  repo: string;
  id: number;
  tagName: string;
  name: string;
  targetCommitish: string;
  draft: boolean;
  prerelease: boolean;
  createdAt: string;
  publishedAt: string | null;
  authorLogin: string;
  body: string;
}

export type PdLogEntryType =
  | 'trigger_log_entry'
  | 'acknowledge_log_entry'
  | 'escalate_log_entry'
  | 'notify_log_entry'
  | 'resolve_log_entry'
  | 'annotate_log_entry'
  | 'assign_log_entry'
  | 'unacknowledge_log_entry'
  | 'urgency_change_log_entry'
  | 'field_value_change_log_entry'
  | 'repeat_escalation_path_log_entry';

export interface OrgLogEntry {
  id: string;
  incidentId: string;
  type: PdLogEntryType;
  createdAt: string;
  /** Who did it: a user, a service (its integration), or PagerDuty itself. */
  agent: { type: 'user_reference' | 'service_reference' | 'integration_reference'; id: string } | null;
  channel: { type: string; summary?: string; details?: Record<string, unknown> };
  /** notify: the person notified; assign/escalate: the assignee. */
  userId: string | null;
  assigneeIds: string[];
  /** notify entries: the notification this entry records. */
  notification: {
    id: string;
    type: 'sms_notification' | 'phone_notification' | 'push_notification' | 'email_notification';
    address: string | null;
  } | null;
  note: string | null;
  summary: string;
  /** field_value_change: e.g. priority changes. */
  changes: { field: string; from: string | null; to: string | null }[];
  escalationLevel: number | null;
}

export interface OrgAlert {
  id: string;
  incidentId: string;
  serviceId: string;
  integrationId: string;
  alertKey: string;
  summary: string;
  severity: 'info' | 'warning' | 'error' | 'critical';
  createdAt: string;
  resolvedAt: string | null;
  suppressed: boolean;
  /** The monitor's own event time, in the alert body (body.cef_details / details), when it has one. */
  eventTime: string | null;
  source: string; // monitoring tool, e.g. 'prometheus'
  details: Record<string, unknown>;
}

export interface OrgIncident {
  id: string;
  number: number;
  title: string;
  description: string;
  serviceId: string;
  escalationPolicyId: string;
  teamIds: string[]; // PagerDuty team ids
  urgency: 'high' | 'low';
  /**
   * Priority as of the clock, as the real API shows it (`priority` is the current one). Changes
   * appear as field_value_change log entries, whose `from` gives the earlier value.
   */
  priorityId: string | null;
  /** As of the clock. */
  status: 'triggered' | 'acknowledged' | 'resolved';
  incidentKey: string;
  createdAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  /** Last change of anything visible (status, priority, escalation, notes), as of the clock. */
  updatedAt: string;
  triggeredBy: 'integration' | 'user';
  resolvedBy: 'user' | 'integration' | null;
  assignedUserIds: string[];
  alertCount: number;
  resolveReason: string | null;
  /** As of the clock: acknowledgements of the current acknowledged state (empty when triggered/resolved). */
  acknowledgements: { userId: string; at: string }[];
  lastStatusChangeAt: string;
  lastStatusChangeBy: { type: 'user_reference' | 'service_reference'; id: string };
  firstTriggerLogEntryId: string;
}

export interface OrgNotification {
  id: string;
  incidentId: string; // hidden from GET /notifications (the real API has no such field); shown via notify log entries
  userId: string;
  type: 'sms_notification' | 'phone_notification' | 'push_notification' | 'email_notification';
  startedAt: string;
  address: string | null;
  status: string;
}

export interface OrgOncall {
  userId: string;
  scheduleId: string | null;
  escalationPolicyId: string;
  escalationLevel: number;
  start: string | null;
  end: string | null;
}

/**
 * What a test needs to know that the APIs only imply (small and default organisations). It covers
 * the whole history including the future buffer: compare times with the clock where it matters.
 */
export interface OrgGroundTruth {
  /**
   * incident id -> the deployment (repo + id) whose change caused it. For a repository that
   * deploys from an Actions workflow the id is the workflow run's. `evidence` says where the
   * incident names the cause, if it does (explicitSha: a SHA is named).
   */
  causedBy: Record<
    string,
    {
      repo: string;
      deploymentId: number;
      explicitSha: boolean;
      evidence: 'sha-in-description' | 'sha-in-note' | 'sha-in-title' | 'deployment-id' | null;
    }
  >;
  unrelatedIncidentIds: string[];
  userReportedIncidentIds: string[];
  /** Successful production deployments that redeployed an earlier SHA after a bad deploy. */
  rollbackDeployments: { repo: string; deploymentId: number; redeployedSha: string }[];
  /** Production deployment attempts that ended in failure or error. */
  failedDeployments: { repo: string; deploymentId: number }[];
  /** `title` is the rule's alert template, with {host}-style placeholders for its variable parts. */
  flappingRules: { serviceId: string; title: string; incidentIds: string[] }[];
  squashMergedPulls: { repo: string; number: number; firstCommitAt: string; mergeCommitSha: string }[];
  concentratedTeamId: string;
  eliteTeamId: string;
  strugglingTeamId: string;
}

export interface Page<T> {
  items: T[];
  /** Total matching records (for `total=true`, `last` links and the offset cap). */
  total: number;
}

export interface Window {
  since: string;
  until: string;
}

/**
 * The queries the stand-ins run. All results are as of the store's clock. Offsets and limits are
 * the stand-in's paging translated; the store does not know about HTTP.
 */
export interface OrgStore {
  readonly options: OrgOptions;
  readonly teams: readonly OrgTeam[];
  readonly repos: readonly OrgRepo[];
  readonly users: readonly OrgUser[];
  readonly services: readonly OrgService[];
  readonly escalationPolicies: readonly OrgEscalationPolicy[];
  readonly schedules: readonly OrgSchedule[];
  readonly priorities: readonly OrgPriority[];
  /** The earliest time any record exists. */
  readonly historyStart: string;
  /** The latest time any record exists (the anchor plus the future buffer the clock can advance into). */
  readonly historyEnd: string;

  clock(): string;
  setClock(iso: string): void;

  // ---- GitHub, per repository
  /** Newest first (GitHub's order), filtered like GET /repos/{o}/{r}/deployments. */
  deployments(
    repo: string,
    filter: { environment?: string; sha?: string; ref?: string; task?: string },
    offset: number,
    limit: number,
  ): Promise<Page<OrgDeployment>>;
  deployment(repo: string, id: number): Promise<OrgDeployment | undefined>;
  /** Newest first, as GitHub lists statuses. */
  deploymentStatuses(repo: string, deploymentId: number, offset: number, limit: number): Promise<Page<OrgDeploymentStatus>>;
  /** Newest first from `sha` (branch name or SHA; default branch when absent); empty for an unknown ref. */
  commits(
    repo: string,
    filter: { sha?: string; since?: string; until?: string },
    offset: number,
    limit: number,
  ): Promise<Page<OrgCommit>>;
  commit(repo: string, sha: string): Promise<OrgCommit | undefined>;
  /**
   * The SHA a ref names as of the clock: the default branch, an open pull request's head branch, a
   * release tag, or a full or unique abbreviated (7+) SHA. Undefined when nothing matches, which
   * is when GitHub answers 404/422; `commits` and `compare` treat unknown refs the same way.
   */
  resolveRef(repo: string, ref: string): Promise<string | undefined>;
  /** Commits reachable from head but not from base, oldest first; undefined when either is unknown. */
  compare(
    repo: string,
    base: string,
    head: string,
  ): Promise<
    | {
        status: 'ahead' | 'behind' | 'diverged' | 'identical';
        aheadBy: number;
        behindBy: number;
        mergeBase: OrgCommit;
        commits: OrgCommit[];
      }
    | undefined
  >;
  pulls(
    repo: string,
    filter: {
      state: 'open' | 'closed' | 'all';
      sort: 'created' | 'updated' | 'popularity' | 'long-running';
      direction: 'asc' | 'desc';
      base?: string;
      head?: string;
    },
    offset: number,
    limit: number,
  ): Promise<Page<OrgPullRequest>>;
  pull(repo: string, number: number): Promise<OrgPullRequest | undefined>;
  /** Pull requests whose commits or merge commit include the SHA. */
  pullsForCommit(repo: string, sha: string): Promise<OrgPullRequest[]>;
  issues(
    repo: string,
    filter: {
      state: 'open' | 'closed' | 'all';
      labels?: string[];
      since?: string;
      sort: 'created' | 'updated' | 'comments';
      direction: 'asc' | 'desc';
    },
    offset: number,
    limit: number,
  ): Promise<Page<OrgIssue>>;
  workflowRuns(
    repo: string,
    filter: { workflowId?: number; branch?: string; event?: string; status?: string; headSha?: string; created?: string },
    offset: number,
    limit: number,
  ): Promise<Page<OrgWorkflowRun>>;
  releases(repo: string, offset: number, limit: number): Promise<Page<OrgRelease>>;

  // ---- PagerDuty, account-wide
  incidents(
    filter: {
      since?: string;
      until?: string;
      all?: boolean;
      statuses?: string[];
      serviceIds?: string[];
      teamIds?: string[];
      userIds?: string[];
      urgencies?: string[];
      incidentKey?: string;
      sortBy?: { field: 'incident_number' | 'created_at' | 'resolved_at' | 'urgency'; direction: 'asc' | 'desc' }[];
    },
    offset: number,
    limit: number,
  ): Promise<Page<OrgIncident>>;
  incident(idOrNumber: string): Promise<OrgIncident | undefined>;
  /** Newest first unless `ascending`; by incident, or account-wide in a window. */
  logEntries(
    filter: { incidentId?: string; since?: string; until?: string; teamIds?: string[]; ascending?: boolean },
    offset: number,
    limit: number,
  ): Promise<Page<OrgLogEntry>>;
  logEntry(id: string): Promise<OrgLogEntry | undefined>;
  alerts(
    incidentId: string,
    filter: { statuses?: string[]; alertKey?: string },
    offset: number,
    limit: number,
  ): Promise<Page<OrgAlert>>;
  notifications(
    filter: { since: string; until: string; type?: string },
    offset: number,
    limit: number,
  ): Promise<Page<OrgNotification>>;
  oncalls(
    filter: {
      since: string;
      until: string;
      scheduleIds?: string[];
      escalationPolicyIds?: string[];
      userIds?: string[];
      earliest?: boolean;
    },
    offset: number,
    limit: number,
  ): Promise<Page<OrgOncall>>;

  /** Small and default organisations; undefined for the large one. */
  groundTruth(): OrgGroundTruth | undefined;
  close(): Promise<void>;
}
