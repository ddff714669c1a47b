// Live progress of one run: per scope and stream, records seen, rows written, requests sent and
// errors, plus the source's rate-limit budget. The CLI draws it, GET /api/sync/status returns it,
// and the finished run stores it (per stream and scope) in sync_runs.streams.
import type { HttpMeter, RateLimitState } from './http.ts';
import type { RequestTag, SourceName } from './types.ts';

export interface StreamCounts {
  records: number;
  written: number;
  requests: number;
  errors: number;
}

export interface ScopeProgress {
  scope: string;
  state: 'pending' | 'running' | 'done' | 'failed';
  /** The stream being worked on now. */
  stream: string | null;
  records: number;
  written: number;
  requests: number;
  errors: number;
  message: string | null;
}

export interface ProgressSnapshot {
  source: SourceName;
  runId: number;
  trigger: string;
  startedAt: string;
  requests: number;
  recordsWritten: number;
  badRecords: number;
  rateLimit: RateLimitState | null;
  /** Rows loaded into DuckDB and the time the loads took (rows per second = rows / ms * 1000). */
  load: { rows: number; ms: number };
  tables: Record<string, number>;
  scopes: ScopeProgress[];
}

/** Told what changed; call snapshot() when the display needs the numbers (it may redraw less often). */
export type ProgressListener = (change: { scope: string; kind: string }) => void;

export class RunProgress {
  private readonly streams = new Map<string, Map<string, StreamCounts>>();
  private readonly scopeState = new Map<string, ScopeProgress>();
  private readonly listeners = new Set<ProgressListener>();
  private meter: HttpMeter | null = null;
  recordsWritten = 0;
  badRecords = 0;
  loadRows = 0;
  loadMs = 0;
  /** Rows written per normalised table, for the summary. */
  readonly tables: Record<string, number> = {};

  constructor(
    readonly source: SourceName,
    readonly runId: number,
    readonly trigger: string,
    readonly startedAt: string,
  ) {}

  attach(meter: HttpMeter): void {
    this.meter = meter;
    meter.onRequest((tag) => {
      this.counts(tag).requests++;
      const scope = this.scope(tag.scope);
      scope.requests++;
      this.emit(tag.scope, 'request');
    });
  }

  setScopes(scopes: readonly string[]): void {
    for (const scope of scopes) this.scope(scope);
  }

  private scope(name: string): ScopeProgress {
    let state = this.scopeState.get(name);
    if (!state) {
      state = { scope: name, state: 'pending', stream: null, records: 0, written: 0, requests: 0, errors: 0, message: null };
      this.scopeState.set(name, state);
    }
    return state;
  }

  private counts(tag: RequestTag): StreamCounts {
    let byScope = this.streams.get(tag.stream);
    if (!byScope) {
      byScope = new Map();
      this.streams.set(tag.stream, byScope);
    }
    let counts = byScope.get(tag.scope);
    if (!counts) {
      counts = { records: 0, written: 0, requests: 0, errors: 0 };
      byScope.set(tag.scope, counts);
    }
    return counts;
  }

  stream(tag: RequestTag): void {
    const scope = this.scope(tag.scope);
    scope.state = 'running';
    scope.stream = tag.stream;
    this.counts(tag);
    this.emit(tag.scope, 'stream');
  }

  records(tag: RequestTag, records: number, written: number): void {
    const counts = this.counts(tag);
    counts.records += records;
    counts.written += written;
    const scope = this.scope(tag.scope);
    scope.records += records;
    scope.written += written;
    this.recordsWritten += written;
    this.emit(tag.scope, 'records');
  }

  loaded(rows: number, ms: number, written: Record<string, number> = {}): void {
    this.loadRows += rows;
    this.loadMs += ms;
    for (const [table, n] of Object.entries(written)) this.tables[table] = (this.tables[table] ?? 0) + n;
  }

  currentStream(scope: string): string | null {
    return this.scopeState.get(scope)?.stream ?? null;
  }

  failedScopes(): { scope: string; message: string }[] {
    return [...this.scopeState.values()]
      .filter((s) => s.state === 'failed')
      .map((s) => ({ scope: s.scope, message: s.message ?? 'failed' }));
  }

  error(tag: RequestTag, bad: boolean): void {
    this.counts(tag).errors++;
    this.scope(tag.scope).errors++;
    if (bad) this.badRecords++;
    this.emit(tag.scope, 'error');
  }

  scopeStarted(scope: string): void {
    const state = this.scope(scope);
    state.state = 'running';
    this.emit(scope, 'started');
  }

  scopeDone(scope: string): void {
    const state = this.scope(scope);
    if (state.state !== 'failed') state.state = 'done';
    state.stream = null;
    this.emit(scope, 'done');
  }

  scopeFailed(scope: string, message: string): void {
    const state = this.scope(scope);
    state.state = 'failed';
    state.message = message;
    this.emit(scope, 'failed');
  }

  onChange(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(scope: string, kind: string): void {
    for (const listener of this.listeners) listener({ scope, kind });
  }

  /** Per stream and scope, for sync_runs.streams. */
  streamCounts(): Record<string, Record<string, StreamCounts>> {
    const out: Record<string, Record<string, StreamCounts>> = {};
    for (const [stream, byScope] of this.streams) {
      out[stream] = {};
      for (const [scope, counts] of byScope) out[stream][scope] = { ...counts };
    }
    return out;
  }

  snapshot(): ProgressSnapshot {
    return {
      source: this.source,
      runId: this.runId,
      trigger: this.trigger,
      startedAt: this.startedAt,
      requests: this.meter?.requests ?? 0,
      recordsWritten: this.recordsWritten,
      badRecords: this.badRecords,
      rateLimit: this.meter?.rateLimit ?? null,
      load: { rows: this.loadRows, ms: Math.round(this.loadMs) },
      tables: { ...this.tables },
      scopes: [...this.scopeState.values()].map((s) => ({ ...s })),
    };
  }
}
