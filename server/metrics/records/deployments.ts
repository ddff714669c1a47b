// Deployment records: the deployments behind deployment frequency, lead time, change failure and
// rework, with their changes and the incidents attributed to them (JSON, cursor-paged, newest
// first), the same as CSV, and one deployment in full (statuses, commits, pull requests,
// incidents with evidence) for the deployments page.
import type { Params, QueryRunner } from '../../db/index.ts';
import type { MetricQuery } from '../query.ts';
import { filterExpr, queryParams, usedParams } from '../sql.ts';
import type { MetricContext } from '../types.ts';
import {
  type CsvLinesQuery,
  cursorExpr,
  cursorParams,
  encodeCursor,
  isoSql,
  type Page,
  sliceExpr,
  timeSlices,
} from './shared.ts';

export const deploymentParams = {
  limit: undefined,
  cursor: undefined,
  environment: ['production', 'all'],
  outcome: ['success', 'failure', 'pending', 'superseded', 'all'],
  changeFailed: ['true', 'false', 'all'],
} as const;

const dims = { team: 'd.team_id', repo: 'd.repo' } as const;
const TIME = 'coalesce(d.deployed_at, d.finished_at, d.created_at)';

/** The export's filters; `time` is the sort time (TIME on d_deployments, the stored sort_time on the lines). */
function where(q: MetricQuery, time = TIME): string {
  const env = (q.extra.environment ?? 'production') === 'production' ? 'AND d.production' : '';
  const outcome = q.extra.outcome && q.extra.outcome !== 'all' ? 'AND d.outcome = $outcome' : '';
  // The deployments counted as change failures (caused an incident or were rolled back).
  const failed =
    q.extra.changeFailed === 'true'
      ? 'AND d.change_failed'
      : q.extra.changeFailed === 'false'
        ? 'AND NOT coalesce(d.change_failed, false)'
        : '';
  // created_at <= the sort time always; the extra bound lets zone maps skip old row groups.
  return `${time} >= CAST($lo AS TIMESTAMPTZ) AND ${time} < CAST($hi AS TIMESTAMPTZ) AND d.created_at < CAST($hi AS TIMESTAMPTZ)
    ${env} ${outcome} ${failed} ${filterExpr(q, dims)}`;
}

function params(q: MetricQuery): Params {
  return { ...queryParams(q), ...(q.extra.outcome ? { outcome: q.extra.outcome } : {}) };
}

export async function listDeployments(ctx: MetricContext, q: MetricQuery, page: Page) {
  const sql = `
    SELECT d.id, d.repo, d.environment, d.team_id AS team, d.source, d.sha, d.ref, d.creator, d.created_at AS "createdAt",
      d.deployed_at AS "deployedAt", d.finished_at AS "finishedAt", d.outcome, d.production, d.prev_id AS "previousId",
      d.is_rollback AS "isRollback", d.rolled_back AS "rolledBack", d.rollback_id AS "rollbackId",
      d.change_failed AS "changeFailed", d.caused_incidents AS "causedIncidents", d.is_rework AS "isRework",
      d.rework_incident_id AS "reworkIncidentId", d.change_count AS "changeCount", ${TIME} AS sort_time
    FROM d_deployments d
    WHERE ${where(q)} ${cursorExpr(page, TIME, 'd.id')}
    ORDER BY ${TIME} DESC, d.id DESC LIMIT ${page.limit + 1}`;
  const rows = await ctx.db.all<Record<string, unknown>>(sql, usedParams(sql, { ...params(q), ...cursorParams(page) }));
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  const ids = items.map((r) => String(r.id));
  // Changes carry their deployment's time: bound the scan by the page's times (zone maps prune).
  const deployed = items
    .map((r) => r.deployedAt)
    .filter((t): t is string => typeof t === 'string')
    .sort();
  const times = { from: deployed[0] ?? '1970-01-01T00:00:00Z', to: deployed.at(-1) ?? '1970-01-01T00:00:00Z' };
  const changes = deployed.length
    ? await ctx.db.all<Record<string, unknown>>(
        `SELECT deployment_id, change_key AS key, kind, pr_number AS "prNumber", sha, title, author,
           first_commit_at AS "firstCommitAt", lead_time_s AS "leadTimeSeconds", commit_count AS "commitCount"
         FROM d_changes
         WHERE deployment_id IN (SELECT unnest($ids)) AND deployed_at >= CAST($from AS TIMESTAMPTZ)
           AND deployed_at <= CAST($to AS TIMESTAMPTZ)
         ORDER BY first_commit_at`,
        { ids, from: times.from, to: times.to },
      )
    : [];
  const incidents = ids.length
    ? await ctx.db.all<Record<string, unknown>>(
        `SELECT a.deployment_id, a.incident_id AS id, i.title, i.severity, i.created_at AS "createdAt", a.method,
           a.evidence_text AS evidence
         FROM d_attribution a JOIN d_incidents i ON i.id = a.incident_id
         WHERE a.cause = 'change_caused' AND a.deployment_id IN (SELECT unnest($ids)) ORDER BY i.created_at`,
        { ids },
      )
    : [];
  const last = items.at(-1);
  return {
    items: items.map(({ sort_time: _t, ...d }) => ({
      ...d,
      changes: changes.filter((c) => c.deployment_id === d.id).map(({ deployment_id: _d, ...c }) => c),
      incidents: incidents.filter((i) => i.deployment_id === d.id).map(({ deployment_id: _d, ...i }) => i),
    })),
    nextCursor: more && last ? encodeCursor(String(last.sort_time), String(last.id)) : null,
  };
}

