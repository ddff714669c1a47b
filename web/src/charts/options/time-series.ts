// Bars and lines over time buckets, from a metric's rows (every bucket of the range is present):
// one or more fields of ungrouped rows (median and p90, deployments and deploy days), or one
// field per group (a line per severity, a stacked bar per team). Small-sample points are drawn
// hollow (lines) or faded and hatched (bars) and say so in the tooltip.
import type { Grain, MetricRow } from '../../api/types.ts';
import { bucketRange, daysBetween, nextBucket } from '../../lib/dates.ts';
import { formatBucket, formatNumber } from '../../lib/format.ts';
import type { ChartOption } from '../echarts.ts';
import { type Cell, type ChartSpec, type Column, type DataTable, type DrillRef, escapeHtml } from '../spec.ts';
import { type ChartTheme, colorAt, ink, seriesColors, seriesDecals, symbolAt } from '../theme.ts';
import { baseOption, categoryAxis, legend, smallSampleNote, targetLine, tooltipBase, valueAxis } from './common.ts';

export interface SeriesDef {
  /** The row field drawn (unless `value` is given). */
  field: string;
  label: string;
  kind: 'bar' | 'line';
  stack?: string;
  dashed?: boolean;
  /** The value drawn, converted to the axis unit (seconds to hours, ratio to percent). */
  value?: (row: MetricRow) => number | null;
  color?: string;
  /** Draw against the second (right-hand) axis. */
  secondAxis?: boolean;
}

export interface AxisDef {
  name: string;
  /** Unit after values in tooltips ('h'). */
  unit?: string;
  /** Words above the axis (default the unit). */
  title?: string;
  percent?: boolean;
  max?: number;
}

export interface ExtraColumn {
  field: string;
  label: string;
  unit?: string;
  value?: (row: MetricRow) => number | string | null;
}

export interface TimeSeriesInput {
  rows: readonly MetricRow[];
  grain: Grain;
  series: readonly SeriesDef[];
  /** The rows are grouped (groupBy): one series per group, of series[0]. */
  grouped?: { label: (group: string) => string; colors?: Record<string, string> };
  axes: readonly AxisDef[];
  target?: { value: number; label: string };
  /** Which rows rest on a small sample (default: the row's smallSample flag). */
  small?: (row: MetricRow) => boolean;
  /** More numbers per bucket for the table and the tooltip (ungrouped only), e.g. n. */
  extra?: readonly ExtraColumn[];
  drill?: (row: MetricRow) => DrillRef | null;
  /** The range the rows cover: the tooltip says when a bucket is only partly inside it. */
  range?: { from: string; to: string };
  theme: ChartTheme;
}

/** Days of a bucket inside the range, and the bucket's length, when it is cut by the range. */
export function partialBucket(
  bucket: string,
  grain: Grain,
  range: { from: string; to: string },
): { inside: number; length: number } | null {
  const length = daysBetween(bucket, nextBucket(bucket, grain));
  const clipped = bucketRange(bucket, grain, range);
  const inside = Math.max(0, daysBetween(clipped.from, clipped.to) + 1);
  return inside < length ? { inside, length } : null;
}

const numberOf = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function valueAt(def: SeriesDef, row: MetricRow | undefined): number | null {
  if (!row) return null;
  return def.value ? def.value(row) : numberOf(row[def.field]);
}

function formatValue(value: number | null, axis: AxisDef | undefined): string {
  if (value === null) return '–';
  if (axis?.percent) return `${formatNumber(value, 1)}%`;
  return `${formatNumber(value, 2)}${axis?.unit ? ` ${axis.unit}` : ''}`;
}

function isSmall(input: TimeSeriesInput, row: MetricRow | undefined): boolean {
  if (!row) return false;
  return input.small ? input.small(row) : row.smallSample === true;
}

/** Point data with the small-sample style. */
function point(value: number | null, small: boolean, kind: 'bar' | 'line', color: string) {
  if (value === null || !small) return value;
  return kind === 'line'
    ? { value, symbolSize: 9, itemStyle: { color: '#ffffff', borderColor: color, borderWidth: 2 } }
    : { value, itemStyle: { opacity: 0.45, decal: seriesDecals[1] } };
}

