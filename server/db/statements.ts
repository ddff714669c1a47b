// How statements reach DuckDB for server/db/database.ts: parameters bound with the types DuckDB
// cannot infer, prepared statements cached per connection, results converted to plain values, and
// quoting of identifiers that come from code. Only server/db talks to @duckdb/node-api.
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  type DuckDBMaterializedResult,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import { type Plain, plainConverter } from './convert.ts';

export type Param = string | number | boolean | null | undefined | Date | bigint | readonly (string | null)[] | readonly number[];
export type Params = Record<string, Param>;
export type Row = Record<string, Plain>;

export interface QueryRunner {
  /** All rows of a query, converted to plain values. */
  all<T = Row>(sql: string, params?: Params): Promise<T[]>;
  /** The first row, or undefined. */
  one<T = Row>(sql: string, params?: Params): Promise<T | undefined>;
  /** Run a statement; returns the number of rows changed. */
  run(sql: string, params?: Params): Promise<number>;
}

function isIntegral(values: readonly number[]): boolean {
  return values.every((v) => Number.isSafeInteger(v));
}

/** Bind JS values as DuckDB values, choosing types DuckDB cannot infer (lists, integers). */
export function bindParams(params: Params | undefined): {
  values: Record<string, DuckDBValue>;
  types: Record<string, DuckDBType | undefined>;
} {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType | undefined> = {};
  if (!params) return { values, types };
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) {
      values[name] = null;
      types[name] = VARCHAR;
    } else if (value instanceof Date) {
      values[name] = value.toISOString();
      types[name] = VARCHAR;
    } else if (Array.isArray(value)) {
      const list = value as readonly (string | number | null)[];
      if (list.length > 0 && typeof list[0] === 'number') {
        const numbers = list as readonly number[];
        const element = isIntegral(numbers) ? BIGINT : DOUBLE;
        values[name] = listValue(numbers.map((n) => (element === BIGINT ? BigInt(n) : n)));
        types[name] = LIST(element);
      } else {
        values[name] = listValue(list.map((v) => (v === null ? null : String(v))));
        types[name] = LIST(VARCHAR);
      }
    } else if (typeof value === 'number') {
      values[name] = Number.isSafeInteger(value) ? BigInt(value) : value;
      types[name] = Number.isSafeInteger(value) ? BIGINT : DOUBLE;
    } else if (typeof value === 'boolean') {
      values[name] = value;
      types[name] = BOOLEAN;
    } else if (typeof value === 'bigint') {
      values[name] = value;
      types[name] = BIGINT;
    } else {
      values[name] = value as string;
      types[name] = VARCHAR;
    }
  }
  return { values, types };
}

/**
 * How a statement reaches DuckDB. Every step of @duckdb/node-api's prepared path (extract the
 * statements, prepare, execute, fetch each chunk) is its own job on libuv's thread pool, and
 * between jobs the event loop must take a turn: while a sync keeps the process busy each turn can
 * wait, so a trivial read cost 5 turns. A statement without parameters goes as one query (the
 * binding `query` call); one with parameters reuses a statement prepared earlier on the same
 * connection (a connection runs one statement at a time: readers are pooled, the writer is
 * behind a mutex), so it costs an execute and the fetches.
 */
const PREPARED_PER_CONNECTION = 64;

class StatementCache {
  private readonly statements = new Map<string, DuckDBPreparedStatement>();

  constructor(private readonly conn: DuckDBConnection) {}

  /** A prepared statement for `sql`, or null when DuckDB cannot prepare it alone (several statements). */
  async get(sql: string): Promise<DuckDBPreparedStatement | null> {
    const known = this.statements.get(sql);
    if (known) {
      // Most recently used last: the oldest is the first to go.
      this.statements.delete(sql);
      this.statements.set(sql, known);
      return known;
    }
    let prepared: DuckDBPreparedStatement;
    try {
      prepared = await this.conn.prepare(sql);
    } catch {
      return null;
    }
    this.statements.set(sql, prepared);
    if (this.statements.size > PREPARED_PER_CONNECTION) {
      const [oldest, statement] = this.statements.entries().next().value as [string, DuckDBPreparedStatement];
      this.statements.delete(oldest);
      statement.destroySync();
    }
    return prepared;
  }

