// The review's header figures, computed by the same metric modules the dashboard charts (pages,
// bad nights, pages per on-call week, false-positive ratio, load concentration) over the review
// week in the scope's zone, so the meeting and the dashboard never disagree about a number. A
// team is a filter; a schedule is a group (the metrics group pages by on-call schedule).
import type { VigilConfig } from '../config/schema.ts';
import type { QueryRunner } from '../db/index.ts';
import { addDays } from '../metrics/query.ts';
import { computeMetric, findMetric } from '../metrics/registry.ts';
import type { MetricRow } from '../metrics/types.ts';
import type { ReviewHeader, ReviewScope, ReviewWeek, WeekFigure } from './types.ts';

interface Ctx {
  db: QueryRunner;
  config: VigilConfig;
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const orNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

async function metric(ctx: Ctx, scope: ReviewScope, name: string, from: string, to: string) {
  const def = findMetric(name);
  if (!def) throw new Error(`metric ${name} is not registered`);
  const raw: Record<string, string[]> = { from: [from], to: [to], tz: [scope.timeZone], grain: ['week'] };
  if (scope.kind === 'team') {
    raw.team = [scope.id];
    if (def.defaultGroupBy && def.defaultGroupBy !== 'none') raw.groupBy = ['none'];
  } else raw.groupBy = ['schedule'];
  const result = await computeMetric(ctx, def, raw);
  const mine = (rows: MetricRow[]) => rows.filter((r) => (scope.kind === 'team' ? true : r.group === scope.id));
  return { rows: mine(result.rows), summary: mine(result.summary)[0], notes: result.notes, target: result.target };
}

/** The header figures except the ones that come from the week's own rows (unlabelled, follow-ups). */
export async function headerFigures(
  ctx: Ctx,
  scope: ReviewScope,
  week: ReviewWeek,
): Promise<Omit<ReviewHeader, 'incidents' | 'unlabelledIncidents' | 'unlabelledPages' | 'openFollowUps'>> {
  const [pages, nights, perWeek, fp, load] = await Promise.all([
    metric(ctx, scope, 'pages', week.start, week.end),
    metric(ctx, scope, 'bad-nights', week.start, week.end),
    metric(ctx, scope, 'pages-per-oncall-week', week.start, week.end),
    metric(ctx, scope, 'false-positive-ratio', addDays(week.start, -28), week.end),
    metric(ctx, scope, 'load-concentration', week.start, week.end),
  ]);
  const byWeek = new Map<string, MetricRow>(fp.rows.map((r) => [String(r.bucket), r]));
  const weeks: WeekFigure[] = [-28, -21, -14, -7, 0].map((offset) => {
    const start = addDays(week.start, offset);
    const row = byWeek.get(start);
    return { week: start, pages: n(row?.pages), ratio: orNull(row?.ratio), humanLabelled: n(row?.humanLabelled) };
  });
  const previous = weeks.slice(0, 4);
  const prevPages = previous.reduce((a, w) => a + w.pages, 0);
  const prevNon = previous.reduce((a, w) => a + n(byWeek.get(w.week)?.nonActionable), 0);
  const top1 = load.summary;
  const notes: string[] = [];
  if (week.partial) notes.push('This week is not over yet: its figures will still grow.');
  if (scope.kind === 'schedule') {
    notes.push('A schedule review counts the pages received while on call for this schedule (escalation level 1 by default).');
  }
  return {
    pages: n(pages.summary?.n),
    interruptions: n(pages.summary?.interruptions),
    offHoursPages: n(pages.summary?.offHours),
    sleepPages: n(pages.summary?.sleep),
    people: n(pages.summary?.people),
    nightsInterrupted: n(nights.summary?.nightsInterrupted),
    badNights: n(nights.summary?.n),
    pagesPerOncallWeek: orNull(perWeek.summary?.value),
    onCallHours: n(perWeek.summary?.onCallHours),
    pagesPerWeekTarget: ctx.config.onCall.pagesPerWeekTarget,
    falsePositiveRatio: weeks[4]?.ratio ?? null,
    falsePositiveWeeks: weeks,
    previousFalsePositiveRatio: prevPages > 0 ? prevNon / prevPages : null,
    busiest:
      top1 && typeof top1.top1Share === 'number' && n(top1.people) > 1
        ? { name: String(top1.top1Name ?? top1.top1 ?? ''), share: top1.top1Share, flagged: top1.flagged === true }
        : null,
    notes,
  };
}
