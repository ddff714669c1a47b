// Deployment facts and changes (METRICS.md "Deployments and DORA").
//
// d_deployments: every deployment with its outcome (newest status; `inactive` after a success is
// still a success), its time (first success status), production or not, the neighbouring
// successful deployments of the same repository and environment, and rollbacks: the next
// successful deployment ships a SHA an earlier one of that repository and environment had already
// shipped, and it is not a re-deploy of the same SHA, nor (per GitHub's compare with the previous
// deployment) ahead of it: shipping again a change that was rolled back is rolling forward.
//
// d_changes: each change (a merged pull request, or a commit in no merged pull request) counted
// once, for the successful production deployment that first shipped it, timed from its first
// commit (a pull request's earliest commit, so squash merges do not shorten lead time). The
// deployments with no base (the first of a repository and environment) contribute no change.
import type { WriteTx } from '../../db/index.ts';
import type { DeriveContext } from './context.ts';
import { configDay, configZoneJoin } from './zones.ts';

const repoScope = (ctx: DeriveContext, column = 'repo') => (ctx.full ? '' : `AND ${column} IN (SELECT repo FROM s_repos)`);

/** Production or not per (repo, environment), with the collectors' JS RegExp semantics. */
export async function deriveEnvironments(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  const pairs = await tx.all<{ repo: string; environment: string }>(
    `SELECT DISTINCT repo, environment FROM deployments WHERE true ${repoScope(ctx)}`,
  );
  const patterns = new Map<string, RegExp[]>();
  for (const team of ctx.settings.teams) {
    for (const repo of team.repos) {
      const list = patterns.get(repo.name) ?? [];
      list.push(new RegExp(repo.productionPattern, 'i'));
      patterns.set(repo.name, list);
    }
  }
  // A repository no longer in the config keeps the documented default pattern.
  const fallback = [/^(prod|production)$/i];
  const rows = pairs.map(({ repo, environment }) => {
    const production = (patterns.get(repo) ?? fallback).some((p) => p.test(environment));
    return [repo, environment, production ? 'true' : 'false'] as const;
  });
  await tx.run(`DELETE FROM d_envs WHERE true ${repoScope(ctx)}`);
  await tx.stage('t_envs', ['repo', 'environment', 'production'], rows);
  await tx.run('INSERT INTO d_envs SELECT repo, environment, CAST(production AS BOOLEAN) FROM t_envs');
}

/** The sort time of a deployment row (its outcome time, else its creation). */
const SORT = 'coalesce(deployed_at, finished_at, created_at)';

const COLUMNS = `id, repo, environment, team_id, source, github_id, sha, ref, creator, created_at,
  production, outcome, deployed_at, finished_at, deployed_day, finished_day, prev_id, next_id, is_rollback, rolled_back,
  rollback_id, change_count, caused_incidents, change_failed, is_rework, rework_incident_id`;

/** Normalised deployments with their owner, production flag, outcome and times (`where` narrows them). */
function timedSql(where: string): string {
  return `owner AS (SELECT repo, min(team_id) AS team_id FROM team_repos GROUP BY repo),
    base AS (
      SELECT d.id, d.repo, d.environment, coalesce(o.team_id, 'unassigned') AS team_id, d.source, d.github_id, d.sha,
        d.ref, d.creator, d.created_at,
        -- Runs of a repo's configured deploy workflow are its production deployments whatever the
        -- environment pattern says (the collector stores them as environment 'production').
        (d.source = 'actions' OR coalesce(e.production, false)) AS production,
        CASE WHEN d.status = 'success' OR (d.status = 'inactive' AND d.succeeded_at IS NOT NULL) THEN 'success'
             WHEN d.status IN ('failure', 'error') THEN 'failure'
             WHEN d.status = 'inactive' THEN 'superseded'
             ELSE 'pending' END AS outcome,
        d.succeeded_at, d.status_at
      FROM deployments d
      LEFT JOIN owner o ON o.repo = d.repo
      LEFT JOIN d_envs e ON e.repo = d.repo AND e.environment = d.environment
      WHERE ${where}
    ),
    timed AS (
      SELECT *,
        CASE WHEN outcome = 'success' THEN coalesce(succeeded_at, status_at, created_at) END AS deployed_at,
        CASE WHEN outcome = 'success' THEN coalesce(succeeded_at, status_at, created_at)
             WHEN outcome = 'failure' THEN coalesce(status_at, created_at) END AS finished_at
      FROM base
    )`;
}

