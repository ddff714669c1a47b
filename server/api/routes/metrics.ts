// GET /api/metrics (the catalogue), GET /api/metrics/{name} and {name}.csv, GET /api/dora/summary
// and GET /api/docs/metrics (the definitions document). One query shape for all (server/metrics/query.ts).
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { csvFileName, csvHeaders, csvText } from '../../lib/csv.ts';
import { selectVersion, thresholdIds, thresholdVersions } from '../../metrics/dora/levels.ts';
import { doraGroups } from '../../metrics/dora/summary.ts';
import { QueryError, resolveQuery } from '../../metrics/query.ts';
import { computeMetric, describeMetric, findMetric, knownFilterValues, metricNames, metrics } from '../../metrics/registry.ts';
import type { MetricRow } from '../../metrics/types.ts';
import type { AppEnv } from '../app.ts';
import { notFound } from '../errors.ts';
import { cached, cachedJson, metricContext, rawParams, withQueryErrors } from './reporting-support.ts';

const METRICS_DOC = new URL('../../metrics/METRICS.md', import.meta.url);

/** Metric rows flattened for CSV: the confidence interval becomes two columns. */
function csvRows(columns: string[], rows: MetricRow[]) {
  const hasCi = columns.includes('ci90');
  const cols = hasCi ? columns.flatMap((c) => (c === 'ci90' ? ['ci90Low', 'ci90High'] : [c])) : columns;
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

export const metricRoutes = new Hono<AppEnv>()
  .get('/metrics', async (c) => cachedJson(c, async () => ({ metrics: metrics.map(describeMetric) })))
  .get('/metrics/:name', async (c) => {
    const requested = c.req.param('name');
    const csv = requested.endsWith('.csv');
    const name = csv ? requested.slice(0, -4) : requested;
    const metric = findMetric(name);
    if (!metric) {
      throw notFound(`No metric "${name}".`, `Metrics: ${metricNames.join(', ')}.`, { metrics: metricNames });
    }
    const ctx = await metricContext(c);
    if (!csv) {
      return cachedJson(c, () => withQueryErrors(() => computeMetric(ctx, metric, rawParams(c))));
    }
    let fileName = csvFileName(['vigil', name]);
    const response = await cached(c, 'text/csv', async () => {
      const result = await withQueryErrors(() => computeMetric(ctx, metric, rawParams(c)));
      fileName = csvFileName(['vigil', name, result.params.fromDate, result.params.toDate]);
      const { cols, out } = csvRows(['bucket', 'group', ...metric.columns.map((col) => col.name)], result.rows);
      return csvText(cols, out);
    });
    const headers = csvHeaders(fileName);
    for (const [k, v] of Object.entries(headers)) if (k !== 'Content-Type') response.headers.set(k, v);
    return response;
  })
  .get('/dora/summary', async (c) => {
    const ctx = await metricContext(c);
    return cachedJson(c, () =>
      withQueryErrors(async () => {
        const known = await knownFilterValues(ctx.db, ctx.config);
        const raw = rawParams(c);
        const q = await resolveQuery(ctx.db, raw, {
          defaultTz: ctx.config.timeZone,
          groupBy: ['team'],
          defaultGroupBy: 'team',
          extra: { thresholds: ['latest', ...thresholdIds] },
          known,
        });
        const versionId = q.extra.thresholds ?? ctx.config.dora.thresholds;
        const version = selectVersion(versionId);
        if (!version) throw new QueryError('thresholds', `Unknown thresholds "${versionId}".`, ['latest', ...thresholdIds]);
        const teamIds = q.team.length > 0 ? q.team : [...ctx.config.teams.map((t) => t.id)];
        const byTeam = await doraGroups(ctx, { ...q, groupBy: 'team' }, version, teamIds);
        const [organisation] = await doraGroups(ctx, { ...q, groupBy: 'none' }, version, [null]);
        const { extra: _e, ...params } = q;
        return {
          params: { ...params, thresholds: version.id },
          thresholds: {
            id: version.id,
            title: version.title,
            sources: version.sources,
            notes: version.notes ?? [],
            bands: {
              deploymentFrequency: version.deploymentFrequency,
              leadTime: version.leadTime,
              changeFailureRate: version.changeFailureRate,
              recoveryTime: version.recoveryTime,
            },
          },
          available: thresholdVersions.map((v) => ({ id: v.id, title: v.title, complete: v.complete })),
          teams: byTeam.map(({ group, ...rest }) => ({
            team: group,
            name: ctx.config.teams.find((t) => t.id === group)?.name ?? group,
            ...rest,
          })),
          organisation: organisation ? { ...organisation, group: undefined } : null,
        };
      }),
    );
  })
  .get('/docs/metrics', (c) => {
    const text = readFileSync(METRICS_DOC, 'utf8');
    return c.body(text, 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
  });
