// MTTA (time to acknowledge): the first acknowledge log entry minus created, over acknowledged
// incidents; incidents never acknowledged (resolved without one, or still open) are counted
// separately. Bucketed by creation.
import { durationResult, durations, num } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { incidentDims, incidentSource } from './incidents.ts';

export const mtta: MetricDefinition = {
  name: 'mtta',
  title: 'Time to acknowledge (MTTA)',
  unit: 'seconds',
  kind: 'duration',
  definition:
    'First acknowledge log entry minus created (the trigger entry), over acknowledged incidents. Incidents never acknowledged are counted separately, never as zero.',
  dimensions: incidentDims,
  groupBy: ['team', 'service', 'severity'],
  columns: [
    { name: 'n', description: 'Acknowledged incidents', unit: 'incidents' },
    { name: 'median', description: 'Median time to acknowledge', unit: 'seconds' },
    { name: 'p90', description: '90th percentile', unit: 'seconds' },
    { name: 'mean', description: 'Mean', unit: 'seconds' },
    { name: 'ci90', description: '90% confidence interval of the median', unit: 'seconds' },
    { name: 'smallSample', description: 'n < 10' },
    { name: 'neverAcknowledged', description: 'Incidents with no acknowledge entry', unit: 'incidents' },
  ],
  async compute(ctx, q) {
    const rows = await durations(ctx, q, incidentSource, 'ack_s');
    return durationResult(q, rows, incidentDims, (r) => ({ neverAcknowledged: num(r.total) - num(r.n) }), {
      neverAcknowledged: 0,
    });
  },
};
