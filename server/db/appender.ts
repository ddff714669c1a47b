// Bulk loads for server/db/database.ts: DuckDB's appender into a table (or a fresh TEMP staging
// table), run only inside a write transaction (an appender outside one auto-commits partial
// batches), yielding to the event loop while it copies.
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { ident } from './statements.ts';

/**
 * The appender copies every value synchronously: after this long without a break, flush and give
 * the event loop a turn (checked every YIELD_CHECK rows), so the API keeps answering during a
 * load. By time rather than rows: 2,000 rows of 15 KB pull requests blocked for 300 ms, while
 * yielding every 2,000 small rows cost a fifth of the throughput for nothing.
 */
const YIELD_AFTER_MS = 25;
const YIELD_CHECK = 128;

export async function stageRows(
  conn: DuckDBConnection,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly (string | null)[]>,
): Promise<number> {
  const name = ident(table);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${name} (${columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`);
  return appendRows(conn, table, columns, rows);
}

export async function appendRows(
  conn: DuckDBConnection,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly (string | null)[]>,
): Promise<number> {
  ident(table); // only names from code reach here; refuse anything else
  const appender: DuckDBAppender = await conn.createAppender(table);
  let count = 0;
  let since = performance.now();
  try {
    for (const row of rows) {
      if (row.length !== columns.length) {
        throw new Error(`append(${table}): row has ${row.length} values for ${columns.length} columns`);
      }
      for (const value of row) {
        if (value === null) appender.appendNull();
        else appender.appendVarchar(value);
      }
      appender.endRow();
      count++;
      if (count % YIELD_CHECK === 0 && performance.now() - since >= YIELD_AFTER_MS) {
        appender.flushSync();
        await new Promise<void>((resolveYield) => setImmediate(resolveYield));
        since = performance.now();
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return count;
}
