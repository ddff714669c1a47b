// Deploy days per week: for each ISO week (in the request's zone), the number of days with at
// least one successful production deployment (0 to 7). The range total is the median over the
// weeks of the range, weeks without any deployment included: the input of the DORA
// deployment-frequency level (dora/levels.ts). Weeks cut by the range edges count as they are.
import { aggregate, filterNotes, num, shapeRows } from '../shape.ts';
import { localDateExpr } from '../sql.ts';
import type { MetricDefinition, MetricRow } from '../types.ts';
import { deploymentDims, successfulProduction } from './deployment-frequency.ts';

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export const deployDays: MetricDefinition = {
  name: 'deploy-days',
  title: 'Deploy days per week',
  unit: 'days/week',
  kind: 'count',
  definition:
    'Days with at least one successful production deployment, per ISO week in the requested zone (always weekly, whatever grain is asked). The range value is the median over all weeks of the range, weeks with no deployment counting as 0: the DORA deployment-frequency input.',
  dimensions: deploymentDims,
  groupBy: ['team', 'repo'],
  columns: [
    { name: 'deployDays', description: 'Days with a successful production deployment in the week', unit: 'days' },
    { name: 'n', description: 'Successful production deployments in the week', unit: 'deployments' },
    { name: 'medianDeployDays', description: 'Range rows only: median deploy days per week', unit: 'days/week' },
    { name: 'weeks', description: 'Range rows only: weeks in the range', unit: 'weeks' },
  ],
  async compute(ctx, q) {
    const weekly = { ...q, grain: 'week' as const };
    const rows = await aggregate(ctx, weekly, successfulProduction, {
      n: 'count(*)',
      deploy_days: `count(DISTINCT ${localDateExpr(weekly, 'deployed_at', 'deployed_day')})`,
    });
    const shaped = shapeRows(
      weekly,
      rows.filter((r) => !r.is_total),
      (r) => ({ deployDays: num(r.deploy_days), n: num(r.n) }),
      () => ({ deployDays: 0, n: 0 }),
    );
    // The range value is a median over the (few hundred at most) weekly rows just computed.
    const byGroup = new Map<string | null, number[]>();
    for (const r of shaped.rows) {
      const list = byGroup.get(r.group) ?? [];
      list.push(Number(r.deployDays));
      byGroup.set(r.group, list);
    }
    const summary: MetricRow[] = [...byGroup.entries()].map(([group, days]) => ({
      bucket: null,
      group,
      deployDays: days.reduce((a, b) => a + b, 0),
      n: shaped.rows.filter((r) => r.group === group).reduce((a, r) => a + Number(r.n), 0),
      medianDeployDays: median(days),
      weeks: days.length,
    }));
    return {
      rows: shaped.rows,
      summary,
      notes: [...filterNotes(q, deploymentDims), ...(q.grain !== 'week' ? ['Deploy days are always counted per ISO week.'] : [])],
    };
  },
};
