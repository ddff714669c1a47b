// Alerts per incident: how well PagerDuty's deduplication and grouping work. The distribution of
// the number of alerts grouped into each incident (stored alerts, else PagerDuty's alert count),
// bucketed by creation; mean = alerts / incidents.
import { durationResult, durations, num } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { incidentDims, incidentSource } from './incidents.ts';

export const alertsPerIncident: MetricDefinition = {
  name: 'alerts-per-incident',
  title: 'Alerts per incident',
  unit: 'alerts',
  kind: 'duration',
  definition:
    "Number of alerts grouped into each incident (the stored alerts, else PagerDuty's alert count), as a distribution per bucket of creation: n incidents, median, p90, mean (= alerts / incidents) and the total of alerts.",
  dimensions: incidentDims,
  groupBy: ['team', 'service', 'severity'],
  columns: [
    { name: 'n', description: 'Incidents', unit: 'incidents' },
    { name: 'median', description: 'Median alerts per incident', unit: 'alerts' },
    { name: 'p90', description: '90th percentile', unit: 'alerts' },
    { name: 'mean', description: 'Alerts / incidents', unit: 'alerts' },
    { name: 'ci90', description: '90% confidence interval of the median', unit: 'alerts' },
    { name: 'smallSample', description: 'n < 10' },
    { name: 'alerts', description: 'Alerts in all', unit: 'alerts' },
  ],
  async compute(ctx, q) {
    const rows = await durations(ctx, q, incidentSource, 'alert_count', { aggregates: { alerts: 'sum(x)' } });
    return durationResult(q, rows, incidentDims, (r) => ({ alerts: num(r.alerts) }), { alerts: 0 });
  },
};
