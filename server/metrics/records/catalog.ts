// The organisation as Vigil sees it: teams (from the config, with what they map), services,
// repositories and alert rules, each with a few counts so a user can check the mapping.
import type { MetricContext } from '../types.ts';

export async function listTeams(ctx: MetricContext) {
  const counts = await ctx.db.all<{ team_id: string; deployments: number; incidents: number; pages: number }>(
    // One grouped count per table, joined: the same as a correlated count per team, which DuckDB
    // planned ~3x slower over millions of records.
    `WITH d AS (SELECT team_id, count(*) AS n FROM d_deployments WHERE production AND outcome = 'success' GROUP BY team_id),
       i AS (SELECT team_id, count(*) AS n FROM d_incidents GROUP BY team_id),
       p AS (SELECT team_id, count(*) AS n FROM d_pages GROUP BY team_id)
     SELECT t.id AS team_id, coalesce(d.n, 0) AS deployments, coalesce(i.n, 0) AS incidents, coalesce(p.n, 0) AS pages
     FROM (SELECT id FROM teams UNION SELECT 'unassigned') t
       LEFT JOIN d ON d.team_id = t.id LEFT JOIN i ON i.team_id = t.id LEFT JOIN p ON p.team_id = t.id`,
  );
  const by = new Map(counts.map((c) => [c.team_id, c]));
  const teams = ctx.config.teams.map((t) => ({
    id: t.id,
    name: t.name,
    timeZone: t.timeZone ?? ctx.config.timeZone,
    repos: t.repos.map((r) => ({ name: r.name, productionPattern: r.productionPattern, workflow: r.workflow ?? null })),
    services: t.services,
    schedules: t.schedules,
    counts: {
      deployments: by.get(t.id)?.deployments ?? 0,
      incidents: by.get(t.id)?.incidents ?? 0,
      pages: by.get(t.id)?.pages ?? 0,
    },
  }));
  const un = by.get('unassigned');
  return {
    items: [
      ...teams,
      {
        id: 'unassigned',
        name: 'Unassigned',
        timeZone: ctx.config.timeZone,
        repos: [],
        services: [],
        schedules: [],
        description: 'Records of repositories, services or schedules mapped to no team: counted here, never dropped.',
        counts: { deployments: un?.deployments ?? 0, incidents: un?.incidents ?? 0, pages: un?.pages ?? 0 },
      },
    ],
  };
}

export async function listServices(ctx: MetricContext) {
  const items = await ctx.db.all(
    `WITH ids AS (SELECT id FROM pd_services UNION SELECT service_id FROM team_services UNION SELECT DISTINCT service_id FROM d_incidents),
     owner AS (SELECT service_id, min(team_id) AS team_id FROM team_services GROUP BY service_id),
     n AS (SELECT service_id, count(*) AS incidents, max(created_at) AS last FROM d_incidents GROUP BY service_id)
     SELECT ids.id, s.name, s.status, s.html_url AS url, coalesce(o.team_id, 'unassigned') AS team, (o.team_id IS NOT NULL) AS mapped,
       (s.id IS NOT NULL) AS synced, coalesce(n.incidents, 0) AS incidents, n.last AS "lastIncidentAt"
     FROM ids LEFT JOIN pd_services s ON s.id = ids.id LEFT JOIN owner o ON o.service_id = ids.id
     LEFT JOIN n ON n.service_id = ids.id
     WHERE ids.id IS NOT NULL ORDER BY coalesce(s.name, ids.id)`,
  );
  return { items };
}

/** Non-production environments listed per repository (all are counted). */
export const OTHER_ENVIRONMENTS_SHOWN = 20;

export async function listRepos(ctx: MetricContext) {
  const items = await ctx.db.all(
    `WITH ids AS (SELECT repo FROM team_repos UNION SELECT repo FROM d_envs),
     owner AS (SELECT repo, min(team_id) AS team_id, any_value(production_pattern) AS pattern FROM team_repos GROUP BY repo),
     envs AS (SELECT repo, list(environment ORDER BY environment) FILTER (WHERE production) AS production,
       (list(environment ORDER BY environment) FILTER (WHERE NOT production))[1:$other_max] AS other,
       count(*) FILTER (WHERE NOT production) AS other_n FROM d_envs GROUP BY repo),
     n AS (SELECT repo, count(*) FILTER (WHERE production AND outcome = 'success') AS deployments, max(deployed_at) AS last
       FROM d_deployments GROUP BY repo)
     SELECT ids.repo AS name, coalesce(o.team_id, 'unassigned') AS team, (o.team_id IS NOT NULL) AS mapped,
       o.pattern AS "productionPattern", coalesce(e.production, []) AS "productionEnvironments",
       coalesce(e.other, []) AS "otherEnvironments", coalesce(e.other_n, 0) AS "otherEnvironmentCount",
       coalesce(n.deployments, 0) AS deployments, n.last AS "lastDeployedAt"
     FROM ids LEFT JOIN owner o ON o.repo = ids.repo LEFT JOIN envs e ON e.repo = ids.repo LEFT JOIN n ON n.repo = ids.repo
     ORDER BY ids.repo`,
    // Preview environments (one per pull request) run to hundreds per repository: the first
    // OTHER_ENVIRONMENTS_SHOWN by name and the count (the large organisation's list was 2.3 MB).
    { other_max: OTHER_ENVIRONMENTS_SHOWN },
  );
  return { items };
}
