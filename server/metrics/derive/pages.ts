// Page facts (METRICS.md "On-call health"). A page is a notification whose type is one of the
// configured page channels. Each page is linked to its incident through the notify log entry that
// records it (same notification id; else the same person and channel at the nearest time within
// 2 minutes), placed in the recipient's own zone (business / off / sleep hours, and the night it
// belongs to: a night runs from the sleep start to the sleep end and belongs to the date it
// starts on), grouped into interruptions per person (a page more than the interruption window
// after the first page of the current interruption starts a new one), and marked on call or not
// (an on-call shift at the configured escalation level covers it).
import type { WriteTx } from '../../db/index.ts';
import type { DeriveContext } from './context.ts';
import { hourClassSql, nightDateSql } from './oncall.ts';
import { configDay, configZoneJoin } from './zones.ts';

const NEAREST_MS = 120_000;

export async function derivePages(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  const s = ctx.settings;
  const winMs = Math.round(s.interruptionS * 1000);
  const inScope = ctx.full ? '' : 'AND EXISTS (SELECT 1 FROM s_users u WHERE u.user_id = n.user_id AND n.started_at >= u.since)';
  if (!ctx.full) {
    await tx.run(
      'DELETE FROM d_pages WHERE EXISTS (SELECT 1 FROM s_users u WHERE u.user_id = d_pages.user_id AND d_pages.started_at >= u.since)',
    );
  } else {
    await tx.run('DELETE FROM d_pages');
  }
  await tx.run('DROP TABLE IF EXISTS t_pages');
  await tx.run(
    `CREATE TEMP TABLE t_pages AS
     WITH n AS (
       SELECT n.id, n.user_id, n.type, n.started_at FROM notifications n
       WHERE list_contains($channels, n.type) ${inScope}
     ),
     byid AS (
       SELECT notification_id, first(incident_id ORDER BY created_at, id) AS incident_id FROM log_entries
       WHERE type = 'notify_log_entry' AND notification_id IN (SELECT id FROM n) GROUP BY notification_id
     ),
     ne AS (
       SELECT l.user_id, l.notification_type, l.created_at, l.incident_id FROM log_entries l
       WHERE l.type = 'notify_log_entry' AND l.user_id IS NOT NULL AND l.notification_type IS NOT NULL
       ${ctx.full ? '' : 'AND EXISTS (SELECT 1 FROM s_users u WHERE u.user_id = l.user_id AND l.created_at >= u.since - INTERVAL 2 MINUTE)'}
     ),
     -- An anti-join, not NOT IN (whose NULL semantics DuckDB evaluates far more slowly).
     unmatched AS (SELECT n.* FROM n ANTI JOIN byid ON byid.notification_id = n.id),
     before AS (
       SELECT u.id, e.incident_id, e.created_at FROM unmatched u
       ASOF JOIN ne e ON e.user_id = u.user_id AND e.notification_type = u.type AND u.started_at >= e.created_at
     ),
     after AS (
       SELECT u.id, e.incident_id, e.created_at FROM unmatched u
       ASOF JOIN ne e ON e.user_id = u.user_id AND e.notification_type = u.type AND u.started_at <= e.created_at
     ),
     nearest AS (
       SELECT u.id,
         CASE
           WHEN b.created_at IS NOT NULL AND (a.created_at IS NULL OR
             epoch_ms(u.started_at) - epoch_ms(b.created_at) <= epoch_ms(a.created_at) - epoch_ms(u.started_at))
             THEN CASE WHEN epoch_ms(u.started_at) - epoch_ms(b.created_at) <= ${NEAREST_MS} THEN b.incident_id END
           WHEN a.created_at IS NOT NULL AND epoch_ms(a.created_at) - epoch_ms(u.started_at) <= ${NEAREST_MS} THEN a.incident_id
         END AS incident_id
       FROM unmatched u LEFT JOIN before b ON b.id = u.id LEFT JOIN after a ON a.id = u.id
     ),
     linked AS (
       SELECT n.*, coalesce(b.incident_id, nr.incident_id) AS incident_id,
         CASE WHEN b.incident_id IS NOT NULL THEN 'notification_id' WHEN nr.incident_id IS NOT NULL THEN 'nearest' END AS link_method
       FROM n LEFT JOIN byid b ON b.notification_id = n.id LEFT JOIN nearest nr ON nr.id = n.id
     ),
     with_zone AS (
       SELECT l.*, coalesce(z.zone, $zone) AS zone FROM linked l LEFT JOIN t_zones z ON z.user_id = l.user_id
     ),
     zoned AS (
       SELECT w.*, coalesce(CAST(w.started_at + to_seconds(o.offset_s) AS TIMESTAMP), timezone(w.zone, w.started_at)) AS local_time,
         ${configDay('w.started_at', 'oc')} AS started_day
       FROM with_zone w
       ASOF LEFT JOIN d_zone_offsets o ON o.zone = w.zone AND w.started_at >= o.from_utc
       ${configZoneJoin('w.started_at', 'oc')}
     ),
     classed AS (
       SELECT *, hour(local_time) * 60 + minute(local_time) AS m, isodow(local_time) AS dow FROM zoned
     ),
     gaps AS (
       SELECT *, ${hourClassSql(s, 'm', 'dow')} AS hour_class,
         lag(started_at) OVER (PARTITION BY user_id ORDER BY started_at, id) AS prev_at
       FROM classed
     )
     SELECT *, CASE WHEN hour_class = 'sleep' THEN ${nightDateSql(s, 'm', 'CAST(local_time AS DATE)')} END AS night_date,
       (prev_at IS NULL OR epoch_ms(started_at) - epoch_ms(prev_at) > ${winMs}) AS gap_start
     FROM gaps`,
    { channels: s.pageChannels, zone: s.defaultZone, cfgZone: s.defaultZone },
  );
  await tx.run('DROP TABLE IF EXISTS t_islands');
  await tx.run(`CREATE TEMP TABLE t_islands AS
    SELECT id, user_id, started_at, sum(gap_start::INTEGER) OVER (PARTITION BY user_id ORDER BY started_at, id) AS island
    FROM t_pages`);
  // Islands (runs of pages with no gap longer than the window) that span more than the window
  // need the sequential rule; all others are exactly one interruption. Only those few are walked.
  await tx.run('DROP TABLE IF EXISTS t_long');
  await tx.run(`CREATE TEMP TABLE t_long AS
    WITH spans AS (
      SELECT user_id, island FROM t_islands GROUP BY user_id, island
      HAVING epoch_ms(max(started_at)) - epoch_ms(min(started_at)) > ${winMs}
    )
    SELECT i.id, i.user_id, i.island, i.started_at,
      row_number() OVER (PARTITION BY i.user_id, i.island ORDER BY i.started_at, i.id) AS rn
    FROM t_islands i JOIN spans s ON s.user_id = i.user_id AND s.island = i.island`);
  await tx.run('DROP TABLE IF EXISTS t_long_starts');
  await tx.run(`CREATE TEMP TABLE t_long_starts AS
    WITH RECURSIVE walk(user_id, island, rn, anchor, id, starts) AS (
      SELECT user_id, island, rn, started_at, id, true FROM t_long WHERE rn = 1
      UNION ALL
      SELECT l.user_id, l.island, l.rn,
        CASE WHEN epoch_ms(l.started_at) - epoch_ms(w.anchor) > ${winMs} THEN l.started_at ELSE w.anchor END,
        l.id, epoch_ms(l.started_at) - epoch_ms(w.anchor) > ${winMs}
      FROM walk w JOIN t_long l ON l.user_id = w.user_id AND l.island = w.island AND l.rn = w.rn + 1
    )
    SELECT id, starts FROM walk`);
  await tx.run(
    `INSERT INTO d_pages (id, user_id, type, started_at, started_day, incident_id, link_method, zone, local_time, hour_class, night_date,
       gap_start, interruption_start, sleep_interruption, on_call, oncall_schedule_id, oncall_team_id,
       team_id, service_id, severity, signature, label, label_source)
     WITH starts AS (
       SELECT p.id, coalesce(ls.starts, p.gap_start) AS interruption_start
       FROM t_pages p LEFT JOIN t_long_starts ls ON ls.id = p.id
     ),
     span AS (
       SELECT p.id, p.started_at < sp.e AS on_call FROM t_pages p
       ASOF JOIN t_spans sp ON sp.user_id = p.user_id AND p.started_at >= sp.s
     ),
     shift AS (
       SELECT p.id, CASE WHEN p.started_at < sh.end_at THEN sh.schedule_id END AS schedule_id,
         CASE WHEN p.started_at < sh.end_at THEN sh.team_id END AS team_id
       FROM t_pages p
       ASOF JOIN (SELECT * FROM d_shifts WHERE escalation_level = $level) sh
         ON sh.user_id = p.user_id AND p.started_at >= sh.start_at
     )
     SELECT p.id, p.user_id, p.type, p.started_at, p.started_day, p.incident_id, p.link_method, p.zone, p.local_time, p.hour_class,
       p.night_date, p.gap_start, st.interruption_start, (st.interruption_start AND p.hour_class = 'sleep'),
       coalesce(sp.on_call, false), sh.schedule_id, sh.team_id,
       coalesce(nullif(i.team_id, 'unassigned'), nullif(sh.team_id, 'unassigned'), 'unassigned'),
       i.service_id, i.severity, i.signature, i.label, i.label_source
     FROM t_pages p
     JOIN starts st ON st.id = p.id
     LEFT JOIN span sp ON sp.id = p.id
     LEFT JOIN shift sh ON sh.id = p.id
     LEFT JOIN d_incidents i ON i.id = p.incident_id
     ORDER BY p.started_at, p.id`,
    { level: s.escalationLevel },
  );
}

