// The weekly alert-quality review's shapes (issue 8), shared by the API and the web app: the week
// view (header, alert rules with their incidents and pages, follow-ups, the hand-off note), the
// writes (labels, follow-ups, notes) and the trends. Declared once here, imported by the web app.

export const labelValues = ['actionable', 'non_actionable'] as const;
export type LabelValue = (typeof labelValues)[number];

/** Reasons for a non-actionable label (METRICS.md "Noise"), in the order the page offers them. */
export const reasonValues = [
  'threshold_needs_tuning',
  'check_is_faulty',
  'expected',
  'duplicate',
  'informational_only',
  'other',
] as const;
export type ReasonValue = (typeof reasonValues)[number];

export const reasonTitles: Record<ReasonValue, string> = {
  threshold_needs_tuning: 'Threshold needs tuning',
  check_is_faulty: 'Check is faulty',
  expected: 'Expected (maintenance or known work)',
  duplicate: 'Duplicate',
  informational_only: 'Informational only',
  other: 'Other',
};

/** Longest label note, hand-off note and follow-up fields kept; longer is a 413 / 400. */
export const limits = {
  labelNote: 2000,
  handOffNote: 20_000,
  followUpTitle: 200,
  followUpUrl: 2000,
  followUpOwner: 80,
  /** Incidents one label write may cover. */
  labelItems: 5000,
} as const;

/** What a review covers: a team (its services and people) or one on-call schedule. */
export interface ReviewScope {
  kind: 'team' | 'schedule';
  id: string;
  /** The key user-owned rows are stored under: the team id, or `schedule:<id>`. */
  key: string;
  name: string;
  /** The zone the week runs in: the team's, or the schedule's own. */
  timeZone: string;
  url: string | null;
}

export interface ReviewWeek {
  /** Monday, local to the scope's zone. */
  start: string;
  /** Sunday. */
  end: string;
  /** UTC instants [lo, hi) of the week in the zone. */
  lo: string;
  hi: string;
  isDefault: boolean;
  /** The week is not over yet in the zone. */
  partial: boolean;
  previous: string;
  next: string | null;
}

/** A reviewer's label as stored (review_labels), with its version for optimistic concurrency. */
export interface StoredLabel {
  incidentId: string;
  label: LabelValue;
  reason: ReasonValue | null;
  note: string | null;
  labelledBy: string;
  labelledAt: string;
  version: number;
}

export interface ReviewPage {
  id: string;
  at: string;
  /** Local wall-clock time in the recipient's zone, 'YYYY-MM-DD HH:MM'. */
  localTime: string;
  zone: string;
  hourClass: 'business' | 'off' | 'sleep';
  channel: string;
  userId: string;
  userName: string;
  interruptionStart: boolean;
  onCall: boolean;
}

export interface ReviewIncident {
  id: string;
  number: number | null;
  title: string;
  url: string | null;
  status: string;
  urgency: string | null;
  severity: string | null;
  createdAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  resolveMinutes: number | null;
  ackMinutes: number | null;
  autoResolved: boolean;
  flapping: boolean;
  flapCount: number;
  suggested: LabelValue;
  /** Why Vigil suggests what it does, in words. */
  why: string;
  /** The reviewer's label, or null while only the suggestion stands. */
  stored: StoredLabel | null;
  pages: ReviewPage[];
}

export interface ReviewRule {
  signature: string;
  serviceId: string;
  serviceName: string;
  serviceUrl: string | null;
  /** The normalised title (placeholders for what varies). */
  title: string;
  /** The latest real title. */
  example: string;
  pages: number;
  sleepPages: number;
  offHoursPages: number;
  interruptions: number;
  incidents: ReviewIncident[];
  responders: { userId: string; name: string; pages: number }[];
  /** The rule's suggestion: non-actionable when most of its incidents are suggested so. */
  suggested: LabelValue;
  suggestedNonActionable: number;
  /** The reasons behind the suggestion, e.g. "auto-resolved in 3 min (median), never acknowledged". */
  why: string[];
  /** The reviewers' verdict on the rule: one label for all, mixed, or none yet. */
  labelState: LabelValue | 'mixed' | 'unlabelled' | 'partial';
  labelled: number;
  followUps: FollowUp[];
  /** Weeks (Mondays) before this one in which the rule also paged this scope, newest first (up to 8). */
  seenBefore: string[];
}

