// The derived tables: caches the metrics engine builds from the normalised, user-owned and config
// tables (never part of migrations, never a source of truth). Each is rebuildable at any time; a
// change of DERIVE_VERSION (code) or of the config fingerprint drops and rebuilds them all.
//
// Why no primary keys: DuckDB keeps an ART index fully in memory (DUCKDB-NOTES §6) and these
// tables are rewritten in bulk, so they are plain tables inserted in time order, which keeps the
// zone maps tight for the time-range scans every metric does.

/** Bump whenever the meaning or shape of a derived table changes: the next refresh rebuilds all. */
export const DERIVE_VERSION = 'derive-6';

/** Derived tables in dependency order, each with its DDL. */
export const derivedTables: readonly { name: string; ddl: string }[] = [
  {
    name: 'd_zone_offsets',
    ddl: `CREATE TABLE d_zone_offsets (
      zone VARCHAR, from_utc TIMESTAMPTZ, from_local TIMESTAMP, offset_s INTEGER, covered_to TIMESTAMPTZ
    )`,
  },
  {
    name: 'd_envs',
    // Production or not per (repository, environment), decided in JS with the same RegExp the
    // collectors use, so both agree on what "production" means.
    ddl: `CREATE TABLE d_envs (repo VARCHAR, environment VARCHAR, production BOOLEAN)`,
  },
  {
    name: 'd_deployments',
    ddl: `CREATE TABLE d_deployments (
      id VARCHAR, repo VARCHAR, environment VARCHAR, team_id VARCHAR, source VARCHAR, github_id BIGINT,
      sha VARCHAR, ref VARCHAR, creator VARCHAR, created_at TIMESTAMPTZ,
      production BOOLEAN, outcome VARCHAR,          -- success | failure | pending | superseded
      deployed_at TIMESTAMPTZ,                      -- first success status: the deployment's time
      finished_at TIMESTAMPTZ,                      -- time of the outcome (success or failure status)
      deployed_day DATE, finished_day DATE,         -- their local dates in the configured zone (fast buckets)
      prev_id VARCHAR, next_id VARCHAR,             -- neighbouring successful deployments, same repo + env
      is_rollback BOOLEAN, rolled_back BOOLEAN, rollback_id VARCHAR,
      change_count INTEGER, caused_incidents INTEGER, change_failed BOOLEAN,
      is_rework BOOLEAN, rework_incident_id VARCHAR
    )`,
  },
  {
    name: 'd_changes',
    ddl: `CREATE TABLE d_changes (
      change_key VARCHAR, repo VARCHAR, kind VARCHAR, pr_number INTEGER, sha VARCHAR, title VARCHAR, author VARCHAR,
      first_commit_at TIMESTAMPTZ, commit_count INTEGER,
      deployment_id VARCHAR, deployed_at TIMESTAMPTZ, team_id VARCHAR, lead_time_s DOUBLE, deployed_day DATE
    )`,
  },
  {
    name: 'd_incident_tokens',
    // SHA-like and deployment-id-like words in an incident's title, description and notes.
    ddl: `CREATE TABLE d_incident_tokens (incident_id VARCHAR, kind VARCHAR, token VARCHAR, found_in VARCHAR)`,
  },
  {
    name: 'd_attribution',
    ddl: `CREATE TABLE d_attribution (
      incident_id VARCHAR, cause VARCHAR,           -- change_caused | not_change_caused | unknown
      method VARCHAR,                               -- manual_link | manual_unlink | explicit_sha | explicit_deployment | window | none
      deployment_id VARCHAR, repo VARCHAR, deployed_at TIMESTAMPTZ,
      evidence VARCHAR,                             -- JSON: what matched, where, and the rule applied
      evidence_text VARCHAR                         -- the same in one sentence
    )`,
  },
  {
    name: 'd_incidents',
    ddl: `CREATE TABLE d_incidents (
      id VARCHAR, number BIGINT, title VARCHAR, html_url VARCHAR, status VARCHAR, urgency VARCHAR,
      priority_name VARCHAR, severity VARCHAR, target_s DOUBLE, service_id VARCHAR, team_id VARCHAR,
      created_at TIMESTAMPTZ, created_day DATE, acknowledged_at TIMESTAMPTZ, resolved_at TIMESTAMPTZ, resolved_from VARCHAR,
      ack_s DOUBLE, resolve_s DOUBLE,
      detection VARCHAR, escalated BOOLEAN, escalation_count INTEGER, priority_raised BOOLEAN,
      alert_count INTEGER, first_alert_event_at TIMESTAMPTZ, impact_note_at TIMESTAMPTZ,
      impact_start TIMESTAMPTZ, impact_source VARCHAR, ttd_s DOUBLE, restore_s DOUBLE,
      signature VARCHAR, rule_title VARCHAR,
      self_resolved BOOLEAN, auto_resolved BOOLEAN, flapping BOOLEAN, flap_count INTEGER,
      suggested_label VARCHAR, suggestion_code VARCHAR, suggestion_text VARCHAR,
      human_label VARCHAR, human_reason VARCHAR, labelled_by VARCHAR,
      label VARCHAR, label_source VARCHAR,
      cause VARCHAR, cause_method VARCHAR, cause_deployment_id VARCHAR, cause_repo VARCHAR,
      cause_deployed_at TIMESTAMPTZ, recovery_s DOUBLE
    )`,
  },
  {
    name: 'd_shifts',
    ddl: `CREATE TABLE d_shifts (
      id VARCHAR, user_id VARCHAR, schedule_id VARCHAR, escalation_policy_id VARCHAR, escalation_level INTEGER,
      team_id VARCHAR, zone VARCHAR, start_at TIMESTAMPTZ, end_at TIMESTAMPTZ, open_ended BOOLEAN
    )`,
  },
  {
    name: 'd_oncall_pieces',
    // Shifts at the configured escalation level cut at the recipient's local day, business-hours
    // and sleep-hours boundaries, so exposure per hour class is a plain sum.
    ddl: `CREATE TABLE d_oncall_pieces (
      user_id VARCHAR, schedule_id VARCHAR, team_id VARCHAR, start_at TIMESTAMPTZ, end_at TIMESTAMPTZ,
      hours DOUBLE, hour_class VARCHAR
    )`,
  },
  {
    name: 'd_pages',
    ddl: `CREATE TABLE d_pages (
      id VARCHAR, user_id VARCHAR, type VARCHAR, started_at TIMESTAMPTZ, started_day DATE,
      incident_id VARCHAR, link_method VARCHAR,     -- notification_id | nearest | null
      zone VARCHAR, local_time TIMESTAMP, hour_class VARCHAR, night_date DATE,
      gap_start BOOLEAN, interruption_start BOOLEAN, sleep_interruption BOOLEAN,
      on_call BOOLEAN, oncall_schedule_id VARCHAR, oncall_team_id VARCHAR,
      team_id VARCHAR, service_id VARCHAR, severity VARCHAR, signature VARCHAR,
      label VARCHAR, label_source VARCHAR
    )`,
  },
  {
    name: 'd_links_seen',
    // The manual links and labels as of the last refresh: diffing against it finds the incidents
    // a reviewer changed, including deletions, without trusting any timestamp.
    ddl: `CREATE TABLE d_links_seen (incident_id VARCHAR, fingerprint VARCHAR)`,
  },
  {
    name: 'd_prs_seen',
    // Each pull request's commit-derived columns as of the last refresh. The collector fills them
    // when the commits arrive, later than the pull request and without moving its synced_at, so
    // diffing against this finds the pull requests whose changes must be re-derived.
    ddl: `CREATE TABLE d_prs_seen (repo VARCHAR, number INTEGER, first_commit_at TIMESTAMPTZ, commit_count INTEGER, commits_synced BOOLEAN)`,
  },
];

