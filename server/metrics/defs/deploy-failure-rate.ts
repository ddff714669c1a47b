// Deploy failure rate: production deployment attempts whose newest status is failure or error,
// divided by attempts that finished (success or failure), bucketed by the time of the outcome
// (first success status, or the failing status). These never changed production, so they are
// not change failures. Pending and superseded deployments are not counted.
import { aggregate, filterNotes, num, ratio, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { deploymentDims } from './deployment-frequency.ts';

export const deployFailureRate: MetricDefinition = {
  name: 'deploy-failure-rate',
  title: 'Deploy failure rate',
  unit: 'ratio',
  kind: 'ratio',
  definition:
    'Production deployment attempts whose newest status is failure or error, divided by production attempts that finished (success, or failure/error). Bucketed by the time of the outcome. Not part of change failure rate: a failed attempt never changed production.',
  dimensions: deploymentDims,
  groupBy: ['team', 'repo'],
  columns: [
    { name: 'n', description: 'Finished production deployment attempts', unit: 'deployments' },
    { name: 'failed', description: 'Attempts that failed', unit: 'deployments' },
    { name: 'rate', description: 'failed / n', unit: 'ratio' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(
      ctx,
      q,
      {
        from: 'd_deployments',
        time: 'finished_at',
        where: "production AND outcome IN ('success', 'failure')",
        dims: deploymentDims,
      },
      { n: 'count(*)', failed: "count(*) FILTER (WHERE outcome = 'failure')" },
    );
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({ n: num(r.n), failed: num(r.failed), rate: ratio(r.failed, r.n) }),
      () => ({ n: 0, failed: 0, rate: null }),
    );
    return { ...shaped, notes: filterNotes(q, deploymentDims) };
  },
};
