// Pages by hour of day and weekday in each recipient's own zone: a 24 x 7 grid in one sequential
// hue (light to dark, readable in greyscale), with a second hour axis underneath that marks where
// sleep hours, business hours and off hours begin, so the regions read in words, not colour.
// A click on a cell leads to the pages of that hour and weekday.
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

export type HourClass = 'sleep' | 'business' | 'off';

/** The class of each hour of a business day (0..23), from the configured hours. */
export function hourClasses(h: PageHours['hours']): HourClass[] {
  const inRange = (hour: number, start: number, end: number) =>
    start <= end ? hour >= start && hour < end : hour >= start || hour < end;
  return Array.from({ length: 24 }, (_, hour) =>
    inRange(hour + 0.5, h.sleepStart, h.sleepEnd)
      ? 'sleep'
      : inRange(hour + 0.5, h.businessStart, h.businessEnd)
        ? 'business'
        : 'off',
  );
}

const classWords: Record<HourClass, string> = { sleep: '☾ Sleep hours', business: 'Business hours (Mon–Fri)', off: 'Off hours' };

export function buildHeatmap(input: HeatmapInput): ChartSpec {
  const { hours: h, measure, theme } = input;
  const xLabels = Array.from({ length: 24 }, (_, i) => hourLabel(i));
  const yLabels = weekdayNames.map((d) => d.slice(0, 3));
  const data = h.cells.map((c) => [c.hour, c.weekday - 1, c[measure]] as [number, number, number]);
  const max = Math.max(1, ...data.map((d) => d[2]));
  const empty = data.every((d) => d[2] === 0);
  const classes = hourClasses(h.hours);
  // Where the class changes: a tick at the boundary and the class's name at its first hour.
  const starts = new Set(classes.map((c, i) => (i === 0 || classes[i - 1] !== c ? i : -1)).filter((i) => i >= 0));
  const word = measure === 'pages' ? 'pages' : 'interruptions';
  const tooltip = (params: unknown): string => {
    const p = params as { data: [number, number, number] };
    const [hour, day, value] = p.data;
    const cell = h.cells.find((c) => c.hour === hour && c.weekday === day + 1);
    const cls = day >= 5 && classes[hour] === 'business' ? 'off' : (classes[hour] ?? 'off');
    return [
      `<div class="tt-title">${escapeHtml(weekdayNames[day] ?? '')} ${hourLabel(hour)}–${hourLabel((hour + 1) % 24)}</div>`,
      `<div class="tt-row tt-muted">${escapeHtml(classWords[cls].replace(' (Mon–Fri)', ''))}</div>`,
      `<div class="tt-row">${measure === 'pages' ? 'Pages' : 'Interruptions'}<b>${formatNumber(value)}</b></div>`,
      cell && measure === 'pages'
        ? `<div class="tt-row tt-muted">Interruptions<b>${formatNumber(cell.interruptions)}</b></div>`
        : '',
      input.drill && value > 0 ? '<div class="tt-note">Click for these pages.</div>' : '',
    ].join('');
  };
  const option: ChartOption = {
    ...baseOption(theme),
    grid: { left: 4, right: 8, top: 8, bottom: 64, containLabel: true },
    tooltip: { ...tooltipBase(theme), trigger: 'item', formatter: tooltip },
    xAxis: [
      {
        type: 'category',
        data: xLabels,
        axisLabel: { color: ink.muted, fontSize: theme.fontSize, interval: 1 },
        axisTick: { show: false },
        axisLine: { show: false },
      },
      {
        type: 'category',
        data: xLabels,
        position: 'bottom',
        offset: 22,
        axisLine: { show: true, lineStyle: { color: ink.axis } },
        axisTick: { show: true, length: 8, interval: (index: number) => starts.has(index), lineStyle: { color: ink.text } },
        axisLabel: {
          interval: (index: number) => starts.has(index),
          formatter: (_: string, index: number) => classWords[classes[index] ?? 'off'],
          color: ink.text,
          fontSize: theme.fontSize - 1,
          align: 'left',
          margin: 6,
        },
      },
    ],
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
      right: 8,
      bottom: 0,
      itemHeight: 160,
      itemWidth: 10,
      text: [`${formatNumber(max)} ${word}`, '0'],
      textStyle: { color: ink.muted, fontSize: theme.fontSize - 1 },
      inRange: { color: sequentialBlues },
      seriesIndex: 0,
    },
    series: [
      {
        type: 'heatmap',
        name: word,
        xAxisIndex: 0,
        data,
        itemStyle: { borderColor: '#ffffff', borderWidth: 2, borderRadius: 3 },
        emphasis: { itemStyle: { borderColor: ink.text, borderWidth: 1 } },
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
