// UTC offsets per time zone as a small table of transitions, so converting millions of times
// to local time is an ASOF join instead of one ICU call per row (measured: DuckDB's
// timezone(zone_column, ts) costs ~2.8 µs a row, 8 s for 3M pages on 2 cores; the join costs a
// fraction of that). The table is built with DuckDB's own zone rules (timezone()), sampled daily
// and refined to the quarter hour around each change, so it agrees with timezone() exactly.
//
// d_zone_offsets(zone, from_utc, from_local, offset_s): from `from_utc` on, local = utc + offset_s.
// `from_local` is the same instant on the local clock, for the reverse conversion.
import type { WriteTx } from '../../db/index.ts';
import type { DeriveSettings } from './context.ts';

/** The zones in use (people, teams, the configured one) and the span the data needs. */
async function needed(tx: WriteTx, settings: DeriveSettings): Promise<{ lo: string; hi: string }> {
  await tx.run('DROP TABLE IF EXISTS t_zone_list');
  await tx.run(
    `CREATE TEMP TABLE t_zone_list AS
     SELECT DISTINCT zone FROM (SELECT zone FROM t_zones UNION ALL SELECT $zone UNION ALL SELECT time_zone FROM teams)
     WHERE zone IN (SELECT name FROM pg_timezone_names())`,
    { zone: settings.defaultZone },
  );
  const span = await tx.one<{ lo: string | null; hi: string | null }>(`
    SELECT strftime(min(t) - INTERVAL 2 DAY, '%Y-%m-%dT00:00:00Z') AS lo, strftime(max(t) + INTERVAL 400 DAY, '%Y-%m-%dT00:00:00Z') AS hi
    FROM (
      SELECT min(created_at) AS t FROM deployments UNION ALL SELECT max(coalesce(status_at, created_at)) FROM deployments
      UNION ALL SELECT min(created_at) FROM incidents UNION ALL SELECT max(coalesce(resolved_at, created_at)) FROM incidents
      UNION ALL SELECT min(started_at) FROM notifications UNION ALL SELECT max(started_at) FROM notifications
      UNION ALL SELECT min(start_at) FROM oncall_shifts UNION ALL SELECT max(coalesce(end_at, start_at)) FROM oncall_shifts
      UNION ALL SELECT now()
    )`);
  return { lo: span?.lo ?? '2000-01-01T00:00:00Z', hi: span?.hi ?? '2040-01-01T00:00:00Z' };
}

/** (Re)build d_zone_offsets when a zone is missing or the data outgrew the covered span. */
export async function deriveZoneOffsets(tx: WriteTx, settings: DeriveSettings, force: boolean): Promise<void> {
  const { lo, hi } = await needed(tx, settings);
  if (!force) {
    const covered = await tx.one<{ ok: boolean }>(
      `SELECT count(*) = (SELECT count(*) FROM t_zone_list) AS ok FROM (
         SELECT zone FROM d_zone_offsets GROUP BY zone
         HAVING min(from_utc) <= CAST($lo AS TIMESTAMPTZ) AND max(covered_to) >= CAST($hi AS TIMESTAMPTZ) - INTERVAL 300 DAY
       ) WHERE zone IN (SELECT zone FROM t_zone_list)`,
      { lo, hi },
    );
    if (covered?.ok) return;
  }
  await tx.run('DELETE FROM d_zone_offsets');
  await tx.run(
    `INSERT INTO d_zone_offsets (zone, from_utc, from_local, offset_s, covered_to)
     WITH days AS (
       SELECT z.zone, CAST(d AS TIMESTAMPTZ) AS d
       FROM t_zone_list z, (SELECT unnest(generate_series(CAST($lo AS TIMESTAMPTZ), CAST($hi AS TIMESTAMPTZ), INTERVAL 1 DAY)) AS d)
     ),
     sampled AS (
       SELECT zone, d, CAST(epoch(CAST(timezone(zone, d) AS TIMESTAMPTZ)) - epoch(d) AS INTEGER) AS o FROM days
     ),
     marked AS (
       SELECT *, lag(o) OVER (PARTITION BY zone ORDER BY d) AS prev_o, lag(d) OVER (PARTITION BY zone ORDER BY d) AS prev_d
       FROM sampled
     ),
     changes AS (SELECT zone, prev_d, d, o FROM marked WHERE prev_o IS NOT NULL AND o <> prev_o),
     refined AS (
       SELECT c.zone, c.o, min(c.prev_d + to_minutes(15 * s.k)) AS t_at
       FROM changes c, (SELECT unnest(generate_series(1, 96)) AS k) s
       WHERE CAST(epoch(CAST(timezone(c.zone, c.prev_d + to_minutes(15 * s.k)) AS TIMESTAMPTZ))
         - epoch(c.prev_d + to_minutes(15 * s.k)) AS INTEGER) = c.o
       GROUP BY c.zone, c.o, c.d
     ),
     starts AS (
       SELECT zone, min(d) AS t_at, arg_min(o, d) AS o FROM sampled GROUP BY zone
       UNION ALL SELECT zone, t_at, o FROM refined
     )
     SELECT zone, t_at, CAST(t_at + to_seconds(o) AS TIMESTAMP), o, CAST($hi AS TIMESTAMPTZ) FROM starts ORDER BY zone, t_at`,
    { lo, hi },
  );
}

/** SQL for the local wall-clock time of `ts` given the ASOF-joined offset row `o` (null-safe). */
export function localFromOffset(ts: string, o: string, zone: string): string {
  return `coalesce(CAST(${ts} + to_seconds(${o}.offset_s) AS TIMESTAMP), timezone(${zone}, ${ts}))`;
}

/**
 * An ASOF LEFT JOIN giving `alias.offset_s` of the configured zone at time `ts` (a column of the
 * query). Needs the bound parameter $cfgZone.
 */
export function configZoneJoin(ts: string, alias: string): string {
  return `ASOF LEFT JOIN (SELECT from_utc, offset_s FROM d_zone_offsets WHERE zone = $cfgZone) ${alias} ON ${ts} >= ${alias}.from_utc`;
}

/** The local date, in the configured zone, of `ts` joined through configZoneJoin as `alias`. */
export function configDay(ts: string, alias: string): string {
  return `CAST(coalesce(CAST(${ts} + to_seconds(${alias}.offset_s) AS TIMESTAMP), timezone($cfgZone, ${ts})) AS DATE)`;
}
