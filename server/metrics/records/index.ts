// The record kinds behind the metrics, each with its parameters, JSON page, CSV query and CSV
// columns: shared by the API (/api/deployments, …) and `vigil export`.
import type { Params, QueryRunner } from '../../db/index.ts';
import type { CsvOptions } from '../../lib/csv.ts';
import { csvLinesCurrent, csvLinesVersion } from '../derive/csv-lines.ts';
import type { GroupBy, MetricQuery } from '../query.ts';
import type { MetricContext } from '../types.ts';
import {
  deploymentCsvColumns,
  deploymentParams,
  deploymentsCsvLinesQuery,
  deploymentsCsvQuery,
  listDeployments,
} from './deployments.ts';
import { incidentCsvColumns, incidentParams, incidentsCsvQuery, listIncidents } from './incidents.ts';
import { listShifts, shiftCsvColumns, shiftParams, shiftsCsvQuery } from './oncall-shifts.ts';
import { listPages, pageCsvColumns, pageParams, pagesCsvLinesQuery, pagesCsvQuery } from './pages.ts';
import type { CsvLinesQuery, Page } from './shared.ts';

export interface RecordKind {
  name: 'deployments' | 'incidents' | 'pages' | 'oncall-shifts';
  description: string;
  params: Record<string, readonly string[] | undefined>;
  filters: readonly ('team' | 'service' | 'repo' | 'severity')[];
  list(ctx: MetricContext, q: MetricQuery, page: Page): Promise<{ items: unknown[]; nextCursor: string | null }>;
  csv(q: MetricQuery): { sql: string; params: Params };
  /** The same export over pre-rendered lines (derive/csv-lines.ts), for kinds that keep them. */
  csvLines?(q: MetricQuery, db: Pick<QueryRunner, 'all' | 'one'>): Promise<CsvLinesQuery>;
  columns: readonly string[];
}

export const recordKinds: readonly RecordKind[] = [
  {
    name: 'deployments',
    description:
      'Production deployments (environment=all for every environment) with their changes and the incidents they caused',
    params: deploymentParams,
    filters: ['team', 'repo'],
    list: listDeployments,
    csv: deploymentsCsvQuery,
    csvLines: deploymentsCsvLinesQuery,
    columns: deploymentCsvColumns,
  },
  {
    name: 'incidents',
    description: 'Incidents with times, severity, attribution and evidence, detection source, label and timeline',
    params: incidentParams,
    filters: ['team', 'service', 'severity'],
    list: listIncidents,
    csv: incidentsCsvQuery,
    columns: incidentCsvColumns,
  },
  {
    name: 'pages',
    description: "Pages with the recipient's local time, hour class, interruption, incident, alert rule and label",
    params: pageParams,
    filters: ['team', 'service', 'severity'],
    list: listPages,
    csv: pagesCsvQuery,
    csvLines: pagesCsvLinesQuery,
    columns: pageCsvColumns,
  },
  {
    name: 'oncall-shifts',
    description: 'On-call shifts overlapping the range, with their hours in it',
    params: shiftParams,
    filters: ['team'],
    list: listShifts,
    csv: shiftsCsvQuery,
    columns: shiftCsvColumns,
  },
];

/**
 * The export query for a kind: over its pre-rendered lines when it keeps them and they match the
 * current derived tables, else rendered at query time. Both give the same bytes (tests/api).
 */
export async function recordCsvQuery(
  db: Pick<QueryRunner, 'one' | 'all'>,
  kind: RecordKind,
  q: MetricQuery,
): Promise<{ sql: string; params: Params; options: CsvOptions }> {
  if (kind.csvLines && (await csvLinesCurrent(db))) {
    const lines = await kind.csvLines(q, db);
    const options: CsvOptions = { rendered: true, slices: lines.slices };
    if (lines.keysMayMove) options.version = () => csvLinesVersion(db);
    return { sql: lines.sql, params: lines.params, options };
  }
  return { ...kind.csv(q), options: {} };
}

export function findRecordKind(name: string): RecordKind | undefined {
  return recordKinds.find((k) => k.name === name);
}

export const noGroupBy: readonly GroupBy[] = [];
