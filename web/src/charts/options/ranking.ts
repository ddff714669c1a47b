// Horizontal bars, largest first, against a target line: pages per on-call week per person
// (target 5), the busiest person's share of a team's pages (flag at 80%), the noisiest rules.
// Bars over the target are hatched and labelled "over", so the judgement reads without colour.
import { formatNumber } from '../../lib/format.ts';
import type { ChartOption } from '../echarts.ts';
import { type Cell, type ChartSpec, type Column, type DrillRef, escapeHtml, SMALL_SAMPLE } from '../spec.ts';
import { type ChartTheme, ink, okabeIto, seriesDecals } from '../theme.ts';
import { baseOption, targetLine, tooltipBase, valueAxis } from './common.ts';

export interface RankingItem {
  id: string;
  label: string;
  value: number | null;
  /** More numbers shown in the tooltip and the table, in order. */
  details?: { label: string; value: number | string | null; unit?: string }[];
  /** The value rests on a small sample (e.g. under 10 pages or under a week on call). */
  small?: boolean;
}

export interface RankingInput {
  items: readonly RankingItem[];
  valueLabel: string;
  unit?: string;
  percent?: boolean;
  target?: { value: number; label: string; over: 'above' | 'atOrAbove' };
  /** Show at most this many (the table keeps all). */
  limit?: number;
  drill?: (item: RankingItem) => DrillRef | null;
  theme: ChartTheme;
}

/** A round axis end at or above `value` (1, 2, 2.5, 5 times a power of ten), so the last tick is labelled once. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

export function buildRanking(input: RankingInput): ChartSpec {
  const { theme } = input;
  const sorted = [...input.items]
    .filter((i) => i.value !== null)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0) || a.label.localeCompare(b.label));
  const shown = sorted.slice(0, input.limit ?? 15).reverse();
  const over = (v: number) =>
    input.target ? (input.target.over === 'above' ? v > input.target.value : v >= input.target.value) : false;
  const fmt = (v: number | null) =>
    v === null ? '–' : input.percent ? `${formatNumber(v, 1)}%` : `${formatNumber(v, 1)}${input.unit ? ` ${input.unit}` : ''}`;
  const data = shown.map((item) => {
    const v = item.value ?? 0;
    const isOver = over(v);
    return {
      value: v,
      itemStyle: {
        color: isOver ? okabeIto.vermillion : okabeIto.blue,
        opacity: item.small ? 0.5 : 1,
        borderRadius: [0, 3, 3, 0],
        ...(isOver ? { decal: seriesDecals[1] } : {}),
      },
      label: {
        show: true,
        position: 'right' as const,
        color: ink.text,
        fontSize: theme.fontSize - 1,
        formatter: `${fmt(v)}${isOver ? ' · over' : ''}${item.small ? ' · small sample' : ''}`,
      },
    };
  });
  const tooltip = (params: unknown): string => {
    const p = params as { dataIndex: number };
    const item = shown[p.dataIndex];
    if (!item) return '';
    const rows = [
      `<div class="tt-title">${escapeHtml(item.label)}</div>`,
      `<div class="tt-row">${escapeHtml(input.valueLabel)}<b>${escapeHtml(fmt(item.value))}</b></div>`,
      ...(item.details ?? []).map(
        (d) =>
          `<div class="tt-row tt-muted">${escapeHtml(d.label)}<b>${escapeHtml(typeof d.value === 'number' ? `${formatNumber(d.value, 1)}${d.unit ? ` ${d.unit}` : ''}` : (d.value ?? '–'))}</b></div>`,
      ),
    ];
    if (item.small) rows.push(`<div class="tt-note">Small sample (under ${SMALL_SAMPLE}): read with care.</div>`);
    if (input.drill) rows.push('<div class="tt-note">Click for the records.</div>');
    return rows.join('');
  };
  const maxValue = Math.max(0, ...shown.map((s) => s.value ?? 0), input.target?.value ?? 0);
  const option: ChartOption = {
    ...baseOption(theme),
    grid: { left: 4, right: 110, top: 24, bottom: 4, containLabel: true },
    tooltip: { ...tooltipBase(theme), trigger: 'item', formatter: tooltip },
    xAxis: {
      ...valueAxis(theme, input.percent ? '%' : (input.unit ?? '')),
      max: input.percent ? 100 : niceCeiling(maxValue),
    },
    yAxis: {
      type: 'category',
      data: shown.map((s) => s.label),
      axisLabel: { color: ink.text, fontSize: theme.fontSize, width: 180, overflow: 'truncate' },
      axisTick: { show: false },
      axisLine: { lineStyle: { color: ink.axis } },
    },
    series: [
      {
        type: 'bar',
        name: input.valueLabel,
        data,
        barMaxWidth: 18,
        ...(input.target ? { markLine: targetLine(theme, input.target.value, input.target.label, 'x') } : {}),
      },
    ],
  };
  const detailLabels = sorted[0]?.details?.map((d) => d) ?? [];
  const columns: Column[] = [
    { label: 'Name' },
    { label: input.valueLabel, ...(input.percent ? { unit: '%' } : input.unit ? { unit: input.unit } : {}), numeric: true },
    ...detailLabels.map((d) => ({ label: d.label, ...(d.unit ? { unit: d.unit } : {}), numeric: typeof d.value === 'number' })),
  ];
  if (input.target) columns.push({ label: `Over target (${formatNumber(input.target.value, 1)})` });
  const rows: Cell[][] = sorted.map((item) => [
    item.label,
    item.value,
    ...(item.details ?? []).map((d) => d.value),
    ...(input.target ? [over(item.value ?? 0)] : []),
  ]);
  const drill = input.drill
    ? (_s: number, dataIndex: number): DrillRef | null => {
        const item = shown[dataIndex];
        return item && input.drill ? input.drill(item) : null;
      }
    : undefined;
  return {
    option,
    table: { columns, rows },
    empty: sorted.length === 0,
    smallSample: sorted.some((s) => s.small),
    ...(drill ? { drill } : {}),
  };
}
