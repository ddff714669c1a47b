// Detection source: monitoring when the first trigger log entry's agent is an integration or a
// service, human when a user triggered it (user-reported), unknown without a trigger entry. The
// share detected by monitoring is over incidents with a known source. Monthly by default.
import { aggregate, filterNotes, num, ratio, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { incidentDims, incidentSource } from './incidents.ts';

export const detectionSource: MetricDefinition = {
  name: 'detection-source',
  title: 'Detection source',
  unit: 'ratio',
  kind: 'ratio',
  definition:
    "Monitoring when the incident's first trigger log entry came from an integration or service agent, human when a user triggered it (user-reported incidents). monitoringShare = monitoring / (monitoring + human). Monthly by default.",
  dimensions: incidentDims,
  groupBy: ['team', 'service', 'severity'],
  defaultGrain: 'month',
  columns: [
    { name: 'n', description: 'Incidents', unit: 'incidents' },
    { name: 'monitoring', description: 'Detected by monitoring', unit: 'incidents' },
    { name: 'human', description: 'Reported by a person', unit: 'incidents' },
    { name: 'unknown', description: 'No trigger entry stored', unit: 'incidents' },
    { name: 'monitoringShare', description: 'monitoring / (monitoring + human)', unit: 'ratio' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(ctx, q, incidentSource, {
      n: 'count(*)',
      monitoring: "count(*) FILTER (WHERE detection = 'monitoring')",
      human: "count(*) FILTER (WHERE detection = 'human')",
      unknown: "count(*) FILTER (WHERE detection = 'unknown')",
    });
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({
        n: num(r.n),
        monitoring: num(r.monitoring),
        human: num(r.human),
        unknown: num(r.unknown),
        monitoringShare: ratio(r.monitoring, num(r.monitoring) + num(r.human)),
      }),
      () => ({ n: 0, monitoring: 0, human: 0, unknown: 0, monitoringShare: null }),
    );
    return { ...shaped, notes: filterNotes(q, incidentDims) };
  },
};
