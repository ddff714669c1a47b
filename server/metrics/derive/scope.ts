// What changed since the last refresh, as the s_* temp tables the incremental steps read.
//
// Normalised rows carry `synced_at` and the collectors rewrite a row only when its payload
// changed (raw_hash), so rows with synced_at at or after the newest one seen by the last refresh
// are the new or changed ones (>= rather than >: a sync may commit several batches with the same
// timestamp around a refresh; reprocessing a few rows is harmless). Reviewer links and labels are
// compared by content against a snapshot (d_links_seen), which also catches deletions. Rows that
// disappear from a normalised table are caught by the row counts and force a full rebuild.
import type { QueryRunner, WriteTx } from '../../db/index.ts';

/** Normalised tables whose newest synced_at marks what a refresh has seen. */
export const watchedTables = [
  'deployments',
  'deployment_compares',
  'pull_requests',
  'commits',
  'incidents',
  'log_entries',
  'alerts',
  'notifications',
  'oncall_shifts',
  'pd_users',
] as const;
export type WatchedTable = (typeof watchedTables)[number];

/** Tables whose row count only grows; a smaller count means rows were deleted: rebuild all. */
const countedTables = [...watchedTables, 'deployment_commits', 'pull_request_commits'] as const;

/** The newest synced_at a refresh saw in a table, and how many rows carried exactly that time. */
export interface Mark {
  at: string | null;
  n: number;
}

export interface DeriveState {
  version: string;
  fingerprint: string;
  marks: Partial<Record<WatchedTable, Mark>>;
  counts: Record<string, number>;
  refreshedAt: string;
}

export async function readMarks(db: QueryRunner): Promise<{ marks: DeriveState['marks']; counts: DeriveState['counts'] }> {
  const parts = watchedTables.map(
    (t) => `(SELECT strftime(max(synced_at), '%Y-%m-%dT%H:%M:%S.%fZ') FROM ${t}) AS ${t}_mark,
      (SELECT count(*) FROM ${t} WHERE synced_at = (SELECT max(synced_at) FROM ${t})) AS ${t}_at_mark`,
  );
  const counts = countedTables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}_count`);
  const row = (await db.one<Record<string, string | number | null>>(`SELECT ${[...parts, ...counts].join(', ')}`)) ?? {};
  const marks: DeriveState['marks'] = {};
  for (const t of watchedTables)
    marks[t] = { at: (row[`${t}_mark`] as string | null) ?? null, n: Number(row[`${t}_at_mark`] ?? 0) };
  const out: Record<string, number> = {};
  for (const t of countedTables) out[t] = Number(row[`${t}_count`] ?? 0);
  return { marks, counts: out };
}

/** True when any watched table has rows newer than its mark, or more rows at it. */
export function marksMoved(before: DeriveState['marks'], now: DeriveState['marks']): boolean {
  return watchedTables.some((t) => (before[t]?.at ?? null) !== (now[t]?.at ?? null) || (before[t]?.n ?? 0) !== (now[t]?.n ?? 0));
}

/** Per watched table, the SQL condition selecting its rows written since the last refresh. */
export type Since = Record<WatchedTable, string>;

const isoMark = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$/;

/**
 * Rows newer than the mark (strictly: re-reading the last sync's rows on every refresh would make
 * each refresh as large as that sync), plus the rows at the mark itself when more of them exist
 * now than then (a later batch of the same sync, committed with the same timestamp).
 */
export async function sinceConditions(db: QueryRunner, marks: DeriveState['marks']): Promise<Since> {
  const out = {} as Since;
  for (const t of watchedTables) {
    const mark = marks[t];
    if (!mark?.at) {
      out[t] = 'true';
      continue;
    }
    // Marks are ISO strings this module wrote itself (strftime output), never request input.
    if (!isoMark.test(mark.at)) throw new Error(`Corrupt derive mark: ${mark.at}`);
    const at = `CAST('${mark.at}' AS TIMESTAMPTZ)`;
    const row = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${t} WHERE synced_at = ${at}`);
    out[t] = (row?.n ?? 0) > mark.n ? `synced_at >= ${at}` : `synced_at > ${at}`;
  }
  return out;
}

