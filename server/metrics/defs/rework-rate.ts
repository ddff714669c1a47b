// Deployment rework rate (DORA 2024+): successful production deployments made while a
// change-caused incident of the same team was open, or within 1 h after it resolved, divided by
// successful production deployments: the unplanned fixes. Bucketed by deployment time.
import { aggregate, filterNotes, num, ratio, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { deploymentDims, successfulProduction } from './deployment-frequency.ts';

export const reworkRate: MetricDefinition = {
  name: 'rework-rate',
  title: 'Deployment rework rate',
  unit: 'ratio',
  kind: 'ratio',
  definition:
    "Successful production deployments of a repository made while a change-caused incident of the repository's team was open (or within 1 h after it resolved), divided by successful production deployments. Bucketed by deployment time.",
  dimensions: deploymentDims,
  groupBy: ['team', 'repo'],
  columns: [
    { name: 'n', description: 'Successful production deployments', unit: 'deployments' },
    { name: 'rework', description: 'Made during (or within 1 h after) a change-caused incident', unit: 'deployments' },
    { name: 'rate', description: 'rework / n', unit: 'ratio' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(ctx, q, successfulProduction, {
      n: 'count(*)',
      rework: 'count(*) FILTER (WHERE is_rework)',
    });
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({ n: num(r.n), rework: num(r.rework), rate: ratio(r.rework, r.n) }),
      () => ({ n: 0, rework: 0, rate: null }),
    );
    return { ...shaped, notes: filterNotes(q, deploymentDims) };
  },
};
