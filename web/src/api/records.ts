// The fields of the record endpoints (/api/deployments, /api/incidents, /api/pages,
// /api/oncall-shifts and the single deployment and incident) that the pages read. The server
// builds these rows in SQL and types them loosely, so they are declared here, once, and nowhere
// else in the web app.

export interface ChangeRecord {
  key: string;
  kind: 'pull_request' | 'commit';
  prNumber: number | null;
  sha: string | null;
  title: string | null;
  author: string | null;
  firstCommitAt: string | null;
  leadTimeSeconds: number | null;
  commitCount: number | null;
}

export interface LinkedIncident {
  id: string;
  title: string;
  severity: string | null;
  createdAt: string;
  method: string;
  evidence: string | null;
}

export interface DeploymentRecord {
  id: string;
  repo: string;
  environment: string;
  team: string;
  source: string;
  sha: string;
  ref: string | null;
  creator: string | null;
  createdAt: string;
  deployedAt: string | null;
  finishedAt: string | null;
  outcome: string;
  production: boolean;
  isRollback: boolean | null;
  rolledBack: boolean | null;
  changeFailed: boolean | null;
  causedIncidents: number | null;
  isRework: boolean | null;
  changeCount: number | null;
  changes: ChangeRecord[];
  incidents: LinkedIncident[];
}

export interface DeploymentDetail extends Omit<DeploymentRecord, 'changes' | 'incidents'> {
  githubId: number | null;
  previousId: string | null;
  nextId: string | null;
  rollbackId: string | null;
  reworkIncidentId: string | null;
  baseSha: string | null;
  compareStatus: string | null;
  aheadBy: number | null;
  totalCommits: number | null;
  statuses: {
    id: string;
    state: string;
    environment: string;
    description: string | null;
    creator: string | null;
    logUrl: string | null;
    createdAt: string;
  }[];
  commits: {
    sha: string;
    position: number;
    message: string | null;
    author: string | null;
    authoredAt: string | null;
    pullRequest: number | null;
    firstShippedHere: boolean | null;
    firstShippedBy: string | null;
  }[];
  changes: ChangeRecord[];
  pullRequests: {
    number: number;
    title: string | null;
    author: string | null;
    createdAt: string | null;
    mergedAt: string | null;
    mergeCommitSha: string | null;
    firstCommitAt: string | null;
    commitCount: number | null;
  }[];
  incidents: {
    id: string;
    title: string;
    severity: string | null;
    status: string;
    createdAt: string;
    resolvedAt: string | null;
    url: string | null;
    method: string;
    evidence: Record<string, unknown> | null;
    evidenceText: string | null;
  }[];
}

export interface TimelineEntry {
  type: string;
  at: string;
  agentType: string | null;
  agentId: string | null;
  summary: string | null;
  note: string | null;
  channel?: string | null;
  userName?: string | null;
}

export interface IncidentRecord {
  id: string;
  number: number | null;
  title: string;
  url: string | null;
  status: string;
  urgency: string | null;
  priority: string | null;
  severity: string | null;
  team: string;
  createdAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  resolvedFrom: string | null;
  timeToAcknowledgeSeconds: number | null;
  timeToResolveSeconds: number | null;
  impactStart: string | null;
  impactSource: string | null;
  timeToDetectSeconds: number | null;
  timeToRestoreSeconds: number | null;
  targetSeconds: number | null;
  overdue: boolean;
  detection: string | null;
  escalated: boolean | null;
  escalations: number | null;
  priorityRaised: boolean | null;
  alertCount: number | null;
  service: { id: string; name: string | null };
  rule: { signature: string | null; title: string | null };
  attribution: {
    cause: string | null;
    method: string | null;
    deploymentId: string | null;
    repo: string | null;
    deployedAt: string | null;
    recoverySeconds: number | null;
    evidence: Record<string, unknown> | null;
    evidenceText: string | null;
  };
  label: {
    label: string | null;
    source: string | null;
    suggested: string | null;
    suggestionCode: string | null;
    suggestionText: string | null;
    reason: string | null;
    labelledBy: string | null;
  };
  timeline?: TimelineEntry[];
}

export interface IncidentDetail extends IncidentRecord {
  description: string | null;
  logEntries: TimelineEntry[];
  alerts: {
    id: string;
    status: string;
    createdAt: string;
    resolvedAt: string | null;
    summary: string | null;
    severity: string | null;
  }[];
  pages: {
    id: string;
    userId: string;
    userName: string | null;
    type: string;
    startedAt: string;
    zone: string | null;
    hourClass: string | null;
    onCall: boolean | null;
  }[];
}

export interface PageRecord {
  id: string;
  userId: string;
  userName: string | null;
  type: string;
  startedAt: string;
  zone: string | null;
  localTime: string | null;
  hourClass: string | null;
  nightDate: string | null;
  interruptionStart: boolean | null;
  onCall: boolean | null;
  schedule: string | null;
  team: string;
  incidentId: string | null;
  incidentTitle: string | null;
  incidentUrl: string | null;
  serviceId: string | null;
  severity: string | null;
  rule: string | null;
  label: string | null;
  labelSource: string | null;
  suggestionText: string | null;
}

export interface ShiftRecord {
  id: string;
  userId: string;
  userName: string | null;
  scheduleId: string;
  scheduleName: string | null;
  escalationLevel: number | null;
  team: string;
  zone: string | null;
  startAt: string;
  endAt: string;
  localStart: string | null;
  localEnd: string | null;
  hoursInRange: number | null;
}

export interface RecordPage<T> {
  items: T[];
  nextCursor: string | null;
  limit: number;
}

export type RecordKindName = 'deployments' | 'incidents' | 'pages' | 'oncall-shifts';
