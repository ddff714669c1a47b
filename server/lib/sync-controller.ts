// What the API needs from the sync engine: start a sync, and report on runs. The engine in
// collectors/ implements it; the API depends only on this shape.

export type SourceName = 'github' | 'pagerduty';

export interface SyncRunSummary {
  id: number;
  source: SourceName;
  trigger: string;
  status: 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted';
  startedAt: string;
  endedAt: string | null;
  requests: number;
  recordsWritten: number;
  badRecords: number;
  rateLimitRemaining: number | null;
  rateLimitResetAt: string | null;
  error: string | null;
  streams: Record<string, unknown>;
}

export interface SyncStatus {
  running: SyncRunSummary[];
  lastRuns: Partial<Record<SourceName, SyncRunSummary>>;
  recent: SyncRunSummary[];
  /** Live progress of running syncs, per source. */
  progress: Partial<Record<SourceName, unknown>>;
  schedule: Partial<Record<SourceName, { cron: string; nextRunAt: string | null }>>;
}

export interface SyncController {
  status(): Promise<SyncStatus>;
  /** Start syncs for the given sources (all configured ones by default). Never two of one source at once. */
  start(options?: { sources?: SourceName[]; trigger?: string }): Promise<{ started: SourceName[]; alreadyRunning: SourceName[] }>;
}
