// What an option builder returns: the ECharts option, the table of exactly the numbers it draws
// (shown under "Table" and downloaded as CSV), where a click on a point leads (the records behind
// it), and whether the chart is empty or rests on small samples. Builders are pure functions of
// API answers, so they are tested without a browser.
import type { Query } from '../api/client.ts';
import type { RecordKindName } from '../api/records.ts';
import { type CsvCell, toCsv } from '../lib/csv.ts';
import type { ChartOption } from './echarts.ts';

export type Cell = string | number | boolean | null;

export interface Column {
  label: string;
  unit?: string;
  numeric?: boolean;
}

export interface DataTable {
  columns: Column[];
  rows: Cell[][];
}

/** The records behind a point: a record kind and the query that selects them. */
export interface DrillRef {
  kind: RecordKindName;
  query: Query;
  /** What the records are, in words (the records page's title). */
  label: string;
}

export interface ChartSpec {
  option: ChartOption;
  table: DataTable;
  drill?: (seriesIndex: number, dataIndex: number) => DrillRef | null;
  /** Nothing to draw (every value missing or zero). */
  empty: boolean;
  /** Some points rest on fewer than 10 values. */
  smallSample: boolean;
  /** What the small-sample flag means on this chart (default: hollow points and faded bars). */
  smallNote?: string;
}

export function columnHeader(column: Column): string {
  return column.unit ? `${column.label} (${column.unit})` : column.label;
}

export function tableCsv(table: DataTable): string {
  return toCsv(
    table.columns.map(columnHeader),
    table.rows.map((r) => r as CsvCell[]),
  );
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text placed in tooltip HTML (team, person and rule names come from outside). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] as string);
}

export const SMALL_SAMPLE = 10;
