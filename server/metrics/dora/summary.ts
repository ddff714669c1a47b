// The DORA summary (GET /api/dora/summary and the dora-levels metric): per team (and for the
// whole selection), each key metric's value over the range, its level and the threshold used,
// and the overall level. Values come from the metric modules themselves, so the summary can never
// disagree with the charts.
import { changeFailureRate } from '../defs/change-failure-rate.ts';
import { leadTime } from '../defs/lead-time.ts';
import { recoveryTime } from '../defs/recovery-time.ts';
import { reworkRate } from '../defs/rework-rate.ts';
import type { MetricQuery } from '../query.ts';
import type { MetricContext, MetricRow } from '../types.ts';
import {
  type Classified,
  classifyDuration,
  classifyFrequency,
  classifyRate,
  type DeployDayMedians,
  deployDayMedians,
  type Level,
  overallLevel,
  type ThresholdVersion,
} from './levels.ts';

export interface DoraValue extends Classified {
  value: number | null;
  unit: string;
  n: number;
  detail?: Record<string, number | null>;
}

export interface DoraGroup {
  group: string | null;
  deploymentFrequency: DoraValue;
  leadTime: DoraValue;
  changeFailureRate: DoraValue;
  recoveryTime: DoraValue;
  reworkRate: { value: number | null; unit: string; n: number; level: null; note: string };
  overall: { level: Level | null; basis: string[] };
}

const byGroup = (rows: MetricRow[]) => new Map(rows.map((r) => [r.group, r]));

export async function doraGroups(
  ctx: MetricContext,
  q: MetricQuery,
  version: ThresholdVersion,
  groups: (string | null)[],
): Promise<DoraGroup[]> {
  // Only each metric's range totals are used here: computed without per-bucket rows and the
  // median's confidence interval (sorting every group's values), which were most of the cost.
  const totals: MetricQuery = { ...q, summaryOnly: true };
  const [lt, cfr, rec, rw, freq] = await Promise.all([
    leadTime.compute(ctx, totals),
    changeFailureRate.compute(ctx, totals),
    recoveryTime.compute(ctx, totals),
    reworkRate.compute(ctx, totals),
    deployDayMedians(ctx, q),
  ]);
  const ltBy = byGroup(lt.summary);
  const cfrBy = byGroup(cfr.summary);
  const recBy = byGroup(rec.summary);
  const rwBy = byGroup(rw.summary);
  const teamsWithRepos = new Set(ctx.config.teams.filter((t) => t.repos.length > 0).map((t) => t.id));
  return groups.map((group) => {
    // A team with repositories and no deployment in the range deploys "never": the lowest level.
    const hasRepos = group === null ? teamsWithRepos.size > 0 : teamsWithRepos.has(group);
    const medians: DeployDayMedians | undefined =
      freq.get(group) ?? (hasRepos ? { week: 0, month: 0, halfYear: 0, deployments: 0 } : undefined);
    const df: DoraValue = {
      value: medians?.week ?? null,
      unit: 'median deploy days per week',
      n: medians?.deployments ?? 0,
      detail: medians
        ? { perWeek: medians.week, perMonth: medians.month, perHalfYear: medians.halfYear, deployments: medians.deployments }
        : {},
      ...(medians ? classifyFrequency(version.deploymentFrequency, medians) : { level: null, threshold: null }),
    };
    const ltRow = ltBy.get(group);
    const ltValue = (ltRow?.median as number | null | undefined) ?? null;
    const leadTimeValue: DoraValue = {
      value: ltValue,
      unit: 'median seconds',
      n: Number(ltRow?.n ?? 0),
      ...classifyDuration(version.leadTime, ltValue),
    };
    const cfrRow = cfrBy.get(group);
    const cfrValue = (cfrRow?.rate as number | null | undefined) ?? null;
    const cfrOut: DoraValue = {
      value: cfrValue,
      unit: 'ratio',
      n: Number(cfrRow?.n ?? 0),
      detail: { failed: Number(cfrRow?.failed ?? 0) },
      ...classifyRate(version.changeFailureRate, cfrValue),
    };
    const recRow = recBy.get(group);
    const recValue = (recRow?.median as number | null | undefined) ?? null;
    const recOut: DoraValue = {
      value: recValue,
      unit: 'median seconds',
      n: Number(recRow?.n ?? 0),
      ...classifyDuration(version.recoveryTime, recValue),
    };
    const rwRow = rwBy.get(group);
    const basis = (
      [
        ['deploymentFrequency', df],
        ['leadTime', leadTimeValue],
        ['changeFailureRate', cfrOut],
        ['recoveryTime', recOut],
      ] as const
    )
      .filter(([, v]) => v.level !== null)
      .map(([k]) => k);
    return {
      group,
      deploymentFrequency: df,
      leadTime: leadTimeValue,
      changeFailureRate: cfrOut,
      recoveryTime: recOut,
      reworkRate: {
        value: (rwRow?.rate as number | null | undefined) ?? null,
        unit: 'ratio',
        n: Number(rwRow?.n ?? 0),
        level: null,
        note: 'DORA publishes no cluster thresholds for rework rate.',
      },
      overall: { level: overallLevel([df.level, leadTimeValue.level, cfrOut.level, recOut.level]), basis },
    };
  });
}