/**
 * Windows over the successful production deployments of `timed`: neighbours and rollbacks. A SHA
 * shipped before (earlier in `timed`, or in `history` when given), other than the current one, is a
 * rollback; unless GitHub's compare with the previous deployment says it is ahead of it: shipping
 * again a change that had been rolled back is rolling forward.
 */
function flagsSql(history: string | null): string {
  const shippedBefore = history
    ? `(first_of_sha <> id OR EXISTS (SELECT 1 FROM ${history} h WHERE h.repo = seq.repo AND h.environment = seq.environment AND h.sha = seq.sha))`
    : 'first_of_sha <> id';
  return `seq AS (
      SELECT t.id, t.repo, t.environment, t.deployed_at, t.github_id, t.sha, c.status AS compare_status,
        lag(t.id) OVER w AS prev_id, lead(t.id) OVER w AS next_id, lag(t.sha) OVER w AS prev_sha,
        first_value(t.id) OVER (PARTITION BY t.repo, t.environment, t.sha ORDER BY t.deployed_at, t.github_id, t.id) AS first_of_sha
      FROM timed t LEFT JOIN deployment_compares c ON c.deployment_id = t.id
      WHERE t.production AND t.outcome = 'success'
      WINDOW w AS (PARTITION BY t.repo, t.environment ORDER BY t.deployed_at, t.github_id, t.id)
    ),
    rb AS (
      SELECT *, (${shippedBefore} AND prev_sha IS NOT NULL AND sha <> prev_sha AND coalesce(compare_status, '') <> 'ahead')
        AS is_rollback
      FROM seq
    ),
    flags AS (
      SELECT id, prev_id, next_id, is_rollback,
        coalesce(lead(is_rollback) OVER (PARTITION BY repo, environment ORDER BY deployed_at, github_id, id), false) AS rolled_back
      FROM rb
    )`;
}

/** The row written: facts, neighbours, flags and the local days (zone joins on the chosen rows only). */
function insertSql(chosen: string): string {
  return `INSERT INTO d_deployments (${COLUMNS})
    WITH ${chosen}
    SELECT t.id, t.repo, t.environment, t.team_id, t.source, t.github_id, t.sha, t.ref, t.creator, t.created_at,
      t.production, t.outcome, t.deployed_at, t.finished_at,
      CASE WHEN t.deployed_at IS NOT NULL THEN ${configDay('t.deployed_at', 'od')} END,
      CASE WHEN t.finished_at IS NOT NULL THEN ${configDay('t.finished_at', 'ofin')} END,
      t.prev_id, t.next_id, coalesce(t.is_rollback, false), coalesce(t.rolled_back, false),
      CASE WHEN t.rolled_back THEN t.next_id END, 0, 0, false, false, NULL
    FROM chosen t
      ${configZoneJoin('t.deployed_at', 'od')}
      ${configZoneJoin('t.finished_at', 'ofin')}
    ORDER BY coalesce(t.deployed_at, t.finished_at, t.created_at), t.id`;
}

/**
 * Full runs derive every deployment. Incremental runs recompute, per touched repository, only the
 * deployments from `s_repos.since` on, plus the last successful production deployment before it in
 * each environment (its next deployment and "rolled back" flag may change; its own neighbour and
 * rollback flag are kept). Earlier SHAs come from the derived history, so no run re-reads and
 * re-sorts years of deployments to find a rollback.
 */