export const derivedTableNames = derivedTables.map((t) => t.name);

/**
 * Pre-rendered CSV lines (derive/csv-lines.ts): each record's finished CSV line next to the keys
 * its export filters and sorts on, maintained in the refresh's transaction. Kept out of
 * derivedTables: they have their own version (CSV_LINES_VERSION), are built when missing or stale
 * without rebuilding the facts, and the export falls back to rendering at query time meanwhile.
 */
export const csvLineTables: readonly { name: string; ddl: string }[] = [
  {
    name: 'd_csv_deployments',
    ddl: `CREATE TABLE d_csv_deployments (
      id VARCHAR, sort_time TIMESTAMPTZ, created_at TIMESTAMPTZ, production BOOLEAN, outcome VARCHAR,
      change_failed BOOLEAN, team_id VARCHAR, repo VARCHAR, line VARCHAR
    )`,
  },
  {
    name: 'd_csv_pages',
    // The line holds every column but the person's name and the reviewer's label text (reason,
    // note, labelled_by), which the export reads from pd_users and review_labels: editing a note
    // triggers no refresh.
    ddl: `CREATE TABLE d_csv_pages (
      id VARCHAR, started_at TIMESTAMPTZ, user_id VARCHAR, oncall_schedule_id VARCHAR, hour_class VARCHAR, on_call BOOLEAN,
      signature VARCHAR, local_time TIMESTAMP, team_id VARCHAR, service_id VARCHAR, severity VARCHAR, incident_id VARCHAR,
      head VARCHAR,                                 -- id and user_id, rendered (the person's name goes between)
      line VARCHAR
    )`,
  },
];
