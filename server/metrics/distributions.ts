// Distributions behind the duration metrics and the on-call heat map, for the dashboard's
// histogram and hour x weekday charts (METRICS.md: "show the distribution (histogram or ECDF) on
// its detail view"). Binned in SQL, so the answer is a few dozen rows whatever the data size.
//
// Durations use one fixed set of human bin edges (1 min … 90 days): the same edges for every
// metric and group keep histograms comparable across severities and teams; the web app trims the
// empty bins at both ends. Each group also carries n, median and p90 (quantile_cont, as stats.ts),
// so the chart can mark them without a second request. Page hours are counted in each recipient's
// own zone (d_pages.local_time), Monday = 1 … Sunday = 7 as ISO.
import { type Severity, severities } from '../config/schema.ts';
import { incidentSource } from './defs/incidents.ts';
import { pageDims, pageSource } from './defs/pages.ts';
import { deriveSettings } from './derive/context.ts';
import { type GroupBy, type MetricQuery, QueryError } from './query.ts';
import { type FactSource, num, runSql } from './shape.ts';
import { filterExpr, groupExpr, ignoredFilters, queryParams, rangeExpr } from './sql.ts';
import type { MetricContext } from './types.ts';

/** Bin edges in seconds: [0,1m) [1m,5m) … [90d,∞). */
export const DURATION_EDGES_S = [
  0, 60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800, 604_800, 1_209_600, 2_592_000, 7_776_000,
] as const;

interface DurationSpec {
  title: string;
  source: FactSource;
  /** SQL column with the duration in seconds (code-defined). */
  value: string;
  groupBy: readonly GroupBy[];
  /** Severity targets apply (incident response times). */
  targets: boolean;
}

const recoveryDims = { team: 'team_id', service: 'service_id', severity: 'severity', repo: 'cause_repo' } as const;

export const durationDistributions: Record<string, DurationSpec> = {
  'lead-time': {
    title: 'Lead time for changes',
    source: { from: 'd_changes', time: 'deployed_at', day: 'deployed_day', dims: { team: 'team_id', repo: 'repo' } },
    value: 'lead_time_s',
    groupBy: ['team', 'repo'],
    targets: false,
  },
  'recovery-time': {
    title: 'Failed deployment recovery time',
    source: { from: 'd_incidents', time: 'created_at', day: 'created_day', where: "cause = 'change_caused'", dims: recoveryDims },
    value: 'recovery_s',
    groupBy: ['team', 'service', 'repo', 'severity'],
    targets: false,
  },
  mttd: {
    title: 'Time to detect',
    source: incidentSource,
    value: 'ttd_s',
    groupBy: ['team', 'service', 'severity'],
    targets: false,
  },
  mtta: {
    title: 'Time to acknowledge',
    source: incidentSource,
    value: 'ack_s',
    groupBy: ['team', 'service', 'severity'],
    targets: false,
  },
  mttr: {
    title: 'Time to resolve',
    source: incidentSource,
    value: 'resolve_s',
    groupBy: ['team', 'service', 'severity'],
    targets: true,
  },
  'time-to-restore': {
    title: 'Time to restore',
    source: incidentSource,
    value: 'restore_s',
    groupBy: ['team', 'service', 'severity'],
    targets: true,
  },
};

export const distributionNames = [...Object.keys(durationDistributions), 'page-hours'] as const;

/** The duration distribution of that name; a name from a URL may be `constructor` or `__proto__`. */
export function durationSpec(name: string): DurationSpec | undefined {
  return Object.hasOwn(durationDistributions, name) ? durationDistributions[name] : undefined;
}

export function distributionGroupBy(name: string): readonly GroupBy[] {
  return durationSpec(name)?.groupBy ?? [];
}

function binExpr(column: string): string {
  // Edges are code constants; the bin is the index of the last edge at or below the value.
  const cases = DURATION_EDGES_S.slice(1)
    .map((edge, i) => `WHEN ${column} < ${edge} THEN ${i}`)
    .join(' ');
  return `CASE ${cases} ELSE ${DURATION_EDGES_S.length - 1} END`;
}

export interface DurationBin {
  group: string | null;
  bin: number;
  /** Lower edge (seconds, inclusive) and upper edge (exclusive; null for the last, open bin). */
  lo: number;
  hi: number | null;
  n: number;
}

export interface DurationGroupSummary {
  group: string | null;
  n: number;
  median: number | null;
  p90: number | null;
  /** The severity's resolution target in seconds, when the metric is measured against one. */
  targetSeconds: number | null;
  /** Values within the target (same incidents as n). */
  withinTarget: number | null;
}

export interface DurationDistribution {
  name: string;
  title: string;
  kind: 'duration';
  unit: 'seconds';
  edges: number[];
  bins: DurationBin[];
  groups: DurationGroupSummary[];
  notes: string[];
}

