// Overdue incidents: incidents open longer than their severity's target (resolved late, or still
// open past the target now), and among them those never escalated (no escalate log entry and no
// priority raise): PagerDuty's "escalation triggers". Bucketed by creation.
import { aggregate, filterNotes, num, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { incidentDims, incidentSource } from './incidents.ts';

const openFor = '(epoch_ms(coalesce(resolved_at, now())) - epoch_ms(created_at)) / 1000.0';

export const overdueIncidents: MetricDefinition = {
  name: 'overdue-incidents',
  title: 'Overdue and never-escalated incidents',
  unit: 'incidents',
  kind: 'count',
  definition:
    "Incidents open longer than their severity's target: resolved after it, or still open past it now. Flagged when never escalated: no escalate log entry and no priority raise. Severities without a target are never overdue.",
  dimensions: incidentDims,
  groupBy: ['team', 'service', 'severity'],
  columns: [
    { name: 'n', description: 'Incidents with a target', unit: 'incidents' },
    { name: 'overdue', description: 'Open longer than the target', unit: 'incidents' },
    { name: 'overdueNeverEscalated', description: 'Overdue and never escalated', unit: 'incidents' },
    { name: 'openOverdue', description: 'Still open and past the target now', unit: 'incidents' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(
      ctx,
      q,
      { ...incidentSource, where: 'target_s IS NOT NULL' },
      {
        n: 'count(*)',
        overdue: `count(*) FILTER (WHERE ${openFor} > target_s)`,
        never: `count(*) FILTER (WHERE ${openFor} > target_s AND NOT escalated)`,
        open_overdue: `count(*) FILTER (WHERE resolved_at IS NULL AND ${openFor} > target_s)`,
      },
    );
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({
        n: num(r.n),
        overdue: num(r.overdue),
        overdueNeverEscalated: num(r.never),
        openOverdue: num(r.open_overdue),
      }),
      () => ({ n: 0, overdue: 0, overdueNeverEscalated: 0, openOverdue: 0 }),
    );
    return { ...shaped, notes: filterNotes(q, incidentDims) };
  },
};
