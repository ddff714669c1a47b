// The one owner of Vigil's DuckDB database in a process: the instance, a small pool of reader
// connections, one writer connection behind a mutex, bound parameters, the session time zone and
// the conversion of DuckDB values to plain JavaScript (statements.ts, appender.ts and convert.ts are
// its parts). No file outside server/db talks to @duckdb/node-api.
//
// Facts this design rests on (../shared/DUCKDB-NOTES.md):
// - a second DuckDBInstance.create() on the same path in one process silently opens a separate
//   database and loses data on close, so each path is opened once per process (registry below);
// - another OS process cannot open a file we hold, even read-only: the error names the holder PID;
// - two writers touching the same rows fail with "Conflict on update", so all writes share one
//   connection, serialised by a mutex; readers run concurrently on their own connections (MVCC);
// - an appender outside a transaction auto-commits partial batches, so bulk loads only run
//   inside `write()`, which wraps BEGIN/COMMIT;
// - the session TimeZone defaults to the process zone and `date_trunc` buckets in it, so every
//   connection is set to UTC and zone-aware SQL passes the zone explicitly.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { appendRows, stageRows } from './appender.ts';
import { type Plain, plainConverter } from './convert.ts';
import { bindParams, type Params, type QueryRunner, type Row, runnerOn } from './statements.ts';

export type { Param, Params, QueryRunner, Row } from './statements.ts';
export { ident } from './statements.ts';

export interface WriteTx extends QueryRunner {
  /**
   * Bulk-load rows into a fresh TEMP table (dropped first if it exists) through the appender, all
   * columns as VARCHAR so DuckDB casts on the way out (the fastest path measured, DUCKDB-NOTES §1).
   * Flushes and yields to the event loop every `yieldEvery` rows so the API keeps answering.
   */
  stage(table: string, columns: readonly string[], rows: Iterable<readonly (string | null)[]>): Promise<number>;
  /**
   * Append rows to an existing table (no key constraint to violate: the raw logs) through the
   * appender, every value as text for DuckDB to cast, yielding to the event loop like stage().
   * Rows hold a value for every column of the table, in the table's order.
   * Cheaper than staging and copying for big payloads: the text is copied once.
   */
  append(table: string, columns: readonly string[], rows: Iterable<readonly (string | null)[]>): Promise<number>;
}

export interface DatabaseOptions {
  /** Reader connections; writes always use one extra connection. */
  readers?: number;
  /** DuckDB memory_limit, e.g. '1GB' (default DEFAULT_MEMORY_LIMIT). */
  memoryLimit?: string;
  /** WAL size at which a commit checkpoints (DuckDB's checkpoint_threshold; default DEFAULT_CHECKPOINT_THRESHOLD). */
  checkpointThreshold?: string;
  threads?: number;
  readOnly?: boolean;
}

/** The file is held by another process: DuckDB allows one read-write owner per file. */
export class DatabaseLockedError extends Error {
  constructor(
    readonly path: string,
    readonly holderPid: number | undefined,
    readonly holderUrl: string | undefined,
  ) {
    const who = holderPid ? `process ${holderPid}` : 'another process';
    const todo = holderUrl
      ? `trigger work through the running server instead (e.g. POST ${holderUrl}/api/sync), or stop it first`
      : 'use the running `vigil serve` (POST /api/sync starts a sync), or stop it first';
    super(`The database ${path} is in use by ${who}; ${todo}.`);
    this.name = 'DatabaseLockedError';
  }
}

/** The database file could not be opened for a reason the user can fix. */
export class DatabaseOpenError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DatabaseOpenError';
  }
}

/**
 * DuckDB's own default is 80% of the machine's memory, and it uses it: a backfill of the default
 * organisation peaked at 2.3 GB RSS (1.7 GB of it DuckDB's buffers). Capped at 512 MB it peaked at
 * 1.05-1.14 GB; at 384 MB, with the allocator returning freed memory (ALLOCATOR_SETTINGS), at
 * 0.87 GB, no slower (91 s of CPU either way). DuckDB spills and evicts beyond the limit, indexes
 * included; dashboard queries over 8M rows ran as fast at 256 MB (DUCKDB-NOTES §2).
 */
export const DEFAULT_MEMORY_LIMIT = '384MB';

/**
 * DuckDB's allocator keeps what its threads free for reuse until 128 MB is outstanding: outside
 * memory_limit, and visible as RSS. A background thread returning it and a lower flush point took
 * ~40 MB off a backfill's peak at no measurable cost.
 */
const ALLOCATOR_SETTINGS = ['SET GLOBAL allocator_background_threads = true', "SET GLOBAL allocator_flush_threshold = '32MB'"];

