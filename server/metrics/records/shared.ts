// Shared parts of the record endpoints (the rows behind the numbers): keyset cursors, limits,
// and the SQL that renders times for CSV (ISO-8601 UTC, and local time with its offset where the
// row has a zone).
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

/** ISO-8601 UTC text of a TIMESTAMPTZ column (for CSV). */
export function isoSql(col: string): string {
  return `strftime(${col}, '%Y-%m-%dT%H:%M:%SZ')`;
}

/** Local time with its UTC offset, e.g. 2024-03-31T03:30:00+02:00, in zone `zoneCol`. */
export function localIsoSql(col: string, zoneCol: string): string {
  const offset = `CAST(round((epoch_ms(CAST(timezone(${zoneCol}, ${col}) AS TIMESTAMPTZ)) - epoch_ms(${col})) / 60000.0) AS INTEGER)`;
  return `CASE WHEN ${col} IS NULL THEN NULL ELSE strftime(timezone(${zoneCol}, ${col}), '%Y-%m-%dT%H:%M:%S')
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
