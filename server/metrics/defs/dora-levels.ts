// DORA levels: each key metric's value and level per bucket (quarter by default) and over the
// range, and the overall level (the lowest of the four), with the threshold version used
// (parameter thresholds=2021|2023|2024|latest; default config dora.thresholds, i.e. the newest
// version with all four metrics). The range rows equal GET /api/dora/summary.

import { classifyDuration, classifyFrequency, classifyRate, overallLevel, selectVersion, thresholdIds } from '../dora/levels.ts';
import { doraGroups } from '../dora/summary.ts';
import { QueryError } from '../query.ts';
import { filterNotes } from '../shape.ts';
import type { MetricDefinition, MetricRow } from '../types.ts';
import { changeFailureRate } from './change-failure-rate.ts';
import { deployDays } from './deploy-days.ts';
import { deploymentDims } from './deployment-frequency.ts';
import { leadTime } from './lead-time.ts';
import { recoveryTime } from './recovery-time.ts';

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export const doraLevels: MetricDefinition = {
  name: 'dora-levels',
  title: 'DORA levels',
  unit: 'level',
  kind: 'table',
  definition:
    'Per bucket and over the range: median deploy days per week, median lead time, change failure rate and median failed-deployment recovery time, each with its DORA level from the selected published thresholds (versioned data), and the overall level = the lowest of the four levels that have data.',
  dimensions: deploymentDims,
  groupBy: ['team'],
  defaultGrain: 'quarter',
  params: {
    thresholds: { description: 'Threshold version: latest or a report year', values: ['latest', ...thresholdIds] },
  },
  columns: [
    { name: 'deployDaysPerWeek', description: 'Median deploy days per ISO week', unit: 'days/week' },
    { name: 'deploymentFrequencyLevel', description: 'Level' },
    { name: 'leadTime', description: 'Median lead time', unit: 'seconds' },
    { name: 'leadTimeLevel', description: 'Level' },
    { name: 'changeFailureRate', description: 'Change failure rate', unit: 'ratio' },
    { name: 'changeFailureRateLevel', description: 'Level' },
    { name: 'recoveryTime', description: 'Median failed deployment recovery time', unit: 'seconds' },
    { name: 'recoveryTimeLevel', description: 'Level' },
    { name: 'overallLevel', description: 'Lowest of the levels above' },
    { name: 'thresholds', description: 'Threshold version used' },
  ],
  async compute(ctx, q) {
    const versionId = q.extra.thresholds ?? ctx.config.dora.thresholds;
    const version = selectVersion(versionId);
    if (!version) {
      throw new QueryError('thresholds', `Unknown thresholds "${versionId}".`, ['latest', ...thresholdIds]);
    }
    const [lt, cfr, rec, weeks] = await Promise.all([
      leadTime.compute(ctx, q),
      changeFailureRate.compute(ctx, q),
      recoveryTime.compute(ctx, q),
      deployDays.compute(ctx, q),
    ]);
    const key = (r: MetricRow) => `${r.bucket}|${r.group}`;
    const ltBy = new Map(lt.rows.map((r) => [key(r), r]));
    const recBy = new Map(rec.rows.map((r) => [key(r), r]));
    // Weekly deploy days grouped into the requested buckets (a week belongs to the bucket of its Monday).
    const weeklyIn = new Map<string, number[]>();
    const bucketsOf = cfr.rows.map((r) => r.bucket as string);
    const sortedBuckets = [...new Set(bucketsOf)].sort();
    for (const w of weeks.rows) {
      const bucket = [...sortedBuckets].reverse().find((b) => b <= (w.bucket as string)) ?? sortedBuckets[0];
      const k = `${bucket}|${w.group}`;
      weeklyIn.set(k, [...(weeklyIn.get(k) ?? []), Number(w.deployDays)]);
    }
    const rows: MetricRow[] = cfr.rows.map((base) => {
      const k = key(base);
      const weekly = weeklyIn.get(k) ?? [];
      const perWeek = median(weekly);
      const days = weekly.reduce((a, b) => a + b, 0);
      const months = q.grain === 'quarter' ? 3 : q.grain === 'month' ? 1 : weekly.length / 4.345;
      const freq = classifyFrequency(version.deploymentFrequency, {
        week: perWeek,
        month: months > 0 ? days / months : null,
        halfYear: months > 0 ? (days / months) * 6 : null,
        deployments: Number(base.n ?? 0),
      });
      const ltValue = (ltBy.get(k)?.median as number | null) ?? null;
      const cfrValue = (base.rate as number | null) ?? null;
      const recValue = (recBy.get(k)?.median as number | null) ?? null;
      const l1 = freq.level;
      const l2 = classifyDuration(version.leadTime, ltValue).level;
      const l3 = classifyRate(version.changeFailureRate, cfrValue).level;
      const l4 = classifyDuration(version.recoveryTime, recValue).level;
      return {
        bucket: base.bucket,
        group: base.group,
        deployDaysPerWeek: perWeek,
        deploymentFrequencyLevel: l1,
        leadTime: ltValue,
        leadTimeLevel: l2,
        changeFailureRate: cfrValue,
        changeFailureRateLevel: l3,
        recoveryTime: recValue,
        recoveryTimeLevel: l4,
        overallLevel: overallLevel([l1, l2, l3, l4]),
        thresholds: version.id,
      };
    });
    const groups = [...new Set(cfr.summary.map((r) => r.group))];
    const summary: MetricRow[] = (await doraGroups(ctx, q, version, groups)).map((g) => ({
      bucket: null,
      group: g.group,
      deployDaysPerWeek: g.deploymentFrequency.value,
      deploymentFrequencyLevel: g.deploymentFrequency.level,
      leadTime: g.leadTime.value,
      leadTimeLevel: g.leadTime.level,
      changeFailureRate: g.changeFailureRate.value,
      changeFailureRateLevel: g.changeFailureRate.level,
      recoveryTime: g.recoveryTime.value,
      recoveryTimeLevel: g.recoveryTime.level,
      overallLevel: g.overall.level,
      thresholds: version.id,
    }));
    return {
      rows,
      summary,
      notes: [
        ...filterNotes(q, deploymentDims),
        `Thresholds: ${version.title}. Per-bucket deployment-frequency levels use the bucket's weeks and months only.`,
      ],
    };
  },
};
