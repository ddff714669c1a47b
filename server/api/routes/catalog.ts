// The organisation: GET /api/teams, /api/services, /api/repos and /api/alert-rules (the rules
// with their noise over a range: the alert-rules metric's rows as records, same filters).
import { Hono } from 'hono';
import { listRepos, listServices, listTeams } from '../../metrics/records/catalog.ts';
import { computeMetric, findMetric } from '../../metrics/registry.ts';
import type { AppEnv } from '../app.ts';
import { cachedJson, metricContext, rawParams, withQueryErrors } from './reporting-support.ts';

export const catalogRoutes = new Hono<AppEnv>()
  .get('/teams', async (c) => {
    const ctx = await metricContext(c);
    return cachedJson(c, () => listTeams(ctx));
  })
  .get('/services', async (c) => {
    const ctx = await metricContext(c);
    return cachedJson(c, () => listServices(ctx));
  })
  .get('/repos', async (c) => {
    const ctx = await metricContext(c);
    return cachedJson(c, () => listRepos(ctx));
  })
  .get('/alert-rules', async (c) => {
    const ctx = await metricContext(c);
    const metric = findMetric('alert-rules');
    if (!metric) throw new Error('alert-rules metric missing');
    return cachedJson(c, async () => {
      const result = await withQueryErrors(() => computeMetric(ctx, metric, rawParams(c)));
      return {
        params: result.params,
        items: result.rows.map(({ bucket: _b, group, ...r }) => ({ signature: group, ...r })),
        summary: result.summary[0] ?? null,
        notes: result.notes,
      };
    });
  });
