// Change failure rate: successful production deployments that caused at least one change-caused
// incident or were rolled back, divided by successful production deployments, per bucket of the
// deployment's time. A deployment counts once however many incidents it caused, so the rate is
// never above 100%. Failed attempts are not change failures (see deploy-failure-rate).
import { aggregate, filterNotes, num, ratio, shapeRows } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';
import { deploymentDims, successfulProduction } from './deployment-frequency.ts';

export const changeFailureRate: MetricDefinition = {
  name: 'change-failure-rate',
  title: 'Change failure rate',
  unit: 'ratio',
  kind: 'ratio',
  definition:
    'Successful production deployments that caused at least one change-caused incident (attribution) or were rolled back (the next successful deployment of the same repository and environment shipped a SHA an earlier deployment had shipped), divided by successful production deployments. Bucketed by deployment time; never above 100%.',
  dimensions: deploymentDims,
  groupBy: ['team', 'repo'],
  columns: [
    { name: 'n', description: 'Successful production deployments', unit: 'deployments' },
    { name: 'failed', description: 'Of which caused an incident or were rolled back', unit: 'deployments' },
    { name: 'causedIncident', description: 'Caused at least one change-caused incident', unit: 'deployments' },
    { name: 'rolledBack', description: 'Were rolled back', unit: 'deployments' },
    { name: 'rate', description: 'failed / n', unit: 'ratio' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(ctx, q, successfulProduction, {
      n: 'count(*)',
      failed: 'count(*) FILTER (WHERE change_failed)',
      caused: 'count(*) FILTER (WHERE caused_incidents > 0)',
      rolled: 'count(*) FILTER (WHERE rolled_back)',
    });
    const shaped = shapeRows(
      q,
      rows,
      (r) => ({
        n: num(r.n),
        failed: num(r.failed),
        causedIncident: num(r.caused),
        rolledBack: num(r.rolled),
        rate: ratio(r.failed, r.n),
      }),
      () => ({ n: 0, failed: 0, causedIncident: 0, rolledBack: 0, rate: null }),
    );
    return { ...shaped, notes: filterNotes(q, deploymentDims) };
  },
};
