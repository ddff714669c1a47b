// The records behind the numbers, with the same filters as the metrics and cursor pagination:
// GET /api/deployments, /api/incidents, /api/pages, /api/oncall-shifts (JSON pages of `limit`,
// newest first, `nextCursor` for the next page), each also as .csv (every matching record,
// streamed at constant memory), plus /api/deployments/{id} and /api/incidents/{id} in full.
import { Hono } from 'hono';
import { csvFileName, csvHeaders, csvStream } from '../../lib/csv.ts';
import { resolveQuery } from '../../metrics/query.ts';
import { getDeployment } from '../../metrics/records/deployments.ts';
import { getIncident } from '../../metrics/records/incidents.ts';
import { type RecordKind, recordCsvQuery, recordKinds } from '../../metrics/records/index.ts';
import { parsePage } from '../../metrics/records/shared.ts';
import { knownFilterValues } from '../../metrics/registry.ts';
import type { AppEnv } from '../app.ts';
import { notFound } from '../errors.ts';
import { type Ctx, cachedJson, metricContext, rawParams, withQueryErrors } from './reporting-support.ts';

async function recordQuery(c: Ctx, kind: RecordKind, csv: boolean) {
  const ctx = await metricContext(c);
  const raw = rawParams(c);
  const params = csv
    ? Object.fromEntries(Object.entries(kind.params).filter(([k]) => k !== 'limit' && k !== 'cursor'))
    : kind.params;
  const q = await withQueryErrors(async () =>
    resolveQuery(ctx.db, raw, {
      defaultTz: ctx.config.timeZone,
      extra: params,
      known: await knownFilterValues(ctx.db, ctx.config),
    }),
  );
  return { ctx, q };
}

function register(app: Hono<AppEnv>, kind: RecordKind) {
  app.get(`/${kind.name}`, async (c) => {
    const { ctx, q } = await recordQuery(c, kind, false);
    return cachedJson(c, async () => {
      const page = await withQueryErrors(async () => parsePage(q.extra));
      const result = await withQueryErrors(() => kind.list(ctx, q, page));
      const { extra, ...params } = q;
      return { params: { ...params, ...extra }, limit: page.limit, ...result };
    });
  });
  app.get(`/${kind.name}.csv`, async (c) => {
    const { q } = await recordQuery(c, kind, true);
    const db = c.get('deps').db;
    const { sql, params, options } = await withQueryErrors(() => recordCsvQuery(db, kind, q));
    return new Response(csvStream(db, sql, params, kind.columns, options), {
      status: 200,
      headers: csvHeaders(csvFileName(['vigil', kind.name, q.fromDate, q.toDate])),
    });
  });
}

export const recordRoutes = new Hono<AppEnv>();
for (const kind of recordKinds) register(recordRoutes, kind);

recordRoutes.get('/deployments/:id', async (c) => {
  const id = c.req.param('id');
  const ctx = await metricContext(c);
  return cachedJson(c, async () => {
    const deployment = await getDeployment(ctx, id);
    if (!deployment)
      throw notFound(`No deployment "${id}".`, 'GET /api/deployments lists them (environment=all for every environment).');
    return deployment;
  });
});

recordRoutes.get('/incidents/:id', async (c) => {
  const id = c.req.param('id');
  const ctx = await metricContext(c);
  return cachedJson(c, async () => {
    const incident = await getIncident(ctx, id);
    if (!incident) throw notFound(`No incident "${id}".`, 'GET /api/incidents lists them.');
    return incident;
  });
});
