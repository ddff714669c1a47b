// The review's trend charts as pure option builders over GET /api/review/trends, drawn with the
// dashboard's time-series builder: the false-positive ratio as reviewed against the suggestions
// alone (with the pages behind each week), the ratio per noisy rule, the label mix, and
// follow-ups opened and closed. Weeks with fewer than 10 pages are flagged as small samples. A
// click on a week opens its pages (of the rule, on the rule chart) as records.

import type { Query } from '../../api/client.ts';
import type { MetricRow } from '../../api/types.ts';
import { buildTimeSeries, percentOf } from '../../charts/options/time-series.ts';
import type { ChartSpec, DrillRef } from '../../charts/spec.ts';
import { SMALL_SAMPLE } from '../../charts/spec.ts';
import type { ChartTheme } from '../../charts/theme.ts';
import { addDays } from '../../lib/dates.ts';
import { type ReviewTrends, reasonOrder, reasonTitles } from './types.ts';

/** The pages of the reviewed team or schedule in one week (its own zone), of one rule if given. */
function weekPages(data: ReviewTrends, row: MetricRow, rule: string | null = null): DrillRef | null {
  const week = typeof row.bucket === 'string' ? row.bucket : null;
  if (!week) return null;
  const { scope } = data;
  const query: Query = { from: week, to: addDays(week, 6), tz: scope.timeZone };
  if (scope.kind === 'team') query.team = [scope.id];
  else query.schedule = scope.id;
  if (rule) query.rule = rule;
  return { kind: 'pages', query, label: `Pages of ${scope.name}${rule ? ', one rule,' : ''} in the week of ${week}` };
}

export function falsePositiveTrend(data: ReviewTrends, theme: ChartTheme): ChartSpec {
  const rows: MetricRow[] = data.weeks.map((w) => ({
    bucket: w.week,
    group: null,
    reviewed: w.reviewedRatio,
    suggested: w.suggestedRatio,
    pages: w.pages,
    human: w.humanLabelledPages,
    agreement: w.agreement,
  }));
  return buildTimeSeries({
    rows,
    grain: 'week',
    theme,
    series: [
      { field: 'reviewed', label: 'As reviewed (labels, else suggestion)', kind: 'line', value: percentOf('reviewed') },
      { field: 'suggested', label: 'Suggestions alone', kind: 'line', dashed: true, value: percentOf('suggested') },
      { field: 'pages', label: 'Pages', kind: 'bar', secondAxis: true, color: '#c9d3e0' },
    ],
    axes: [
      { name: 'False-positive ratio', percent: true, max: 100 },
      { name: 'Pages', unit: 'pages', title: 'pages' },
    ],
    small: (r) => typeof r.pages === 'number' && r.pages > 0 && r.pages < SMALL_SAMPLE,
    drill: (row) => weekPages(data, row),
    extra: [
      { field: 'human', label: 'Pages labelled by a reviewer', unit: 'pages' },
      { field: 'agreement', label: 'Reviewers agreeing with Vigil', unit: '%', value: percentOf('agreement') },
    ],
  });
}

/** One line per noisy rule: its ratio as reviewed, or as Vigil's suggestions alone would have it. */
export function ruleTrend(data: ReviewTrends, theme: ChartTheme, basis: 'reviewed' | 'suggested' = 'reviewed'): ChartSpec {
  const titles = new Map(data.rules.map((r) => [r.signature, `${r.title} (${r.serviceName})`]));
  const rows: MetricRow[] = data.rules.flatMap((r) =>
    r.weeks.map((w) => ({
      bucket: w.week,
      group: r.signature,
      ratio: basis === 'reviewed' ? w.reviewedRatio : w.suggestedRatio,
      pages: w.pages,
    })),
  );
  if (rows.length === 0) rows.push(...data.weeks.map((w) => ({ bucket: w.week, group: null, ratio: null, pages: 0 })));
  return buildTimeSeries({
    rows,
    grain: 'week',
    theme,
    series: [{ field: 'ratio', label: 'False-positive ratio', kind: 'line', value: percentOf('ratio') }],
    grouped: data.rules.length > 0 ? { label: (g) => titles.get(g) ?? g } : undefined,
    axes: [{ name: 'False-positive ratio', percent: true, max: 100 }],
    small: (r) => typeof r.pages === 'number' && r.pages > 0 && r.pages < SMALL_SAMPLE,
    drill: (row) => weekPages(data, row, typeof row.group === 'string' ? row.group : null),
  });
}

export function labelMixTrend(data: ReviewTrends, theme: ChartTheme): ChartSpec {
  const rows: MetricRow[] = data.weeks.map((w) => ({ bucket: w.week, group: null, ...w.labelMix }));
  const stack = 'mix';
  return buildTimeSeries({
    rows,
    grain: 'week',
    theme,
    series: [
      { field: 'actionable', label: 'Actionable', kind: 'bar', stack, color: '#009E73' },
      ...reasonOrder.map((r) => ({ field: r, label: reasonTitles[r], kind: 'bar' as const, stack })),
      { field: 'non_actionable_no_reason', label: 'Non-actionable, no reason', kind: 'bar', stack, color: '#999999' },
      { field: 'unlabelled', label: 'Not labelled', kind: 'bar', stack, color: '#dde2ea' },
    ],
    axes: [{ name: 'Incidents', unit: 'incidents', title: 'incidents' }],
    small: () => false,
    drill: (row) => weekPages(data, row),
  });
}

export function followUpTrend(data: ReviewTrends, theme: ChartTheme): ChartSpec {
  const rows: MetricRow[] = data.weeks.map((w) => ({
    bucket: w.week,
    group: null,
    opened: w.followUpsOpened,
    closed: w.followUpsClosed,
  }));
  return buildTimeSeries({
    rows,
    grain: 'week',
    theme,
    series: [
      { field: 'opened', label: 'Opened', kind: 'bar' },
      { field: 'closed', label: 'Closed', kind: 'bar' },
    ],
    axes: [{ name: 'Follow-ups', unit: 'follow-ups', title: 'follow-ups' }],
    small: () => false,
  });
}