export const deploymentCsvColumns = [
  'id',
  'repo',
  'environment',
  'team',
  'sha',
  'ref',
  'creator',
  'outcome',
  'created_at',
  'deployed_at',
  'finished_at',
  'is_rollback',
  'rolled_back',
  'rollback_id',
  'change_failed',
  'caused_incidents',
  'is_rework',
  'change_count',
  'median_lead_time_s',
  'incident_ids',
] as const;

/** The CSV columns' expressions over d_deployments `d`, lt (median lead time) and inc (incident ids). */
const CSV_SELECT = `d.id, d.repo, d.environment, d.team_id AS team, d.sha, d.ref, d.creator, d.outcome,
      ${isoSql('d.created_at')} AS created_at, ${isoSql('d.deployed_at')} AS deployed_at, ${isoSql('d.finished_at')} AS finished_at,
      d.is_rollback, d.rolled_back, d.rollback_id, d.change_failed, d.caused_incidents, d.is_rework, d.change_count,
      lt.m AS median_lead_time_s, inc.ids AS incident_ids`;

/** lt and inc, over the deployments `scope` selects (a condition on `deployment_id`). */
function csvAggregates(scope: string): string {
  return `lt AS (SELECT deployment_id, quantile_cont(lead_time_s, 0.5) AS m FROM d_changes WHERE ${scope} GROUP BY deployment_id),
    inc AS (
      SELECT deployment_id, string_agg(incident_id, ';' ORDER BY incident_id) AS ids FROM d_attribution
      WHERE cause = 'change_caused' AND ${scope} GROUP BY deployment_id
    )`;
}

export function deploymentsCsvQuery(q: MetricQuery): { sql: string; params: Params } {
  const sql = `
    WITH ${csvAggregates('true')}
    SELECT ${CSV_SELECT}
    FROM d_deployments d LEFT JOIN lt ON lt.deployment_id = d.id LEFT JOIN inc ON inc.deployment_id = d.id
    WHERE ${where(q)}
    ORDER BY ${TIME} DESC, d.id DESC`;
  return { sql, params: usedParams(sql, params(q)) };
}

/**
 * The rows csv-lines.ts renders into d_csv_deployments: the CSV columns of every deployment (or of
 * those whose id is in the temp table `scopeTable`), with the keys the export filters and sorts on
 * (k_*, stored next to the line). Same expressions as deploymentsCsvQuery, so the same text.
 */
export function deploymentsCsvRenderSource(scopeTable: 's_csv_deployments' | null): { sql: string; carry: string[] } {
  const scope = scopeTable ? `deployment_id IN (SELECT id FROM ${scopeTable})` : 'true';
  const sql = `
    WITH ${csvAggregates(scope)}
    SELECT ${CSV_SELECT},
      d.id AS k_id, ${TIME} AS k_sort, d.created_at AS k_created, d.production AS k_production, d.outcome AS k_outcome,
      d.change_failed AS k_change_failed, d.team_id AS k_team, d.repo AS k_repo
    FROM d_deployments d LEFT JOIN lt ON lt.deployment_id = d.id LEFT JOIN inc ON inc.deployment_id = d.id
    WHERE ${scopeTable ? `d.id IN (SELECT id FROM ${scopeTable})` : 'true'}`;
  return {
    sql,
    carry: ['k_id', 'k_sort', 'k_created', 'k_production', 'k_outcome', 'k_change_failed', 'k_team', 'k_repo'],
  };
}

/**
 * The export over the pre-rendered lines (d_csv_deployments, filter columns named as on
 * d_deployments): the same filters and order as deploymentsCsvQuery, over narrow rows of stored
 * text, cut into time slices. A deployment's time moves when it finishes, so a write during a
 * sliced export fails it rather than leave the deployment out (keysMayMove).
 */
export async function deploymentsCsvLinesQuery(q: MetricQuery, db: Pick<QueryRunner, 'one'>): Promise<CsvLinesQuery> {
  const filter = where(q, 'd.sort_time');
  const ps = usedParams(filter, params(q));
  const slices = await timeSlices(db, 'd_csv_deployments d', 'd.sort_time', filter, ps);
  const sql = `
    SELECT d.line FROM d_csv_deployments d
    WHERE ${filter} ${slices.length > 0 ? sliceExpr('d.sort_time') : ''}
    ORDER BY d.sort_time DESC, d.id DESC`;
  return { sql, params: ps, slices, keysMayMove: true };
}