export function countsChanged(before: DeriveState['counts'], now: DeriveState['counts']): boolean {
  return Object.entries(now).some(([t, n]) => (before[t] ?? 0) !== n);
}

export function countsShrank(before: DeriveState['counts'], now: DeriveState['counts']): boolean {
  return Object.entries(before).some(([t, n]) => (now[t] ?? 0) < n);
}

const LINKS_FINGERPRINT = `
  SELECT incident_id, md5(string_agg(part, '|' ORDER BY part)) AS fingerprint FROM (
    SELECT incident_id, 'link:' || action || ':' || deployment_id || ':' || strftime(created_at, '%Y-%m-%dT%H:%M:%S.%f')
      || ':' || created_by || ':' || coalesce(note, '') AS part FROM incident_links
  ) GROUP BY incident_id`;
const LABELS_FINGERPRINT = `
  SELECT incident_id, md5('label:' || label || ':' || coalesce(reason, '') || ':' || labelled_by) AS fingerprint
  FROM review_labels`;

/** Did a reviewer change a link or a label since the last snapshot? (cheap: both tables are small) */
export async function userDataChanged(db: QueryRunner): Promise<boolean> {
  const row = await db.one<{ changed: boolean }>(`
    WITH cur AS (
      SELECT 'links:' || incident_id AS k, fingerprint AS f FROM (${LINKS_FINGERPRINT})
      UNION ALL SELECT 'labels:' || incident_id, fingerprint FROM (${LABELS_FINGERPRINT})
    )
    SELECT EXISTS ((SELECT k, f FROM cur EXCEPT SELECT incident_id, fingerprint FROM d_links_seen)
      UNION ALL (SELECT incident_id, fingerprint FROM d_links_seen EXCEPT SELECT k, f FROM cur)) AS changed`);
  return row?.changed ?? true;
}

/** Snapshot of reviewer links and labels, compared at the next refresh. */
export async function snapshotUserData(tx: WriteTx): Promise<void> {
  await tx.run('DELETE FROM d_links_seen');
  await tx.run(`INSERT INTO d_links_seen SELECT 'links:' || incident_id, fingerprint FROM (${LINKS_FINGERPRINT})`);
  await tx.run(`INSERT INTO d_links_seen SELECT 'labels:' || incident_id, fingerprint FROM (${LABELS_FINGERPRINT})`);
}

export interface ScopeSummary {
  repos: number;
  incidents: number;
  attribution: number;
  labels: number;
  deployments: number;
  users: number;
  shiftsChanged: boolean;
}

/** The pull request columns d_prs_seen keeps. */
const PR_SEEN = 'repo, number, first_commit_at, commit_count, commits_synced';

/** A since-condition on a table alias. */
const on = (alias: string, condition: string) => condition.replace(/\bsynced_at\b/g, `${alias}.synced_at`);

/**
 * Build s_repos, s_incidents, s_links, s_labels (changed reviewer data) from the marks of the last
 * refresh. The later scopes (s_attr, s_sigs, s_label, s_deploys, s_users) need derived facts and
 * are built by the refresh between its steps.
 */