  /** Forget a statement that failed: it is prepared afresh next time. */
  drop(sql: string): void {
    const statement = this.statements.get(sql);
    if (!statement) return;
    this.statements.delete(sql);
    statement.destroySync();
  }
}

const caches = new WeakMap<DuckDBConnection, StatementCache>();

function cacheOf(conn: DuckDBConnection): StatementCache {
  let cache = caches.get(conn);
  if (!cache) {
    cache = new StatementCache(conn);
    caches.set(conn, cache);
  }
  return cache;
}

export async function execute(
  conn: DuckDBConnection,
  sql: string,
  params: Params | undefined,
): Promise<DuckDBMaterializedResult> {
  if (!params || Object.keys(params).length === 0) return conn.run(sql);
  const { values, types } = bindParams(params);
  const cache = cacheOf(conn);
  const prepared = await cache.get(sql);
  // Several statements in one text: the library runs all but the last, then binds the last.
  if (!prepared) return conn.run(sql, values, types);
  try {
    prepared.clearBindings();
    prepared.bind(values, types);
    return await prepared.run();
  } catch (error) {
    cache.drop(sql);
    throw error;
  }
}

/**
 * The rows of a materialized result, read from its chunks in place (DuckDB already holds them all):
 * the library's reader would fetch each chunk, and then learn there is no next one, as thread-pool jobs.
 */
export function rowsOf<T>(result: DuckDBMaterializedResult): T[] {
  const names = result.deduplicatedColumnNames();
  const rows: Record<string, Plain>[] = [];
  const chunks = result.chunkCount;
  for (let c = 0; c < chunks; c++) {
    const chunk = result.getChunk(c);
    const count = chunk.rowCount;
    for (let r = 0; r < count; r++) {
      const row: Record<string, Plain> = {};
      chunk.visitRowValues(r, (value, _row, column, type) => {
        row[names[column] as string] = plainConverter(value, type, plainConverter);
      });
      rows.push(row);
    }
  }
  return rows as T[];
}

export function runnerOn(conn: DuckDBConnection): QueryRunner {
  return {
    async all<T>(sql: string, params?: Params): Promise<T[]> {
      return rowsOf<T>(await execute(conn, sql, params));
    },
    async one<T>(sql: string, params?: Params): Promise<T | undefined> {
      return rowsOf<T>(await execute(conn, sql, params))[0];
    },
    async run(sql: string, params?: Params): Promise<number> {
      return (await execute(conn, sql, params)).rowsChanged;
    },
  };
}

/** At most this many values in one inList (a statement with more parameters plans slowly). */
export const IN_LIST_MAX = 1_000;

/**
 * `col IN (…)` over values bound one parameter each ($<prefix>0, $<prefix>1, …), for point lookups
 * by a PRIMARY KEY: DuckDB then reads each key through its index (~10 ms for 100 keys in a 2M-row
 * table), where `IN (SELECT unnest($list))` is a hash join over a scan of the whole table (~80-100
 * ms, and a per-page lookup repeated 22,000 times in a large PagerDuty sync took most of an hour).
 * Callers chunk by IN_LIST_MAX.
 */
export function inList(prefix: string, values: readonly string[]): { sql: string; params: Params } {
  if (values.length === 0 || values.length > IN_LIST_MAX)
    throw new Error(`inList: ${values.length} values (1 to ${IN_LIST_MAX} allowed)`);
  if (!/^[a-z_]+$/.test(prefix)) throw new Error(`inList: bad parameter prefix ${JSON.stringify(prefix)}`);
  const params: Params = {};
  const names = values.map((value, i) => {
    params[`${prefix}${i}`] = value;
    return `$${prefix}${i}`;
  });
  return { sql: `(${names.join(', ')})`, params };
}

const identifierPattern = /^[a-z_][a-z0-9_]*$/;

/** Quote an identifier that comes from code (never from a request); rejects anything else. */
export function ident(name: string): string {
  if (!identifierPattern.test(name)) throw new Error(`Refusing unsafe SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}
