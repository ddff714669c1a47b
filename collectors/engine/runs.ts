// Bookkeeping of sync runs (sync_runs) and their errors (sync_errors). These writes go through
// Database.exclusive as single autocommit statements, not Database.write, on purpose: they are
// about the sync, not the data, so they must not bump the data version that response caches key
// on (a no-change sync leaves the version alone).
import type { Database } from '../../server/db/index.ts';
import type { SourceName, SyncRunSummary } from '../../server/lib/sync-controller.ts';

export const INTERRUPTED_MESSAGE =
  'The process running this sync stopped before it finished (killed, crashed or shut down). Nothing half-written was kept; the next sync resumes where this one stopped.';

/** Runs left 'running' by a process that died are marked 'interrupted'. Returns how many. */
export async function markInterruptedRuns(db: Database): Promise<number> {
  return db.exclusive((runner) =>
    runner.run(
      `UPDATE sync_runs SET status = 'interrupted', ended_at = now(), error = coalesce(error, $message) WHERE status = 'running'`,
      { message: INTERRUPTED_MESSAGE },
    ),
  );
}

export async function createRun(db: Database, source: SourceName, trigger: string, startedAt: string): Promise<number> {
  const row = await db.exclusive((runner) =>
    runner.one<{ id: number }>(
      `INSERT INTO sync_runs (source, trigger, started_at, status) VALUES ($source, $trigger, CAST($started AS TIMESTAMPTZ), 'running') RETURNING id`,
      { source, trigger, started: startedAt },
    ),
  );
  if (!row) throw new Error('Could not record the start of a sync run.');
  return row.id;
}

export interface RunOutcome {
  status: SyncRunSummary['status'];
  requests: number;
  rateLimitRemaining: number | null;
  rateLimitResetAt: string | null;
  recordsWritten: number;
  badRecords: number;
  streams: unknown;
  error: string | null;
}

export async function finishRun(db: Database, id: number, outcome: RunOutcome): Promise<void> {
  await db.exclusive((runner) =>
    runner.run(
      `UPDATE sync_runs SET status = $status, ended_at = now(), requests = $requests, rate_limit_remaining = $remaining,
         rate_limit_reset_at = CAST($reset AS TIMESTAMPTZ), records_written = $written, bad_records = $bad,
         streams = $streams, error = $error
       WHERE id = $id`,
      {
        id,
        status: outcome.status,
        requests: outcome.requests,
        remaining: outcome.rateLimitRemaining,
        reset: outcome.rateLimitResetAt,
        written: outcome.recordsWritten,
        bad: outcome.badRecords,
        streams: JSON.stringify(outcome.streams ?? {}),
        error: outcome.error,
      },
    ),
  );
}

export async function recordError(
  db: Database,
  error: {
    runId: number;
    source: SourceName;
    stream: string;
    scope: string;
    url: string | null;
    recordKey: string | null;
    message: string;
  },
): Promise<void> {
  await db.exclusive((runner) =>
    runner.run(
      `INSERT INTO sync_errors (run_id, source, stream, scope, url, record_key, message, occurred_at)
       VALUES ($run, $source, $stream, $scope, $url, $key, $message, now())`,
      {
        run: error.runId,
        source: error.source,
        stream: error.stream,
        scope: error.scope,
        url: error.url,
        key: error.recordKey,
        message: error.message,
      },
    ),
  );
}

interface RunRow {
  id: number;
  source: SourceName;
  trigger: string;
  status: SyncRunSummary['status'];
  started_at: string;
  ended_at: string | null;
  requests: number;
  records_written: number;
  bad_records: number;
  rate_limit_remaining: number | null;
  rate_limit_reset_at: string | null;
  error: string | null;
  streams: string | null;
}

function summary(row: RunRow): SyncRunSummary {
  let streams: Record<string, unknown> = {};
  try {
    streams = row.streams ? (JSON.parse(row.streams) as Record<string, unknown>) : {};
  } catch {
    streams = {};
  }
  return {
    id: row.id,
    source: row.source,
    trigger: row.trigger,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    requests: row.requests,
    recordsWritten: row.records_written,
    badRecords: row.bad_records,
    rateLimitRemaining: row.rate_limit_remaining,
    rateLimitResetAt: row.rate_limit_reset_at,
    error: row.error,
    streams,
  };
}

export async function recentRuns(db: Database, limit = 20, source?: SourceName): Promise<SyncRunSummary[]> {
  const rows = await db.all<RunRow>(
    `SELECT id, source, trigger, status, started_at, ended_at, requests, records_written, bad_records, rate_limit_remaining,
            rate_limit_reset_at, error, streams
     FROM sync_runs WHERE ($source IS NULL OR source = $source) ORDER BY started_at DESC, id DESC LIMIT $limit`,
    { source: source ?? null, limit },
  );
  return rows.map(summary);
}

export async function lastRuns(db: Database): Promise<Partial<Record<SourceName, SyncRunSummary>>> {
  const rows = await db.all<RunRow>(
    `SELECT id, source, trigger, status, started_at, ended_at, requests, records_written, bad_records, rate_limit_remaining,
            rate_limit_reset_at, error, streams
     FROM sync_runs WHERE status <> 'running'
     QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC, id DESC) = 1`,
  );
  const out: Partial<Record<SourceName, SyncRunSummary>> = {};
  for (const row of rows) out[row.source] = summary(row);
  return out;
}