/** t_spans: on-call spans at the configured level, merged per person (needed by the page steps). */
export async function prepareOncallSpans(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  const s = ctx.settings;
  await tx.run(`DROP TABLE IF EXISTS t_spans`);
  // On-call spans at the configured level, merged per person so overlapping shifts never hide one
  // another from the ASOF join below.
  await tx.run(
    `CREATE TEMP TABLE t_spans AS
     WITH sh AS (SELECT user_id, start_at AS s, end_at AS e, id FROM d_shifts WHERE escalation_level = $level),
     marked AS (
       SELECT *, CASE WHEN s <= max(e) OVER (PARTITION BY user_id ORDER BY s, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
         THEN 0 ELSE 1 END AS starts FROM sh
     ),
     grouped AS (SELECT *, sum(starts) OVER (PARTITION BY user_id ORDER BY s, id) AS g FROM marked)
     SELECT user_id, min(s) AS s, max(e) AS e FROM grouped GROUP BY user_id, g`,
    { level: s.escalationLevel },
  );
}

/** Refresh the incident-derived columns of pages whose incident changed (incremental path). */
export async function refreshPageIncidentColumns(tx: WriteTx): Promise<void> {
  await tx.run(`
    UPDATE d_pages SET
      team_id = coalesce(nullif(i.team_id, 'unassigned'), nullif(d_pages.oncall_team_id, 'unassigned'), 'unassigned'),
      service_id = i.service_id, severity = i.severity, signature = i.signature, label = i.label, label_source = i.label_source
    FROM d_incidents i
    WHERE i.id = d_pages.incident_id AND d_pages.incident_id IN (SELECT id FROM s_label)
      -- Only pages whose incident facts really changed (a busy rule can have many thousand pages).
      AND (d_pages.label IS DISTINCT FROM i.label OR d_pages.label_source IS DISTINCT FROM i.label_source
        OR d_pages.severity IS DISTINCT FROM i.severity OR d_pages.signature IS DISTINCT FROM i.signature
        OR d_pages.service_id IS DISTINCT FROM i.service_id
        OR d_pages.team_id IS DISTINCT FROM coalesce(nullif(i.team_id, 'unassigned'), nullif(d_pages.oncall_team_id, 'unassigned'), 'unassigned'))`);
}

