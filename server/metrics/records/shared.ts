// Shared parts of the record endpoints (the rows behind the numbers): keyset cursors, limits,
// and the SQL that renders times for CSV (ISO-8601 UTC, and local time with its offset where the
// row has a zone).
import type { Params, QueryRunner } from '../../db/index.ts';
import { QueryError } from '../query.ts';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface Page {
  limit: number;
  cursor: { t: string; id: string } | null;
}

export function parsePage(extra: Record<string, string>): Page {
  let limit = DEFAULT_LIMIT;
  if (extra.limit !== undefined) {
    const n = Number(extra.limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
      throw new QueryError('limit', `limit must be a whole number from 1 to ${MAX_LIMIT}; got "${extra.limit}".`);
    }
    limit = n;
  }
  let cursor: Page['cursor'] = null;
  if (extra.cursor !== undefined) {
    try {
      const [t, id] = JSON.parse(Buffer.from(extra.cursor, 'base64url').toString('utf8')) as [string, string];
      if (typeof t !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(t))) throw new Error('shape');
      cursor = { t, id };
    } catch {
      throw new QueryError(
        'cursor',
        'cursor is not one this API issued.',
        undefined,
        'Use the nextCursor of the previous page, or leave cursor out.',
      );
    }
  }
  return { limit, cursor };
}

export function encodeCursor(t: string, id: string): string {
  return Buffer.from(JSON.stringify([t, id]), 'utf8').toString('base64url');
}

/** Newest first, strictly after the cursor: `(t < $ct OR (t = $ct AND id < $cid))`. */
export function cursorExpr(page: Page, timeCol: string, idCol: string): string {
  return page.cursor
    ? `AND (${timeCol} < CAST($ct AS TIMESTAMPTZ) OR (${timeCol} = CAST($ct AS TIMESTAMPTZ) AND ${idCol} < $cid))`
    : '';
}

export function cursorParams(page: Page): Record<string, string> {
  return page.cursor ? { ct: page.cursor.t, cid: page.cursor.id } : {};
}

/**
 * ISO-8601 UTC text of a TIMESTAMPTZ column (for CSV). Formatted as a plain TIMESTAMP of the same
 * instant: strftime on a TIMESTAMPTZ goes through ICU's calendar (2.1 s for 6M values of the
 * large dataset, 0.7 s this way; the same text for all 9.15M of its times, NULL as NULL).
 */
export function isoSql(col: string): string {
  return `strftime(make_timestamp(epoch_us(${col})), '%Y-%m-%dT%H:%M:%SZ')`;
}

/** Local time with its UTC offset, e.g. 2024-03-31T03:30:00+02:00, in zone `zoneCol`. */
export function localIsoSql(col: string, zoneCol: string): string {
  const offset = `CAST(round((epoch_ms(CAST(timezone(${zoneCol}, ${col}) AS TIMESTAMPTZ)) - epoch_ms(${col})) / 60000.0) AS INTEGER)`;
  return `CASE WHEN ${col} IS NULL THEN NULL ELSE strftime(timezone(${zoneCol}, ${col}), '%Y-%m-%dT%H:%M:%S')
    || CASE WHEN ${offset} < 0 THEN '-' ELSE '+' END
    || lpad(CAST(abs(${offset}) // 60 AS VARCHAR), 2, '0') || ':' || lpad(CAST(abs(${offset}) % 60 AS VARCHAR), 2, '0') END`;
}

/**
 * The same text as localIsoSql from a local time already derived (d_pages.local_time, from the
 * zone offsets table): no ICU call per row (the page export's render spent ~20 s of 23 s on
 * 2.25M pages in localIsoSql; identical text for all of them).
 */
export function localTimeIsoSql(localCol: string, col: string): string {
  const offset = `CAST(round((epoch_ms(${localCol}) - epoch_ms(${col})) / 60000.0) AS INTEGER)`;
  return `CASE WHEN ${col} IS NULL OR ${localCol} IS NULL THEN NULL ELSE strftime(${localCol}, '%Y-%m-%dT%H:%M:%S')
    || CASE WHEN ${offset} < 0 THEN '-' ELSE '+' END
    || lpad(CAST(abs(${offset}) // 60 AS VARCHAR), 2, '0') || ':' || lpad(CAST(abs(${offset}) % 60 AS VARCHAR), 2, '0') END`;
}

/** Split a comma-separated extra parameter into values. */
export function listParam(value: string | undefined): string[] {
  return value
    ? [
        ...new Set(
          value
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean),
        ),
      ]
    : [];
}

/** An export over pre-rendered lines (lib/csv.ts CsvOptions: rendered, slices; keysMayMove: give a version). */
export interface CsvLinesQuery {
  sql: string;
  params: Params;
  slices: Params[];
  keysMayMove: boolean;
}

/** Exports of at least this many rows are cut into SLICES slices of their sort time (lib/csv.ts CsvOptions.slices). */
const SLICED_FROM = 200_000;
const SLICES = 32;

/**
 * The time slices of an export, newest first, as parameters of `sliceExpr(time)`: cut at the
 * quantiles of the sort time of the rows `whereSql` selects from `from`, so each slice holds about
 * 1/32 of them (rows with the same time stay in one slice). None below SLICED_FROM rows.
 */
export async function timeSlices(
  db: Pick<QueryRunner, 'one'>,
  from: string,
  time: string,
  whereSql: string,
  params: Params,
): Promise<Params[]> {
  const fractions = Array.from({ length: SLICES - 1 }, (_, i) => (i + 1) / SLICES);
  const row = await db.one<{ n: number; bounds: string[] | null }>(
    `SELECT count(*) AS n, list_transform(quantile_disc(${time}, $fractions), x -> strftime(x, '%Y-%m-%dT%H:%M:%S.%fZ')) AS bounds
     FROM ${from} WHERE ${whereSql}`,
    { ...params, fractions },
  );
  if (!row || Number(row.n) < SLICED_FROM || !row.bounds) return [];
  const edges = ['-infinity', ...new Set(row.bounds), 'infinity'];
  const slices: Params[] = [];
  for (let i = edges.length - 2; i >= 0; i--) slices.push({ slice_lo: edges[i] as string, slice_hi: edges[i + 1] as string });
  return slices;
}

/** The condition selecting one slice of timeSlices. */
export function sliceExpr(time: string): string {
  return `AND ${time} >= CAST($slice_lo AS TIMESTAMPTZ) AND ${time} < CAST($slice_hi AS TIMESTAMPTZ)`;
}