export async function deriveDeployments(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  await tx.run('DROP TABLE IF EXISTS t_redo');
  const params = { cfgZone: ctx.settings.defaultZone };
  if (ctx.full) {
    await tx.run('DELETE FROM d_deployments');
    await tx.run('CREATE TEMP TABLE t_redo AS SELECT NULL::VARCHAR AS id WHERE false');
    await tx.run(
      insertSql(`${timedSql('true')},
        ${flagsSql(null)},
        chosen AS (SELECT t.*, f.prev_id, f.next_id, f.is_rollback, f.rolled_back FROM timed t LEFT JOIN flags f ON f.id = t.id)`),
      params,
    );
    return;
  }
  await tx.run('DROP TABLE IF EXISTS t_boundary');
  await tx.run(`CREATE TEMP TABLE t_boundary AS
    SELECT d.id, d.prev_id, d.is_rollback FROM d_deployments d WHERE d.id IN (
      SELECT arg_max(d.id, d.deployed_at) FROM d_deployments d JOIN s_repos s ON s.repo = d.repo
      WHERE d.production AND d.outcome = 'success' AND d.deployed_at < s.since GROUP BY d.repo, d.environment
    )`);
  await tx.run('DROP TABLE IF EXISTS t_history');
  await tx.run(`CREATE TEMP TABLE t_history AS
    SELECT DISTINCT d.repo, d.environment, d.sha FROM d_deployments d JOIN s_repos s ON s.repo = d.repo
    WHERE d.production AND d.outcome = 'success' AND d.deployed_at < s.since`);
  await tx.run(`CREATE TEMP TABLE t_redo AS
    SELECT d.id FROM d_deployments d JOIN s_repos s ON s.repo = d.repo WHERE ${SORT.replace(/(\w+_at)/g, 'd.$1')} >= s.since
    UNION SELECT id FROM t_boundary`);
  await tx.run('DELETE FROM d_deployments WHERE id IN (SELECT id FROM t_redo)');
  // What is left to derive: the deleted rows and rows never derived (new ones) of the touched repos.
  await tx.run(
    insertSql(`${timedSql(`d.repo IN (SELECT repo FROM s_repos) AND NOT EXISTS (SELECT 1 FROM d_deployments x WHERE x.id = d.id)`)},
      ${flagsSql('t_history')},
      chosen AS (
        SELECT t.*, coalesce(b.prev_id, CASE WHEN b.id IS NULL THEN f.prev_id END) AS prev_id, f.next_id,
          CASE WHEN b.id IS NOT NULL THEN b.is_rollback ELSE f.is_rollback END AS is_rollback, f.rolled_back
        FROM timed t LEFT JOIN flags f ON f.id = t.id LEFT JOIN t_boundary b ON b.id = t.id
      )`),
    params,
  );
  await tx.run(`INSERT INTO t_redo SELECT d.id FROM d_deployments d JOIN s_repos s ON s.repo = d.repo
    WHERE ${SORT.replace(/(\w+_at)/g, 'd.$1')} >= s.since`);
}

/**
 * Incremental runs recompute the changes first shipped from `s_repos.since` on; a change already
 * counted for an earlier deployment stays there (it was first shipped before).
 */