export interface FollowUp {
  id: string;
  scopeKey: string;
  ruleSignature: string;
  ruleTitle: string | null;
  title: string;
  url: string | null;
  owner: string | null;
  done: boolean;
  openedWeek: string;
  createdBy: string;
  createdAt: string;
  doneAt: string | null;
  updatedBy: string;
  updatedAt: string;
  version: number;
  /** Opened in an earlier week and still open in this one. */
  carriedOver: boolean;
}

export interface HandOffNote {
  scopeKey: string;
  week: string;
  body: string;
  updatedBy: string | null;
  updatedAt: string | null;
  /** 0 when no note was written yet. */
  version: number;
}

export interface WeekFigure {
  week: string;
  pages: number;
  ratio: number | null;
  humanLabelled: number;
}

export interface ReviewHeader {
  pages: number;
  interruptions: number;
  offHoursPages: number;
  sleepPages: number;
  nightsInterrupted: number;
  badNights: number;
  people: number;
  pagesPerOncallWeek: number | null;
  onCallHours: number;
  pagesPerWeekTarget: number;
  falsePositiveRatio: number | null;
  /** This week and the four before, oldest first. */
  falsePositiveWeeks: WeekFigure[];
  /** Mean ratio of the previous four weeks (pages-weighted), null without pages. */
  previousFalsePositiveRatio: number | null;
  incidents: number;
  unlabelledIncidents: number;
  unlabelledPages: number;
  openFollowUps: number;
  /** The person who took most pages, when two or more were paged; flagged at the concentration threshold. */
  busiest: { name: string; share: number; flagged: boolean } | null;
  notes: string[];
}

export interface ReviewView {
  scope: ReviewScope;
  week: ReviewWeek;
  header: ReviewHeader;
  rules: ReviewRule[];
  /** Pages in the scope and week that no incident could be linked to (they cannot be labelled). */
  unlinkedPages: ReviewPage[];
  /** Follow-ups of this scope whose rule did not fire this week (still open, or closed this week). */
  otherFollowUps: FollowUp[];
  note: HandOffNote;
  reasons: { value: ReasonValue; title: string }[];
  limits: typeof limits;
}

export interface ReviewOptions {
  teams: { id: string; name: string; timeZone: string; defaultWeek: string; schedules: string[] }[];
  schedules: { id: string; name: string; timeZone: string; defaultWeek: string; teamIds: string[] }[];
  reasons: { value: ReasonValue; title: string }[];
  limits: typeof limits;
}

export interface LabelWriteResult {
  /** The rows as stored after the write (absent for cleared labels). */
  items: StoredLabel[];
  cleared: string[];
  unchanged: string[];
}

export interface TrendWeek {
  week: string;
  pages: number;
  /** Non-actionable pages / pages with reviewers' labels where given, else the suggestion. */
  reviewedRatio: number | null;
  /** The same with the suggestions alone. */
  suggestedRatio: number | null;
  humanLabelledPages: number;
  /** Incidents a reviewer labelled the same way Vigil suggested / incidents a reviewer labelled. */
  agreement: number | null;
  incidents: number;
  labelMix: Record<'actionable' | ReasonValue | 'non_actionable_no_reason' | 'unlabelled', number>;
  followUpsOpened: number;
  followUpsClosed: number;
}

export interface TrendRule {
  signature: string;
  title: string;
  serviceName: string;
  pages: number;
  weeks: { week: string; pages: number; reviewedRatio: number | null; suggestedRatio: number | null }[];
}

export interface ReviewTrends {
  scope: ReviewScope;
  weeks: TrendWeek[];
  rules: TrendRule[];
}
