// SQL fragments every metric builds on: the time bucket in the request's zone, the range, the
// filters and the group expression. Values are always bound parameters; the only text spliced in
// comes from closed lists (grain names, column names declared in code) and is checked here.
import type { Params } from '../db/index.ts';
import { type FilterName, type GroupBy, grains, type MetricQuery } from './query.ts';

const columnPattern = /^[a-z_][a-z0-9_.]*$/;

function column(name: string): string {
  if (!columnPattern.test(name)) throw new Error(`Refusing unsafe column expression: ${name}`);
  return name;
}

/** Where each filter and group dimension lives in a fact table (null: not applicable). */
export type Dimensions = Partial<Record<FilterName | 'person' | 'schedule', string>>;

/**
 * The local bucket start of a time column: from the stored local date in the configured zone
 * (`dayColumn`) when the request uses that zone, else converting each time to the request's zone.
 */
export function bucketExpr(q: MetricQuery, timeColumn: string, dayColumn?: string): string {
  if (!(grains as readonly string[]).includes(q.grain)) throw new Error(`Unknown grain ${q.grain}`);
  if (dayColumn && q.localDays) {
    return q.grain === 'day' ? column(dayColumn) : `CAST(date_trunc('${q.grain}', ${column(dayColumn)}) AS DATE)`;
  }
  return `CAST(date_trunc('${q.grain}', timezone($tz, ${column(timeColumn)})) AS DATE)`;
}

/** The local date of a time column in the request's zone (the stored one when it is the configured zone). */
export function localDateExpr(q: MetricQuery, timeColumn: string, dayColumn?: string): string {
  if (dayColumn && q.localDays) return column(dayColumn);
  return `CAST(timezone($tz, ${column(timeColumn)}) AS DATE)`;
}

/** The same for a DATE column that is already local (e.g. a night date). */
export function bucketDateExpr(q: MetricQuery, dateColumn: string): string {
  if (!(grains as readonly string[]).includes(q.grain)) throw new Error(`Unknown grain ${q.grain}`);
  return `CAST(date_trunc('${q.grain}', ${column(dateColumn)}) AS DATE)`;
}

export function rangeExpr(timeColumn: string): string {
  const c = column(timeColumn);
  return `${c} >= CAST($lo AS TIMESTAMPTZ) AND ${c} < CAST($hi AS TIMESTAMPTZ)`;
}

/** Range over local dates (for DATE columns such as night_date). */
export function dateRangeExpr(dateColumn: string): string {
  const c = column(dateColumn);
  return `${c} >= CAST($fromDate AS DATE) AND ${c} <= CAST($toDate AS DATE)`;
}

/** `AND list_contains($f_team, team_id) …` for the filters the request set and the table has. */
export function filterExpr(q: MetricQuery, dims: Dimensions): string {
  const parts: string[] = [];
  for (const name of ['team', 'service', 'repo', 'severity'] as const) {
    const col = dims[name];
    if (col && q[name].length > 0) parts.push(`AND list_contains($f_${name}, ${column(col)})`);
  }
  return parts.join(' ');
}

/** The filters a request set that a metric cannot apply (reported, never silently dropped). */
export function ignoredFilters(q: MetricQuery, dims: Dimensions): FilterName[] {
  return (['team', 'service', 'repo', 'severity'] as const).filter((name) => q[name].length > 0 && !dims[name]);
}

/** The group expression for groupBy ('none' -> NULL). */
export function groupExpr(q: MetricQuery, dims: Dimensions): string {
  if (q.groupBy === 'none') return 'CAST(NULL AS VARCHAR)';
  const col = dims[q.groupBy as Exclude<GroupBy, 'none'>];
  if (!col) throw new Error(`groupBy ${q.groupBy} is not available here`);
  return `coalesce(CAST(${column(col)} AS VARCHAR), 'unassigned')`;
}

/** Bound parameters for the fragments above. */
export function queryParams(q: MetricQuery): Params {
  return {
    tz: q.tz,
    lo: q.lo,
    hi: q.hi,
    fromDate: q.fromDate,
    toDate: q.toDate,
    f_team: q.team,
    f_service: q.service,
    f_repo: q.repo,
    f_severity: q.severity,
  };
}

/**
 * Keep only the parameters a statement references: DuckDB refuses named values it does not use,
 * and the shared fragments above need different subsets of them.
 */
export function usedParams(sql: string, params: Params): Params {
  const names = new Set([...sql.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string));
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) if (names.has(k)) out[k] = v;
  return out;
}
