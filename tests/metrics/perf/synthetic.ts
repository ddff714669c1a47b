// Synthetic normalised rows at the scale of the large simulated organisation (issue 9), written
// straight into DuckDB with INSERT … SELECT FROM range() (seconds, not the hours a full sync would
// take), for measuring the metrics engine alone: refresh times and endpoint latencies.
// Not a realistic organisation (tests/stand-ins/org is); realistic enough in shape and volume:
// 20 teams, 400 repositories, 150 services, 600 people, 5 years.

import { parseConfig } from '../../../server/config/load.ts';
import type { VigilConfig } from '../../../server/config/schema.ts';
import type { Database } from '../../../server/db/index.ts';
import { usedParams } from '../../../server/metrics/sql.ts';

export interface SyntheticSize {
  years: number;
  deployments: number;
  incidents: number;
  notifications: number;
}

export const LARGE: SyntheticSize = { years: 5, deployments: 2_000_000, incidents: 300_000, notifications: 3_000_000 };
export const SMALL: SyntheticSize = { years: 1, deployments: 20_000, incidents: 3_000, notifications: 30_000 };
export const MEDIUM: SyntheticSize = { years: 2, deployments: 200_000, incidents: 30_000, notifications: 300_000 };

const TEAMS = 20;
const REPOS = 400;
const SERVICES = 150;
const USERS = 600;
const SCHEDULES = 100;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC', 'America/Los_Angeles', 'Europe/London'];

export function syntheticConfig(database: string): VigilConfig {
  return parseConfig('/synthetic/vigil.config.yaml', {
    database,
    teams: Array.from({ length: TEAMS }, (_, t) => ({
      id: `team-${t}`,
      name: `Team ${t}`,
      repos: Array.from({ length: REPOS / TEAMS }, (_, k) => `org/repo-${t + k * TEAMS}`),
      services: Array.from({ length: Math.ceil(SERVICES / TEAMS) }, (_, k) => `S${t + k * TEAMS}`).filter(
        (s) => Number(s.slice(1)) < SERVICES - 10, // the last 10 services stay unmapped
      ),
      schedules: Array.from({ length: SCHEDULES / TEAMS }, (_, k) => `SCH${t + k * TEAMS}`),
    })),
  });
}

