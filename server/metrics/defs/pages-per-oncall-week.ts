// Pages per on-call week: pages a person received while on call (an on-call shift at the
// configured escalation level, default 1, covered the page) divided by their on-call hours / 168,
// per bucket and per person, schedule or team. Exposure comes from PagerDuty's on-call shifts,
// clipped to the bucket and the range, so a shift across a bucket boundary is split exactly.
// The team and schedule here are the shift's (who was on call for whom), for numerator and
// denominator alike. The target (config onCall.pagesPerWeekTarget, default 5) comes with the rows.

import { filterNotes, num, runSql, shapeRows } from '../shape.ts';
import { bucketExpr, filterExpr, groupExpr, queryParams, rangeExpr } from '../sql.ts';
import type { MetricDefinition } from '../types.ts';

const dims = {
  team: 'oncall_team_id',
  service: 'service_id',
  severity: 'severity',
  person: 'user_id',
  schedule: 'oncall_schedule_id',
} as const;
const exposureDims = { team: 'team_id', person: 'user_id', schedule: 'schedule_id' } as const;

const stepOf = { day: 'INTERVAL 1 DAY', week: 'INTERVAL 7 DAY', month: 'INTERVAL 1 MONTH', quarter: 'INTERVAL 3 MONTH' } as const;

export const pagesPerOncallWeek: MetricDefinition = {
  name: 'pages-per-oncall-week',
  title: 'Pages per on-call week',
  unit: 'pages/week',
  kind: 'ratio',
  definition:
    "Pages a person received while on call (a shift at the configured escalation level, default 1) divided by their on-call hours / 168, per person, schedule or team (the shift's team). On-call hours are clipped to each bucket and to the range. The target (default under 5) is returned with the rows.",
  dimensions: dims,
  groupBy: ['team', 'person', 'schedule'],
  columns: [
    { name: 'pages', description: 'Pages received while on call', unit: 'pages' },
    { name: 'onCallHours', description: 'Hours on call at the configured level', unit: 'hours' },
    { name: 'value', description: 'pages / (onCallHours / 168)', unit: 'pages/week' },
    { name: 'aboveTarget', description: 'value exceeds the target' },
  ],
  async compute(ctx, q) {
    const target = ctx.config.onCall.pagesPerWeekTarget;
    const step = stepOf[q.grain];
    const pageRows = await runSql(
      ctx,
      `SELECT grouping(bucket) = 1 AS is_total, bucket, grp, count(*) AS pages
       FROM (
         SELECT ${bucketExpr(q, 'started_at', 'started_day')} AS bucket, ${groupExpr(q, dims)} AS grp FROM d_pages
         WHERE on_call AND ${rangeExpr('started_at')} ${filterExpr(q, dims)}
       ) GROUP BY GROUPING SETS ((bucket, grp), (grp))`,
      queryParams(q),
    );
    const hourRows = await runSql(
      ctx,
      `WITH buckets AS (
         SELECT CAST(b AS DATE) AS bucket, timezone($tz, b) AS bs, timezone($tz, b + ${step}) AS be
         FROM (SELECT unnest(generate_series(CAST(date_trunc('${q.grain}', CAST($fromDate AS DATE)) AS TIMESTAMP),
           CAST(CAST($toDate AS DATE) AS TIMESTAMP), ${step})) AS b)
       ),
       cut AS (
         SELECT b.bucket, ${groupExpr(q, exposureDims)} AS grp,
           (epoch_ms(least(p.end_at, b.be, CAST($hi AS TIMESTAMPTZ))) - epoch_ms(greatest(p.start_at, b.bs, CAST($lo AS TIMESTAMPTZ))))
             / 3600000.0 AS hours
         FROM d_oncall_pieces p JOIN buckets b ON p.start_at < b.be AND p.end_at > b.bs
         WHERE p.end_at > CAST($lo AS TIMESTAMPTZ) AND p.start_at < CAST($hi AS TIMESTAMPTZ) ${filterExpr(q, exposureDims)}
       )
       SELECT grouping(bucket) = 1 AS is_total, bucket, grp, sum(greatest(hours, 0)) AS hours
       FROM cut GROUP BY GROUPING SETS ((bucket, grp), (grp))`,
      queryParams(q),
    );
    const key = (r: Record<string, unknown>) => `${r.is_total}|${String(r.bucket ?? '').slice(0, 10)}|${r.grp ?? ''}`;
    const merged = new Map<string, Record<string, unknown>>();
    for (const r of hourRows) merged.set(key(r), { ...r, pages: 0 });
    for (const r of pageRows) merged.set(key(r), { ...(merged.get(key(r)) ?? { hours: 0 }), ...r });
    const shaped = shapeRows(
      q,
      [...merged.values()] as never,
      (r) => {
        const hours = num(r.hours);
        const value = hours > 0 ? num(r.pages) / (hours / 168) : null;
        return { pages: num(r.pages), onCallHours: hours, value, aboveTarget: value === null ? null : value > target };
      },
      () => ({ pages: 0, onCallHours: 0, value: null, aboveTarget: null }),
    );
    const notes = filterNotes(q, dims);
    if (q.service.length > 0 || q.severity.length > 0) {
      notes.push(
        'The service and severity filters narrow the pages counted; on-call hours are not split by service or severity.',
      );
    }
    return { ...shaped, notes, target: { value: target, description: `Target: under ${target} pages per on-call week` } };
  },
};
