// One run of one source, start to end: record it in sync_runs, check the collector can start
// (tokens) before any request, give it a context (HTTP meter, progress, batch loader, cursors),
// turn whatever happens into a status and an error a user can act on, and record the outcome.
import type { Database } from '../../server/db/index.ts';
import { FatalSyncError, isAbort, SyncStoppedError } from './errors.ts';
import { HttpMeter, type RateLimitParser } from './http.ts';
import { type LoaderOptions, loadBatch, type RawRule } from './loader.ts';
import { RunProgress } from './progress.ts';
import { createRun, finishRun, recordError } from './runs.ts';
import { cursorKey, type RunContext, type SourceCollector, type SourceName } from './types.ts';

export interface RunResult {
  runId: number;
  source: SourceName;
  trigger: string;
  status: 'succeeded' | 'partial' | 'failed' | 'interrupted';
  error: string | null;
  startedAt: string;
  durationMs: number;
  requests: number;
  recordsWritten: number;
  badRecords: number;
  rateLimit: { limit: number | null; remaining: number | null; resetAt: string | null } | null;
  /** Rows written per normalised table. */
  tables: Record<string, number>;
  /** Rows offered to DuckDB and the time the loads took. */
  load: { rows: number; ms: number };
  failedScopes: { scope: string; message: string }[];
  streams: ReturnType<RunProgress['streamCounts']>;
}

export interface SourceDriver {
  collector: SourceCollector;
  rateLimit: RateLimitParser;
  rawRules: readonly RawRule[];
  /** Which stream a normalised table's rows count under in progress and sync_runs.streams. */
  tableStreams?: Readonly<Record<string, string>>;
}

export interface RunOptions {
  trigger: string;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Called with the run's progress once it exists (the CLI draws it, the API reports it). */
  onStart?: (progress: RunProgress) => void;
}

function describeFailedScopes(failed: { scope: string; message: string }[], total: number): string {
  const shown = failed.slice(0, 5).map((f) => `${f.scope}: ${f.message}`);
  const more = failed.length > shown.length ? ` (and ${failed.length - shown.length} more)` : '';
  return `${failed.length} of ${total} scope${total === 1 ? '' : 's'} could not be synced${more}. ${shown.join(' | ')}`;
}