export function buildTimeSeries(input: TimeSeriesInput): ChartSpec {
  const { theme } = input;
  const grouped = input.grouped;
  const rows = [...input.rows].sort((a, b) => String(a.bucket).localeCompare(String(b.bucket)));
  const buckets = [...new Set(rows.map((r) => String(r.bucket)))];
  const labels = buckets.map((b) => formatBucket(b, input.grain));
  const first = input.series[0];
  if (!first) throw new Error('buildTimeSeries needs at least one series');

  type Line = { def: SeriesDef; name: string; color: string; rowsByBucket: (MetricRow | undefined)[]; group: string | null };
  let lines: Line[];
  if (grouped) {
    const totals = new Map<string, number>();
    for (const r of rows) {
      if (r.group === null) continue;
      totals.set(r.group, (totals.get(r.group) ?? 0) + Math.abs(valueAt(first, r) ?? 0));
    }
    const groups = [...totals.keys()].sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0) || a.localeCompare(b));
    lines = groups.map((g, i) => ({
      def: first,
      name: grouped.label(g),
      color: grouped.colors?.[g] ?? colorAt(i),
      group: g,
      rowsByBucket: buckets.map((b) => rows.find((r) => r.bucket === b && r.group === g)),
    }));
  } else {
    const ungrouped = rows.filter((r) => r.group === null);
    lines = input.series.map((def, i) => ({
      def,
      name: def.label,
      color: def.color ?? colorAt(i),
      group: null,
      rowsByBucket: buckets.map((b) => ungrouped.find((r) => r.bucket === b)),
    }));
  }

  const values = lines.map((line) => line.rowsByBucket.map((r) => valueAt(line.def, r)));
  const smallFlags = lines.map((line) => line.rowsByBucket.map((r) => isSmall(input, r)));
  const empty = values.every((vs) => vs.every((v) => v === null || v === 0));
  const smallSample = smallFlags.some((fs, i) => fs.some((f, j) => f && values[i]?.[j] !== null));

  const series = lines.map((line, i) => {
    const axisIndex = line.def.secondAxis ? 1 : 0;
    const data = (values[i] ?? []).map((v, j) => point(v, smallFlags[i]?.[j] ?? false, line.def.kind, line.color));
    const common = {
      name: line.name,
      yAxisIndex: axisIndex,
      data,
      itemStyle: { color: line.color },
      emphasis: { focus: 'series' as const },
      ...(line.def.stack ? { stack: line.def.stack } : {}),
    };
    if (line.def.kind === 'bar') {
      return {
        ...common,
        type: 'bar' as const,
        barMaxWidth: 28,
        itemStyle: {
          color: line.color,
          borderRadius: line.def.stack ? 0 : [3, 3, 0, 0],
          ...(line.def.stack ? { decal: seriesDecals[i % seriesDecals.length] } : {}),
        },
        ...(i === 0 && input.target ? { markLine: targetLine(theme, input.target.value, input.target.label) } : {}),
      };
    }
    return {
      ...common,
      type: 'line' as const,
      // The symbol follows the colour, so a team or severity keeps its shape on every chart.
      symbol: symbolAt(
        (seriesColors as readonly string[]).indexOf(line.color) >= 0
          ? (seriesColors as readonly string[]).indexOf(line.color)
          : i,
      ),
      symbolSize: 7,
      showSymbol: true,
      connectNulls: false,
      lineStyle: { width: 2, color: line.color, type: line.def.dashed ? ('dashed' as const) : ('solid' as const) },
      ...(i === 0 && input.target ? { markLine: targetLine(theme, input.target.value, input.target.label) } : {}),
    };
  });

  const ungroupedRows = grouped ? [] : (lines[0]?.rowsByBucket ?? []);
  const tooltipFormatter = (params: unknown): string => {
    const list = (Array.isArray(params) ? params : [params]) as { dataIndex: number; seriesIndex: number }[];
    const index = list[0]?.dataIndex ?? 0;
    const parts = [`<div class="tt-title">${escapeHtml(labels[index] ?? '')}</div>`];
    for (const p of list) {
      const line = lines[p.seriesIndex];
      if (!line) continue;
      const v = values[p.seriesIndex]?.[index] ?? null;
      const axis = input.axes[line.def.secondAxis ? 1 : 0];
      const small = smallFlags[p.seriesIndex]?.[index] && v !== null ? ' <span class="tt-flag">small sample</span>' : '';
      parts.push(
        `<div class="tt-row"><span class="tt-dot" style="background:${line.color}"></span>${escapeHtml(line.name)}<b>${escapeHtml(formatValue(v, axis))}</b>${small}</div>`,
      );
    }
    const row = ungroupedRows[index];
    if (row && input.extra) {
      for (const x of input.extra) {
        const v = x.value ? x.value(row) : (row[x.field] as number | string | null);
        const text = typeof v === 'number' ? formatNumber(v, 2) : (v ?? '–');
        parts.push(
          `<div class="tt-row tt-muted">${escapeHtml(x.label)}<b>${escapeHtml(`${text}${x.unit && v !== null ? ` ${x.unit}` : ''}`)}</b></div>`,
        );
      }
    }
    const partial = input.range && input.grain !== 'day' ? partialBucket(buckets[index] ?? '', input.grain, input.range) : null;
    if (partial)
      parts.push(`<div class="tt-note">Partial period: ${partial.inside} of ${partial.length} days in the range.</div>`);
    if (smallFlags.some((fs, i) => fs[index] && values[i]?.[index] !== null)) {
      parts.push(`<div class="tt-note">Hollow or faded: ${smallSampleNote}.</div>`);
    }
    if (input.drill) parts.push('<div class="tt-note">Click for the records.</div>');
    return parts.join('');
  };

  const yAxis = input.axes.map((axis, i) => ({
    ...valueAxis(theme, axis.percent ? '%' : (axis.title ?? axis.unit ?? axis.name), {
      ...(axis.max !== undefined ? { max: axis.max } : {}),
      min: 0,
    }),
    ...(i === 1 ? { splitLine: { show: false }, position: 'right' as const } : {}),
  }));

  const option: ChartOption = {
    ...baseOption(theme),
    legend: legend(theme, lines.length > 1),
    grid: { ...baseOption(theme).grid, top: lines.length > 1 ? 44 : 28 },
    tooltip: {
      ...tooltipBase(theme),
      trigger: 'axis',
      axisPointer: { type: 'shadow', shadowStyle: { color: 'rgba(0,114,178,.06)' } },
      formatter: tooltipFormatter,
    },
    xAxis: categoryAxis(theme, labels),
    yAxis,
    series,
  };

  const table = timeSeriesTable(input, buckets, lines, values, smallFlags, ungroupedRows);
  const drill = input.drill
    ? (seriesIndex: number, dataIndex: number): DrillRef | null => {
        const line = lines[seriesIndex];
        const row = line?.rowsByBucket[dataIndex];
        return row && input.drill ? input.drill(row) : null;
      }
    : undefined;
  return { option, table, empty, smallSample, ...(drill ? { drill } : {}) };
}