/**
 * DuckDB checkpoints inside the commit that takes the WAL past 16 MB by default, and a checkpoint
 * rewrites each changed table's indexes whole: a backfill committing every few thousand records
 * checkpointed dozens of times, each slower as the tables grew (single commits of 3-9 s under
 * load). With a bigger WAL allowed, the sync service checkpoints once when its runs end
 * (Database.checkpoint). Measured on the default organisation: the same backfill in 169 s instead
 * of 228 s, 20% less CPU, peak RSS no higher (committed data is under memory_limit like any other).
 * The cost: a crash replays up to this much WAL on the next open (seconds).
 */
export const DEFAULT_CHECKPOINT_THRESHOLD = '256MB';

const openPaths = new Set<string>();

/** The sidecar file in which a serving process records where it can be reached. */
export function ownerFilePath(dbPath: string): string {
  return `${dbPath}.owner.json`;
}

function readOwnerUrl(dbPath: string, pid: number | undefined): string | undefined {
  try {
    const owner = JSON.parse(readFileSync(ownerFilePath(dbPath), 'utf8')) as { pid?: number; url?: string };
    if (owner.url && (pid === undefined || owner.pid === pid)) return owner.url;
  } catch {
    // No sidecar (the holder is not a server) or an unreadable one: nothing to add.
  }
  return undefined;
}

