// Incidents: incidents created per bucket (the trigger log entry's time), with how many are still
// open, how they were detected and what the attribution concluded.
import { aggregate, filterNotes, num, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';

export const incidentDims = { team: 'team_id', service: 'service_id', severity: 'severity' } as const;
export const incidentSource = { from: 'd_incidents', time: 'created_at', day: 'created_day', dims: incidentDims };

export const incidents: MetricDefinition = {
  name: 'incidents',
  title: 'Incidents',
  unit: 'incidents',
  kind: 'count',
  definition:
    'Incidents created per bucket (created = the trigger log entry, else the incident\'s created_at), with open and resolved counts and the attribution outcome (change-caused, not change-caused, unknown). Incidents of services mapped to no team count under "unassigned".',
  dimensions: incidentDims,
  groupBy: ['team', 'service', 'severity'],
  columns: [
    { name: 'n', description: 'Incidents created', unit: 'incidents' },
    { name: 'open', description: 'Not resolved', unit: 'incidents' },
    { name: 'changeCaused', description: 'Attributed to a deployment', unit: 'incidents' },
    { name: 'notChangeCaused', description: 'Not change-caused', unit: 'incidents' },
    { name: 'unknownCause', description: 'Service has no mapped repository', unit: 'incidents' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(ctx, q, incidentSource, {
      n: 'count(*)',
      open: 'count(*) FILTER (WHERE resolved_at IS NULL)',
      caused: "count(*) FILTER (WHERE cause = 'change_caused')",
      not_caused: "count(*) FILTER (WHERE cause = 'not_change_caused')",
      unknown: "count(*) FILTER (WHERE cause = 'unknown')",
    });
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({
        n: num(r.n),
        open: num(r.open),
        changeCaused: num(r.caused),
        notChangeCaused: num(r.not_caused),
        unknownCause: num(r.unknown),
      }),
      () => ({ n: 0, open: 0, changeCaused: 0, notChangeCaused: 0, unknownCause: 0 }),
    );
    return { ...shaped, notes: filterNotes(q, incidentDims) };
  },
};