export async function buildSourceScopes(tx: WriteTx, since: Since): Promise<void> {
  // Pull requests new or changed since the last refresh, and those whose commits arrived since
  // (their first commit and count moved without their synced_at; see d_prs_seen).
  await tx.run('DROP TABLE IF EXISTS s_prs');
  await tx.run(`CREATE TEMP TABLE s_prs AS
    SELECT repo, number FROM pull_requests WHERE ${since.pull_requests}
    UNION
    SELECT repo, number FROM (
      SELECT ${PR_SEEN} FROM pull_requests WHERE commit_count IS NOT NULL
      EXCEPT SELECT ${PR_SEEN} FROM d_prs_seen
    )`);
  await tx.run('DROP TABLE IF EXISTS s_repos');
  // Per repository, the earliest deployment whose facts or changes may differ now: new or changed
  // deployments and compares, and the deployments that shipped commits of changed pull requests
  // or commits (a pull request merged or re-read later changes how its commits count).
  await tx.run(`CREATE TEMP TABLE s_repos AS
    WITH touched AS (
      SELECT repo, min(created_at) AS t FROM deployments WHERE ${since.deployments} GROUP BY repo
      UNION ALL
      SELECT c.repo, min(d.created_at) FROM deployment_compares c JOIN deployments d ON d.id = c.deployment_id
        WHERE ${on('c', since.deployment_compares)} GROUP BY c.repo
      UNION ALL
      SELECT p.repo, min(d.created_at) FROM s_prs p
        JOIN (
          SELECT repo, number, merge_commit_sha AS sha FROM pull_requests WHERE merge_commit_sha IS NOT NULL
          UNION ALL SELECT repo, number, sha FROM pull_request_commits
        ) x ON x.repo = p.repo AND x.number = p.number
        JOIN deployment_commits dc ON dc.repo = x.repo AND dc.sha = x.sha JOIN deployments d ON d.id = dc.deployment_id
        GROUP BY p.repo
      UNION ALL
      SELECT c.repo, min(d.created_at) FROM commits c JOIN deployment_commits dc ON dc.repo = c.repo AND dc.sha = c.sha
        JOIN deployments d ON d.id = dc.deployment_id WHERE ${on('c', since.commits)} GROUP BY c.repo
    )
    SELECT repo, min(t) AS since FROM touched GROUP BY repo`);
  await tx.run('DROP TABLE IF EXISTS s_incidents');
  await tx.run(`CREATE TEMP TABLE s_incidents AS
    SELECT id FROM incidents WHERE ${since.incidents}
    UNION SELECT incident_id FROM log_entries WHERE ${since.log_entries}
    UNION SELECT incident_id FROM alerts WHERE ${since.alerts}`);
  await tx.run('DROP TABLE IF EXISTS s_links');
  await tx.run(`CREATE TEMP TABLE s_links AS
    WITH cur AS (SELECT 'links:' || incident_id AS k, fingerprint FROM (${LINKS_FINGERPRINT})),
    seen AS (SELECT incident_id AS k, fingerprint FROM d_links_seen WHERE starts_with(incident_id, 'links:')),
    diff AS ((SELECT * FROM cur EXCEPT SELECT * FROM seen) UNION (SELECT * FROM seen EXCEPT SELECT * FROM cur))
    SELECT DISTINCT substr(k, 7) AS id FROM diff`);
  await tx.run('DROP TABLE IF EXISTS s_labels');
  await tx.run(`CREATE TEMP TABLE s_labels AS
    WITH cur AS (SELECT 'labels:' || incident_id AS k, fingerprint FROM (${LABELS_FINGERPRINT})),
    seen AS (SELECT incident_id AS k, fingerprint FROM d_links_seen WHERE starts_with(incident_id, 'labels:')),
    diff AS ((SELECT * FROM cur EXCEPT SELECT * FROM seen) UNION (SELECT * FROM seen EXCEPT SELECT * FROM cur))
    SELECT DISTINCT substr(k, 8) AS id FROM diff`);
}

/** Remember the pull requests' commit-derived columns this refresh saw (all of them, or those in s_prs). */
export async function snapshotPulls(tx: WriteTx, full: boolean): Promise<void> {
  if (full) {
    await tx.run('DELETE FROM d_prs_seen');
    await tx.run(`INSERT INTO d_prs_seen SELECT ${PR_SEEN} FROM pull_requests WHERE commit_count IS NOT NULL`);
    return;
  }
  await tx.run('DELETE FROM d_prs_seen USING s_prs s WHERE d_prs_seen.repo = s.repo AND d_prs_seen.number = s.number');
  await tx.run(`INSERT INTO d_prs_seen SELECT ${PR_SEEN.replace(/(\w+)/g, 'p.$1')} FROM pull_requests p
    JOIN s_prs s ON s.repo = p.repo AND s.number = p.number WHERE p.commit_count IS NOT NULL`);
}

