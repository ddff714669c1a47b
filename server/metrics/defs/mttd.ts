// MTTD (time to detect): created minus impact start, over the incidents whose impact start is
// known. Impact start is the earliest of an explicit time (a note "impact-start: <ISO time>" or
// the configured custom field), the causing deployment's time for a change-caused incident and
// the earliest alert's own event time; a candidate after the incident was created is ignored.
// Reports the share of incidents with a known impact start. Bucketed by creation.
import { durationResult, durations, num, ratio } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { incidentDims, incidentSource } from './incidents.ts';

export const mttd: MetricDefinition = {
  name: 'mttd',
  title: 'Time to detect (MTTD)',
  unit: 'seconds',
  kind: 'duration',
  definition:
    "Incident created time minus impact start, over incidents whose impact start is known: the earliest of an explicit impact-start note or custom field, the causing deployment's time (change-caused incidents) and the earliest alert event time. Candidates after the incident was created are ignored. Also the share of incidents with a known impact start.",
  dimensions: incidentDims,
  groupBy: ['team', 'service', 'severity'],
  columns: [
    { name: 'n', description: 'Incidents with a known impact start', unit: 'incidents' },
    { name: 'median', description: 'Median time to detect', unit: 'seconds' },
    { name: 'p90', description: '90th percentile', unit: 'seconds' },
    { name: 'mean', description: 'Mean', unit: 'seconds' },
    { name: 'ci90', description: '90% confidence interval of the median', unit: 'seconds' },
    { name: 'smallSample', description: 'n < 10' },
    { name: 'incidents', description: 'All incidents', unit: 'incidents' },
    { name: 'knownShare', description: 'n / incidents', unit: 'ratio' },
  ],
  async compute(ctx, q) {
    const rows = await durations(ctx, q, incidentSource, 'ttd_s');
    return durationResult(q, rows, incidentDims, (r) => ({ incidents: num(r.total), knownShare: ratio(r.n, r.total) }), {
      incidents: 0,
      knownShare: null,
    });
  },
};
