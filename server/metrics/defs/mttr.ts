// MTTR (time to resolve): the resolve log entry minus created, over resolved incidents; open ones
// are counted separately. Per severity (groupBy=severity) with the share resolved within the
// severity's target (severities without a target are left out of the share). Bucketed by creation.
import { durationResult, durations, num, ratio } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { incidentDims, incidentSource } from './incidents.ts';

export const mttr: MetricDefinition = {
  name: 'mttr',
  title: 'Time to resolve (MTTR)',
  unit: 'seconds',
  kind: 'duration',
  definition:
    "Resolve log entry minus created (never the incident's updated_at), over resolved incidents; open incidents are counted separately. withinTarget is the share of resolved incidents with a target resolved within their severity's target (defaults SEV1 1 h, SEV2 4 h, SEV3 24 h, SEV4 none).",
  dimensions: incidentDims,
  groupBy: ['team', 'service', 'severity'],
  columns: [
    { name: 'n', description: 'Resolved incidents', unit: 'incidents' },
    { name: 'median', description: 'Median time to resolve', unit: 'seconds' },
    { name: 'p90', description: '90th percentile', unit: 'seconds' },
    { name: 'mean', description: 'Mean', unit: 'seconds' },
    { name: 'ci90', description: '90% confidence interval of the median', unit: 'seconds' },
    { name: 'smallSample', description: 'n < 10' },
    { name: 'open', description: 'Incidents not resolved', unit: 'incidents' },
    { name: 'withTarget', description: 'Resolved incidents whose severity has a target', unit: 'incidents' },
    { name: 'withinTarget', description: 'Share of those resolved within target', unit: 'ratio' },
  ],
  async compute(ctx, q) {
    const rows = await durations(ctx, q, incidentSource, 'resolve_s', {
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
      (r) => ({ open: num(r.total) - num(r.n), withTarget: num(r.with_target), withinTarget: ratio(r.within, r.with_target) }),
      { open: 0, withTarget: 0, withinTarget: null },
    );
  },
};
