// The closed registry of metrics: every name the API and `vigil export` accept, and the one
// function that validates a request against a metric and computes it.
import type { VigilConfig } from '../config/schema.ts';
import type { QueryRunner } from '../db/index.ts';
import { alertRules } from './defs/alert-rules.ts';
import { alertsPerIncident } from './defs/alerts-per-incident.ts';
import { badNights } from './defs/bad-nights.ts';
import { changeFailureRate } from './defs/change-failure-rate.ts';
import { deployDays } from './defs/deploy-days.ts';
import { deployFailureRate } from './defs/deploy-failure-rate.ts';
import { deploymentFrequency } from './defs/deployment-frequency.ts';
import { detectionSource } from './defs/detection-source.ts';
import { doraLevels } from './defs/dora-levels.ts';
import { falsePositiveRatio } from './defs/false-positive-ratio.ts';
import { incidents } from './defs/incidents.ts';
import { interruptions } from './defs/interruptions.ts';
import { leadTime } from './defs/lead-time.ts';
import { loadConcentration } from './defs/load-concentration.ts';
import { mtta } from './defs/mtta.ts';
import { mttd } from './defs/mttd.ts';
import { mttr } from './defs/mttr.ts';
import { nightsInterrupted } from './defs/nights-interrupted.ts';
import { offHoursPages } from './defs/off-hours-pages.ts';
import { overdueIncidents } from './defs/overdue-incidents.ts';
import { pages } from './defs/pages.ts';
import { pagesPerOncallWeek } from './defs/pages-per-oncall-week.ts';
import { recoveryTime } from './defs/recovery-time.ts';
import { reworkRate } from './defs/rework-rate.ts';
import { timeToRestore } from './defs/time-to-restore.ts';
import { type FilterName, type MetricQuery, type QueryOptions, type RawParams, resolveQuery } from './query.ts';
import { filtersOf, type MetricDefinition, type MetricResult } from './types.ts';

export const metrics: readonly MetricDefinition[] = [
  deploymentFrequency,
  deployDays,
  leadTime,
  changeFailureRate,
  recoveryTime,
  reworkRate,
  deployFailureRate,
  doraLevels,
  incidents,
  mttd,
  mtta,
  mttr,
  timeToRestore,
  overdueIncidents,
  detectionSource,
  alertsPerIncident,
  pages,
  interruptions,
  pagesPerOncallWeek,
  offHoursPages,
  nightsInterrupted,
  badNights,
  loadConcentration,
  alertRules,
  falsePositiveRatio,
];

export const metricNames = metrics.map((m) => m.name);

export function findMetric(name: string): MetricDefinition | undefined {
  return metrics.find((m) => m.name === name);
}

/** Known team, service and repository ids, for validating filter values. */
export async function knownFilterValues(db: QueryRunner, config: VigilConfig): Promise<Partial<Record<FilterName, string[]>>> {
  const services = await db.all<{ id: string }>('SELECT id FROM pd_services UNION SELECT service_id FROM team_services');
  const repos = await db.all<{ repo: string }>('SELECT repo FROM team_repos UNION SELECT repo FROM d_envs');
  return {
    team: [...config.teams.map((t) => t.id), 'unassigned'],
    service: services.map((s) => s.id).sort(),
    repo: repos.map((r) => r.repo).sort(),
  };
}

export function queryOptionsFor(metric: MetricDefinition, config: VigilConfig, known: QueryOptions['known']): QueryOptions {
  const extra: Record<string, readonly string[] | undefined> = {};
  for (const [name, spec] of Object.entries(metric.params ?? {})) extra[name] = spec.values;
  return {
    defaultTz: config.timeZone,
    ...(metric.defaultGrain ? { defaultGrain: metric.defaultGrain } : {}),
    ...(metric.defaultGroupBy ? { defaultGroupBy: metric.defaultGroupBy } : {}),
    groupBy: metric.groupBy,
    extra,
    ...(known ? { known } : {}),
  };
}

/** The catalogue entry of a metric (GET /api/metrics). */
export function describeMetric(m: MetricDefinition) {
  return {
    name: m.name,
    title: m.title,
    unit: m.unit,
    kind: m.kind,
    definition: m.definition,
    parameters: {
      from: 'ISO date (YYYY-MM-DD, local to tz) or ISO date-time with offset; default 89 days before to',
      to: 'ISO date (inclusive) or date-time (exclusive); default today in tz',
      grain: { values: ['day', 'week', 'month', 'quarter'], default: m.defaultGrain ?? 'week' },
      tz: 'IANA time zone for buckets and date ranges; default the configured timeZone',
      groupBy: { values: ['none', ...m.groupBy], default: m.defaultGroupBy ?? 'none' },
      filters: filtersOf(m),
      ...Object.fromEntries(Object.entries(m.params ?? {}).map(([k, v]) => [k, v])),
    },
    columns: [
      { name: 'bucket', description: 'Start of the bucket (local date in tz); null in range totals' },
      { name: 'group', description: 'The groupBy value; null without groupBy' },
      ...m.columns,
    ],
  };
}

export interface MetricResponse extends MetricResult {
  metric: string;
  title: string;
  unit: string;
  definition: string;
  params: Omit<MetricQuery, 'extra'> & Record<string, unknown>;
}

export async function computeMetric(
  ctx: { db: QueryRunner; config: VigilConfig },
  metric: MetricDefinition,
  raw: RawParams,
): Promise<MetricResponse> {
  const known = await knownFilterValues(ctx.db, ctx.config);
  const q = await resolveQuery(ctx.db, raw, queryOptionsFor(metric, ctx.config, known));
  const result = await metric.compute(ctx, q);
  const { extra, ...params } = q;
  return {
    metric: metric.name,
    title: metric.title,
    unit: metric.unit,
    definition: metric.definition,
    params: { ...params, ...extra },
    ...result,
  };
}
