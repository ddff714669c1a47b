// What the web dashboard needs besides the metrics and records: distributions (duration
// histograms and the page hour x weekday heat map, JSON and CSV), the people who get paged (so
// charts grouped by person show names, not PagerDuty ids) and the settings that define the
// metrics (targets, hours, window), so every chart can draw its target and explain an empty state.
// Responses are typed for the web's hono/client, and cached by data version like the others.
import { Hono, type TypedResponse } from 'hono';
import { durationMinutes } from '../../config/schema.ts';
import { csvFileName, csvHeaders, csvText } from '../../lib/csv.ts';
import {
  type DurationDistribution,
  distributionGroupBy,
  distributionNames,
  durationDistribution,
  durationSpec,
  type PageHours,
  pageHours,
} from '../../metrics/distributions.ts';
import { resolveQuery } from '../../metrics/query.ts';
import { knownFilterValues } from '../../metrics/registry.ts';
import type { AppEnv } from '../app.ts';
import { notFound } from '../errors.ts';
import { type Ctx, cached, metricContext, rawParams, withQueryErrors } from './reporting-support.ts';

type Json<T> = TypedResponse<T, 200, 'json'>;

export interface Person {
  id: string;
  name: string;
  timeZone: string | null;
  url: string | null;
  /** Teams whose schedules the person was on call for. */
  teams: string[];
}

export interface DashboardSettings {
  timeZone: string;
  severityTargetsSeconds: Record<string, number | null>;
  attributionWindowHours: number;
  pagesPerWeekTarget: number;
  pageChannels: string[];
  businessHours: { start: string; end: string; days: number[] };
  sleepHours: { start: string; end: string };
  badNightInterruptions: number;
  concentrationThreshold: number;
  doraThresholds: string;
  defaultProductionPattern: string;
}

async function distributionQuery(c: Ctx, name: string) {
  const ctx = await metricContext(c);
  const q = await withQueryErrors(async () =>
    resolveQuery(ctx.db, rawParams(c), {
      defaultTz: ctx.config.timeZone,
      groupBy: distributionGroupBy(name),
      known: await knownFilterValues(ctx.db, ctx.config),
    }),
  );
  return { ctx, q };
}

function compute(c: Ctx, name: string) {
  return async (): Promise<DurationDistribution | PageHours> => {
    const { ctx, q } = await distributionQuery(c, name);
    return withQueryErrors<DurationDistribution | PageHours>(() =>
      name === 'page-hours' ? pageHours(ctx, q) : durationDistribution(ctx, name, q),
    );
  };
}

export const dashboardRoutes = new Hono<AppEnv>()
  .get('/distributions/:name', async (c) => {
    const requested = c.req.param('name');
    const csv = requested.endsWith('.csv');
    const name = csv ? requested.slice(0, -4) : requested;
    if (name !== 'page-hours' && !durationSpec(name)) {
      throw notFound(`No distribution "${name}".`, `Distributions: ${distributionNames.join(', ')}.`, {
        distributions: distributionNames,
      });
    }
    if (!csv) {
      const run = compute(c, name);
      return (await cached(c, 'application/json', async () => JSON.stringify(await run()))) as unknown as Json<
        DurationDistribution | PageHours
      >;
    }
    const { q } = await distributionQuery(c, name);
    const response = await cached(c, 'text/csv', async () => {
      const result = await compute(c, name)();
      if (result.kind === 'heatmap')
        return csvText(
          ['weekday', 'hour', 'pages', 'interruptions'],
          result.cells.map((r) => ({ ...r })),
        );
      return csvText(
        ['group', 'bin', 'lo', 'hi', 'n'],
        result.bins.map((r) => ({ ...r })),
      );
    });
    for (const [k, v] of Object.entries(csvHeaders(csvFileName(['vigil', name, q.fromDate, q.toDate])))) {
      if (k !== 'Content-Type') response.headers.set(k, v);
    }
    return response;
  })
  .get('/people', async (c) => {
    const ctx = await metricContext(c);
    return (await cached(c, 'application/json', async () => {
      const items = await ctx.db.all<Person>(
        `WITH t AS (
           SELECT user_id, list(DISTINCT team_id ORDER BY team_id) AS teams FROM d_shifts WHERE team_id IS NOT NULL GROUP BY user_id
         )
         SELECT u.id, u.name, u.time_zone AS "timeZone", u.html_url AS url, coalesce(t.teams, []) AS teams
         FROM pd_users u LEFT JOIN t ON t.user_id = u.id ORDER BY u.name, u.id`,
      );
      return JSON.stringify({ items });
    })) as unknown as Json<{ items: Person[] }>;
  })
  .get('/settings', (c) => {
    const { config } = c.get('deps');
    const seconds = (text: string | null): number | null => (text ? durationMinutes(text) * 60 : null);
    const targets = Object.fromEntries(Object.entries(config.severity.targets).map(([k, v]) => [k, seconds(v)]));
    const body: DashboardSettings = {
      timeZone: config.timeZone,
      severityTargetsSeconds: targets,
      attributionWindowHours: (seconds(config.attribution.window) ?? 0) / 3600,
      pagesPerWeekTarget: config.onCall.pagesPerWeekTarget,
      pageChannels: [...config.onCall.pageChannels],
      businessHours: { ...config.onCall.businessHours, days: [...config.onCall.businessHours.days] },
      sleepHours: { ...config.onCall.sleepHours },
      badNightInterruptions: config.onCall.badNightInterruptions,
      concentrationThreshold: config.onCall.concentrationThreshold,
      doraThresholds: config.dora.thresholds,
      defaultProductionPattern: '^(prod|production)$',
    };
    return c.json(body);
  });
