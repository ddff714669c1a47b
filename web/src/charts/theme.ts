// Colours and type for every chart and badge. Series colours are the Okabe-Ito palette, which
// stays distinguishable with the common colour-vision deficiencies; no meaning rests on red versus
// green alone: levels carry a word and a shape, series carry a symbol and a line style, and the
// heat map is one sequential hue (light to dark). The same values are CSS variables in styles.
import type { Level } from '../api/types.ts';

export const okabeIto = {
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  sky: '#56B4E9',
  purple: '#CC79A7',
  yellow: '#F0E442',
  black: '#000000',
} as const;

/** Series order: the strongest contrasts first; yellow last (weak on white). */
export const seriesColors = [
  okabeIto.blue,
  okabeIto.orange,
  okabeIto.green,
  okabeIto.vermillion,
  okabeIto.purple,
  okabeIto.sky,
  '#6b5b00',
  okabeIto.black,
] as const;

/** Symbols per series, so lines stay apart without colour. */
export const seriesSymbols = ['circle', 'rect', 'triangle', 'diamond', 'roundRect', 'pin', 'arrow', 'emptyCircle'] as const;

/** An ECharts decal (a fill pattern), as its option types describe it. */
export interface Decal {
  symbol?: string;
  symbolSize?: number;
  color?: string;
  dashArrayX?: number | (number | number[])[];
  dashArrayY?: number | number[];
  rotation?: number;
}

/** Bar patterns (ECharts decals) for stacked series: shape, not only colour. */
export const seriesDecals: Decal[] = [
  { symbol: 'none' },
  {
    symbol: 'rect',
    symbolSize: 1,
    color: 'rgba(255,255,255,0.45)',
    dashArrayX: [1, 0],
    dashArrayY: [2, 4],
    rotation: Math.PI / 4,
  },
  { symbol: 'circle', symbolSize: 0.7, color: 'rgba(255,255,255,0.5)', dashArrayX: [[4, 4]], dashArrayY: [4, 4] },
  {
    symbol: 'rect',
    symbolSize: 1,
    color: 'rgba(255,255,255,0.45)',
    dashArrayX: [1, 0],
    dashArrayY: [2, 4],
    rotation: -Math.PI / 4,
  },
];

/** Hot to cold, and a neutral grey for the least severe; lines also differ by symbol. */
export const severityColors: Record<string, string> = {
  SEV1: okabeIto.vermillion,
  SEV2: okabeIto.orange,
  SEV3: okabeIto.blue,
  SEV4: '#8a8f99',
};

export interface LevelStyle {
  label: string;
  color: string;
  /** A shape drawn next to the word, so the level reads without colour. */
  mark: string;
}

export const levelStyles: Record<Level, LevelStyle> = {
  elite: { label: 'Elite', color: okabeIto.blue, mark: '◆' },
  high: { label: 'High', color: okabeIto.green, mark: '▲' },
  medium: { label: 'Medium', color: okabeIto.orange, mark: '●' },
  low: { label: 'Low', color: okabeIto.vermillion, mark: '▼' },
};

/** Sequential blues for the heat map (ColorBrewer Blues, readable in greyscale too). */
export const sequentialBlues = [
  '#f7fbff',
  '#deebf7',
  '#c6dbef',
  '#9ecae1',
  '#6baed6',
  '#4292c6',
  '#2171b5',
  '#08519c',
  '#08306b',
];

export const ink = {
  text: '#1c2330',
  muted: '#5b6575',
  faint: '#8a93a3',
  grid: '#e7eaef',
  axis: '#c9ced8',
  target: '#1c2330',
  surface: '#ffffff',
} as const;

export interface ChartTheme {
  /** Base font size of axis labels and legends, px. */
  fontSize: number;
}

export const normalTheme: ChartTheme = { fontSize: 12 };
export const largeTheme: ChartTheme = { fontSize: 16 };

export function colorAt(index: number): string {
  return seriesColors[index % seriesColors.length] as string;
}

export function symbolAt(index: number): string {
  return seriesSymbols[index % seriesSymbols.length] as string;
}
