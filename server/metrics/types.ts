// The shape of a metric module (STYLE.md §1): name, exact definition, parameters, the dimensions
// of its fact table, the columns of its rows, and one compute function.
import type { VigilConfig } from '../config/schema.ts';
import type { Plain } from '../db/convert.ts';
import type { QueryRunner } from '../db/index.ts';
import type { FilterName, Grain, GroupBy, MetricQuery } from './query.ts';
import type { Dimensions } from './sql.ts';

export interface MetricContext {
  db: QueryRunner;
  config: VigilConfig;
}

export type RowValue = Plain | [number, number];

/** One row: a bucket (local start date, null in range totals), a group (null without groupBy), values. */
export interface MetricRow {
  bucket: string | null;
  group: string | null;
  [field: string]: RowValue;
}

export interface MetricResult {
  /** One row per bucket (and group), every bucket of the range present. */
  rows: MetricRow[];
  /** The same values over the whole range, one row per group. */
  summary: MetricRow[];
  /** Things the reader must know: filters that do not apply, targets, thresholds. */
  notes: string[];
  /** A reference line to draw (e.g. the pages-per-on-call-week target). */
  target?: { value: number; description: string };
}

export interface MetricColumn {
  name: string;
  description: string;
  unit?: string;
}

export interface MetricDefinition {
  name: string;
  title: string;
  /** Unit of the headline value. */
  unit: string;
  kind: 'count' | 'ratio' | 'duration' | 'table';
  /** The exact definition (what counts, when, exclusions), as in METRICS.md. */
  definition: string;
  /** Where the filters and group dimensions live in the metric's facts. */
  dimensions: Dimensions;
  /** groupBy values the metric supports besides 'none'. */
  groupBy: readonly GroupBy[];
  defaultGrain?: Grain;
  defaultGroupBy?: GroupBy;
  /** Metric-specific parameters and their allowed values (undefined = free text). */
  params?: Record<string, { description: string; values?: readonly string[] }>;
  /** The fields of each row besides bucket and group. */
  columns: readonly MetricColumn[];
  compute(ctx: MetricContext, q: MetricQuery): Promise<MetricResult>;
}

export const filtersOf = (m: MetricDefinition): FilterName[] =>
  (['team', 'service', 'repo', 'severity'] as const).filter((f) => m.dimensions[f] !== undefined);
