// On-call shifts and exposure (METRICS.md "On-call exposure"), plus the recipients' time zones.
//
// d_shifts: every PagerDuty on-call shift with its team (the schedule's team, else the team of a
// service using the shift's escalation policy) and the person's zone; open-ended shifts end now.
// d_oncall_pieces: shifts at the configured escalation level cut at the person's local midnight
// and at the business-hours and sleep-hours boundaries, each piece classed business/off/sleep in
// the person's own zone (real zone conversion in DuckDB, so daylight-saving days have 23 or 25 h).
import type { WriteTx } from '../../db/index.ts';
import type { DeriveContext, DeriveSettings } from './context.ts';

/** t_zones: each PagerDuty user's zone when DuckDB knows it, else the configured default. */
export async function writeZones(tx: WriteTx, settings: DeriveSettings): Promise<void> {
  await tx.run('DROP TABLE IF EXISTS t_zones');
  await tx.run(
    `CREATE TEMP TABLE t_zones AS
     SELECT u.id AS user_id, coalesce(z.name, $zone) AS zone
     FROM pd_users u LEFT JOIN (SELECT DISTINCT name FROM pg_timezone_names()) z ON z.name = u.time_zone`,
    { zone: settings.defaultZone },
  );
}

/** SQL deciding the hour class of local minute-of-day `m` on ISO weekday `dow`. */
export function hourClassSql(settings: DeriveSettings, m: string, dow: string): string {
  const { sleepStart: ss, sleepEnd: se, businessStart: bs, businessEnd: be } = settings;
  const sleep = ss === se ? 'false' : ss > se ? `(${m} >= ${ss} OR ${m} < ${se})` : `(${m} >= ${ss} AND ${m} < ${se})`;
  const days = settings.businessDays.map((d) => Math.trunc(d)).join(', ') || '0';
  return `CASE WHEN ${sleep} THEN 'sleep' WHEN ${dow} IN (${days}) AND ${m} >= ${bs} AND ${m} < ${be} THEN 'business' ELSE 'off' END`;
}

/** SQL for the night a sleep-hour minute belongs to: the date the night started on. */
export function nightDateSql(settings: DeriveSettings, m: string, localDate: string): string {
  const { sleepStart: ss, sleepEnd: se } = settings;
  return ss > se ? `CASE WHEN ${m} >= ${ss} THEN ${localDate} ELSE ${localDate} - 1 END` : localDate;
}

export async function deriveShifts(tx: WriteTx, settings: DeriveSettings): Promise<void> {
  await tx.run('DELETE FROM d_shifts');
  await tx.run(
    `INSERT INTO d_shifts (id, user_id, schedule_id, escalation_policy_id, escalation_level, team_id, zone, start_at, end_at, open_ended)
     WITH sched_owner AS (SELECT schedule_id, min(team_id) AS team_id FROM team_schedules GROUP BY schedule_id),
     policy_owner AS (
       SELECT s.escalation_policy_id, min(ts.team_id) AS team_id
       FROM pd_services s JOIN team_services ts ON ts.service_id = s.id GROUP BY s.escalation_policy_id
     )
     SELECT o.id, o.user_id, o.schedule_id, o.escalation_policy_id, o.escalation_level,
       coalesce(so.team_id, po.team_id, 'unassigned'), coalesce(z.zone, $zone), o.start_at,
       coalesce(o.end_at, greatest(now(), o.start_at)), o.end_at IS NULL
     FROM oncall_shifts o
     LEFT JOIN sched_owner so ON so.schedule_id = o.schedule_id
     LEFT JOIN policy_owner po ON po.escalation_policy_id = o.escalation_policy_id
     LEFT JOIN t_zones z ON z.user_id = o.user_id
     WHERE o.start_at IS NOT NULL
     ORDER BY o.start_at, o.id`,
    { zone: settings.defaultZone },
  );
}

