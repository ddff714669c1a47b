// Shared pieces of the option builders: axes, grid, legend and tooltip styling from the theme,
// and the marker that flags a small-sample point.
import { type ChartTheme, ink } from '../theme.ts';

export function baseOption(theme: ChartTheme) {
  return {
    animationDuration: 300,
    textStyle: { fontFamily: 'inherit', fontSize: theme.fontSize, color: ink.text },
    aria: { enabled: true, label: { enabled: true } },
    grid: { left: 4, right: 16, top: 40, bottom: 4, containLabel: true },
  } as const;
}

export function legend(theme: ChartTheme, show: boolean) {
  return {
    show,
    top: 0,
    left: 0,
    type: 'scroll' as const,
    itemWidth: 18,
    itemHeight: 10,
    itemGap: 16,
    textStyle: { fontSize: theme.fontSize, color: ink.muted },
  };
}

export function tooltipBase(theme: ChartTheme) {
  return {
    confine: true,
    backgroundColor: '#ffffff',
    borderColor: ink.axis,
    borderWidth: 1,
    padding: [8, 10] as [number, number],
    textStyle: { fontSize: theme.fontSize, color: ink.text },
    extraCssText: 'box-shadow: 0 4px 16px rgba(20,30,50,.12); border-radius: 6px;',
  };
}

export function categoryAxis(theme: ChartTheme, labels: string[]) {
  return {
    type: 'category' as const,
    data: labels,
    axisTick: { alignWithLabel: true, lineStyle: { color: ink.axis } },
    axisLine: { lineStyle: { color: ink.axis } },
    axisLabel: { color: ink.muted, fontSize: theme.fontSize, hideOverlap: true },
  };
}

export function valueAxis(theme: ChartTheme, name: string, options: { max?: number; min?: number } = {}) {
  return {
    type: 'value' as const,
    name,
    nameLocation: 'end' as const,
    nameTextStyle: { color: ink.muted, fontSize: theme.fontSize, align: 'left' as const },
    splitLine: { lineStyle: { color: ink.grid } },
    axisLabel: { color: ink.muted, fontSize: theme.fontSize },
    ...(options.max !== undefined ? { max: options.max } : {}),
    ...(options.min !== undefined ? { min: options.min } : {}),
  };
}

/** A line a metric is judged against (target, threshold), labelled so it reads without colour. */
export function targetLine(theme: ChartTheme, value: number, label: string, axis: 'x' | 'y' = 'y') {
  return {
    silent: true,
    symbol: 'none',
    lineStyle: { color: ink.target, type: 'dashed' as const, width: 1.5 },
    label: {
      formatter: label,
      position: axis === 'y' ? ('insideEndTop' as const) : ('end' as const),
      color: ink.text,
      fontSize: theme.fontSize - 1,
      backgroundColor: 'rgba(255,255,255,.85)',
      padding: [2, 4],
    },
    data: [axis === 'y' ? { yAxis: value } : { xAxis: value }],
  };
}

export const smallSampleNote = 'fewer than 10 values: read as noise';
