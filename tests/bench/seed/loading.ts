// The seeder's way into DuckDB: the collectors' own loader (loadInto: staging, upsert, unchanged
// rows left alone) and their own after-load derivations, in transactions of a few thousand rows,
// exactly as a sync's batches are committed, minus the raw payload log (see seed-process.ts).

import { type LoaderOptions, loadInto } from '../../../collectors/engine/loader.ts';
import { emptyBatch, type Row, type RowSet, type SourceName } from '../../../collectors/engine/types.ts';
import type { Database, WriteTx } from '../../../server/db/index.ts';

/** Rows per transaction: the order of a sync's batches (collectors/engine/batch.ts). */
const CHUNK = 20_000;

export class SeedLoader {
  private readonly sets = new Map<string, RowSet>();
  private after: ((tx: WriteTx) => Promise<number>)[] = [];
  private size = 0;
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
    if (this.size >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0 && this.after.length === 0) return;
    const batch = emptyBatch();
    batch.rows = [...this.sets.values()];
    batch.after = this.after;
    const t = performance.now();
    const result = await this.db.write((tx) => loadInto(tx, batch, this.options));
    this.loadMs += performance.now() - t;
    this.offered += result.rowsOffered;
    for (const [table, n] of Object.entries(result.written)) this.written[table] = (this.written[table] ?? 0) + n;
    this.sets.clear();
    this.after = [];
    this.size = 0;
  }
}
