// The distribution of a duration (lead time, time to acknowledge, resolve, detect, restore) as a
// histogram over human bins (1-5 min, 1-2 h, 1-2 d …), one bar series per group (severity, team),
// with each group's median, p90 and share within target in the tooltip and the table. Empty bins
// at both ends are left out so the bars fill the chart.
import type { DurationDistribution } from '../../api/types.ts';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format.ts';
import type { ChartOption } from '../echarts.ts';
import { type Cell, type ChartSpec, type Column, type DrillRef, escapeHtml, SMALL_SAMPLE } from '../spec.ts';
import { type ChartTheme, colorAt } from '../theme.ts';
import { baseOption, categoryAxis, legend, smallSampleNote, tooltipBase, valueAxis } from './common.ts';

export interface HistogramInput {
  distribution: DurationDistribution;
  groupLabel: (group: string | null) => string;
  colors?: Record<string, string>;
  /** Group order (e.g. SEV1..SEV4); others follow by size. */
  order?: readonly string[];
  drill?: (group: string | null) => DrillRef | null;
  theme: ChartTheme;
}

/** A bin's label: '< 1 min', '1–5 min', '≥ 90 d'. */
export function binLabel(lo: number, hi: number | null): string {
  if (hi === null) return `≥ ${formatDuration(lo)}`;
  if (lo === 0) return `< ${formatDuration(hi)}`;
  const a = formatDuration(lo);
  const b = formatDuration(hi);
  const [av, au] = a.split(' ');
  const [bv, bu] = b.split(' ');
  return au === bu ? `${av}–${bv} ${bu}` : `${a} – ${b}`;
}

export function buildHistogram(input: HistogramInput): ChartSpec {
  const { distribution: d, theme } = input;
  const groupsSeen = [...new Set(d.groups.map((g) => g.group))];
  const sizes = new Map(d.groups.map((g) => [g.group, g.n]));
  const order = input.order ?? [];
  const groups = groupsSeen.sort((a, b) => {
    const ia = a === null ? -1 : order.indexOf(a);
    const ib = b === null ? -1 : order.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0);
  });
  const used = d.bins.filter((b) => b.n > 0).map((b) => b.bin);
  const firstBin = used.length ? Math.min(...used) : 0;
  const lastBin = used.length ? Math.max(...used) : -1;
  const bins: { bin: number; lo: number; hi: number | null }[] = [];
  for (let b = firstBin; b <= lastBin; b++) {
    bins.push({ bin: b, lo: d.edges[b] ?? 0, hi: d.edges[b + 1] ?? null });
  }
  const labels = bins.map((b) => binLabel(b.lo, b.hi));
  const counts = groups.map((g) => bins.map((b) => d.bins.find((x) => x.group === g && x.bin === b.bin)?.n ?? 0));
  const summaries = groups.map((g) => d.groups.find((x) => x.group === g));
  const empty = counts.every((cs) => cs.every((c) => c === 0));
  const smallSample = summaries.some((s) => s !== undefined && s.n > 0 && s.n < SMALL_SAMPLE);
  const names = groups.map((g) => input.groupLabel(g));
  const colors = groups.map((g, i) => (g !== null ? input.colors?.[g] : undefined) ?? colorAt(i));

  const tooltip = (params: unknown): string => {
    const list = (Array.isArray(params) ? params : [params]) as { dataIndex: number; seriesIndex: number }[];
    const index = list[0]?.dataIndex ?? 0;
    const parts = [`<div class="tt-title">${escapeHtml(labels[index] ?? '')}</div>`];
    for (const p of list) {
      const s = summaries[p.seriesIndex];
      const n = counts[p.seriesIndex]?.[index] ?? 0;
      const share = s && s.n > 0 ? ` <span class="tt-muted">(${formatPercent(n / s.n)} of ${formatNumber(s.n)})</span>` : '';
      parts.push(
        `<div class="tt-row"><span class="tt-dot" style="background:${colors[p.seriesIndex]}"></span>${escapeHtml(names[p.seriesIndex] ?? '')}<b>${formatNumber(n)}</b>${share}</div>`,
      );
    }
    if (input.drill) parts.push('<div class="tt-note">Click for the records of that group.</div>');
    return parts.join('');
  };

  const option: ChartOption = {
    ...baseOption(theme),
    legend: {
      ...legend(theme, groups.length > 1),
      formatter: (name: string) => {
        const s = summaries[names.indexOf(name)];
        return s && s.n < SMALL_SAMPLE ? `${name} (n ${formatNumber(s.n)}, small)` : name;
      },
    },
    grid: { ...baseOption(theme).grid, top: groups.length > 1 ? 44 : 28 },
    tooltip: { ...tooltipBase(theme), trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: tooltip },
    xAxis: {
      ...categoryAxis(theme, labels),
      axisLabel: { ...categoryAxis(theme, labels).axisLabel, interval: 0, rotate: labels.length > 8 ? 30 : 0 },
    },
    yAxis: valueAxis(theme, 'count'),
    series: groups.map((_, i) => ({
      type: 'bar' as const,
      name: names[i] ?? '',
      data: counts[i] ?? [],
      barMaxWidth: 22,
      itemStyle: { color: colors[i], borderRadius: [2, 2, 0, 0] },
      emphasis: { focus: 'series' as const },
    })),
  };

  const columns: Column[] = [
    { label: 'From', unit: 'seconds', numeric: true },
    { label: 'To', unit: 'seconds', numeric: true },
    { label: 'Bin' },
    ...names.map((n) => ({ label: n, unit: 'count', numeric: true })),
  ];
  const rows: Cell[][] = bins.map((b, j) => [b.lo, b.hi, labels[j] ?? '', ...counts.map((cs) => cs[j] ?? 0)]);
  const drill = input.drill
    ? (seriesIndex: number): DrillRef | null => (input.drill ? input.drill(groups[seriesIndex] ?? null) : null)
    : undefined;
  const smallGroups = names.filter((_, i) => (summaries[i]?.n ?? 0) > 0 && (summaries[i]?.n ?? 0) < SMALL_SAMPLE);
  return {
    option,
    table: { columns, rows },
    empty,
    smallSample,
    ...(smallSample
      ? {
          smallNote: `${smallGroups.length ? smallGroups.join(', ') : 'Some groups'}: fewer than 10 values, so the shape is mostly noise.`,
        }
      : {}),
    ...(drill ? { drill } : {}),
  };
}

/** One line per group for the summary table under a histogram. */
export function histogramSummary(d: DurationDistribution, groupLabel: (g: string | null) => string) {
  return d.groups.map((g) => ({
    group: g.group,
    label: groupLabel(g.group),
    n: g.n,
    median: g.median,
    p90: g.p90,
    targetSeconds: g.targetSeconds,
    withinShare: g.withinTarget !== null && g.n > 0 ? g.withinTarget / g.n : null,
    small: g.n < SMALL_SAMPLE,
  }));
}

export const histogramSmallNote = smallSampleNote;
