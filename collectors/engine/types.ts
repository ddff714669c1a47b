// The shapes shared by the sync engine and every collector: raw records, normalised rows, batches
// handed to the loader, cursors, and the contract a source's collector fulfils. Kept free of any
// source's specifics so the GitHub and PagerDuty collectors are built the same way.
import type { Database, WriteTx } from '../../server/db/index.ts';
import type { SourceName } from '../../server/lib/sync-controller.ts';
import type { HttpMeter } from './http.ts';
import type { RunProgress } from './progress.ts';

export type { SourceName };

/** One record exactly as received, for the append-only raw layer. */
export interface RawRecord {
  stream: string;
  scope: string;
  /** The record's id in its stream. */
  recordKey: string;
  /** The request that returned it, without secrets. */
  requestUrl: string;
  /** ISO time of the fetch; also the synced_at of the rows built from it. */
  fetchedAt: string;
  /** The record's JSON text. */
  payload: string;
  payloadHash: string;
  /** Set when the payload failed validation (or a whole page could not be parsed); the row is kept. */
  error?: string | null;
}

/** A value of a normalised row before staging: the loader turns it into text DuckDB casts back. */
export type Cell = string | number | boolean | null | readonly string[];
export type Row = Record<string, Cell>;

/** Rows of one table with the same set of columns, loaded with one upsert. */
export interface RowSet {
  table: string;
  rows: Row[];
}

/** Child rows replaced wholesale: rows whose `column` is one of `keys` are deleted before the upsert. */
export interface Replacement {
  table: string;
  /** Parent key columns of the child table, matched against `keys` (one array of values per parent). */
  columns: readonly string[];
  keys: readonly (readonly string[])[];
}

export interface CursorWrite {
  stream: string;
  scope: string;
  cursor: unknown;
}

/** A bad payload or a failed request worth keeping for the user (sync_errors). */
export interface ErrorRecord {
  stream: string;
  scope: string;
  url: string | null;
  recordKey: string | null;
  message: string;
}

/** Everything one transaction commits: rows, raw payloads, errors and the cursors they advance. */
export interface LoadBatch {
  raw: RawRecord[];
  rows: RowSet[];
  replace: Replacement[];
  cursors: CursorWrite[];
  errors: ErrorRecord[];
  /** Statements that derive columns from the rows just loaded, run last in the same transaction. */
  after: ((tx: WriteTx) => Promise<number>)[];
}

export function emptyBatch(): LoadBatch {
  return { raw: [], rows: [], replace: [], cursors: [], errors: [], after: [] };
}

export interface LoadResult {
  rawAppended: number;
  rawOffered: number;
  /** Rows inserted or changed, per table. */
  written: Record<string, number>;
  rowsOffered: number;
  ms: number;
}

/** Where a request belongs, for per-stream and per-scope accounting. */
export interface RequestTag {
  scope: string;
  stream: string;
}

/** What a collector gets for one run of its source. */
export interface RunContext {
  readonly db: Database;
  readonly source: SourceName;
  readonly runId: number;
  /** Aborted when the run must stop (shutdown); collectors stop at the next batch boundary. */
  readonly signal: AbortSignal;
  readonly meter: HttpMeter;
  readonly progress: RunProgress;
  /** Commit one batch (rows, raw, errors, cursors) in one transaction and count it. */
  flush(batch: LoadBatch, tag: RequestTag): Promise<LoadResult>;
  /** Read the stored cursors of this source, keyed `${stream}\u0000${scope}`. */
  cursors(): Promise<Map<string, unknown>>;
  /** Run `fn` with requests attributed to this scope and stream. */
  within<T>(tag: RequestTag, fn: () => Promise<T>): Promise<T>;
  /** Record a failure of one scope (the run goes on with the others and ends 'partial'). */
  scopeFailed(tag: RequestTag, message: string, url?: string | null): Promise<void>;
  log(line: string): void;
}

export interface RenormalizeContext {
  readonly db: Database;
  readonly source: SourceName;
  readonly runId: number;
  readonly progress: RunProgress;
  log(line: string): void;
}

/** A source's collector: the streams of GitHub or PagerDuty over the configured scopes. */
export interface SourceCollector {
  readonly source: SourceName;
  /** Scopes (repositories, or '*' for account-wide streams), for progress display. */
  scopes(): string[];
  /** Problems to report before any request is sent (a missing token); undefined when ready. */
  preflight(): string | undefined;
  /** Sync every stream of every scope. Throws a FatalSyncError when the whole run must stop. */
  run(ctx: RunContext): Promise<void>;
  /** Rebuild this source's normalised tables from its raw layer, with no HTTP at all. */
  renormalize(ctx: RenormalizeContext): Promise<void>;
}

export function cursorKey(stream: string, scope: string): string {
  return `${stream}\u0000${scope}`;
}
