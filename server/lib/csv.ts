// CSV as RFC 4180 writes it: UTF-8, a header row, CRLF line ends, fields quoted when they hold a
// comma, a quote or a line break (quotes doubled). Text cells that a spreadsheet would run as a
// formula (starting with =, +, -, @, tab or carriage return) get a leading apostrophe (OWASP's
// advice against CSV injection); numbers and booleans are written as they are.
//
// Query results are streamed chunk by chunk from the database with backpressure, so an export of
// millions of rows runs at constant memory, over HTTP (csvResponse) and to a file (writeCsvFile).
import { createWriteStream } from 'node:fs';
import type { Database, Params } from '../db/index.ts';

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

/** Column order of a query's rows: the given list, else the query's own columns. */
function pick(columns: readonly string[] | undefined, fromQuery: string[]): string[] {
  return columns && columns.length > 0 ? [...columns] : fromQuery;
}

const encoder = new TextEncoder();

/**
 * Stream a query as CSV. The reader connection is held only while the consumer keeps reading; a
 * cancelled download stops the query at the next chunk.
 */
export function csvStream(db: Database, sql: string, params: Params, columns?: readonly string[]): ReadableStream<Uint8Array> {
  let resume: (() => void) | undefined;
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let header = false;
        db.stream(sql, params, async (rows, queryColumns) => {
          if (cancelled) return false;
          const cols = pick(columns, queryColumns);
          let text = header ? '' : csvLine(cols);
          header = true;
          for (const row of rows) text += csvLine(cols.map((c) => row[c] as CsvValue));
          controller.enqueue(encoder.encode(text));
          if ((controller.desiredSize ?? 1) <= 0) await new Promise<void>((r) => (resume = r));
          return !cancelled;
        }).then(
          () => {
            if (cancelled) return;
            if (!header && columns) controller.enqueue(encoder.encode(csvLine(columns)));
            controller.close();
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
): Promise<number> {
  const out = path === '-' ? process.stdout : createWriteStream(path, { encoding: 'utf8' });
  const write = (text: string) =>
    new Promise<void>((resolveWrite, reject) => {
      const ok = out.write(text, (error) => (error ? reject(error) : undefined));
      if (ok) resolveWrite();
      else out.once('drain', () => resolveWrite());
    });
  let header = false;
  try {
    const rows = await db.stream(sql, params, async (chunk, queryColumns) => {
      const cols = pick(columns, queryColumns);
      let text = header ? '' : csvLine(cols);
      header = true;
      for (const row of chunk) text += csvLine(cols.map((c) => row[c] as CsvValue));
      await write(text);
      return true;
    });
    if (!header && columns) await write(csvLine(columns));
    return rows;
  } finally {
    if (out !== process.stdout) {
      await new Promise<void>((resolveEnd, reject) => {
        out.once('error', reject);
        out.end(() => resolveEnd());
      });
    }
  }
}