/** s_attr: incidents whose attribution (and so impact start) must be recomputed. */
export async function buildAttributionScope(tx: WriteTx, since: Since): Promise<void> {
  await tx.run('DROP TABLE IF EXISTS s_attr');
  // A changed deployment can only be the window candidate of incidents of its team created after
  // it; explicit tokens can start to resolve once new commits or deployments arrive.
  await tx.run(`CREATE TEMP TABLE s_attr AS
    WITH changed_deps AS (
      SELECT repo, min(coalesce(succeeded_at, created_at)) AS since FROM deployments
      WHERE ${since.deployments} GROUP BY repo
    ),
    team_since AS (
      SELECT tr.team_id, min(c.since) AS since FROM changed_deps c JOIN team_repos tr ON tr.repo = c.repo GROUP BY tr.team_id
    )
    SELECT id FROM s_incidents
    UNION SELECT id FROM s_links
    UNION SELECT i.id FROM d_incidents i JOIN team_since t ON t.team_id = i.team_id AND i.created_at >= t.since
    -- Tokens can only start (or stop) resolving through deployments or commits stored since then.
    UNION SELECT t.incident_id FROM d_incident_tokens t JOIN (
      SELECT dc.sha FROM deployment_commits dc JOIN deployments d ON d.id = dc.deployment_id WHERE ${on('d', since.deployments)}
      UNION ALL SELECT sha FROM deployments WHERE ${since.deployments}
      UNION ALL SELECT dc.sha FROM deployment_commits dc JOIN deployment_compares c ON c.deployment_id = dc.deployment_id
        WHERE ${on('c', since.deployment_compares)}
    ) s ON left(s.sha, 7) = left(t.token, 7) AND starts_with(s.sha, t.token)
    WHERE t.kind = 'sha'
    UNION SELECT t.incident_id FROM d_incident_tokens t JOIN deployments d ON d.github_id = try_cast(t.token AS BIGINT)
    WHERE t.kind = 'deployment' AND ${on('d', since.deployments)}
    UNION SELECT t.incident_id FROM d_incident_tokens t JOIN deployments d ON d.id = 'run:' || t.token
    WHERE t.kind = 'deployment' AND ${on('d', since.deployments)}`);
}

/** s_deploys: deployments whose change-failure and rework flags must be recomputed. */
export async function buildDeploymentScope(tx: WriteTx): Promise<void> {
  await tx.run(`INSERT INTO s_deploys
    SELECT id FROM t_redo
    UNION SELECT cause_deployment_id FROM d_incidents WHERE id IN (SELECT id FROM s_attr) AND cause_deployment_id IS NOT NULL
    UNION SELECT d.id FROM d_deployments d JOIN (
      SELECT team_id, min(created_at) AS since FROM d_incidents WHERE id IN (SELECT id FROM s_attr) GROUP BY team_id
    ) t ON t.team_id = d.team_id AND d.deployed_at >= t.since`);
}

/** s_users: people whose pages must be rebuilt, each from the start of an interruption-safe point. */
export async function buildPageScope(tx: WriteTx, since: Since): Promise<void> {
  await tx.run('DROP TABLE IF EXISTS s_users');
  await tx.run(`CREATE TEMP TABLE s_users AS
    WITH changed AS (
      SELECT user_id, min(started_at) AS t FROM notifications WHERE ${since.notifications} GROUP BY user_id
      UNION ALL
      SELECT user_id, min(created_at) - INTERVAL 2 MINUTE FROM log_entries
        WHERE type = 'notify_log_entry' AND user_id IS NOT NULL AND ${since.log_entries} GROUP BY user_id
      UNION ALL
      SELECT id, TIMESTAMPTZ '-infinity' FROM pd_users WHERE ${since.pd_users}
    ),
    earliest AS (SELECT user_id, min(t) AS t FROM changed GROUP BY user_id)
    SELECT e.user_id, coalesce((
      SELECT max(p.started_at) FROM d_pages p WHERE p.user_id = e.user_id AND p.gap_start AND p.started_at <= e.t
    ), TIMESTAMPTZ '-infinity') AS since
    FROM earliest e`);
}

export async function changedShiftRange(db: QueryRunner, since: Since): Promise<{ from: string; to: string } | undefined> {
  const row = await db.one<{ a: string | null; b: string | null }>(
    `SELECT min(start_at) AS a, max(coalesce(end_at, now())) AS b FROM oncall_shifts WHERE ${since.oncall_shifts}`,
  );
  return row?.a && row.b ? { from: row.a, to: row.b } : undefined;
}