/** Recompute on-call columns of pages in the time range of changed shifts (incremental path). */
export async function refreshPageOncall(tx: WriteTx, ctx: DeriveContext, from: string, to: string): Promise<void> {
  await tx.run(
    `UPDATE d_pages SET on_call = x.on_call, oncall_schedule_id = x.schedule_id, oncall_team_id = x.team_id,
       team_id = CASE WHEN d_pages.incident_id IS NULL OR i_team = 'unassigned' THEN coalesce(nullif(x.team_id, 'unassigned'), 'unassigned')
         ELSE d_pages.team_id END
     FROM (
       WITH p AS (
         SELECT d.id, d.user_id, d.started_at, coalesce(i.team_id, 'unassigned') AS i_team FROM d_pages d
         LEFT JOIN d_incidents i ON i.id = d.incident_id
         WHERE d.started_at >= $from::TIMESTAMPTZ AND d.started_at <= $to::TIMESTAMPTZ
       ),
       span AS (
         SELECT p.id, p.started_at < sp.e AS on_call FROM p ASOF JOIN t_spans sp ON sp.user_id = p.user_id AND p.started_at >= sp.s
       ),
       shift AS (
         SELECT p.id, CASE WHEN p.started_at < sh.end_at THEN sh.schedule_id END AS schedule_id,
           CASE WHEN p.started_at < sh.end_at THEN sh.team_id END AS team_id
         FROM p ASOF JOIN (SELECT * FROM d_shifts WHERE escalation_level = $level) sh
           ON sh.user_id = p.user_id AND p.started_at >= sh.start_at
       )
       SELECT p.id, p.i_team, coalesce(span.on_call, false) AS on_call, shift.schedule_id, shift.team_id
       FROM p LEFT JOIN span ON span.id = p.id LEFT JOIN shift ON shift.id = p.id
     ) x WHERE x.id = d_pages.id`,
    { from, to, level: ctx.settings.escalationLevel },
  );
}
