// CSV as RFC 4180 writes it: UTF-8, a header row, CRLF line ends, fields quoted when they hold a
// comma, a quote or a line break (quotes doubled). Text cells that a spreadsheet would run as a
// formula (starting with =, +, -, @, tab or carriage return) get a leading apostrophe (OWASP's
// advice against CSV injection); numbers and booleans are written as they are.
//
// Query results are streamed chunk by chunk from the database with backpressure, so an export of
// millions of rows runs at constant memory, over HTTP (csvStream) and to a file (writeCsvFile).
// DuckDB renders each row as one finished line (csvLinesSql): converting every cell to a JS
// value and back to text measured ~1.4 µs a cell, several times the cost of one string per row.
// The largest record kinds keep their lines rendered ahead (server/metrics/derive/csv-lines.ts);
// their exports stream the stored text (`rendered`), in slices of their sort time.
import { createWriteStream } from 'node:fs';
import type { Database, Params, QueryRunner } from '../db/index.ts';

export type CsvValue = string | number | boolean | null | undefined | readonly unknown[] | Record<string, unknown>;

const needsQuotes = /[",\r\n]/;
const formulaStart = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (formulaStart.test(text)) text = `'${text}`;
  return needsQuotes.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** A whole small table (metric rows) as CSV text. */
export function csvText(columns: readonly string[], rows: readonly Record<string, CsvValue>[]): string {
  return csvLine(columns) + rows.map((r) => csvLine(columns.map((c) => r[c]))).join('');
}

/** A quoted SQL identifier (column names come from our own queries; quoting keeps any name safe). */
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

const numeric = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;
const APOSTROPHE = "''''";

/** The characters a spreadsheet takes as the start of a formula (csvCell's formulaStart), as SQL. */
const FORMULA_START = `('=+-@' || chr(9) || chr(13))`;

/**
 * SQL rendering one column as a CSV field, by the same rules as csvCell. `c` is the column already
 * cast to text once (csvLinesQuery); the formula check is one contains() on the first character:
 * an IN list there became a join per column, which made the lines query ~3x slower.
 */
function fieldSql(name: string, type: string): string {
  const c = quoted(name);
  if (type === 'BOOLEAN') return `CASE WHEN ${c} IS NULL THEN '' WHEN ${c} THEN 'true' ELSE 'false' END`;
  if (numeric.test(type)) return `coalesce(CAST(${c} AS VARCHAR), '')`;
  const safe = `(CASE WHEN ${c} <> '' AND contains(${FORMULA_START}, left(${c}, 1)) THEN ${APOSTROPHE} || ${c} ELSE ${c} END)`;
  return `(CASE WHEN ${c} IS NULL THEN ''
    WHEN contains(${c}, '"') OR contains(${c}, ',') OR contains(${c}, chr(10)) OR contains(${c}, chr(13))
      THEN '"' || replace(${safe}, '"', '""') || '"'
    ELSE ${safe} END)`;
}

/**
 * The query rewritten to yield `line`, each row as a finished CSV line of `columns` (`raw` ones
 * are finished CSV text already, joined as they are), plus the `carry` columns passed through
 * untouched (the pre-rendered lines tables store their keys next to the line:
 * server/metrics/derive/csv-lines.ts).
 */
export async function csvLinesSql(
  db: Pick<QueryRunner, 'all'>,
  sql: string,
  params: Params,
  columns: readonly string[] | undefined,
  carry: readonly string[] = [],
  raw: readonly string[] = [],
): Promise<{ sql: string; header: string }> {
  const described = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE (${sql})`, params);
  const types = new Map(described.map((d) => [d.column_name, d.column_type]));
  const cols = columns && columns.length > 0 ? [...columns] : described.map((d) => d.column_name);
  const isText = (type: string | undefined) => type !== undefined && type !== 'BOOLEAN' && !numeric.test(type);
  // Text columns are cast once, in an inner projection, instead of once per test below.
  const inner = cols.map((c) => {
    const type = types.get(c);
    if (raw.includes(c)) return `q.${quoted(c)}`;
    return isText(type)
      ? `CAST(q.${quoted(c)} AS VARCHAR) AS ${quoted(c)}`
      : type === undefined
        ? `NULL AS ${quoted(c)}`
        : `q.${quoted(c)}`;
  });
  const fields = cols.map((c) => {
    const type = types.get(c);
    if (raw.includes(c)) return quoted(c);
    return type === undefined ? "''" : fieldSql(c, isText(type) ? 'VARCHAR' : type);
  });
  const carried = carry.map((c) => `, q.${quoted(c)} AS ${quoted(c)}`).join('');
  const carriedOut = carry.map((c) => `, t.${quoted(c)}`).join('');
  return {
    // concat_ws in one call: a chain of || built an intermediate string per field (every field is
    // non-null here, so nothing is skipped).
    sql: `SELECT concat_ws(',', ${fields.join(', ')}) AS line${carriedOut} FROM (SELECT ${inner.join(', ')}${carried} FROM (${sql}) q) t`,
    header: csvLine(cols),
  };
}

/**
 * `rendered`: the query yields the finished lines already, as its `line` column (the stored lines
 * of server/metrics/derive/csv-lines.ts), so only the header comes from `columns`. Otherwise
 * the query's columns are rendered at query time (csvLinesSql).
 */
export interface CsvOptions {
  rendered?: boolean;
  /**
   * Run the query once per slice, in order, each with the slice's parameters added: slices of the
   * sort key, so each sorts a bounded share of the rows (one sort of 2M stored lines grew the
   * process by 160-270 MB; 32 slices by 35-55 MB, in the same time). Each slice is its own
   * statement, so a write committed during the export makes the rest come from newer data. When a
   * row's sort key can change (it could move into a slice already sent), give `version`: a token
   * of the data read, checked before each slice and after the last; the export fails if it moved.
   */
  slices?: readonly Params[];
  version?: () => Promise<string>;
}

/** Stream the rows of every slice (or the one query), stopping when `onRows` returns false. */
async function streamSlices(
  db: Database,
  sql: string,
  params: Params,
  options: CsvOptions,
  onRows: (rows: Record<string, unknown>[]) => Promise<boolean>,
): Promise<number> {
  if (!options.slices || options.slices.length === 0) return db.stream(sql, params, onRows);
  const version = options.version;
  const first = version ? await version() : '';
  const check = async () => {
    if (version && (await version()) !== first) {
      throw new Error('The records changed during the export (a refresh was saved): download it again.');
    }
  };
  let total = 0;
  let stopped = false;
  for (const slice of options.slices) {
    await check();
    total += await db.stream(sql, { ...params, ...slice }, async (rows) => {
      const more = await onRows(rows);
      if (!more) stopped = true;
      return more;
    });
    if (stopped) return total;
  }
  await check();
  return total;
}

async function linesQuery(
  db: Database,
  sql: string,
  params: Params,
  columns: readonly string[] | undefined,
  options: CsvOptions,
): Promise<{ sql: string; header: string }> {
  if (options.rendered) {
    if (!columns || columns.length === 0) throw new Error('Pre-rendered CSV lines need their column names.');
    return { sql, header: csvLine(columns) };
  }
  return csvLinesSql(db, sql, params, columns);
}

const encoder = new TextEncoder();

/**
 * Stream a query as CSV. The reader connection is held only while the consumer keeps reading; a
 * cancelled download stops the query at the next chunk.
 */
export function csvStream(
  db: Database,
  sql: string,
  params: Params,
  columns?: readonly string[],
  options: CsvOptions = {},
): ReadableStream<Uint8Array> {
  let resume: (() => void) | undefined;
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        linesQuery(db, sql, params, columns, options)
          .then(async (q) => {
            controller.enqueue(encoder.encode(q.header));
            await streamSlices(db, q.sql, params, options, async (rows) => {
              if (cancelled) return false;
              let text = '';
              for (const row of rows) text += `${row.line as string}\r\n`;
              controller.enqueue(encoder.encode(text));
              if ((controller.desiredSize ?? 1) <= 0) await new Promise<void>((r) => (resume = r));
              return !cancelled;
            });
          })
          .then(
            () => {
              if (!cancelled) controller.close();
            },
            (error: unknown) => {
              if (!cancelled) controller.error(error);
            },
          );
      },
      pull() {
        const r = resume;
        resume = undefined;
        r?.();
      },
      cancel() {
        cancelled = true;
        const r = resume;
        resume = undefined;
        r?.();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 1 << 20 }),
  );
}

/** A safe file name for Content-Disposition. */
export function csvFileName(parts: readonly string[]): string {
  return `${parts
    .filter(Boolean)
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '_')}.csv`;
}

export function csvHeaders(fileName: string): Record<string, string> {
  return {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${fileName}"`,
    'Cache-Control': 'no-store',
  };
}

/** Write a query as CSV to a file (or stdout when `path` is '-'), at constant memory. Returns rows written. */
export async function writeCsvFile(
  db: Database,
  sql: string,
  params: Params,
  path: string,
  columns?: readonly string[],
  options: CsvOptions = {},
): Promise<number> {
  const out = path === '-' ? process.stdout : createWriteStream(path, { encoding: 'utf8' });
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure = error;
  };
  out.on('error', onError);
  const write = (text: string) =>
    new Promise<void>((resolveWrite, reject) => {
      if (failure) return reject(failure);
      if (out.write(text)) resolveWrite();
      else out.once('drain', () => (failure ? reject(failure) : resolveWrite()));
    });
  let rows = 0;
  try {
    const q = await linesQuery(db, sql, params, columns, options);
    await write(q.header);
    rows = await streamSlices(db, q.sql, params, options, async (chunk) => {
      let text = '';
      for (const row of chunk) text += `${row.line as string}\r\n`;
      await write(text);
      return true;
    });
  } finally {
    if (out !== process.stdout) {
      await new Promise<void>((resolveEnd) => out.end(() => resolveEnd()));
    }
    out.off('error', onError);
  }
  if (failure) throw failure;
  return rows;
}
