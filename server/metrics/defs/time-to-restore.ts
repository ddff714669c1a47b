// Time to restore: resolved minus impact start, over resolved incidents with a known impact start
// (see mttd for impact start). Per severity with the share within the severity's target.
import { durationResult, durations, num, ratio } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { incidentDims, incidentSource } from './incidents.ts';

export const timeToRestore: MetricDefinition = {
  name: 'time-to-restore',
  title: 'Time to restore',
  unit: 'seconds',
  kind: 'duration',
  definition:
    "Resolved time (resolve log entry) minus impact start, over resolved incidents whose impact start is known. withinTarget is the share restored within the severity's target, among severities that have one.",
  dimensions: incidentDims,
  groupBy: ['team', 'service', 'severity'],
  columns: [
    { name: 'n', description: 'Resolved incidents with a known impact start', unit: 'incidents' },
    { name: 'median', description: 'Median time to restore', unit: 'seconds' },
    { name: 'p90', description: '90th percentile', unit: 'seconds' },
    { name: 'mean', description: 'Mean', unit: 'seconds' },
    { name: 'ci90', description: '90% confidence interval of the median', unit: 'seconds' },
    { name: 'smallSample', description: 'n < 10' },
    { name: 'withTarget', description: 'Of n, incidents whose severity has a target', unit: 'incidents' },
    { name: 'withinTarget', description: 'Share of those restored within target', unit: 'ratio' },
  ],
  async compute(ctx, q) {
    const rows = await durations(ctx, q, incidentSource, 'restore_s', {
      columns: { target: 'target_s' },
      aggregates: {
        with_target: 'count(x) FILTER (WHERE target IS NOT NULL)',
        within: 'count(x) FILTER (WHERE target IS NOT NULL AND x <= target)',
      },
    });
    return durationResult(
      q,
      rows,
      incidentDims,
      (r) => ({ withTarget: num(r.with_target), withinTarget: ratio(r.within, r.with_target) }),
      { withTarget: 0, withinTarget: null },
    );
  },
};