function timeSeriesTable(
  input: TimeSeriesInput,
  buckets: string[],
  lines: { def: SeriesDef; name: string }[],
  values: (number | null)[][],
  smallFlags: boolean[][],
  ungroupedRows: (MetricRow | undefined)[],
): DataTable {
  const columns: Column[] = [{ label: 'Bucket start' }];
  for (const line of lines) {
    const axis = input.axes[line.def.secondAxis ? 1 : 0];
    columns.push({ label: line.name, ...(axis?.percent ? { unit: '%' } : axis?.unit ? { unit: axis.unit } : {}), numeric: true });
  }
  const extras = input.grouped ? [] : (input.extra ?? []);
  for (const x of extras) columns.push({ label: x.label, ...(x.unit ? { unit: x.unit } : {}), numeric: true });
  const anySmall = smallFlags.some((fs) => fs.some(Boolean));
  if (anySmall && !input.grouped) columns.push({ label: 'Small sample' });
  const rows: Cell[][] = buckets.map((bucket, j) => {
    const row: Cell[] = [bucket, ...values.map((vs) => vs[j] ?? null)];
    const source = ungroupedRows[j];
    for (const x of extras) {
      const v = source ? (x.value ? x.value(source) : (source[x.field] as Cell)) : null;
      row.push(Array.isArray(v) ? null : (v ?? null));
    }
    if (anySmall && !input.grouped) row.push(smallFlags.some((fs) => fs[j]));
    return row;
  });
  return { columns, rows };
}

/** Value helpers for SeriesDef.value. */
export const percentOf =
  (field: string) =>
  (row: MetricRow): number | null => {
    const v = numberOf(row[field]);
    return v === null ? null : Math.round(v * 1000) / 10;
  };

export const durationOf =
  (field: string, unitSeconds: number, digits = 2) =>
  (row: MetricRow): number | null => {
    const v = numberOf(row[field]);
    if (v === null) return null;
    const f = 10 ** digits;
    return Math.round((v / unitSeconds) * f) / f;
  };

export const inkMuted = ink.muted;
