// Shared by nights-interrupted and bad-nights: per person and night (a night runs from the sleep
// start, 22:00, to the sleep end, 08:00, in the person's own zone, and belongs to the date it
// starts on), the sleep-hour pages and the interruptions that started in sleep hours.
import type { MetricQuery } from '../query.ts';
import { type DbRow, runSql } from '../shape.ts';
import { bucketDateExpr, dateRangeExpr, filterExpr, groupExpr, queryParams } from '../sql.ts';
import type { MetricContext } from '../types.ts';
import { pageDims } from './pages.ts';

export async function nightRows(ctx: MetricContext, q: MetricQuery): Promise<DbRow[]> {
  return runSql(
    ctx,
    `WITH per_night AS (
       SELECT user_id, night_date, ${groupExpr(q, pageDims)} AS grp, count(*) AS pages,
         count(*) FILTER (WHERE sleep_interruption) AS interruptions
       FROM d_pages
       WHERE hour_class = 'sleep' AND ${dateRangeExpr('night_date')} ${filterExpr(q, pageDims)}
       GROUP BY user_id, night_date, grp
     )
     SELECT grouping(bucket) = 1 AS is_total, bucket, grp, count(*) AS nights,
       count(*) FILTER (WHERE interruptions >= $bad) AS bad, sum(pages) AS pages,
       sum(interruptions) AS interruptions, count(DISTINCT user_id) AS people
     FROM (SELECT *, ${bucketDateExpr(q, 'night_date')} AS bucket FROM per_night)
     GROUP BY GROUPING SETS ((bucket, grp), (grp))`,
    { ...queryParams(q), bad: ctx.config.onCall.badNightInterruptions },
  );
}
