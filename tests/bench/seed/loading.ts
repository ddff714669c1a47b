// The seeder's way into DuckDB: the collectors' own loader (loadInto: staging, upsert, unchanged
// rows left alone) and their own after-load derivations, in transactions of a few thousand rows,
// exactly as a sync's batches are committed, minus the raw payload log (see seed-process.ts).

import { type LoaderOptions, loadInto } from '../../../collectors/engine/loader.ts';
import { emptyBatch, type Row, type RowSet, type SourceName } from '../../../collectors/engine/types.ts';
import type { Database, WriteTx } from '../../../server/db/index.ts';

/** Rows per transaction (a sync commits smaller batches; bigger ones load faster into a new file). */
const CHUNK = 50_000;

export class SeedLoader {
  private readonly sets = new Map<string, RowSet>();
  private after: ((tx: WriteTx) => Promise<number>)[] = [];
  private size = 0;
  private inFlight: Promise<void> = Promise.resolve();
  readonly written: Record<string, number> = {};
  offered = 0;
  loadMs = 0;
  private readonly options: LoaderOptions;

  constructor(
    private readonly db: Database,
    source: SourceName,
  ) {
    this.options = { source, runId: null, rawRules: [] };
  }

  /** Rows for `table`; `shape` keeps row sets with different columns apart (one upsert each). */
  add(table: string, rows: readonly Row[], shape = 'default'): void {
    if (rows.length === 0) return;
    const key = `${table}\u0000${shape}`;
    let set = this.sets.get(key);
    if (!set) {
      set = { table, rows: [] };
      this.sets.set(key, set);
    }
    for (const row of rows) set.rows.push(row);
    this.size += rows.length;
  }

  /** A derivation to run in the transaction that commits the rows added so far. */
  derive(step: (tx: WriteTx) => Promise<number>): void {
    this.after.push(step);
  }

  async flushIfFull(): Promise<void> {
    if (this.size >= CHUNK) await this.flush(false);
  }

  /**
   * Commit what was added. DuckDB loads on its own threads, so by default the next rows are
   * prepared while this transaction runs (one in flight; the seeder's JavaScript and DuckDB then
   * share the two cores); `wait` (the default for callers that read the tables next) waits for it.
   */
  async flush(wait = true): Promise<void> {
    if (this.size > 0 || this.after.length > 0) {
      const batch = emptyBatch();
      batch.rows = [...this.sets.values()];
      batch.after = this.after;
      this.sets.clear();
      this.after = [];
      this.size = 0;
      const previous = this.inFlight;
      this.inFlight = (async () => {
        await previous;
        const t = performance.now();
        const result = await this.db.write((tx) => loadInto(tx, batch, this.options));
        this.loadMs += performance.now() - t;
        this.offered += result.rowsOffered;
        for (const [table, n] of Object.entries(result.written)) this.written[table] = (this.written[table] ?? 0) + n;
      })();
      // At most one transaction waits behind the one running.
      if (!wait) await previous;
    }
    if (wait) await this.inFlight;
  }
}
