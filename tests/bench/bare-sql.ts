// "Bare SQL" (issue 9): the same question an endpoint answers, asked straight of the normalised
// tables without Vigil's derived tables, rollups or cache, the way a dashboard without them would
// (the queries of /work/shared/DUCKDB-NOTES.md §2: pages per user per week, duration percentiles
// per week and group, change-failure rate with an ASOF join of each incident to the team's latest
// production deployment before it, production deploys per week and repository). It is the
// yardstick the target "endpoint / bare SQL <= 0.5 for the slow ones" divides by. A reference, not
// Vigil's definitions: production is the environment named production or prod, a deployment's
// time its first success, an incident's cause the team's latest production deployment before it,
// a duration the raw PagerDuty timestamps' difference. Endpoints with no counterpart get none.
import type { Params } from '../../server/db/index.ts';

export interface BareQuery {
  /** The statements, run one after another. */
  statements: { sql: string; params: Params }[];
}

const GRAINS = new Set(['day', 'week', 'month', 'quarter', 'year']);
const PROD = "lower(d.environment) IN ('production', 'prod') AND d.succeeded_at IS NOT NULL";

function range(q: URLSearchParams): { lo: string; hi: string } | null {
  const from = q.get('from');
  const to = q.get('to');
  if (!from || !to) return null;
  return { lo: `${from}T00:00:00Z`, hi: new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString() };
}

function grainOf(q: URLSearchParams, fallback = 'week'): string {
  const g = q.get('grain') ?? fallback;
  return GRAINS.has(g) ? g : fallback;
}

function deployFrequency(r: { lo: string; hi: string }, grain: string, groupBy: string | null) {
  const grp = groupBy === 'repo' ? 'd.repo' : groupBy === 'team' ? 'tr.team_id' : 'NULL';
  return {
    sql: `SELECT date_trunc('${grain}', d.succeeded_at) AS bucket, ${grp} AS grp, count(*) AS n,
        count(DISTINCT CAST(d.succeeded_at AS DATE)) AS days
      FROM deployments d JOIN team_repos tr ON tr.repo = d.repo
      WHERE ${PROD} AND d.succeeded_at >= CAST($lo AS TIMESTAMPTZ) AND d.succeeded_at < CAST($hi AS TIMESTAMPTZ)
      GROUP BY ALL`,
    params: r,
  };
}

function leadTime(r: { lo: string; hi: string }, grain: string, groupBy: string | null) {
  const grp = groupBy === 'repo' ? 'd.repo' : groupBy === 'team' ? 'tr.team_id' : 'NULL';
  return {
    sql: `SELECT date_trunc('${grain}', d.succeeded_at) AS bucket, ${grp} AS grp, count(*) AS n,
        quantile_cont(epoch(d.succeeded_at - c.authored_at), 0.5) AS median,
        quantile_cont(epoch(d.succeeded_at - c.authored_at), 0.9) AS p90
      FROM deployments d JOIN team_repos tr ON tr.repo = d.repo
      JOIN deployment_commits dc ON dc.deployment_id = d.id JOIN commits c ON c.repo = dc.repo AND c.sha = dc.sha
      WHERE ${PROD} AND d.succeeded_at >= CAST($lo AS TIMESTAMPTZ) AND d.succeeded_at < CAST($hi AS TIMESTAMPTZ)
      GROUP BY GROUPING SETS ((bucket, grp), (grp))`,
    params: r,
  };
}

