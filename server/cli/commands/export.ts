// vigil export <what>: the same CSV the API serves, written from the command line. <what> is a
// record kind (deployments, incidents, pages, oncall-shifts) or a metric name; the options are
// the API's query parameters. It opens the database itself, so while `vigil serve` holds the file
// it says so in one line and exits 1 (the server's /api/<what>.csv gives the same file).
import { writeFileSync } from 'node:fs';
import { applyConfig } from '../../config/apply.ts';
import { loadConfig } from '../../config/load.ts';
import { openDatabase } from '../../db/index.ts';
import { csvFileName, csvText, writeCsvFile } from '../../lib/csv.ts';
import { QueryError, type RawParams, resolveQuery } from '../../metrics/query.ts';
import { findRecordKind, recordCsvQuery, recordKinds } from '../../metrics/records/index.ts';
import { refreshDerived } from '../../metrics/refresh.ts';
import { computeMetric, findMetric, knownFilterValues, metricNames } from '../../metrics/registry.ts';
import type { MetricRow } from '../../metrics/types.ts';
import { type Command, configOption } from '../args.ts';
import { EXIT_OK, UsageError } from '../errors.ts';

/** CLI option -> API parameter, for the options that are spelled differently. */
const optionToParam: Record<string, string> = {
  'group-by': 'groupBy',
  'hour-class': 'hourClass',
  'on-call': 'onCall',
};
const paramToOption = Object.fromEntries(Object.entries(optionToParam).map(([o, p]) => [p, o]));

const listOptions = ['team', 'service', 'repo', 'severity'] as const;
const singleOptions = [
  'from',
  'to',
  'tz',
  'grain',
  'group-by',
  'thresholds',
  'person',
  'schedule',
  'environment',
  'outcome',
  'status',
  'cause',
  'label',
  'rule',
  'hour-class',
  'on-call',
  'level',
] as const;

function flatten(columns: string[], rows: MetricRow[]) {
  const cols = columns.flatMap((c) => (c === 'ci90' ? ['ci90Low', 'ci90High'] : [c]));
  const out = rows.map((r) => {
    const flat: Record<string, string | number | boolean | null> = {};
    for (const c of columns) {
      const v = r[c];
      if (c === 'ci90') {
        flat.ci90Low = Array.isArray(v) ? (v[0] as number) : null;
        flat.ci90High = Array.isArray(v) ? (v[1] as number) : null;
      } else flat[c] = (v ?? null) as string | number | boolean | null;
    }
    return flat;
  });
  return { cols, out };
}

function asUsage(error: unknown): never {
  if (error instanceof QueryError) {
    const option = `--${paramToOption[error.parameter] ?? error.parameter}`;
    const allowed = error.allowed ? ` Allowed: ${error.allowed.join(', ')}.` : '';
    const message = error.message.startsWith(`${error.parameter} `)
      ? error.message.slice(error.parameter.length + 1)
      : error.message;
    throw new UsageError(`${option}: ${message}${allowed}`, 'export');
  }
  throw error;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write records or a metric as CSV (the same files as the API)',
  usage:
    `vigil export <${recordKinds.map((k) => k.name).join('|')}|METRIC|metric:METRIC> [--from DATE] [--to DATE] [--team ID]... ` +
    '[--service ID]... [--repo OWNER/NAME]... [--severity SEVn]... [--tz ZONE] [--grain G] [--group-by G] [--out FILE|-]',
  positionals: 1,
  options: {
    ...configOption,
    out: { type: 'string', short: 'o' },
    ...Object.fromEntries(listOptions.map((o) => [o, { type: 'string' as const, multiple: true }])),
    ...Object.fromEntries(singleOptions.map((o) => [o, { type: 'string' as const }])),
  },
  async run(values, positionals) {
    const what = positionals[0];
    const kinds = recordKinds.map((k) => k.name);
    if (!what)
      throw new UsageError(`say what to export: ${kinds.join(', ')}, or a metric (${metricNames.join(', ')}).`, 'export');
    // Some names are both a record kind and a metric (pages, incidents): records win, and
    // metric:NAME picks the metric.
    const kind = what.startsWith('metric:') ? undefined : findRecordKind(what);
    const metric = kind ? undefined : findMetric(what.replace(/^metric:/, ''));
    if (!kind && !metric) {
      throw new UsageError(
        `nothing called "${what}" to export. Records: ${kinds.join(', ')}. Metrics: ${metricNames.join(', ')} ` +
          '(metric:NAME for a metric that shares its name with records).',
        'export',
      );
    }
    const raw: RawParams = {};
    for (const o of listOptions) {
      const v = values[o];
      if (Array.isArray(v) && v.length > 0) raw[o] = v;
    }
    for (const o of singleOptions) {
      const v = values[o];
      if (typeof v === 'string') raw[optionToParam[o] ?? o] = [v];
    }
    const { config } = loadConfig(values.config as string);
    const db = await openDatabase(config.database);
    try {
      await applyConfig(db, config);
      await refreshDerived(db, config);
      const ctx = { db, config };
      let fileName: string;
      let rows: number;
      const out = values.out as string | undefined;
      if (kind) {
        const q = await resolveQuery(db, raw, {
          defaultTz: config.timeZone,
          records: true,
          extra: Object.fromEntries(Object.entries(kind.params).filter(([k]) => k !== 'limit' && k !== 'cursor')),
          known: await knownFilterValues(db, config),
        }).catch(asUsage);
        // The refresh's pre-rendered lines when they are current, as the API's download does.
        const { sql, params, options } = await recordCsvQuery(db, kind, q).catch(asUsage);
        fileName = out ?? csvFileName(['vigil', kind.name, q.fromDate, q.toDate]);
        rows = await writeCsvFile(db, sql, params, fileName, kind.columns, options);
      } else {
        const m = metric as NonNullable<typeof metric>;
        const result = await computeMetric(ctx, m, raw).catch(asUsage);
        const { cols, out: flat } = flatten(['bucket', 'group', ...m.columns.map((c) => c.name)], result.rows);
        fileName = out ?? csvFileName(['vigil', m.name, result.params.fromDate, result.params.toDate]);
        const text = csvText(cols, flat);
        if (fileName === '-') process.stdout.write(text);
        else writeFileSync(fileName, text, 'utf8');
        rows = flat.length;
      }
      if (fileName !== '-') process.stderr.write(`Wrote ${rows} row${rows === 1 ? '' : 's'} to ${fileName}.\n`);
      return EXIT_OK;
    } finally {
      await db.close();
    }
  },
};
