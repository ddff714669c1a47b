// Shared plumbing of the metric modules: run a query with only the parameters it uses, turn
// aggregate rows into MetricRows, fill the buckets nobody deployed or paged in, and build the two
// common query forms (counts per bucket, duration distributions per bucket) in SQL.

import type { Plain } from '../db/convert.ts';
import type { Params } from '../db/index.ts';
import { bucketSeries, type MetricQuery } from './query.ts';
import { bucketExpr, type Dimensions, filterExpr, groupExpr, ignoredFilters, queryParams, rangeExpr, usedParams } from './sql.ts';
import { durationFields, durationStatsSql, lowerRankList } from './stats.ts';
import type { MetricContext, MetricResult, MetricRow, RowValue } from './types.ts';

export type DbRow = Record<string, Plain>;

export function runSql(ctx: MetricContext, sql: string, params: Params): Promise<DbRow[]> {
  return ctx.db.all<DbRow>(sql, usedParams(sql, params));
}

/** Notes for filters the request set that this metric's facts do not have. */
export function filterNotes(q: MetricQuery, dims: Dimensions): string[] {
  return ignoredFilters(q, dims).map(
    (f) => `The ${f} filter does not apply to this metric and was ignored (its records have no ${f}).`,
  );
}

const asDate = (v: Plain | undefined): string | null => (v === null || v === undefined ? null : String(v).slice(0, 10));

/**
 * Split rows with an `is_total` flag into per-bucket rows and range totals, mapping each through
 * `fields`, and add a row for every bucket of the range that has none (per group seen), built by
 * `empty`.
 */
export function shapeRows(
  q: MetricQuery,
  dbRows: DbRow[],
  fields: (row: DbRow) => Record<string, RowValue>,
  empty: (bucket: string) => Record<string, RowValue>,
): { rows: MetricRow[]; summary: MetricRow[] } {
  const rows: MetricRow[] = [];
  const summary: MetricRow[] = [];
  const groups = new Set<string | null>();
  for (const r of dbRows) {
    const group = (r.grp as string | null) ?? null;
    groups.add(group);
    const row: MetricRow = { bucket: r.is_total ? null : asDate(r.bucket), group, ...fields(r) };
    (r.is_total ? summary : rows).push(row);
  }
  if (q.groupBy === 'none') groups.add(null);
  const have = new Set(rows.map((r) => `${r.bucket}|${r.group}`));
  for (const bucket of q.summaryOnly ? [] : bucketSeries(q)) {
    for (const group of groups) {
      if (!have.has(`${bucket}|${group}`)) rows.push({ bucket, group, ...empty(bucket) });
    }
  }
  for (const group of groups) {
    if (!summary.some((s) => s.group === group)) summary.push({ bucket: null, group, ...empty('') });
  }
  const order = (a: MetricRow, b: MetricRow) =>
    String(a.bucket ?? '').localeCompare(String(b.bucket ?? '')) || String(a.group ?? '').localeCompare(String(b.group ?? ''));
  rows.sort(order);
  summary.sort(order);
  return { rows, summary };
}

export interface FactSource {
  /** Fact table or subquery (code-defined). */
  from: string;
  /** Time column the bucket and range use. */
  time: string;
  /** Its local date in the configured zone, when the fact stores one. */
  day?: string;
  /** Extra SQL conditions (code-defined). */
  where?: string;
  dims: Dimensions;
}

/** Counts and other aggregates per bucket and group, plus range totals, in one GROUPING SETS query. */
export async function aggregate(
  ctx: MetricContext,
  q: MetricQuery,
  source: FactSource,
  aggregates: Record<string, string>,
  extraParams: Params = {},
): Promise<DbRow[]> {
  const aggs = Object.entries(aggregates)
    .map(([name, expr]) => `${expr} AS ${name}`)
    .join(', ');
  const sql = `
    SELECT ${q.summaryOnly ? 'true AS is_total, CAST(NULL AS DATE) AS bucket' : 'grouping(bucket) = 1 AS is_total, bucket'}, grp, ${aggs}
    FROM (
      SELECT ${q.summaryOnly ? '' : `${bucketExpr(q, source.time, source.day)} AS bucket, `}${groupExpr(q, source.dims)} AS grp, *
      FROM ${source.from}
      WHERE ${rangeExpr(source.time)} ${source.where ? `AND ${source.where}` : ''} ${filterExpr(q, source.dims)}
    ) f
    ${q.summaryOnly ? 'GROUP BY grp' : 'GROUP BY GROUPING SETS ((bucket, grp), (grp))'}`;
  return runSql(ctx, sql, { ...queryParams(q), ...extraParams });
}

/** A duration distribution per bucket and group (stats.ts), with optional extra aggregates. */
export async function durations(
  ctx: MetricContext,
  q: MetricQuery,
  source: FactSource,
  value: string,
  extra: { columns?: Record<string, string>; aggregates?: Record<string, string> } = {},
  extraParams: Params = {},
): Promise<DbRow[]> {
  const extraCols = Object.entries(extra.columns ?? {});
  const src = `
    SELECT ${q.summaryOnly ? 'CAST(NULL AS DATE)' : bucketExpr(q, source.time, source.day)} AS bucket, ${groupExpr(q, source.dims)} AS grp, CAST(${value} AS DOUBLE) AS x
      ${extraCols.map(([name, expr]) => `, ${expr} AS ${name}`).join('')}
    FROM ${source.from}
    WHERE ${rangeExpr(source.time)} ${source.where ? `AND ${source.where}` : ''} ${filterExpr(q, source.dims)}`;
  const options = {
    source: src,
    extraColumns: extraCols.map(([name]) => name),
    extraAggregates: extra.aggregates ?? {},
    totalsOnly: q.summaryOnly === true,
  };
  const params = { ...queryParams(q), ci_lower: lowerRankList(), ...extraParams };
  try {
    return await runSql(ctx, durationStatsSql(options), params);
  } catch (error) {
    // Each group's values sorted in a list live in memory: over millions of values (years of a
    // large organisation's changes) DuckDB can run out of its limit. The same statistics from
    // window functions, whose sorts spill to disk, then answer instead of an error.
    if (!/Out of Memory/i.test(String((error as Error)?.message))) throw error;
    return runSql(ctx, durationStatsSql({ ...options, windowed: true }), params);
  }
}

const EMPTY_DURATION = { n: 0, median: null, p90: null, mean: null, ci90: null, smallSample: true };

/** Shape duration rows; `more` adds metric-specific fields (from the extra aggregates). */
export function durationResult(
  q: MetricQuery,
  dbRows: DbRow[],
  dims: Dimensions,
  more: (row: DbRow) => Record<string, RowValue> = () => ({}),
  emptyMore: Record<string, RowValue> = {},
): MetricResult {
  const { rows, summary } = shapeRows(
    q,
    dbRows,
    (r) => ({ ...durationFields(r), ...more(r) }),
    () => ({ ...EMPTY_DURATION, ...emptyMore }),
  );
  return { rows, summary, notes: filterNotes(q, dims) };
}

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const ratio = (a: unknown, b: unknown): number | null => (num(b) > 0 ? num(a) / num(b) : null);
/** A database value as a row value (undefined becomes null). */
export const val = (v: Plain | undefined): RowValue => (v === undefined ? null : v);
