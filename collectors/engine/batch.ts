// Accumulating one scope's work into batches big enough to load fast (DuckDB is built for bulk
// work: ~20 ms for 100 rows, ~100 ms for 10k) and small enough to bound memory and lost work on a
// kill. A batch is only ever flushed with the cursor that matches what it holds.
import { cursorKey, emptyBatch, type LoadBatch, type LoadResult, type RequestTag, type Row, type RunContext } from './types.ts';

/** Flush when a batch holds this many raw records … */
export const FLUSH_RECORDS = 5_000;
/**
 * … or this many characters of payload (pull requests run to ~15 KB each, compares more): the
 * appender copies payloads synchronously, so this bounds how long one load holds the event loop.
 */
export const FLUSH_CHARS = 8_000_000;

export class BatchBuilder {
  private batch: LoadBatch = emptyBatch();
  private chars = 0;
  private readonly rowSets = new Map<string, Row[]>();
  /** Cursor JSON as committed (stored at the start of the run, then as flushed), keyed by cursorKey. */
  private readonly committed = new Map<string, string>();
  private readonly beforeFlush: (() => void)[] = [];

  constructor(
    private readonly ctx: RunContext,
    readonly tag: RequestTag,
    /** The cursors stored when the run started, so an unchanged cursor is not written again. */
    stored?: ReadonlyMap<string, unknown>,
  ) {
    for (const [key, value] of stored ?? []) this.committed.set(key, JSON.stringify(value));
  }

  get current(): LoadBatch {
    return this.batch;
  }

  /** Rows for a table; rows of one call share their columns (one upsert per shape). */
  rows(table: string, rows: readonly Row[], shape = 'default'): void {
    if (rows.length === 0) return;
    const key = `${table}\u0000${shape}`;
    let list = this.rowSets.get(key);
    if (!list) {
      list = [];
      this.rowSets.set(key, list);
      this.batch.rows.push({ table, rows: list });
    }
    for (const row of rows) list.push(row);
  }

  raw(records: LoadBatch['raw']): void {
    for (const record of records) {
      this.batch.raw.push(record);
      this.chars += record.payload.length;
    }
  }

  replace(replacement: LoadBatch['replace'][number]): void {
    if (replacement.keys.length > 0) this.batch.replace.push(replacement);
  }

  after(step: LoadBatch['after'][number]): void {
    this.batch.after.push(step);
  }

  error(error: LoadBatch['errors'][number]): void {
    this.batch.errors.push(error);
  }

  /**
   * The cursor to commit with this batch; a later call for the same stream and scope replaces it.
   * A cursor equal to the one already committed is not written (a no-change sync writes nothing).
   */
  cursor(stream: string, scope: string, cursor: unknown): void {
    const existing = this.batch.cursors.findIndex((c) => c.stream === stream && c.scope === scope);
    if (existing >= 0) this.batch.cursors.splice(existing, 1);
    // A snapshot: the stream goes on changing its cursor object after this point.
    const text = JSON.stringify(cursor);
    if (this.committed.get(cursorKey(stream, scope)) === text) return;
    this.batch.cursors.push({ stream, scope, cursor: JSON.parse(text) as unknown });
  }

  /** Run `fn` right before each flush (a stream adds the derivations for what it loaded). */
  onFlush(fn: () => void): void {
    this.beforeFlush.push(fn);
  }

  get full(): boolean {
    return this.batch.raw.length >= FLUSH_RECORDS || this.chars >= FLUSH_CHARS;
  }

  get empty(): boolean {
    return (
      this.batch.raw.length === 0 &&
      this.batch.rows.every((s) => s.rows.length === 0) &&
      this.batch.cursors.length === 0 &&
      this.batch.errors.length === 0
    );
  }

  async flush(): Promise<LoadResult | null> {
    for (const fn of this.beforeFlush) fn();
    if (this.empty) {
      this.reset();
      return null;
    }
    const batch = this.batch;
    this.reset();
    const result = await this.ctx.flush(batch, this.tag);
    for (const c of batch.cursors) this.committed.set(cursorKey(c.stream, c.scope), JSON.stringify(c.cursor));
    return result;
  }

  async flushIfFull(): Promise<LoadResult | null> {
    return this.full ? this.flush() : null;
  }

  private reset(): void {
    this.batch = emptyBatch();
    this.chars = 0;
    this.rowSets.clear();
  }
}