/** The local-clock segments of each ISO weekday with their class, from the configured hours. */
function segments(settings: DeriveSettings): [number, number, number, string][] {
  const cuts = [...new Set([0, settings.businessStart, settings.businessEnd, settings.sleepStart, settings.sleepEnd, 1440])]
    .filter((m) => m >= 0 && m <= 1440)
    .sort((a, b) => a - b);
  const out: [number, number, number, string][] = [];
  const { sleepStart: ss, sleepEnd: se, businessStart: bs, businessEnd: be } = settings;
  for (let dow = 1; dow <= 7; dow++) {
    for (let i = 0; i + 1 < cuts.length; i++) {
      const start = cuts[i] as number;
      const end = cuts[i + 1] as number;
      const m = start; // every minute of a segment has the same class: the cuts are the only changes
      const sleep = ss === se ? false : ss > se ? m >= ss || m < se : m >= ss && m < se;
      const business = settings.businessDays.includes(dow) && m >= bs && m < be;
      out.push([dow, start, end, sleep ? 'sleep' : business ? 'business' : 'off']);
    }
  }
  return out;
}

export async function deriveOncallPieces(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  const s = ctx.settings;
  await tx.stage(
    't_segments_raw',
    ['dow', 'start_min', 'end_min', 'hour_class'],
    segments(s).map(([d, a, b, c]) => [String(d), String(a), String(b), c]),
  );
  await tx.run('DELETE FROM d_oncall_pieces');
  await tx.run(
    `INSERT INTO d_oncall_pieces (user_id, schedule_id, team_id, start_at, end_at, hours, hour_class)
     WITH seg AS (
       SELECT CAST(dow AS INTEGER) AS dow, CAST(start_min AS INTEGER) AS start_min, CAST(end_min AS INTEGER) AS end_min,
         hour_class FROM t_segments_raw
     ),
     sh AS (SELECT * FROM d_shifts WHERE escalation_level = $level AND end_at > start_at),
     -- Local wall-clock start and end of each shift (zone offsets table: one ASOF join, not ICU per row).
     local_ends AS (
       SELECT sh.*, coalesce(CAST(sh.start_at + to_seconds(a.offset_s) AS TIMESTAMP), timezone(sh.zone, sh.start_at)) AS ls,
         coalesce(CAST(sh.end_at + to_seconds(b.offset_s) AS TIMESTAMP), timezone(sh.zone, sh.end_at)) AS le
       FROM sh
       ASOF LEFT JOIN d_zone_offsets a ON a.zone = sh.zone AND sh.start_at >= a.from_utc
       ASOF LEFT JOIN d_zone_offsets b ON b.zone = sh.zone AND sh.end_at >= b.from_utc
     ),
     days AS (
       SELECT user_id, schedule_id, team_id, zone, start_at, end_at,
         CAST(unnest(generate_series(CAST(ls AS DATE), CAST(le AS DATE), INTERVAL 1 DAY)) AS DATE) AS d
       FROM local_ends
     ),
     local_cut AS (
       SELECT days.*, seg.hour_class, days.d + to_minutes(seg.start_min) AS lps, days.d + to_minutes(seg.end_min) AS lpe
       FROM days JOIN seg ON seg.dow = isodow(days.d)
     ),
     -- Back to UTC: the offset in force at that local time (ASOF on the local clock).
     cut AS (
       SELECT c.user_id, c.schedule_id, c.team_id, c.start_at, c.end_at, c.hour_class,
         coalesce(CAST(c.lps AS TIMESTAMPTZ) - to_seconds(x.offset_s), timezone(c.zone, c.lps)) AS ps,
         coalesce(CAST(c.lpe AS TIMESTAMPTZ) - to_seconds(y.offset_s), timezone(c.zone, c.lpe)) AS pe
       FROM local_cut c
       ASOF LEFT JOIN d_zone_offsets x ON x.zone = c.zone AND c.lps >= x.from_local
       ASOF LEFT JOIN d_zone_offsets y ON y.zone = c.zone AND c.lpe >= y.from_local
     )
     SELECT user_id, schedule_id, team_id, greatest(ps, start_at) AS a, least(pe, end_at) AS b,
       (epoch_ms(least(pe, end_at)) - epoch_ms(greatest(ps, start_at))) / 3600000.0, hour_class
     FROM cut WHERE least(pe, end_at) > greatest(ps, start_at)
     ORDER BY a, user_id`,
    { level: s.escalationLevel },
  );
}
