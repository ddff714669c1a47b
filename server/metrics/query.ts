// The one query shape every metric and record endpoint takes (issue 6): from, to, grain, tz,
// team, service, repo, severity (each repeatable), groupBy. Parsed and validated with zod from a
// plain multi-map of strings, so the API and `vigil export` share it; every problem names the
// parameter and, for closed lists, the allowed values.
import { z } from 'zod';
import { severities } from '../config/schema.ts';
import type { QueryRunner } from '../db/index.ts';

export const grains = ['day', 'week', 'month', 'quarter'] as const;
export type Grain = (typeof grains)[number];
export const groupByValues = ['none', 'team', 'service', 'repo', 'severity', 'person', 'schedule'] as const;
export type GroupBy = (typeof groupByValues)[number];
export const filterNames = ['team', 'service', 'repo', 'severity'] as const;
export type FilterName = (typeof filterNames)[number];

/** The longest range a request may cover. */
export const MAX_RANGE_DAYS = 3660;
export const DEFAULT_RANGE_DAYS = 90;

/** A bad parameter: rendered as a 400 by the API and as a usage error by the CLI. */
export class QueryError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
    readonly allowed?: readonly string[],
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export interface MetricQuery {
  /** As requested (or defaulted): a local date YYYY-MM-DD, or an instant with an offset. */
  from: string;
  to: string;
  /** The UTC instants of the range, [lo, hi). */
  lo: string;
  hi: string;
  /** Local calendar dates (in tz) of the first and last day of the range. */
  fromDate: string;
  toDate: string;
  grain: Grain;
  tz: string;
  team: string[];
  service: string[];
  repo: string[];
  severity: string[];
  groupBy: GroupBy;
  /**
   * The zone is the configured one, whose local dates the facts store (deployed_day, …): buckets
   * come from those columns instead of converting every row's time.
   */
  localDays: boolean;
  /** Parameters specific to one endpoint (e.g. thresholds, limit, cursor), validated by it. */
  extra: Record<string, string>;
  /**
   * Only the range totals per group are wanted (the DORA summary): no per-bucket rows, and no
   * confidence interval, which needs every group's values sorted. Set by code, never by a request.
   */
  summaryOnly?: boolean;
}

export type RawParams = Record<string, string[]>;

