// Load concentration: the share of a team's pages taken by its busiest person and by its busiest
// two, per bucket. Flagged when the busiest person takes the threshold (config
// onCall.concentrationThreshold, default 80%) or more with at least two people paged, or the
// busiest two do with at least three people paged (two people always share 100% between them).

import { filterNotes, num, ratio, runSql, shapeRows } from '../shape.ts';
import { bucketExpr, filterExpr, groupExpr, queryParams, rangeExpr } from '../sql.ts';
import type { MetricDefinition } from '../types.ts';
import { pageDims } from './pages.ts';

export const loadConcentration: MetricDefinition = {
  name: 'load-concentration',
  title: 'Load concentration',
  unit: 'ratio',
  kind: 'ratio',
  definition:
    'Share of the pages taken by the busiest person (top1Share) and the busiest two (top2Share), per team (default) and bucket. Flagged at 80% or more (configurable): the busiest person with two or more people paged, or the busiest two with three or more.',
  dimensions: pageDims,
  groupBy: ['team', 'service', 'schedule'],
  defaultGroupBy: 'team',
  columns: [
    { name: 'pages', description: 'Pages', unit: 'pages' },
    { name: 'people', description: 'People paged', unit: 'people' },
    { name: 'top1Share', description: 'Pages of the busiest person / pages', unit: 'ratio' },
    { name: 'top2Share', description: 'Pages of the busiest two / pages', unit: 'ratio' },
    { name: 'top1', description: 'The busiest person (PagerDuty user id)' },
    { name: 'top1Name', description: "The busiest person's name" },
    { name: 'flagged', description: 'Concentrated at or above the threshold' },
  ],
  async compute(ctx, q) {
    const threshold = ctx.config.onCall.concentrationThreshold;
    const rows = await runSql(
      ctx,
      `WITH per_person AS (
         SELECT grouping(bucket) = 1 AS is_total, bucket, grp, user_id, count(*) AS n
         FROM (
           SELECT ${bucketExpr(q, 'started_at', 'started_day')} AS bucket, ${groupExpr(q, pageDims)} AS grp, user_id FROM d_pages
           WHERE ${rangeExpr('started_at')} ${filterExpr(q, pageDims)}
         ) GROUP BY GROUPING SETS ((bucket, grp, user_id), (grp, user_id))
       ),
       ranked AS (
         SELECT *, row_number() OVER (PARTITION BY is_total, bucket, grp ORDER BY n DESC, user_id) AS rk FROM per_person
       )
       SELECT r.is_total, r.bucket, r.grp, sum(r.n) AS pages, count(*) AS people,
         sum(r.n) FILTER (WHERE rk = 1) AS top1_n, sum(r.n) FILTER (WHERE rk <= 2) AS top2_n,
         max(r.user_id) FILTER (WHERE rk = 1) AS top1, max(u.name) FILTER (WHERE rk = 1) AS top1_name
       FROM ranked r LEFT JOIN pd_users u ON u.id = r.user_id
       GROUP BY r.is_total, r.bucket, r.grp`,
      queryParams(q),
    );
    const shaped = shapeRows(
      q,
      rows,
      (r) => {
        const top1Share = ratio(r.top1_n, r.pages);
        const top2Share = ratio(r.top2_n, r.pages);
        const people = num(r.people);
        const flagged =
          (people >= 2 && top1Share !== null && top1Share >= threshold) ||
          (people >= 3 && top2Share !== null && top2Share >= threshold);
        return {
          pages: num(r.pages),
          people,
          top1Share,
          top2Share,
          top1: (r.top1 as string | null) ?? null,
          top1Name: (r.top1_name as string | null) ?? null,
          flagged,
        };
      },
      () => ({ pages: 0, people: 0, top1Share: null, top2Share: null, top1: null, top1Name: null, flagged: false }),
    );
    return {
      ...shaped,
      notes: [...filterNotes(q, pageDims), `Flag threshold: ${Math.round(threshold * 100)}%.`],
      target: { value: threshold, description: `Flagged at ${Math.round(threshold * 100)}% or more` },
    };
  },
};