function changeFailure(r: { lo: string; hi: string }, grain: string) {
  return {
    sql: `WITH dep AS (
        SELECT d.id, tr.team_id, d.succeeded_at AS t FROM deployments d JOIN team_repos tr ON tr.repo = d.repo WHERE ${PROD}
      ), inc AS (
        SELECT i.id, ts.team_id, i.created_at AS t FROM incidents i JOIN team_services ts ON ts.service_id = i.service_id
        WHERE i.created_at >= CAST($lo AS TIMESTAMPTZ) AND i.created_at < CAST($hi AS TIMESTAMPTZ)
      ), cause AS (
        SELECT DISTINCT dep.id FROM inc ASOF JOIN dep ON inc.team_id = dep.team_id AND inc.t >= dep.t
      )
      SELECT date_trunc('${grain}', dep.t) AS bucket, count(*) AS n, count(cause.id) AS failed
      FROM dep LEFT JOIN cause ON cause.id = dep.id
      WHERE dep.t >= CAST($lo AS TIMESTAMPTZ) AND dep.t < CAST($hi AS TIMESTAMPTZ) GROUP BY ALL`,
    params: r,
  };
}

function incidentDurations(r: { lo: string; hi: string }, grain: string, groupBy: string | null, end: string) {
  const grp =
    groupBy === 'service'
      ? 'i.service_id'
      : groupBy === 'team'
        ? 'ts.team_id'
        : groupBy === 'severity'
          ? 'i.priority_name'
          : 'NULL';
  return {
    sql: `SELECT date_trunc('${grain}', i.created_at) AS bucket, ${grp} AS grp, count(*) AS n,
        quantile_cont(epoch(${end} - i.created_at), 0.5) AS median, quantile_cont(epoch(${end} - i.created_at), 0.9) AS p90
      FROM incidents i LEFT JOIN team_services ts ON ts.service_id = i.service_id
      WHERE i.created_at >= CAST($lo AS TIMESTAMPTZ) AND i.created_at < CAST($hi AS TIMESTAMPTZ) AND ${end} IS NOT NULL
      GROUP BY GROUPING SETS ((bucket, grp), (grp))`,
    params: r,
  };
}

function pagesPerUser(r: { lo: string; hi: string }, grain: string) {
  return {
    sql: `SELECT date_trunc('${grain}', n.started_at) AS bucket, n.user_id, count(*) AS pages
      FROM notifications n
      WHERE n.started_at >= CAST($lo AS TIMESTAMPTZ) AND n.started_at < CAST($hi AS TIMESTAMPTZ) GROUP BY ALL`,
    params: r,
  };
}

/** The bare counterpart of an endpoint path, or null when it has none. */
export function bareQuery(path: string): BareQuery | null {
  const url = new URL(path, 'http://x');
  const q = url.searchParams;
  const r = range(q);
  if (!r) return null;
  const groupBy = q.get('groupBy');
  const p = url.pathname;
  const one = (s: { sql: string; params: Params }) => ({ statements: [s] });
  if (p === '/api/metrics/deployment-frequency' || p === '/api/metrics/deploy-days')
    return one(deployFrequency(r, grainOf(q), groupBy));
  if (p === '/api/metrics/lead-time' || p === '/api/distributions/lead-time') return one(leadTime(r, grainOf(q), groupBy));
  if (p === '/api/metrics/change-failure-rate' || p === '/api/metrics/deploy-failure-rate')
    return one(changeFailure(r, grainOf(q, 'month')));
  if (['/api/metrics/mttr', '/api/metrics/time-to-restore', '/api/metrics/recovery-time', '/api/distributions/mttr'].includes(p))
    return one(incidentDurations(r, grainOf(q), groupBy, 'i.resolved_at'));
  if (p === '/api/metrics/mtta' || p === '/api/metrics/mttd')
    return one(incidentDurations(r, grainOf(q), groupBy, 'i.last_status_change_at'));
  if (['/api/metrics/pages', '/api/metrics/pages-per-oncall-week', '/api/distributions/page-hours'].includes(p))
    return one(pagesPerUser(r, grainOf(q)));
  if (p === '/api/dora/summary') {
    // The four DORA keys over the range, per team and in all, as the summary shows them.
    const grain = 'year';
    return {
      statements: [
        deployFrequency(r, 'week', 'team'),
        leadTime(r, grain, 'team'),
        changeFailure(r, 'month'),
        incidentDurations(r, grain, 'team', 'i.resolved_at'),
      ],
    };
  }
  return null;
}
