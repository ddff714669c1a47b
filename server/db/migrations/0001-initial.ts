// The initial schema: sync bookkeeping, the raw layer, the normalised layer, the teams mapping
// from config, and the user-owned layer. Derived tables (attribution, incident and page facts,
// rollups) are caches rebuilt from these by the metrics engine and are not part of migrations.
//
// Conventions:
// - Times are TIMESTAMPTZ in UTC. Ids are the source's own ids as VARCHAR (GitHub numeric ids are
//   kept as BIGINT where they are only ever numbers).
// - Every normalised row carries `raw_hash` (the hash of the raw payload it was built from, so an
//   unchanged record is skipped instead of rewritten) and `synced_at`.
// - Raw tables are append-only logs without a primary key: a primary key over tens of millions of
//   composite string keys would need its whole ART index in memory (DUCKDB-NOTES §6). The newest
//   row per (stream, scope, record_key) is the current payload.
import type { Migration } from '../migrate.ts';

export const migration: Migration = {
  version: 1,
  name: 'initial schema',
  statements: [
    // ---- key-value state that belongs to no stream (derived-data version, config fingerprints)
    `CREATE TABLE meta (
      key VARCHAR PRIMARY KEY,
      value VARCHAR NOT NULL,
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`,

    // ---- sync bookkeeping
    `CREATE SEQUENCE sync_run_ids START 1`,
    `CREATE TABLE sync_runs (
      id BIGINT PRIMARY KEY DEFAULT nextval('sync_run_ids'),
      source VARCHAR NOT NULL,            -- 'github' | 'pagerduty'
      trigger VARCHAR NOT NULL,           -- 'schedule' | 'api' | 'cli' | 'demo' | 'renormalize'
      started_at TIMESTAMPTZ NOT NULL,
      ended_at TIMESTAMPTZ,
      status VARCHAR NOT NULL,            -- 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted'
      requests INTEGER NOT NULL DEFAULT 0,
      rate_limit_remaining INTEGER,
      rate_limit_reset_at TIMESTAMPTZ,
      records_written BIGINT NOT NULL DEFAULT 0,
      bad_records INTEGER NOT NULL DEFAULT 0,
      streams VARCHAR,                    -- JSON: per stream and scope {records, written, requests, errors}
      error VARCHAR                       -- what went wrong, in words a user can act on
    )`,
    `CREATE TABLE sync_cursors (
      source VARCHAR NOT NULL,
      stream VARCHAR NOT NULL,
      scope VARCHAR NOT NULL,             -- repository, or '*' for account-wide PagerDuty streams
      cursor VARCHAR NOT NULL,            -- JSON, stream-specific (watermark, window, etags)
      updated_at TIMESTAMPTZ NOT NULL,
      run_id BIGINT,
      PRIMARY KEY (source, stream, scope)
    )`,
    `CREATE TABLE sync_errors (
      run_id BIGINT NOT NULL,
      source VARCHAR NOT NULL,
      stream VARCHAR NOT NULL,
      scope VARCHAR NOT NULL,
      url VARCHAR,                        -- request URL without secrets
      record_key VARCHAR,
      message VARCHAR NOT NULL,
      occurred_at TIMESTAMPTZ NOT NULL
    )`,

    // ---- raw layer: verbatim payloads, one row per record (or per unparseable page)
    `CREATE TABLE raw_github (
      stream VARCHAR NOT NULL,            -- deployments, deployment_statuses, compare, pulls, pull_commits, workflow_runs
      scope VARCHAR NOT NULL,             -- owner/name
      record_key VARCHAR NOT NULL,        -- the record's id in its stream
      request_url VARCHAR NOT NULL,       -- as requested, without secrets
      fetched_at TIMESTAMPTZ NOT NULL,
      run_id BIGINT,
      payload_hash VARCHAR NOT NULL,
      payload VARCHAR NOT NULL,           -- the record's JSON exactly as received
      error VARCHAR                       -- set when the payload failed validation; the row is kept
    )`,
    `CREATE TABLE raw_pagerduty (
      stream VARCHAR NOT NULL,            -- services, teams, users, priorities, escalation_policies, schedules,
                                          -- oncalls, incidents, log_entries, alerts, notifications
      scope VARCHAR NOT NULL,
      record_key VARCHAR NOT NULL,
      request_url VARCHAR NOT NULL,
      fetched_at TIMESTAMPTZ NOT NULL,
      run_id BIGINT,
      payload_hash VARCHAR NOT NULL,
      payload VARCHAR NOT NULL,
      error VARCHAR
    )`,

    // ---- normalised layer: GitHub
    `CREATE TABLE deployments (
      id VARCHAR PRIMARY KEY,             -- GitHub deployment id, or 'run:<id>' for an Actions run counted as a deployment
      repo VARCHAR NOT NULL,              -- owner/name, lower-case
      source VARCHAR NOT NULL,            -- 'deployments' | 'actions'
      github_id BIGINT NOT NULL,
      sha VARCHAR NOT NULL,
      ref VARCHAR,
      task VARCHAR,
      environment VARCHAR NOT NULL,
      creator VARCHAR,
      created_at TIMESTAMPTZ NOT NULL,
      updated_at TIMESTAMPTZ,
      status VARCHAR,                     -- newest status: success, failure, error, inactive, pending, queued, in_progress; null if none
      status_at TIMESTAMPTZ,
      succeeded_at TIMESTAMPTZ,           -- first 'success' status: the deployment's time (METRICS.md)
      final BOOLEAN NOT NULL DEFAULT false, -- no further status change is expected
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE deployment_statuses (
      id BIGINT PRIMARY KEY,
      deployment_id VARCHAR NOT NULL,
      repo VARCHAR NOT NULL,
      state VARCHAR NOT NULL,
      environment VARCHAR,
      description VARCHAR,
      creator VARCHAR,
      log_url VARCHAR,
      created_at TIMESTAMPTZ NOT NULL,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE commits (
      repo VARCHAR NOT NULL,
      sha VARCHAR NOT NULL,
      authored_at TIMESTAMPTZ,
      committed_at TIMESTAMPTZ,
      author VARCHAR,
      message VARCHAR,                    -- first line
      parent_count INTEGER,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (repo, sha)
    )`,
    `CREATE TABLE deployment_compares (
      deployment_id VARCHAR PRIMARY KEY,
      repo VARCHAR NOT NULL,
      base_deployment_id VARCHAR,         -- previous successful deployment of the same repo and environment
      base_sha VARCHAR,
      head_sha VARCHAR NOT NULL,
      status VARCHAR,                     -- ahead, behind, diverged, identical (GitHub compare)
      ahead_by INTEGER,
      behind_by INTEGER,
      total_commits INTEGER,
      commits_stored INTEGER,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE deployment_commits (
      deployment_id VARCHAR NOT NULL,
      repo VARCHAR NOT NULL,
      sha VARCHAR NOT NULL,
      position INTEGER NOT NULL,          -- 0 = oldest, as GitHub compare lists them
      PRIMARY KEY (deployment_id, sha)
    )`,
    `CREATE TABLE pull_requests (
      repo VARCHAR NOT NULL,
      number INTEGER NOT NULL,
      title VARCHAR,
      author VARCHAR,
      state VARCHAR NOT NULL,             -- open | closed
      draft BOOLEAN,
      created_at TIMESTAMPTZ NOT NULL,
      updated_at TIMESTAMPTZ,
      closed_at TIMESTAMPTZ,
      merged_at TIMESTAMPTZ,
      merge_commit_sha VARCHAR,
      head_sha VARCHAR,
      head_ref VARCHAR,
      base_ref VARCHAR,
      first_commit_at TIMESTAMPTZ,        -- earliest authored time of its commits (from pull commits)
      commit_count INTEGER,
      commits_synced BOOLEAN NOT NULL DEFAULT false,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (repo, number)
    )`,
    `CREATE TABLE pull_request_commits (
      repo VARCHAR NOT NULL,
      number INTEGER NOT NULL,
      sha VARCHAR NOT NULL,
      authored_at TIMESTAMPTZ,
      committed_at TIMESTAMPTZ,
      PRIMARY KEY (repo, number, sha)
    )`,

    // ---- normalised layer: PagerDuty
    `CREATE TABLE pd_services (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      description VARCHAR,
      status VARCHAR,
      escalation_policy_id VARCHAR,
      team_ids VARCHAR[],
      html_url VARCHAR,
      created_at TIMESTAMPTZ,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE pd_teams (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      description VARCHAR,
      html_url VARCHAR,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE pd_users (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      email VARCHAR,
      time_zone VARCHAR,                  -- IANA zone the person lives in: pages are placed in it
      role VARCHAR,
      team_ids VARCHAR[],
      html_url VARCHAR,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE pd_priorities (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      description VARCHAR,
      position INTEGER NOT NULL,          -- 0 = most severe (PagerDuty lists them in order)
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE pd_escalation_policies (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      team_ids VARCHAR[],
      service_ids VARCHAR[],
      schedule_ids VARCHAR[],             -- schedules targeted by its rules
      num_loops INTEGER,
      html_url VARCHAR,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE pd_schedules (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      time_zone VARCHAR,
      escalation_policy_ids VARCHAR[],
      team_ids VARCHAR[],
      html_url VARCHAR,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE incidents (
      id VARCHAR PRIMARY KEY,
      incident_number BIGINT,
      title VARCHAR NOT NULL,
      description VARCHAR,
      status VARCHAR NOT NULL,            -- triggered | acknowledged | resolved
      urgency VARCHAR,                    -- high | low
      priority_id VARCHAR,
      priority_name VARCHAR,
      service_id VARCHAR NOT NULL,
      escalation_policy_id VARCHAR,
      team_ids VARCHAR[],
      incident_key VARCHAR,
      html_url VARCHAR,
      created_at TIMESTAMPTZ NOT NULL,
      updated_at TIMESTAMPTZ,
      last_status_change_at TIMESTAMPTZ,
      resolved_at TIMESTAMPTZ,            -- PagerDuty's field; metrics use the resolve log entry
      alert_count INTEGER,
      assigned_via VARCHAR,
      final BOOLEAN NOT NULL DEFAULT false, -- resolved, with its log entries and alerts stored
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE log_entries (
      id VARCHAR PRIMARY KEY,
      incident_id VARCHAR NOT NULL,
      type VARCHAR NOT NULL,              -- trigger_log_entry, acknowledge_log_entry, escalate_log_entry, notify_log_entry, ...
      created_at TIMESTAMPTZ NOT NULL,
      agent_type VARCHAR,                 -- user_reference, service_reference, integration_reference, ...
      agent_id VARCHAR,
      channel_type VARCHAR,               -- api, auto, email, web_trigger, nagios, timeout, note, ...
      user_id VARCHAR,                    -- the person notified (notify) or acted upon
      notification_type VARCHAR,          -- notify entries: sms | phone | push | email
      notification_id VARCHAR,
      assignee_ids VARCHAR[],
      summary VARCHAR,
      note VARCHAR,                       -- annotate entries: the note's text
      details VARCHAR,                    -- JSON: event_details, changeset, priority changes
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE alerts (
      id VARCHAR PRIMARY KEY,
      incident_id VARCHAR NOT NULL,
      status VARCHAR,                     -- triggered | resolved
      created_at TIMESTAMPTZ NOT NULL,
      resolved_at TIMESTAMPTZ,
      alert_key VARCHAR,
      severity VARCHAR,                   -- info | warning | error | critical
      summary VARCHAR,
      service_id VARCHAR,
      integration_id VARCHAR,
      event_time TIMESTAMPTZ,             -- the monitor's own time of the event, when the alert carries one
      suppressed BOOLEAN,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE notifications (
      id VARCHAR PRIMARY KEY,
      type VARCHAR NOT NULL,              -- sms | phone | push | email
      started_at TIMESTAMPTZ NOT NULL,
      user_id VARCHAR NOT NULL,
      address VARCHAR,
      status VARCHAR,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,
    `CREATE TABLE oncall_shifts (
      id VARCHAR PRIMARY KEY,             -- schedule|policy|level|user|start: PagerDuty gives shifts no id
      schedule_id VARCHAR,                -- null for permanent (non-schedule) on-calls
      escalation_policy_id VARCHAR,
      escalation_level INTEGER,
      user_id VARCHAR NOT NULL,
      start_at TIMESTAMPTZ,
      end_at TIMESTAMPTZ,
      raw_hash VARCHAR,
      synced_at TIMESTAMPTZ NOT NULL
    )`,

    // ---- the organisation from config (rewritten from the config file at start-up)
    `CREATE TABLE teams (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      time_zone VARCHAR NOT NULL
    )`,
    `CREATE TABLE team_repos (
      team_id VARCHAR NOT NULL,
      repo VARCHAR NOT NULL,
      production_pattern VARCHAR NOT NULL,
      workflow VARCHAR,
      workflow_branch VARCHAR,
      PRIMARY KEY (team_id, repo)
    )`,
    `CREATE TABLE team_services (
      team_id VARCHAR NOT NULL,
      service_id VARCHAR NOT NULL,
      PRIMARY KEY (team_id, service_id)
    )`,
    `CREATE TABLE team_schedules (
      team_id VARCHAR NOT NULL,
      schedule_id VARCHAR NOT NULL,
      PRIMARY KEY (team_id, schedule_id)
    )`,

    // ---- user-owned layer: what no API can give back. No sync, renormalise or rebuild touches it.
    `CREATE TABLE review_labels (
      incident_id VARCHAR PRIMARY KEY,    -- PagerDuty incident id
      label VARCHAR NOT NULL CHECK (label IN ('actionable', 'non_actionable')),
      reason VARCHAR CHECK (reason IS NULL OR reason IN ('threshold_needs_tuning', 'check_is_faulty', 'expected', 'duplicate', 'informational_only', 'other')),
      note VARCHAR,
      labelled_by VARCHAR NOT NULL,
      labelled_at TIMESTAMPTZ NOT NULL,
      version INTEGER NOT NULL DEFAULT 1
    )`,
    `CREATE TABLE follow_ups (
      id VARCHAR PRIMARY KEY,
      team_id VARCHAR NOT NULL,
      rule_signature VARCHAR NOT NULL,    -- alert-rule signature (METRICS.md)
      title VARCHAR NOT NULL,
      url VARCHAR,
      owner VARCHAR,
      done BOOLEAN NOT NULL DEFAULT false,
      opened_week DATE NOT NULL,          -- the review week it was opened in
      created_by VARCHAR NOT NULL,
      created_at TIMESTAMPTZ NOT NULL,
      done_at TIMESTAMPTZ,
      updated_by VARCHAR NOT NULL,
      updated_at TIMESTAMPTZ NOT NULL,
      version INTEGER NOT NULL DEFAULT 1
    )`,
    `CREATE TABLE review_notes (
      team_id VARCHAR NOT NULL,
      week_start DATE NOT NULL,
      body VARCHAR NOT NULL,
      updated_by VARCHAR NOT NULL,
      updated_at TIMESTAMPTZ NOT NULL,
      version INTEGER NOT NULL DEFAULT 1,
      PRIMARY KEY (team_id, week_start)
    )`,
    `CREATE TABLE incident_links (
      incident_id VARCHAR NOT NULL,
      deployment_id VARCHAR NOT NULL,     -- '*' with action 'unlink' means: caused by no deployment
      action VARCHAR NOT NULL CHECK (action IN ('link', 'unlink')),
      note VARCHAR,
      created_by VARCHAR NOT NULL,
      created_at TIMESTAMPTZ NOT NULL,
      version INTEGER NOT NULL DEFAULT 1,
      PRIMARY KEY (incident_id, deployment_id)
    )`,
    `CREATE SEQUENCE user_audit_ids START 1`,
    `CREATE TABLE user_audit (
      id BIGINT PRIMARY KEY DEFAULT nextval('user_audit_ids'),
      entity VARCHAR NOT NULL,            -- review_labels, follow_ups, review_notes, incident_links
      entity_key VARCHAR NOT NULL,
      action VARCHAR NOT NULL,            -- insert, update, delete
      before_json VARCHAR,
      after_json VARCHAR,
      actor VARCHAR NOT NULL,
      occurred_at TIMESTAMPTZ NOT NULL
    )`,
  ],
};
