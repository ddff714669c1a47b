// Incident <-> deployment attribution (METRICS.md "Incident attribution"), stored with its
// evidence in d_attribution. Precedence, first match wins:
//   1. manual: the newest reviewer link (or unlink of all deployments) in incident_links. A
//      reviewer's unlink of one deployment removes that deployment from the candidates below.
//   2. explicit: the title, description or a note names a commit SHA (7-40 hex characters) of a
//      mapped repository, or a deployment id ("deployment 123", "deploy #123", ".../deployments/123",
//      "run:123"); the incident goes to the successful production deployment that first shipped
//      that commit (or to the named deployment). Only deployments that finished before the incident
//      was created count: a SHA named in a note is often the fix, which cannot be the cause.
//   3. window: the latest successful production deployment of a repository of the incident's team
//      that finished within the attribution window before the incident was created.
//   4. otherwise: not change-caused when the team has mapped repositories, unknown when not.
import type { WriteTx } from '../../db/index.ts';
import type { DeriveContext } from './context.ts';

const attrScope = (ctx: DeriveContext, column = 'id') => (ctx.full ? '' : `AND ${column} IN (SELECT id FROM s_attr)`);

/** Candidate tokens (SHA-like and deployment-id-like) named in each incident's texts. */
export async function deriveIncidentTokens(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  await tx.run(`DELETE FROM d_incident_tokens WHERE true ${ctx.full ? '' : 'AND incident_id IN (SELECT id FROM s_incidents)'}`);
  await tx.run(`
    INSERT INTO d_incident_tokens (incident_id, kind, token, found_in)
    WITH texts AS (
      SELECT id AS incident_id, 'title' AS found_in, lower(title) AS body FROM incidents
        WHERE title IS NOT NULL ${ctx.full ? '' : 'AND id IN (SELECT id FROM s_incidents)'}
      UNION ALL
      SELECT id, 'description', lower(description) FROM incidents
        WHERE description IS NOT NULL ${ctx.full ? '' : 'AND id IN (SELECT id FROM s_incidents)'}
      UNION ALL
      SELECT incident_id, 'note', lower(note) FROM log_entries
        WHERE note IS NOT NULL ${ctx.full ? '' : 'AND incident_id IN (SELECT id FROM s_incidents)'}
    ),
    tokens AS (
      SELECT incident_id, found_in, 'sha' AS kind, unnest(regexp_extract_all(body, '\\b[0-9a-f]{7,40}\\b')) AS token FROM texts
      UNION ALL
      SELECT incident_id, found_in, 'deployment', unnest(regexp_extract_all(body,
        '(?:deploy(?:ment)?s?(?:[ _-]?id)?\\s*[:#=]?\\s*#?|/deployments/|run:)(\\d{1,19})\\b', 1)) FROM texts
    )
    SELECT incident_id, kind, token, min(found_in) FROM tokens GROUP BY incident_id, kind, token`);
}