/** One deployment in full, or undefined. */
export async function getDeployment(ctx: MetricContext, id: string) {
  const d = await ctx.db.one<Record<string, unknown>>(
    `SELECT d.id, d.repo, d.environment, d.team_id AS team, d.source, d.github_id AS "githubId", d.sha, d.ref, d.creator,
       d.created_at AS "createdAt", d.deployed_at AS "deployedAt", d.finished_at AS "finishedAt", d.outcome, d.production,
       d.prev_id AS "previousId", d.next_id AS "nextId", d.is_rollback AS "isRollback", d.rolled_back AS "rolledBack",
       d.rollback_id AS "rollbackId", d.change_failed AS "changeFailed", d.caused_incidents AS "causedIncidents",
       d.is_rework AS "isRework", d.rework_incident_id AS "reworkIncidentId", d.change_count AS "changeCount",
       c.base_sha AS "baseSha", c.status AS "compareStatus", c.ahead_by AS "aheadBy", c.total_commits AS "totalCommits"
     FROM d_deployments d LEFT JOIN deployment_compares c ON c.deployment_id = d.id WHERE d.id = $id`,
    { id },
  );
  if (!d) return undefined;
  const [statuses, commits, changes, incidents] = await Promise.all([
    ctx.db.all(
      `SELECT id, state, environment, description, creator, log_url AS "logUrl", created_at AS "createdAt"
       FROM deployment_statuses WHERE deployment_id = $id ORDER BY created_at, id`,
      { id },
    ),
    ctx.db.all(
      `WITH mine AS (SELECT dc.sha, dc.position FROM deployment_commits dc WHERE dc.deployment_id = $id),
       merged AS (SELECT number, title, merge_commit_sha FROM pull_requests WHERE repo = $repo AND merged_at IS NOT NULL),
       pr AS (
         SELECT m.sha, min(p.number) AS number FROM mine m
         LEFT JOIN merged p ON p.merge_commit_sha = m.sha
         LEFT JOIN pull_request_commits pc ON pc.repo = $repo AND pc.sha = m.sha AND pc.number IN (SELECT number FROM merged)
         WHERE coalesce(p.number, pc.number) IS NOT NULL GROUP BY m.sha
       ),
       first_ship AS (
         SELECT dc.sha, first(dc.deployment_id ORDER BY d.deployed_at, dc.deployment_id) AS first_deployment
         FROM deployment_commits dc JOIN d_deployments d ON d.id = dc.deployment_id
         WHERE dc.repo = $repo AND d.production AND d.outcome = 'success' AND dc.sha IN (SELECT sha FROM mine)
         GROUP BY dc.sha
       )
       SELECT m.sha, m.position, c.message, c.author, c.authored_at AS "authoredAt", pr.number AS "pullRequest",
         (fs.first_deployment = $id) AS "firstShippedHere", fs.first_deployment AS "firstShippedBy"
       FROM mine m LEFT JOIN commits c ON c.repo = $repo AND c.sha = m.sha LEFT JOIN pr ON pr.sha = m.sha
       LEFT JOIN first_ship fs ON fs.sha = m.sha ORDER BY m.position`,
      { id, repo: String(d.repo) },
    ),
    ctx.db.all(
      `SELECT change_key AS key, kind, pr_number AS "prNumber", sha, title, author, first_commit_at AS "firstCommitAt",
         lead_time_s AS "leadTimeSeconds", commit_count AS "commitCount"
       FROM d_changes WHERE deployment_id = $id ORDER BY first_commit_at`,
      { id },
    ),
    ctx.db.all(
      `SELECT i.id, i.title, i.severity, i.status, i.created_at AS "createdAt", i.resolved_at AS "resolvedAt",
         i.html_url AS url, a.method, a.evidence, a.evidence_text AS "evidenceText"
       FROM d_attribution a JOIN d_incidents i ON i.id = a.incident_id
       WHERE a.deployment_id = $id AND a.cause = 'change_caused' ORDER BY i.created_at`,
      { id },
    ),
  ]);
  const prNumbers = [...new Set(commits.map((c) => c.pullRequest).filter((n): n is number => typeof n === 'number'))];
  const pullRequests =
    prNumbers.length === 0
      ? []
      : await ctx.db.all(
          `SELECT number, title, author, created_at AS "createdAt", merged_at AS "mergedAt", merge_commit_sha AS "mergeCommitSha",
       first_commit_at AS "firstCommitAt", commit_count AS "commitCount"
     FROM pull_requests WHERE repo = $repo AND list_contains($numbers, number) ORDER BY number`,
          { repo: String(d.repo), numbers: prNumbers },
        );
  return {
    ...d,
    statuses,
    commits,
    changes,
    pullRequests,
    incidents: incidents.map((i) => ({ ...i, evidence: typeof i.evidence === 'string' ? JSON.parse(i.evidence) : null })),
  };
}
