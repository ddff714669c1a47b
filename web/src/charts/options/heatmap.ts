// Pages by hour of day and weekday in each recipient's own zone: a 24 x 7 grid in one sequential
// hue, with sleep hours and business hours outlined (dashed and dotted) so the meaningful regions
// read without colour. A click on a cell leads to the pages of that hour and weekday.
import type { PageHours } from '../../api/types.ts';
import { formatNumber } from '../../lib/format.ts';
import type { ChartOption } from '../echarts.ts';
import { type Cell, type ChartSpec, type DrillRef, escapeHtml } from '../spec.ts';
import { type ChartTheme, ink, sequentialBlues } from '../theme.ts';
import { baseOption, tooltipBase } from './common.ts';

export const weekdayNames = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface HeatmapInput {
  hours: PageHours;
  measure: 'pages' | 'interruptions';
  drill?: (weekday: number, hour: number) => DrillRef | null;
  theme: ChartTheme;
}

const hourLabel = (h: number) => `${String(h).padStart(2, '0')}:00`;

/** Hour ranges [start, end) on a 24 h clock, split where they wrap past midnight. */
function spans(start: number, end: number): [number, number][] {
  if (start === end) return [];
  const out: [number, number][] =
    start < end
      ? [[start, end]]
      : [
          [start, 24],
          [0, end],
        ];
  return out.filter(([a, b]) => b > a);
}

export function buildHeatmap(input: HeatmapInput): ChartSpec {
  const { hours: h, measure, theme } = input;
  const xLabels = Array.from({ length: 24 }, (_, i) => hourLabel(i));
  const yLabels = weekdayNames.map((d) => d.slice(0, 3));
  const data = h.cells.map((c) => [c.hour, c.weekday - 1, c[measure]] as [number, number, number]);
  const max = Math.max(1, ...data.map((d) => d[2]));
  const empty = data.every((d) => d[2] === 0);
  const { sleepStart, sleepEnd, businessStart, businessEnd, businessDays } = h.hours;
  const sleepAreas = spans(Math.floor(sleepStart), Math.ceil(sleepEnd)).map(([a, b]) => [
    { name: a === Math.floor(sleepStart) ? 'Sleep hours' : '', xAxis: hourLabel(a), yAxis: yLabels[0] },
    { xAxis: hourLabel(b - 1), yAxis: yLabels[6] },
  ]);
  const days = [...businessDays].sort();
  const businessAreas =
    days.length > 0 && businessEnd > businessStart
      ? [
          [
            { name: 'Business hours', xAxis: hourLabel(Math.floor(businessStart)), yAxis: yLabels[(days[0] ?? 1) - 1] },
            { xAxis: hourLabel(Math.ceil(businessEnd) - 1), yAxis: yLabels[(days[days.length - 1] ?? 5) - 1] },
          ],
        ]
      : [];
  const word = measure === 'pages' ? 'pages' : 'interruptions';
  const tooltip = (params: unknown): string => {
    const p = params as { data: [number, number, number] };
    const [hour, day, value] = p.data;
    const cell = h.cells.find((c) => c.hour === hour && c.weekday === day + 1);
    return [
      `<div class="tt-title">${escapeHtml(weekdayNames[day] ?? '')} ${hourLabel(hour)}–${hourLabel((hour + 1) % 24)}</div>`,
      `<div class="tt-row">${measure === 'pages' ? 'Pages' : 'Interruptions'}<b>${formatNumber(value)}</b></div>`,
      cell && measure === 'pages'
        ? `<div class="tt-row tt-muted">Interruptions<b>${formatNumber(cell.interruptions)}</b></div>`
        : '',
      input.drill && value > 0 ? '<div class="tt-note">Click for these pages.</div>' : '',
    ].join('');
  };
  const outline = (type: 'dashed' | 'dotted', color: string) => ({
    silent: true,
    itemStyle: { color: 'transparent', borderColor: color, borderWidth: 2, borderType: type },
    label: {
      show: true,
      position: 'insideTopLeft' as const,
      color,
      fontSize: theme.fontSize - 1,
      offset: [0, -16] as [number, number],
    },
  });
  const option: ChartOption = {
    ...baseOption(theme),
    grid: { left: 4, right: 8, top: 26, bottom: 52, containLabel: true },
    tooltip: { ...tooltipBase(theme), trigger: 'item', formatter: tooltip },
    xAxis: {
      type: 'category',
      data: xLabels,
      splitArea: { show: false },
      axisLabel: { color: ink.muted, fontSize: theme.fontSize, interval: 1 },
      axisTick: { show: false },
      axisLine: { show: false },
    },
    yAxis: {
      type: 'category',
      data: yLabels,
      inverse: true,
      axisLabel: { color: ink.muted, fontSize: theme.fontSize },
      axisTick: { show: false },
      axisLine: { show: false },
    },
    visualMap: {
      min: 0,
      max,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 180,
      itemWidth: 12,
      text: [`${formatNumber(max)} ${word}`, '0'],
      textStyle: { color: ink.muted, fontSize: theme.fontSize },
      inRange: { color: sequentialBlues },
    },
    series: [
      {
        type: 'heatmap',
        name: word,
        data,
        itemStyle: { borderColor: '#ffffff', borderWidth: 2, borderRadius: 3 },
        emphasis: { itemStyle: { borderColor: ink.text, borderWidth: 1 } },
        markArea: { ...outline('dashed', ink.text), data: sleepAreas as never },
      },
      {
        type: 'heatmap',
        name: 'business',
        data: [],
        markArea: { ...outline('dotted', '#6b5b00'), data: businessAreas as never },
      },
    ],
  };
  const rows: Cell[][] = h.cells.map((c) => [weekdayNames[c.weekday - 1] ?? String(c.weekday), c.hour, c.pages, c.interruptions]);
  const drill = input.drill
    ? (_series: number, dataIndex: number): DrillRef | null => {
        const d = data[dataIndex];
        return d && input.drill && d[2] > 0 ? input.drill(d[1] + 1, d[0]) : null;
      }
    : undefined;
  return {
    option,
    table: {
      columns: [
        { label: 'Weekday' },
        { label: 'Hour', numeric: true },
        { label: 'Pages', numeric: true },
        { label: 'Interruptions', numeric: true },
      ],
      rows,
    },
    empty,
    smallSample: false,
    ...(drill ? { drill } : {}),
  };
}