export async function deriveAttribution(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  const windowS = ctx.settings.windowS;
  await tx.run(`DELETE FROM d_attribution WHERE true ${attrScope(ctx, 'incident_id')}`);
  await tx.run('DROP TABLE IF EXISTS t_attr_inc');
  await tx.run(`CREATE TEMP TABLE t_attr_inc AS
    SELECT id, team_id, service_id, created_at FROM d_incidents WHERE true ${attrScope(ctx)}`);
  await tx.run('DROP TABLE IF EXISTS t_unlinked');
  await tx.run(`CREATE TEMP TABLE t_unlinked AS
    SELECT incident_id, deployment_id FROM incident_links
    WHERE action = 'unlink' AND deployment_id <> '*' AND incident_id IN (SELECT id FROM t_attr_inc)`);
  await tx.run(
    `
    INSERT INTO d_attribution (incident_id, cause, method, deployment_id, repo, deployed_at, evidence, evidence_text)
    WITH ok_deps AS (
      SELECT id, repo, team_id, deployed_at, github_id, sha FROM d_deployments WHERE production AND outcome = 'success'
    ),
    manual AS (
      SELECT l.incident_id, arg_max(l.action, l.created_at) AS action, arg_max(l.deployment_id, l.created_at) AS deployment_id,
        arg_max(l.created_by, l.created_at) AS created_by, max(l.created_at) AS created_at,
        arg_max(l.note, l.created_at) AS note
      FROM incident_links l
      WHERE l.incident_id IN (SELECT id FROM t_attr_inc) AND (l.action = 'link' OR l.deployment_id = '*')
      GROUP BY l.incident_id
    ),
    shipped AS (
      SELECT dc.repo, dc.sha, d.id AS deployment_id, d.deployed_at FROM deployment_commits dc JOIN ok_deps d ON d.id = dc.deployment_id
      UNION ALL
      SELECT repo, sha, id, deployed_at FROM ok_deps
    ),
    sha_hits AS (
      SELECT t.incident_id, t.token, t.found_in, s.repo, s.sha,
        first(s.deployment_id ORDER BY s.deployed_at, s.deployment_id) AS deployment_id, min(s.deployed_at) AS deployed_at
      FROM d_incident_tokens t
      JOIN shipped s ON left(s.sha, 7) = left(t.token, 7) AND starts_with(s.sha, t.token)
      WHERE t.kind = 'sha' AND t.incident_id IN (SELECT id FROM t_attr_inc)
        AND s.repo IN (SELECT repo FROM team_repos)
      GROUP BY t.incident_id, t.token, t.found_in, s.repo, s.sha
    ),
    dep_hits AS (
      -- Two equality joins rather than one OR condition (which would be a nested loop).
      SELECT t.incident_id, t.token, t.found_in, d.repo, NULL AS sha, d.id AS deployment_id, d.deployed_at
      FROM d_incident_tokens t JOIN ok_deps d ON d.github_id = try_cast(t.token AS BIGINT)
      WHERE t.kind = 'deployment' AND t.incident_id IN (SELECT id FROM t_attr_inc) AND d.repo IN (SELECT repo FROM team_repos)
      UNION
      SELECT t.incident_id, t.token, t.found_in, d.repo, NULL AS sha, d.id AS deployment_id, d.deployed_at
      FROM d_incident_tokens t JOIN ok_deps d ON d.id = 'run:' || t.token
      WHERE t.kind = 'deployment' AND t.incident_id IN (SELECT id FROM t_attr_inc) AND d.repo IN (SELECT repo FROM team_repos)
    ),
    explicit AS (
      SELECT h.incident_id,
        arg_max(h.kind, h.deployed_at) AS kind, arg_max(h.token, h.deployed_at) AS token,
        arg_max(h.found_in, h.deployed_at) AS found_in, arg_max(h.deployment_id, h.deployed_at) AS deployment_id,
        arg_max(h.repo, h.deployed_at) AS repo, max(h.deployed_at) AS deployed_at
      FROM (
        SELECT 'sha' AS kind, * FROM sha_hits UNION ALL SELECT 'deployment', * FROM dep_hits
      ) h
      JOIN t_attr_inc i ON i.id = h.incident_id
      WHERE h.deployed_at <= i.created_at
        AND NOT EXISTS (SELECT 1 FROM t_unlinked u WHERE u.incident_id = h.incident_id AND u.deployment_id = h.deployment_id)
      GROUP BY h.incident_id
    ),
    team_deps AS (SELECT * FROM ok_deps WHERE team_id <> 'unassigned'),
    window_plain AS (
      SELECT i.id AS incident_id, d.id AS deployment_id, d.repo, d.deployed_at
      FROM (SELECT * FROM t_attr_inc a ANTI JOIN t_unlinked u ON u.incident_id = a.id) i
      ASOF JOIN team_deps d ON d.team_id = i.team_id AND i.created_at >= d.deployed_at
      WHERE (epoch_ms(i.created_at) - epoch_ms(d.deployed_at)) / 1000.0 <= $windowS
    ),
    window_excluding AS (
      SELECT i.id AS incident_id, arg_max(d.id, d.deployed_at) AS deployment_id, arg_max(d.repo, d.deployed_at) AS repo,
        max(d.deployed_at) AS deployed_at
      FROM (SELECT * FROM t_attr_inc a SEMI JOIN t_unlinked u ON u.incident_id = a.id) i
      JOIN team_deps d ON d.team_id = i.team_id AND d.deployed_at <= i.created_at
        AND d.deployed_at >= i.created_at - to_seconds($windowS)
      WHERE NOT EXISTS (SELECT 1 FROM t_unlinked u WHERE u.incident_id = i.id AND u.deployment_id = d.id)
      GROUP BY i.id
    ),
    win AS (SELECT * FROM window_plain UNION ALL SELECT * FROM window_excluding),
    mapped_teams AS (SELECT DISTINCT team_id FROM team_repos),
    decided AS (
      SELECT i.id AS incident_id, i.created_at, i.team_id, i.service_id,
        m.action AS m_action, m.deployment_id AS m_dep, m.created_by AS m_by, m.created_at AS m_at, m.note AS m_note,
        CASE WHEN m.action = 'link' THEN md.repo END AS m_repo,
        CASE WHEN m.action = 'link' THEN md.deployed_at END AS m_deployed_at,
        e.kind AS e_kind, e.token AS e_token, e.found_in AS e_where, e.deployment_id AS e_dep, e.repo AS e_repo,
        e.deployed_at AS e_deployed_at,
        w.deployment_id AS w_dep, w.repo AS w_repo, w.deployed_at AS w_deployed_at,
        (i.team_id IN (SELECT team_id FROM mapped_teams)) AS has_repos
      FROM t_attr_inc i
      LEFT JOIN manual m ON m.incident_id = i.id
      -- Equality only: an extra condition in a LEFT JOIN's ON makes DuckDB fall back to a nested loop.
      LEFT JOIN d_deployments md ON md.id = m.deployment_id
      LEFT JOIN explicit e ON e.incident_id = i.id
      LEFT JOIN win w ON w.incident_id = i.id
    )
    SELECT incident_id,
      CASE WHEN m_action = 'link' THEN 'change_caused' WHEN m_action = 'unlink' THEN 'not_change_caused'
           WHEN e_dep IS NOT NULL OR w_dep IS NOT NULL THEN 'change_caused'
           WHEN has_repos THEN 'not_change_caused' ELSE 'unknown' END AS cause,
      CASE WHEN m_action = 'link' THEN 'manual_link' WHEN m_action = 'unlink' THEN 'manual_unlink'
           WHEN e_dep IS NOT NULL THEN 'explicit_' || e_kind WHEN w_dep IS NOT NULL THEN 'window' ELSE 'none' END AS method,
      CASE WHEN m_action = 'link' THEN m_dep WHEN m_action = 'unlink' THEN NULL ELSE coalesce(e_dep, w_dep) END,
      CASE WHEN m_action = 'link' THEN m_repo WHEN m_action = 'unlink' THEN NULL ELSE coalesce(e_repo, w_repo) END,
      CASE WHEN m_action = 'link' THEN m_deployed_at WHEN m_action = 'unlink' THEN NULL
           ELSE coalesce(e_deployed_at, w_deployed_at) END,
      CASE
        WHEN m_action IS NOT NULL THEN json_object('rule', 'manual', 'action', m_action, 'deploymentId', m_dep,
          'by', m_by, 'at', strftime(m_at, '%Y-%m-%dT%H:%M:%SZ'), 'note', m_note)
        WHEN e_dep IS NOT NULL THEN json_object('rule', 'explicit', 'kind', e_kind, 'token', e_token, 'foundIn', e_where,
          'deploymentId', e_dep, 'repo', e_repo, 'deployedAt', strftime(e_deployed_at, '%Y-%m-%dT%H:%M:%SZ'),
          'minutesBefore', round((epoch_ms(created_at) - epoch_ms(e_deployed_at)) / 60000.0, 1))
        WHEN w_dep IS NOT NULL THEN json_object('rule', 'window', 'deploymentId', w_dep, 'repo', w_repo,
          'deployedAt', strftime(w_deployed_at, '%Y-%m-%dT%H:%M:%SZ'),
          'minutesBefore', round((epoch_ms(created_at) - epoch_ms(w_deployed_at)) / 60000.0, 1),
          'windowHours', round($windowS / 3600.0, 2), 'team', team_id)
        ELSE json_object('rule', 'none', 'team', team_id, 'serviceId', service_id, 'teamHasRepos', has_repos,
          'windowHours', round($windowS / 3600.0, 2))
      END::VARCHAR,
      CASE
        WHEN m_action = 'link' THEN 'Linked to deployment ' || m_dep || ' by ' || m_by || ' on ' || strftime(m_at, '%Y-%m-%d %H:%M UTC')
          || coalesce(': ' || m_note, '') || '.'
        WHEN m_action = 'unlink' THEN 'Marked as caused by no deployment by ' || m_by || ' on ' || strftime(m_at, '%Y-%m-%d %H:%M UTC')
          || coalesce(': ' || m_note, '') || '.'
        WHEN e_dep IS NOT NULL AND e_kind = 'sha' THEN 'The incident ' || e_where || ' names commit ' || e_token
          || ', first shipped by deployment ' || e_dep || ' of ' || e_repo || ' at ' || strftime(e_deployed_at, '%Y-%m-%d %H:%M UTC') || '.'
        WHEN e_dep IS NOT NULL THEN 'The incident ' || e_where || ' names deployment ' || e_token || ' of ' || e_repo
          || ', finished ' || strftime(e_deployed_at, '%Y-%m-%d %H:%M UTC') || '.'
        WHEN w_dep IS NOT NULL THEN 'Deployment ' || w_dep || ' of ' || w_repo || ' succeeded '
          || round((epoch_ms(created_at) - epoch_ms(w_deployed_at)) / 60000.0)::BIGINT
          || ' min before the incident was created (window ' || round($windowS / 3600.0, 2) || ' h).'
        WHEN has_repos THEN 'No successful production deployment of team ' || team_id || ' in the '
          || round($windowS / 3600.0, 2) || ' h before the incident, and none named in it.'
        ELSE 'Team ' || team_id || ' of service ' || coalesce(service_id, '?')
          || ' has no mapped repository, so Vigil cannot tell whether a change caused it.'
      END
    FROM decided ORDER BY incident_id`,
    { windowS },
  );
}

