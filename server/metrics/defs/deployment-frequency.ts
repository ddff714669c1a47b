// Deployment frequency: successful production deployments per bucket.
//
// Counts every deployment to an environment matching its repository's production pattern whose
// newest status is success (or inactive after a success), at the time of its first success
// status, bucketed in the request's zone. Failed attempts, pending deployments and other
// environments are excluded. `perWeek` divides by the bucket's days inside the range / 7, so a
// partial first or last bucket is not under-reported.
import { bucketDaysInRange, type MetricQuery } from '../query.ts';
import { aggregate, filterNotes, num, shapeRows } from '../shape.ts';
import { localDateExpr } from '../sql.ts';
import type { MetricDefinition } from '../types.ts';

export const deploymentDims = { team: 'team_id', repo: 'repo' } as const;
export const successfulProduction = {
  from: 'd_deployments',
  time: 'deployed_at',
  day: 'deployed_day',
  where: "production AND outcome = 'success'",
  dims: deploymentDims,
};

function rangeDays(q: MetricQuery): number {
  return Math.max(1, Math.round((Date.parse(q.hi) - Date.parse(q.lo)) / 86_400_000));
}

export const deploymentFrequency: MetricDefinition = {
  name: 'deployment-frequency',
  title: 'Deployment frequency',
  unit: 'deployments',
  kind: 'count',
  definition:
    "Successful production deployments per bucket: deployments to an environment matching the repository's production pattern whose newest status is success (or inactive after a success), counted at their first success status. Also the days with at least one such deployment, and deployments per week.",
  dimensions: deploymentDims,
  groupBy: ['team', 'repo'],
  columns: [
    { name: 'n', description: 'Successful production deployments', unit: 'deployments' },
    { name: 'deployDays', description: 'Days (in tz) with at least one successful production deployment', unit: 'days' },
    { name: 'perWeek', description: 'Deployments per 7 days of the bucket inside the range', unit: 'deployments/week' },
  ],
  async compute(ctx, q) {
    const rows = await aggregate(ctx, q, successfulProduction, {
      n: 'count(*)',
      deploy_days: `count(DISTINCT ${localDateExpr(q, 'deployed_at', 'deployed_day')})`,
    });
    const days = rangeDays(q);
    const shaped = shapeRows(
      q,
      rows,
      (r) => {
        const span = r.is_total ? days : bucketDaysInRange(String(r.bucket).slice(0, 10), q);
        return { n: num(r.n), deployDays: num(r.deploy_days), perWeek: span > 0 ? (num(r.n) * 7) / span : null };
      },
      () => ({ n: 0, deployDays: 0, perWeek: 0 }),
    );
    return { ...shaped, notes: filterNotes(q, deploymentDims) };
  },
};