export async function runSource(db: Database, driver: SourceDriver, options: RunOptions): Promise<RunResult> {
  const { collector } = driver;
  const source = collector.source;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const runId = await createRun(db, source, options.trigger, startedAt);
  const meter = new HttpMeter(driver.rateLimit);
  const progress = new RunProgress(source, runId, options.trigger, startedAt);
  progress.attach(meter);
  const scopes = collector.scopes();
  progress.setScopes(scopes);
  options.onStart?.(progress);
  const loaderOptions: LoaderOptions = { source, runId, rawRules: driver.rawRules };

  const ctx: RunContext = {
    db,
    source,
    runId,
    signal: options.signal,
    meter,
    progress,
    async flush(batch, tag) {
      const result = await loadBatch(db, batch, loaderOptions);
      progress.loaded(result.rowsOffered + result.rawOffered, result.ms, result.written);
      const perStream = new Map<string, { records: number; written: number }>();
      const bump = (stream: string) => {
        let entry = perStream.get(stream);
        if (!entry) {
          entry = { records: 0, written: 0 };
          perStream.set(stream, entry);
        }
        return entry;
      };
      for (const record of batch.raw) if (!record.error) bump(record.stream).records++;
      for (const [table, n] of Object.entries(result.written)) bump(driver.tableStreams?.[table] ?? tag.stream).written += n;
      for (const [stream, counts] of perStream) progress.records({ scope: tag.scope, stream }, counts.records, counts.written);
      for (const error of batch.errors) progress.error({ scope: error.scope, stream: error.stream }, true);
      return result;
    },
    async cursors() {
      const rows = await db.all<{ stream: string; scope: string; cursor: string }>(
        'SELECT stream, scope, cursor FROM sync_cursors WHERE source = $source',
        { source },
      );
      const map = new Map<string, unknown>();
      for (const row of rows) {
        try {
          map.set(cursorKey(row.stream, row.scope), JSON.parse(row.cursor));
        } catch {
          // An unreadable cursor is treated as absent: that scope is synced again from the start.
        }
      }
      return map;
    },
    within(tag, fn) {
      progress.stream(tag);
      return meter.within(tag, fn);
    },
    async scopeFailed(tag, message, url) {
      progress.scopeFailed(tag.scope, message);
      progress.error(tag, false);
      options.log(`${source} ${tag.scope}: ${message}`);
      await recordError(db, { runId, source, stream: tag.stream, scope: tag.scope, url: url ?? null, recordKey: null, message });
    },
    log: options.log,
  };

  let status: RunResult['status'] = 'succeeded';
  let error: string | null = null;
  const preflight = collector.preflight();
  if (preflight) {
    status = 'failed';
    error = preflight;
  } else {
    try {
      await collector.run(ctx);
      const failed = progress.failedScopes();
      if (failed.length > 0) {
        status = 'partial';
        error = describeFailedScopes(failed, scopes.length);
      }
    } catch (caught) {
      if (caught instanceof SyncStoppedError || (isAbort(caught) && options.signal.aborted)) {
        status = 'interrupted';
        error =
          'Stopped before it finished (Vigil was shutting down). What was committed is kept; the next sync resumes from there.';
      } else if (caught instanceof FatalSyncError) {
        status = caught.status;
        error = caught.message;
      } else {
        status = 'failed';
        const message = caught instanceof Error ? caught.message : String(caught);
        error = `The sync failed unexpectedly: ${message}. What was committed is kept; if this repeats, run \`vigil sync\` with VIGIL_DEBUG=1 and report the output.`;
        if (process.env.VIGIL_DEBUG === '1' && caught instanceof Error) options.log(caught.stack ?? message);
      }
    }
  }

  const snapshot = progress.snapshot();
  const result: RunResult = {
    runId,
    source,
    trigger: options.trigger,
    status,
    error,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    requests: meter.requests,
    recordsWritten: progress.recordsWritten,
    badRecords: progress.badRecords,
    rateLimit: meter.rateLimit,
    tables: snapshot.tables,
    load: snapshot.load,
    failedScopes: progress.failedScopes(),
    streams: progress.streamCounts(),
  };
  await finishRun(db, runId, {
    status,
    requests: result.requests,
    rateLimitRemaining: result.rateLimit?.remaining ?? null,
    rateLimitResetAt: result.rateLimit?.resetAt ?? null,
    recordsWritten: result.recordsWritten,
    badRecords: result.badRecords,
    streams: result.streams,
    error,
  });
  return result;
}

/** Rebuild a source's normalised tables from its raw layer (no HTTP), recorded as a run. */
export async function renormalizeSource(
  db: Database,
  driver: SourceDriver,
  options: Omit<RunOptions, 'trigger' | 'signal'>,
): Promise<RunResult> {
  const { collector } = driver;
  const source = collector.source;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const runId = await createRun(db, source, 'renormalize', startedAt);
  const progress = new RunProgress(source, runId, 'renormalize', startedAt);
  options.onStart?.(progress);
  let status: RunResult['status'] = 'succeeded';
  let error: string | null = null;
  try {
    await collector.renormalize({ db, source, runId, progress, log: options.log });
  } catch (caught) {
    status = 'failed';
    const message = caught instanceof Error ? caught.message : String(caught);
    error = `Rebuilding the ${source} tables from raw failed: ${message}. The tables were left as they were before.`;
  }
  const snapshot = progress.snapshot();
  const result: RunResult = {
    runId,
    source,
    trigger: 'renormalize',
    status,
    error,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    requests: 0,
    recordsWritten: progress.recordsWritten,
    badRecords: progress.badRecords,
    rateLimit: null,
    tables: snapshot.tables,
    load: snapshot.load,
    failedScopes: [],
    streams: progress.streamCounts(),
  };
  await finishRun(db, runId, {
    status,
    requests: 0,
    rateLimitRemaining: null,
    rateLimitResetAt: null,
    recordsWritten: result.recordsWritten,
    badRecords: result.badRecords,
    streams: result.streams,
    error,
  });
  return result;
}