/**
 * Change failure and rework flags on the deployments: a deployment failed when it caused at least
 * one change-caused incident or was rolled back; it is rework when it was made while a
 * change-caused incident of its team was open, or within 1 h after it resolved.
 */
export async function deriveDeploymentOutcomes(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  const scope = ctx.full ? '' : 'AND d_deployments.id IN (SELECT id FROM s_deploys)';
  await tx.run(`
    UPDATE d_deployments SET caused_incidents = coalesce(x.n, 0), change_failed = (coalesce(x.n, 0) > 0 OR rolled_back)
    FROM (
      SELECT d.id, coalesce(c.n, 0)::INTEGER AS n FROM d_deployments d
      LEFT JOIN (
        SELECT cause_deployment_id, count(*) AS n FROM d_incidents WHERE cause = 'change_caused' GROUP BY cause_deployment_id
      ) c ON c.cause_deployment_id = d.id
      WHERE d.production AND d.outcome = 'success' ${ctx.full ? '' : 'AND d.id IN (SELECT id FROM s_deploys)'}
    ) x WHERE x.id = d_deployments.id ${scope}`);
  // Change-caused incidents of one team merged into disjoint open intervals (open incidents reach
  // to infinity), so an ASOF join finds the interval a deployment falls in, exactly.
  await tx.run(`
    UPDATE d_deployments SET is_rework = (r.first_incident IS NOT NULL), rework_incident_id = r.first_incident
    FROM (
      WITH spans AS (
        SELECT team_id, id, created_at AS s,
          coalesce(resolved_at + INTERVAL 1 HOUR, TIMESTAMPTZ 'infinity') AS e
        FROM d_incidents WHERE cause = 'change_caused' AND team_id <> 'unassigned'
      ),
      marked AS (
        SELECT *, CASE WHEN s <= max(e) OVER (PARTITION BY team_id ORDER BY s, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
          THEN 0 ELSE 1 END AS starts FROM spans
      ),
      grouped AS (SELECT *, sum(starts) OVER (PARTITION BY team_id ORDER BY s, id) AS g FROM marked),
      merged AS (
        SELECT team_id, min(s) AS s, max(e) AS e, first(id ORDER BY s, id) AS first_incident FROM grouped GROUP BY team_id, g
      ),
      deps AS (
        SELECT id, team_id, deployed_at FROM d_deployments
        WHERE production AND outcome = 'success' ${ctx.full ? '' : 'AND id IN (SELECT id FROM s_deploys)'}
      )
      SELECT d.id, CASE WHEN d.deployed_at <= m.e THEN m.first_incident END AS first_incident
      FROM deps d ASOF LEFT JOIN merged m ON m.team_id = d.team_id AND d.deployed_at >= m.s
    ) r WHERE r.id = d_deployments.id ${scope}`);
}