export interface QueryOptions {
  defaultTz: string;
  defaultGrain?: Grain;
  defaultGroupBy?: GroupBy;
  /** groupBy values this endpoint supports ('none' is always allowed). */
  groupBy?: readonly GroupBy[];
  /** Endpoint-specific single-valued parameters with their allowed values (undefined = free text). */
  extra?: Record<string, readonly string[] | undefined>;
  /** Known values for the list filters; a value outside them is a 400. */
  known?: Partial<Record<FilterName, readonly string[]>>;
  /** Records, not buckets: grain and groupBy are not parameters of this endpoint. */
  records?: boolean;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function validDate(text: string): boolean {
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

const timeParam = (name: string) =>
  z.string().refine((s) => (isoDate.test(s) && validDate(s)) || (isoInstant.test(s) && !Number.isNaN(Date.parse(s))), {
    message: `${name} must be an ISO date (YYYY-MM-DD) or an ISO date-time with an offset (2024-03-01T09:00:00Z)`,
  });

function single(raw: RawParams, name: string): string | undefined {
  const values = raw[name];
  if (!values || values.length === 0) return undefined;
  if (values.length > 1) throw new QueryError(name, `${name} may be given once, not ${values.length} times.`);
  const value = values[0]?.trim();
  return value === '' ? undefined : value;
}

function list(raw: RawParams, name: string): string[] {
  // Repeated (?team=a&team=b) or comma-separated (?team=a,b), both accepted.
  const out = (raw[name] ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return [...new Set(out)];
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new QueryError(name, `${name} must be one of ${allowed.join(', ')}; got "${value}".`, allowed);
  }
  return value as T;
}

function todayIn(zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(),
  );
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const baseNames = ['from', 'to', 'grain', 'tz', 'groupBy', ...filterNames] as const;

/** Validate the request's parameters (no database access). */
export function parseParams(
  raw: RawParams,
  options: QueryOptions,
): Omit<MetricQuery, 'lo' | 'hi' | 'fromDate' | 'toDate' | 'localDays'> {
  const extraNames = Object.keys(options.extra ?? {});
  const base = options.records ? baseNames.filter((n) => n !== 'grain' && n !== 'groupBy') : baseNames;
  const allowedNames = [...base, ...extraNames];
  for (const name of Object.keys(raw)) {
    if (!allowedNames.includes(name)) {
      throw new QueryError(name, `Unknown parameter "${name}".`, allowedNames, `Parameters: ${allowedNames.join(', ')}.`);
    }
  }
  const tz = single(raw, 'tz') ?? options.defaultTz;
  if (!isTimeZone(tz)) {
    throw new QueryError('tz', `tz must be an IANA time zone such as UTC or Europe/Berlin; got "${tz}".`);
  }
  const fromText = single(raw, 'from');
  const toText = single(raw, 'to');
  for (const [name, value] of [
    ['from', fromText],
    ['to', toText],
  ] as const) {
    if (value === undefined) continue;
    const result = timeParam(name).safeParse(value);
    if (!result.success) throw new QueryError(name, `${result.error.issues[0]?.message}; got "${value}".`);
  }
  const to = toText ?? todayIn(tz);
  const from =
    fromText ?? (isoDate.test(to) ? addDays(to, -(DEFAULT_RANGE_DAYS - 1)) : addDays(to.slice(0, 10), -DEFAULT_RANGE_DAYS));
  const grain = oneOf('grain', single(raw, 'grain'), grains, options.defaultGrain ?? 'week');
  const allowedGroupBy: GroupBy[] = ['none', ...(options.groupBy ?? [])];
  const groupBy = oneOf('groupBy', single(raw, 'groupBy'), allowedGroupBy, options.defaultGroupBy ?? 'none');
  const filters = {} as Record<FilterName, string[]>;
  for (const name of filterNames) {
    const values = name === 'repo' ? list(raw, name).map((v) => v.toLowerCase()) : list(raw, name);
    const known = name === 'severity' ? severities : options.known?.[name];
    if (known) {
      const bad = values.filter((v) => !known.includes(v));
      if (bad.length > 0) {
        const shown = known.length > 25 ? `${known.slice(0, 25).join(', ')}, … (${known.length} in all)` : known.join(', ');
        throw new QueryError(
          name,
          `Unknown ${name} ${bad.map((b) => `"${b}"`).join(', ')}. Allowed: ${shown}.`,
          known,
          name === 'service' || name === 'repo' || name === 'team'
            ? `GET /api/${name === 'repo' ? 'repos' : `${name}s`} lists them.`
            : undefined,
        );
      }
    }
    filters[name] = values;
  }
  const extra: Record<string, string> = {};
  for (const [name, allowed] of Object.entries(options.extra ?? {})) {
    const value = single(raw, name);
    if (value === undefined) continue;
    if (allowed && !allowed.includes(value)) {
      throw new QueryError(name, `${name} must be one of ${allowed.join(', ')}; got "${value}".`, allowed);
    }
    extra[name] = value;
  }
  return { from, to, grain, tz, groupBy, ...filters, extra };
}

/** Resolve the range to UTC instants and local dates with DuckDB's own zone rules, then check it. */
export async function resolveQuery(db: QueryRunner, raw: RawParams, options: QueryOptions): Promise<MetricQuery> {
  const q = parseParams(raw, options);
  const bound = (value: string, end: boolean) =>
    isoDate.test(value)
      ? `timezone($tz, CAST(CAST($${end ? 'to' : 'from'} AS DATE) + ${end ? 'INTERVAL 1 DAY' : 'INTERVAL 0 DAY'} AS TIMESTAMP))`
      : `CAST($${end ? 'to' : 'from'} AS TIMESTAMPTZ)`;
  const row = await db.one<{ lo: string; hi: string; from_date: string; to_date: string }>(
    `WITH b AS (SELECT ${bound(q.from, false)} AS lo, ${bound(q.to, true)} AS hi)
     SELECT strftime(lo, '%Y-%m-%dT%H:%M:%S.%gZ') AS lo, strftime(hi, '%Y-%m-%dT%H:%M:%S.%gZ') AS hi,
       strftime(timezone($tz, lo), '%Y-%m-%d') AS from_date,
       strftime(timezone($tz, hi - INTERVAL 1 MICROSECOND), '%Y-%m-%d') AS to_date
     FROM b`,
    { tz: q.tz, from: q.from, to: q.to },
  );
  if (!row) throw new Error('Could not resolve the date range.');
  const lo = Date.parse(row.lo);
  const hi = Date.parse(row.hi);
  if (hi <= lo) {
    throw new QueryError('from', `from (${q.from}) is after to (${q.to}).`, undefined, 'Swap them, or move from earlier.');
  }
  const days = (hi - lo) / 86_400_000;
  if (days > MAX_RANGE_DAYS + 1) {
    throw new QueryError(
      'to',
      `The range from ${q.from} to ${q.to} covers ${Math.round(days)} days; the most one request may cover is ${MAX_RANGE_DAYS} days (10 years).`,
      undefined,
      'Narrow from/to, or request the years one at a time.',
    );
  }
  return { ...q, lo: row.lo, hi: row.hi, fromDate: row.from_date, toDate: row.to_date, localDays: q.tz === options.defaultTz };
}

/** The bucket start dates (local, YYYY-MM-DD) covering [fromDate, toDate] at a grain. */
export function bucketSeries(q: Pick<MetricQuery, 'fromDate' | 'toDate' | 'grain'>): string[] {
  const out: string[] = [];
  let cursor = truncDate(q.fromDate, q.grain);
  while (cursor <= q.toDate && out.length < 4000) {
    out.push(cursor);
    cursor = nextBucket(cursor, q.grain);
  }
  return out;
}

export function truncDate(date: string, grain: Grain): string {
  const [y, m] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
  if (grain === 'day') return date;
  if (grain === 'week') {
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    return addDays(date, -((dow + 6) % 7));
  }
  if (grain === 'month') return `${date.slice(0, 7)}-01`;
  const qm = Math.floor((m - 1) / 3) * 3 + 1;
  return `${y}-${String(qm).padStart(2, '0')}-01`;
}

export function nextBucket(date: string, grain: Grain): string {
  if (grain === 'day') return addDays(date, 1);
  if (grain === 'week') return addDays(date, 7);
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + (grain === 'month' ? 1 : 3));
  return d.toISOString().slice(0, 10);
}

/** Days of a bucket that fall inside the range (partial buckets at the edges count less). */
export function bucketDaysInRange(bucket: string, q: Pick<MetricQuery, 'fromDate' | 'toDate' | 'grain'>): number {
  const ms = (d: string) => Date.parse(`${d}T00:00:00Z`);
  const start = Math.max(ms(bucket), ms(q.fromDate));
  const end = Math.min(ms(nextBucket(bucket, q.grain)), ms(addDays(q.toDate, 1)));
  return Math.max(0, Math.round((end - start) / 86_400_000));
}

/** A stable text for cache keys: the same request written differently gives the same key. */
export function canonicalQuery(q: MetricQuery): string {
  return JSON.stringify([
    q.lo,
    q.hi,
    q.grain,
    q.tz,
    q.groupBy,
    [...q.team].sort(),
    [...q.service].sort(),
    [...q.repo].sort(),
    [...q.severity].sort(),
    Object.entries(q.extra).sort(),
  ]);
}