export async function durationDistribution(ctx: MetricContext, name: string, q: MetricQuery): Promise<DurationDistribution> {
  const spec = durationSpec(name);
  if (!spec) throw new QueryError('name', `No distribution "${name}".`, distributionNames);
  const { source } = spec;
  const targetsS = deriveSettings(ctx.config).targetsS;
  const useTargets = spec.targets && q.groupBy === 'severity';
  // The target of each severity as bound parameters; only the group expression picks among them.
  const target = useTargets
    ? `CASE grp ${severities.map((s) => `WHEN '${s}' THEN $t_${s}`).join(' ')} END`
    : 'CAST(NULL AS DOUBLE)';
  const sql = `
    WITH src AS (
      SELECT ${groupExpr(q, source.dims)} AS grp, CAST(${spec.value} AS DOUBLE) AS x
      FROM ${source.from}
      WHERE ${rangeExpr(source.time)} ${source.where ? `AND ${source.where}` : ''} ${filterExpr(q, source.dims)}
        AND ${spec.value} IS NOT NULL
    )
    SELECT grouping(bin) = 1 AS is_total, grp, bin, count(*)::BIGINT AS n,
      quantile_cont(x, 0.5) AS median, quantile_cont(x, 0.9) AS p90,
      count(*) FILTER (WHERE x <= tgt)::BIGINT AS within
    FROM (SELECT grp, x, ${binExpr('x')} AS bin, ${target} AS tgt FROM src)
    GROUP BY GROUPING SETS ((grp, bin), (grp))
    ORDER BY grp NULLS FIRST, bin`;
  const targetParams = Object.fromEntries(severities.map((s) => [`t_${s}`, targetsS[s]]));
  const rows = await runSql(ctx, sql, { ...queryParams(q), ...targetParams });
  const bins: DurationBin[] = [];
  const groups: DurationGroupSummary[] = [];
  for (const r of rows) {
    const group = (r.grp as string | null) ?? null;
    if (r.is_total) {
      const target = useTargets && group ? (targetsS[group as Severity] ?? null) : null;
      groups.push({
        group,
        n: num(r.n),
        median: (r.median as number | null) ?? null,
        p90: (r.p90 as number | null) ?? null,
        targetSeconds: target,
        withinTarget: target === null ? null : num(r.within),
      });
    } else {
      const bin = num(r.bin);
      bins.push({ group, bin, lo: DURATION_EDGES_S[bin] ?? 0, hi: DURATION_EDGES_S[bin + 1] ?? null, n: num(r.n) });
    }
  }
  const notes = ignoredFilters(q, source.dims).map((f) => `The ${f} filter does not apply here and was ignored.`);
  return { name, title: spec.title, kind: 'duration', unit: 'seconds', edges: [...DURATION_EDGES_S], bins, groups, notes };
}

export interface HourCell {
  /** ISO weekday in the recipient's zone: 1 = Monday … 7 = Sunday. */
  weekday: number;
  hour: number;
  pages: number;
  interruptions: number;
}

export interface PageHours {
  name: 'page-hours';
  title: string;
  kind: 'heatmap';
  cells: HourCell[];
  total: { pages: number; interruptions: number };
  /** The configured hour classes, so the chart can outline business and sleep hours. */
  hours: { businessStart: number; businessEnd: number; businessDays: number[]; sleepStart: number; sleepEnd: number };
  notes: string[];
}

/** Pages per hour of day x weekday in each recipient's own zone (every cell present, zeros included). */
export async function pageHours(ctx: MetricContext, q: MetricQuery): Promise<PageHours> {
  const source = pageSource;
  const sql = `
    SELECT isodow(local_time) AS weekday, hour(local_time) AS hour, count(*)::BIGINT AS pages,
      count(*) FILTER (WHERE interruption_start)::BIGINT AS interruptions
    FROM ${source.from}
    WHERE ${rangeExpr(source.time)} AND local_time IS NOT NULL ${filterExpr(q, pageDims)}
    GROUP BY ALL`;
  const rows = await runSql(ctx, sql, queryParams(q));
  const by = new Map(rows.map((r) => [`${num(r.weekday)}:${num(r.hour)}`, r]));
  const cells: HourCell[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const r = by.get(`${weekday}:${hour}`);
      cells.push({ weekday, hour, pages: num(r?.pages), interruptions: num(r?.interruptions) });
    }
  }
  const settings = deriveSettings(ctx.config);
  return {
    name: 'page-hours',
    title: 'Pages by hour and weekday',
    kind: 'heatmap',
    cells,
    total: {
      pages: cells.reduce((s, c) => s + c.pages, 0),
      interruptions: cells.reduce((s, c) => s + c.interruptions, 0),
    },
    hours: {
      businessStart: settings.businessStart / 60,
      businessEnd: settings.businessEnd / 60,
      businessDays: settings.businessDays,
      sleepStart: settings.sleepStart / 60,
      sleepEnd: settings.sleepEnd / 60,
    },
    notes: ignoredFilters(q, pageDims).map((f) => `The ${f} filter does not apply here and was ignored.`),
  };
}