export async function deriveChanges(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  await tx.run(
    ctx.full
      ? 'DELETE FROM d_changes'
      : 'DELETE FROM d_changes WHERE EXISTS (SELECT 1 FROM s_repos s WHERE s.repo = d_changes.repo AND d_changes.deployed_at >= s.since)',
  );
  await tx.run(`
    INSERT INTO d_changes (change_key, repo, kind, pr_number, sha, title, author, first_commit_at, commit_count,
      deployment_id, deployed_at, team_id, deployed_day, lead_time_s)
    WITH dep AS (
      SELECT id, repo, deployed_at, github_id, team_id, deployed_day FROM d_deployments d
      WHERE production AND outcome = 'success' AND prev_id IS NOT NULL
        ${ctx.full ? '' : 'AND deployed_at >= (SELECT since FROM s_repos s WHERE s.repo = d.repo)'}
    ),
    shipped AS (
      SELECT dc.deployment_id, dc.repo, dc.sha, dep.deployed_at, dep.github_id, dep.team_id, dep.deployed_day
      FROM deployment_commits dc JOIN dep ON dep.id = dc.deployment_id
    ),
    merged AS (
      SELECT repo, number, title, author, merge_commit_sha, first_commit_at, created_at
      FROM pull_requests WHERE merged_at IS NOT NULL ${repoScope(ctx)}
    ),

    -- A commit belongs to the merged pull request whose merge commit it is, else to one whose
    -- commits list it (the lowest number when several do).
    -- (Only for the commits being shipped: an incremental run must not regroup every pull request.)
    shipped_shas AS (SELECT DISTINCT repo, sha FROM shipped),
    pr_map AS (
      SELECT repo, sha, arg_min(number, prio * 10000000000 + number) AS number FROM (
        SELECT m.repo, m.merge_commit_sha AS sha, m.number, 0 AS prio FROM merged m
        SEMI JOIN shipped_shas x ON x.repo = m.repo AND x.sha = m.merge_commit_sha
        UNION ALL
        SELECT c.repo, c.sha, c.number, 1 AS prio FROM pull_request_commits c
        SEMI JOIN shipped_shas x ON x.repo = c.repo AND x.sha = c.sha
        JOIN merged m ON m.repo = c.repo AND m.number = c.number
      ) GROUP BY repo, sha
    ),
    keyed AS (
      SELECT s.*, m.number AS pr_number,
        CASE WHEN m.number IS NULL THEN 'commit:' || s.sha ELSE 'pr:' || m.number END AS change_key
      FROM shipped s LEFT JOIN pr_map m ON m.repo = s.repo AND m.sha = s.sha
    ),
    counted AS (
      SELECT c.repo, c.change_key FROM d_changes c ${ctx.full ? 'WHERE false' : 'SEMI JOIN keyed k ON k.repo = c.repo AND k.change_key = c.change_key'}
    ),
    pr_first AS (
      SELECT c.repo, c.number, min(coalesce(c.authored_at, c.committed_at)) AS first_at
      FROM pull_request_commits c SEMI JOIN keyed k ON k.repo = c.repo AND k.pr_number = c.number
      GROUP BY c.repo, c.number
    ),
    firsts AS (
      SELECT repo, change_key, any_value(pr_number) AS pr_number, min(sha) AS any_sha,
        count(DISTINCT sha) AS commit_count,
        first(deployment_id ORDER BY deployed_at, github_id, deployment_id) AS deployment_id,
        min(deployed_at) AS deployed_at,
        first(team_id ORDER BY deployed_at, github_id, deployment_id) AS team_id,
        first(deployed_day ORDER BY deployed_at, github_id, deployment_id) AS deployed_day
      FROM keyed k ANTI JOIN counted c ON c.repo = k.repo AND c.change_key = k.change_key
      GROUP BY k.repo, k.change_key
    ),
    resolved AS (
      SELECT f.change_key, f.repo,
        CASE WHEN f.pr_number IS NULL THEN 'commit' ELSE 'pull_request' END AS kind,
        f.pr_number, coalesce(m.merge_commit_sha, f.any_sha) AS sha,
        CASE WHEN f.pr_number IS NULL THEN c.message ELSE m.title END AS title,
        CASE WHEN f.pr_number IS NULL THEN c.author ELSE m.author END AS author,
        CASE WHEN f.pr_number IS NULL THEN coalesce(c.authored_at, c.committed_at)
             ELSE coalesce(m.first_commit_at, pf.first_at, m.created_at) END AS first_commit_at,
        f.commit_count, f.deployment_id, f.deployed_at, f.team_id, f.deployed_day
      FROM firsts f
      LEFT JOIN merged m ON m.repo = f.repo AND m.number = f.pr_number
      LEFT JOIN pr_first pf ON pf.repo = f.repo AND pf.number = f.pr_number
      -- (no condition on pr_number here: a non-equi condition turns this into a nested-loop join)
      LEFT JOIN commits c ON c.repo = f.repo AND c.sha = f.any_sha
    )
    SELECT *, CASE WHEN first_commit_at IS NOT NULL
      THEN greatest(0, (epoch_ms(deployed_at) - epoch_ms(first_commit_at)) / 1000.0) END AS lead_time_s
    FROM resolved ORDER BY deployed_at, change_key`);
  await tx.run(`
    UPDATE d_deployments SET change_count = x.n
    FROM (
      SELECT deployment_id, count(*)::INTEGER AS n FROM d_changes
      ${ctx.full ? '' : 'WHERE deployment_id IN (SELECT id FROM t_redo)'} GROUP BY deployment_id
    ) x
    WHERE d_deployments.id = x.deployment_id`);
}