function classifyOpenError(path: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const lock = /Conflicting lock is held in .*?\(PID (\d+)\)/.exec(message);
  if (lock || /Could not set lock on file/.test(message)) {
    const pid = lock?.[1] ? Number(lock[1]) : undefined;
    return new DatabaseLockedError(path, pid, readOwnerUrl(path, pid));
  }
  if (/not a valid DuckDB database file|database file.*(corrupt|invalid)|Invalid Input Error: .*(magic|header)/i.test(message)) {
    return new DatabaseOpenError(
      `${path} is not a Vigil (DuckDB) database, or it is damaged: ${firstLine(message)}`,
      'Point `database` in the config at another path, or restore the file from a backup (`vigil restore`). Vigil does not touch the file.',
      { cause: error },
    );
  }
  if (/Permission denied|Read-only file system|EACCES|EROFS/i.test(message)) {
    return new DatabaseOpenError(
      `Cannot open ${path} for writing: ${firstLine(message)}`,
      'Give the user running Vigil write access to the file and its folder, or set `database` to a writable path.',
      { cause: error },
    );
  }
  if (/No space left on device|ENOSPC/i.test(message)) {
    return new DatabaseOpenError(`No space left to open ${path}`, 'Free disk space on that volume and start again.', {
      cause: error,
    });
  }
  if (/version|serialization|storage/i.test(message) && /incompatible|newer|older|not supported/i.test(message)) {
    return new DatabaseOpenError(
      `${path} was written by an incompatible DuckDB version: ${firstLine(message)}`,
      'Open it with the Vigil version that wrote it and run `vigil backup`, then restore the backup here.',
      { cause: error },
    );
  }
  return new DatabaseOpenError(`Cannot open the database ${path}: ${firstLine(message)}`, 'Check the path and the file.', {
    cause: error,
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

export class Database implements QueryRunner {
  /** Increases after every committed write; response caches key on it. */
  private version = 0;
  private readonly idleReaders: DuckDBConnection[];
  private readonly waiting: ((conn: DuckDBConnection) => void)[] = [];
  private readonly writeLock = new Mutex();
  private readonly listeners = new Set<(version: number) => void>();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    readers: DuckDBConnection[],
  ) {
    this.idleReaders = readers;
  }

  /**
   * Open (or create) the database at `path`, or an in-memory one for ':memory:'. Throws
   * DatabaseLockedError when another process holds the file, DatabaseOpenError when the file
   * cannot be used; in both cases the file is left exactly as it was.
   */
  static async open(path: string, options: DatabaseOptions = {}): Promise<Database> {
    const memory = path === ':memory:';
    const fullPath = memory ? path : resolve(path);
    if (!memory) {
      if (openPaths.has(fullPath)) {
        throw new Error(`${fullPath} is already open in this process; share the Database object instead of opening it twice.`);
      }
      if (!existsSync(dirname(fullPath))) {
        try {
          mkdirSync(dirname(fullPath), { recursive: true });
        } catch (error) {
          throw new DatabaseOpenError(
            `Cannot create the folder for the database: ${dirname(fullPath)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
            'Create the folder yourself, or set `database` in the config to a path in a writable folder.',
            { cause: error },
          );
        }
      }
    }
    const config: Record<string, string> = {};
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    if (options.threads) config.threads = String(options.threads);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(fullPath, config);
    } catch (error) {
      throw classifyOpenError(fullPath, error);
    }
    if (!memory) openPaths.add(fullPath);
    try {
      const connections: DuckDBConnection[] = [];
      const readerCount = Math.max(1, options.readers ?? 3);
      for (let i = 0; i < readerCount + 1; i++) connections.push(await instance.connect());
      const writer = connections[0] as DuckDBConnection;
      // GLOBAL so every connection, present and future, buckets time in UTC (DUCKDB-NOTES §6).
      await writer.run("SET GLOBAL TimeZone = 'UTC'");
      const memoryLimit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
      await writer.run(`SET GLOBAL memory_limit = '${memoryLimit.replace(/[^0-9A-Za-z.]/g, '')}'`);
      const threshold = options.checkpointThreshold ?? DEFAULT_CHECKPOINT_THRESHOLD;
      await writer.run(`SET GLOBAL checkpoint_threshold = '${threshold.replace(/[^0-9A-Za-z.]/g, '')}'`);
      for (const setting of ALLOCATOR_SETTINGS) await writer.run(setting);
      return new Database(fullPath, instance, writer, connections.slice(1));
    } catch (error) {
      openPaths.delete(fullPath);
      instance.closeSync();
      throw classifyOpenError(fullPath, error);
    }
  }

  get dataVersion(): number {
    return this.version;
  }

  /** Called after each committed write with the new data version. */
  onChange(listener: (version: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Mark data as changed without a write through this object (e.g. after an ATTACH). */
  bumpVersion(): void {
    this.version++;
    for (const listener of this.listeners) listener(this.version);
  }

  private async withReader<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('The database is closed.');
    const conn = this.idleReaders.pop() ?? (await new Promise<DuckDBConnection>((resolveConn) => this.waiting.push(resolveConn)));
    try {
      return await fn(conn);
    } finally {
      const next = this.waiting.shift();
      if (next) next(conn);
      else this.idleReaders.push(conn);
    }
  }

  all<T = Row>(sql: string, params?: Params): Promise<T[]> {
    return this.withReader((conn) => runnerOn(conn).all<T>(sql, params));
  }

  one<T = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return this.withReader((conn) => runnerOn(conn).one<T>(sql, params));
  }

  /** A single statement on the writer connection, in its own transaction. */
  run(sql: string, params?: Params): Promise<number> {
    return this.write((tx) => tx.run(sql, params));
  }

  /**
   * Stream a query's rows in chunks of about 2,048 at constant memory (CSV export). The reader
   * connection is held until the callback has seen every chunk; returning false stops early.
   */
  stream(
    sql: string,
    params: Params | undefined,
    onRows: (rows: Row[], columns: string[]) => Promise<boolean | undefined> | boolean | undefined,
  ): Promise<number> {
    return this.withReader(async (conn) => {
      const { values, types } = bindParams(params);
      const result = await conn.stream(sql, values, types);
      const columns = result.columnNames();
      let total = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const rows = chunk.convertRows(plainConverter).map((values) => {
          const row: Row = {};
          columns.forEach((name, i) => {
            row[name] = (values[i] ?? null) as Plain;
          });
          return row;
        });
        total += rows.length;
        if ((await onRows(rows, columns)) === false) break;
      }
      return total;
    });
  }

  /**
   * Run `fn` in one transaction on the writer connection. Writes are serialised: a second call
   * waits for the first. The transaction commits when `fn` resolves and rolls back when it throws.
   */
  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.writeLock.lock(async () => {
      if (this.closed) throw new Error('The database is closed.');
      const conn = this.writer;
      const runner = runnerOn(conn);
      const tx: WriteTx = {
        ...runner,
        stage: (table, columns, rows) => stageRows(conn, table, columns, rows),
        append: (table, columns, rows) => appendRows(conn, table, columns, rows),
      };
      await conn.run('BEGIN TRANSACTION');
      let result: T;
      try {
        result = await fn(tx);
        await conn.run('COMMIT');
      } catch (error) {
        try {
          await conn.run('ROLLBACK');
        } catch {
          // The transaction may already be aborted; the original error is the one that matters.
        }
        throw error;
      }
      this.bumpVersion();
      return result;
    });
  }

  /** Run `fn` with the writer connection outside a transaction (CHECKPOINT, EXPORT, ATTACH). */
  exclusive<T>(fn: (runner: QueryRunner) => Promise<T>): Promise<T> {
    return this.writeLock.lock(async () => {
      if (this.closed) throw new Error('The database is closed.');
      return fn(runnerOn(this.writer));
    });
  }

  /**
   * Write the WAL into the database file now (after a sync: DEFAULT_CHECKPOINT_THRESHOLD says why),
   * waiting for writes in progress. Best effort: when DuckDB cannot checkpoint now (a transaction
   * on another connection), the WAL stays and a later commit or the next close checkpoints it.
   * Returns whether it checkpointed.
   */
  async checkpoint(): Promise<boolean> {
    if (this.closed || this.path === ':memory:') return false;
    try {
      await this.exclusive((runner) => runner.run('CHECKPOINT'));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let queued writes finish so nothing in flight is lost.
    await this.writeLock.lock(async () => {
      this.closed = true;
      try {
        if (this.path !== ':memory:') await this.writer.run('CHECKPOINT');
      } catch {
        // A checkpoint failure leaves the WAL, which DuckDB replays on the next open.
      }
      for (const conn of [this.writer, ...this.idleReaders]) conn.closeSync();
      this.instance.closeSync();
      openPaths.delete(this.path);
    });
  }
}