/** Fill the normalised tables. `end` is the newest time; history reaches `years` back. */
export async function generate(
  db: Database,
  size: SyntheticSize,
  end = '2025-12-31T00:00:00Z',
  syncedAt = '2026-01-01T00:00:00Z',
) {
  const spanS = size.years * 365 * 86400;
  const p = { end, syncedAt, span: spanS };
  const started = performance.now();
  const step = async (name: string, sql: string) => {
    const t = performance.now();
    await db.write((tx) => tx.run(sql, usedParams(sql, p)));
    process.stderr.write(`  ${name}: ${Math.round(performance.now() - t)} ms\n`);
  };
  const D = size.deployments;
  await step(
    'deployments',
    `INSERT INTO deployments (id, repo, source, github_id, sha, ref, environment, creator, created_at, updated_at, status,
       status_at, succeeded_at, final, synced_at)
     SELECT 'd' || i, 'org/repo-' || (i % ${REPOS}), 'deployments', i, md5('c' || i), 'main',
       CASE WHEN i % 10 = 9 THEN 'staging' ELSE 'production' END, 'dev' || (i % 50),
       t - INTERVAL 5 MINUTE, t,
       CASE WHEN i % 19 = 7 THEN 'failure' WHEN i % 10 = 9 THEN 'success' WHEN i % ${REPOS * 3} < ${REPOS} THEN 'success' ELSE 'inactive' END,
       t, CASE WHEN i % 19 = 7 THEN NULL ELSE t END, true, $syncedAt::TIMESTAMPTZ
     FROM (SELECT i, $end::TIMESTAMPTZ - to_seconds(CAST(($span * (${D} - i) / ${D}) AS BIGINT)) AS t FROM range(${D}) r(i))`,
  );
  await step(
    'commits (2 per production deployment)',
    `INSERT INTO commits (repo, sha, authored_at, committed_at, author, message, parent_count, synced_at)
     SELECT repo, md5('c' || i || '-' || k), created_at - to_seconds(3600 * (1 + (i * 7 + k * 13) % 200)), created_at,
       'dev' || (i % 50), 'change ' || i, 1, $syncedAt::TIMESTAMPTZ
     FROM (SELECT *, CAST(substr(id, 2) AS BIGINT) AS i FROM deployments WHERE environment = 'production'), range(2) r(k)`,
  );
  await step(
    'deployment_commits',
    `INSERT INTO deployment_commits (deployment_id, repo, sha, position)
     SELECT id, repo, md5('c' || i || '-' || k), k
     FROM (SELECT *, CAST(substr(id, 2) AS BIGINT) AS i FROM deployments WHERE environment = 'production'), range(2) r(k)`,
  );
  await step(
    'pull_requests (one per production deployment, merge commit = its 2nd commit)',
    `INSERT INTO pull_requests (repo, number, title, author, state, draft, created_at, updated_at, closed_at, merged_at,
       merge_commit_sha, head_sha, head_ref, base_ref, first_commit_at, commit_count, commits_synced, synced_at)
     SELECT repo, CAST(i AS INTEGER), 'PR ' || i, 'dev' || (i % 50), 'closed', false, created_at - INTERVAL 3 DAY, created_at,
       created_at, created_at - INTERVAL 1 HOUR, md5('c' || i || '-1'), md5('c' || i || '-1'), 'f' || i, 'main',
       created_at - to_seconds(3600 * (5 + i % 300)), 2, true, $syncedAt::TIMESTAMPTZ
     FROM (SELECT *, CAST(substr(id, 2) AS BIGINT) AS i FROM deployments WHERE environment = 'production' AND i % 2 = 0)`,
  );
  const I = size.incidents;
  await step(
    'incidents',
    `INSERT INTO incidents (id, incident_number, title, description, status, urgency, priority_id, priority_name, service_id,
       html_url, created_at, updated_at, resolved_at, alert_count, final, synced_at)
     SELECT 'P' || i, i,
       CASE i % 5 WHEN 0 THEN 'Disk usage ' || (80 + i % 20) || '% on db-' || (i % 9) || '.prod.internal'
         WHEN 1 THEN 'High latency on checkout' WHEN 2 THEN 'Error rate above ' || (i % 10) || '%'
         WHEN 3 THEN 'Pod crashloop ' || md5(i::VARCHAR)[1:8] ELSE 'Queue backlog' END,
       CASE WHEN i % 50 = 0 THEN 'after deploy ' || md5('c' || (i * 6) || '-1')[1:10] END,
       CASE WHEN i % 300 = 0 THEN 'triggered' ELSE 'resolved' END, CASE WHEN i % 3 = 0 THEN 'low' ELSE 'high' END,
       CASE WHEN i % 4 = 0 THEN NULL ELSE 'PRI' || (1 + i % 4) END, CASE WHEN i % 4 = 0 THEN NULL ELSE 'P' || (1 + i % 4) END,
       'S' || (i % ${SERVICES}), 'https://x.pagerduty.com/incidents/P' || i, t, t + INTERVAL 1 DAY,
       CASE WHEN i % 300 = 0 THEN NULL ELSE t + to_seconds(60 * (3 + (i * 37) % 600)) END, 1 + i % 4, i % 300 <> 0,
       $syncedAt::TIMESTAMPTZ
     FROM (SELECT i, $end::TIMESTAMPTZ - to_seconds(CAST(($span * (${I} - i) / ${I}) AS BIGINT)) AS t FROM range(${I}) r(i))`,
  );
  await step(
    'log entries (trigger, acknowledge, escalate, resolve)',
    `INSERT INTO log_entries (id, incident_id, type, created_at, agent_type, channel_type, synced_at)
     SELECT id || '-' || kind, id, kind || '_log_entry',
       CASE kind WHEN 'trigger' THEN created_at WHEN 'acknowledge' THEN created_at + to_seconds(30 + n * 7 % 900)
         WHEN 'escalate' THEN created_at + INTERVAL 15 MINUTE ELSE resolved_at END,
       CASE WHEN kind = 'trigger' AND n % 12 = 0 THEN 'user_reference' WHEN kind IN ('trigger', 'resolve') AND n % 4 = 1
         THEN 'integration_reference' WHEN kind = 'escalate' THEN 'service_reference' ELSE 'user_reference' END,
       CASE WHEN kind = 'escalate' THEN 'timeout' ELSE 'api' END, $syncedAt::TIMESTAMPTZ
     FROM (SELECT *, incident_number AS n FROM incidents), (VALUES ('trigger'), ('acknowledge'), ('escalate'), ('resolve')) v(kind)
     WHERE (kind = 'trigger') OR (kind = 'acknowledge' AND n % 7 <> 0) OR (kind = 'escalate' AND n % 10 = 0)
       OR (kind = 'resolve' AND resolved_at IS NOT NULL)`,
  );
  await step(
    'alerts',
    `INSERT INTO alerts (id, incident_id, status, created_at, resolved_at, service_id, event_time, synced_at)
     SELECT id || '-a' || k, id, 'resolved', created_at, resolved_at, service_id,
       CASE WHEN incident_number % 3 = 0 THEN created_at - INTERVAL 4 MINUTE END, $syncedAt::TIMESTAMPTZ
     FROM incidents, range(2) r(k) WHERE k < alert_count`,
  );
  await step(
    'users',
    `INSERT INTO pd_users (id, name, email, time_zone, synced_at)
     SELECT 'U' || i, 'Person ' || i, 'p' || i || '@example.com',
       (${JSON.stringify(ZONES).replace(/"/g, "'")})[1 + i % ${ZONES.length}], $syncedAt::TIMESTAMPTZ FROM range(${USERS}) r(i)`,
  );
  await step(
    'services',
    `INSERT INTO pd_services (id, name, escalation_policy_id, synced_at)
     SELECT 'S' || i, 'Service ' || i, 'EP' || (i % ${SCHEDULES}), $syncedAt::TIMESTAMPTZ FROM range(${SERVICES}) r(i)`,
  );
  const N = size.notifications;
  // Each page goes to the on-call person of the incident's service's schedule (6 people per
  // schedule, weekly rotation), at the incident time plus a few minutes.
  await step(
    'notifications + notify log entries',
    `INSERT INTO notifications (id, type, started_at, user_id, status, synced_at)
     SELECT 'N' || j, (['sms', 'phone', 'push', 'email'])[1 + j % 4],
       i.created_at + to_seconds(60 * (j % 7)),
       'U' || (((i.incident_number % ${SCHEDULES}) * 6 + CAST(epoch(i.created_at) / 604800 AS BIGINT) % 6) % ${USERS}),
       'success', $syncedAt::TIMESTAMPTZ
     FROM range(${N}) r(j) JOIN incidents i ON i.incident_number = j % ${I}`,
  );
  await step(
    'notify log entries',
    `INSERT INTO log_entries (id, incident_id, type, created_at, agent_type, channel_type, user_id, notification_type,
       notification_id, synced_at)
     SELECT 'LN' || substr(n.id, 2), 'P' || (CAST(substr(n.id, 2) AS BIGINT) % ${I}), 'notify_log_entry', n.started_at,
       'user_reference', n.type, n.user_id, n.type, n.id, $syncedAt::TIMESTAMPTZ
     FROM notifications n`,
  );
  const weeks = size.years * 52 + 2;
  await step(
    'on-call shifts (weekly, level 1 and 2)',
    `INSERT INTO oncall_shifts (id, schedule_id, escalation_policy_id, escalation_level, user_id, start_at, end_at, synced_at)
     SELECT 'SCH' || s || '|' || lvl || '|' || w, 'SCH' || s, 'EP' || s, lvl,
       'U' || ((s * 6 + (w + lvl - 1) % 6) % ${USERS}),
       $end::TIMESTAMPTZ - to_seconds(604800 * (${weeks} - w)), $end::TIMESTAMPTZ - to_seconds(604800 * (${weeks} - w - 1)),
       $syncedAt::TIMESTAMPTZ
     FROM range(${SCHEDULES}) a(s), range(${weeks}) b(w), range(1, 3) c(lvl)`,
  );
  process.stderr.write(`  total ${Math.round(performance.now() - started)} ms\n`);
}
