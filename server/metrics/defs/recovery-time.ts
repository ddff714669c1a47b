// Failed deployment recovery time: for each change-caused incident, its resolved time minus the
// causing deployment's time; bucketed by the incident's creation time. Unresolved change-caused
// incidents have no value yet and are reported as `open`.
import { durationResult, durations, num } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';

const dims = { team: 'team_id', service: 'service_id', severity: 'severity', repo: 'cause_repo' } as const;

export const recoveryTime: MetricDefinition = {
  name: 'recovery-time',
  title: 'Failed deployment recovery time',
  unit: 'seconds',
  kind: 'duration',
  definition:
    "For each change-caused incident: its resolved time (the resolve log entry) minus the causing deployment's time. Bucketed by the incident's creation; the repository filter and group are those of the causing deployment.",
  dimensions: dims,
  groupBy: ['team', 'service', 'repo', 'severity'],
  columns: [
    { name: 'n', description: 'Resolved change-caused incidents', unit: 'incidents' },
    { name: 'median', description: 'Median recovery time', unit: 'seconds' },
    { name: 'p90', description: '90th percentile', unit: 'seconds' },
    { name: 'mean', description: 'Mean', unit: 'seconds' },
    { name: 'ci90', description: '90% confidence interval of the median', unit: 'seconds' },
    { name: 'smallSample', description: 'n < 10' },
    { name: 'open', description: 'Change-caused incidents not resolved yet', unit: 'incidents' },
  ],
  async compute(ctx, q) {
    const rows = await durations(
      ctx,
      q,
      { from: 'd_incidents', time: 'created_at', day: 'created_day', where: "cause = 'change_caused'", dims },
      'recovery_s',
      { columns: { is_open: 'resolved_at IS NULL' }, aggregates: { open: 'count(*) FILTER (WHERE is_open)' } },
    );
    return durationResult(q, rows, dims, (r) => ({ open: num(r.open) }), { open: 0 });
  },
};
