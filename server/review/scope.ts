// Which pages a review covers and when its week runs. A review is of a team (the pages of its
// incidents and of its people on call, as the pages metric assigns them) or of one on-call
// schedule (the pages received while on call for it). The week is an ISO week, Monday to Sunday, in
// the team's time zone (a schedule's own zone); the default is the last full week there, so a
// Monday-morning meeting in Sydney and one in Berlin each open the week that just ended for them.
import { badRequest, notFound } from '../api/errors.ts';
import type { VigilConfig } from '../config/schema.ts';
import type { QueryRunner } from '../db/index.ts';
import { addDays, truncDate } from '../metrics/query.ts';
import type { ReviewOptions, ReviewScope, ReviewWeek } from './types.ts';
import { limits, reasonTitles, reasonValues } from './types.ts';

export const UNASSIGNED = 'unassigned';

/** Today's date in a zone, YYYY-MM-DD. */
export function todayIn(zone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The Monday of the last full week in a zone. */
export function defaultWeek(zone: string, now: Date = new Date()): string {
  return addDays(truncDate(todayIn(zone, now), 'week'), -7);
}

interface ScheduleRow {
  id: string;
  name: string | null;
  time_zone: string | null;
  html_url: string | null;
  team_ids: string[] | null;
}

async function scheduleRows(db: QueryRunner): Promise<ScheduleRow[]> {
  return db.all<ScheduleRow>(
    `WITH ids AS (SELECT id FROM pd_schedules UNION SELECT schedule_id FROM team_schedules),
     owners AS (SELECT schedule_id, list(team_id ORDER BY team_id) AS team_ids FROM team_schedules GROUP BY schedule_id)
     SELECT ids.id, s.name, s.time_zone, s.html_url, o.team_ids
     FROM ids LEFT JOIN pd_schedules s ON s.id = ids.id LEFT JOIN owners o ON o.schedule_id = ids.id
     WHERE ids.id IS NOT NULL ORDER BY coalesce(s.name, ids.id), ids.id`,
  );
}

function teamZone(config: VigilConfig, teamId: string | undefined): string {
  return config.teams.find((t) => t.id === teamId)?.timeZone ?? config.timeZone;
}

function validZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function scheduleScope(config: VigilConfig, row: ScheduleRow): ReviewScope {
  const owner = row.team_ids?.[0];
  return {
    kind: 'schedule',
    id: row.id,
    key: `schedule:${row.id}`,
    name: row.name ?? row.id,
    timeZone: validZone(row.time_zone) ? row.time_zone : teamZone(config, owner),
    url: row.html_url,
  };
}

/** The teams and schedules a review can be opened for, each with its default week. */
export async function reviewOptions(db: QueryRunner, config: VigilConfig, now: Date = new Date()): Promise<ReviewOptions> {
  const schedules = await scheduleRows(db);
  const teams = [
    ...config.teams.map((t) => ({ id: t.id, name: t.name, timeZone: t.timeZone ?? config.timeZone, schedules: t.schedules })),
    { id: UNASSIGNED, name: 'Unassigned', timeZone: config.timeZone, schedules: [] as string[] },
  ];
  return {
    teams: teams.map((t) => ({ ...t, schedules: [...t.schedules], defaultWeek: defaultWeek(t.timeZone, now) })),
    schedules: schedules.map((row) => {
      const scope = scheduleScope(config, row);
      return {
        id: scope.id,
        name: scope.name,
        timeZone: scope.timeZone,
        defaultWeek: defaultWeek(scope.timeZone, now),
        teamIds: row.team_ids ?? [],
      };
    }),
    reasons: reasonValues.map((value) => ({ value, title: reasonTitles[value] })),
    limits,
  };
}

/** Resolve `team` or `schedule` (exactly one) to a scope; unknown ids are a 404. */
export async function resolveScope(
  db: QueryRunner,
  config: VigilConfig,
  input: { team?: string | undefined; schedule?: string | undefined },
): Promise<ReviewScope> {
  const team = input.team?.trim() || undefined;
  const schedule = input.schedule?.trim() || undefined;
  if ((team === undefined) === (schedule === undefined)) {
    throw badRequest(
      'Say whose week to review: give team=ID or schedule=ID (one of them).',
      'GET /api/review/options lists the teams and schedules.',
    );
  }
  if (team !== undefined) {
    if (team === UNASSIGNED) {
      return { kind: 'team', id: UNASSIGNED, key: UNASSIGNED, name: 'Unassigned', timeZone: config.timeZone, url: null };
    }
    const t = config.teams.find((x) => x.id === team);
    if (!t) {
      throw notFound(`No team "${team}".`, `Teams: ${[...config.teams.map((x) => x.id), UNASSIGNED].join(', ')}.`, {
        allowed: [...config.teams.map((x) => x.id), UNASSIGNED],
      });
    }
    return { kind: 'team', id: t.id, key: t.id, name: t.name, timeZone: t.timeZone ?? config.timeZone, url: null };
  }
  const rows = await scheduleRows(db);
  const row = rows.find((r) => r.id === schedule);
  if (!row) {
    throw notFound(`No on-call schedule "${schedule}".`, 'GET /api/review/options lists the schedules Vigil knows.');
  }
  return scheduleScope(config, row);
}

/** Resolve the scope key stored in user-owned rows back to `team` / `schedule` input. */
export function scopeInputOf(key: string): { team?: string; schedule?: string } {
  return key.startsWith('schedule:') ? { schedule: key.slice('schedule:'.length) } : { team: key };
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

function validDate(text: string): boolean {
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Parse a week parameter (any date in it) to its Monday; absent means the default week. */
export function parseWeek(text: string | undefined, zone: string, now: Date = new Date()): { start: string; isDefault: boolean } {
  const value = text?.trim();
  if (!value) return { start: defaultWeek(zone, now), isDefault: true };
  if (!isoDate.test(value) || !validDate(value)) {
    throw badRequest(`week must be a date (YYYY-MM-DD) in the week to review; got "${value}".`, 'Example: week=2024-03-04.', {
      parameter: 'week',
    });
  }
  const start = truncDate(value, 'week');
  if (start > truncDate(todayIn(zone, now), 'week')) {
    throw badRequest(`The week of ${start} has not started yet in ${zone}.`, 'Pick this week or an earlier one.', {
      parameter: 'week',
    });
  }
  return { start, isDefault: start === defaultWeek(zone, now) };
}

/** The week's bounds as UTC instants, computed by DuckDB's zone rules (daylight-saving weeks are 167 or 169 h). */
export async function resolveWeek(
  db: QueryRunner,
  scope: ReviewScope,
  text: string | undefined,
  now: Date = new Date(),
): Promise<ReviewWeek> {
  const { start, isDefault } = parseWeek(text, scope.timeZone, now);
  const row = await db.one<{ lo: string; hi: string }>(
    `SELECT strftime(timezone($tz, CAST(CAST($d AS DATE) AS TIMESTAMP)), '%Y-%m-%dT%H:%M:%S.%gZ') AS lo,
       strftime(timezone($tz, CAST(CAST($d AS DATE) + INTERVAL 7 DAY AS TIMESTAMP)), '%Y-%m-%dT%H:%M:%S.%gZ') AS hi`,
    { tz: scope.timeZone, d: start },
  );
  if (!row) throw new Error('Could not resolve the week.');
  const thisWeek = truncDate(todayIn(scope.timeZone, now), 'week');
  const next = addDays(start, 7);
  return {
    start,
    end: addDays(start, 6),
    lo: row.lo,
    hi: row.hi,
    isDefault,
    partial: start === thisWeek,
    previous: addDays(start, -7),
    next: next <= thisWeek ? next : null,
  };
}

/**
 * SQL conditions selecting the scope's pages (alias p, d_pages) and incidents (alias i,
 * d_incidents), with their bound parameters. A schedule's incidents are those whose escalation
 * policy targets it.
 */
export function scopeSql(scope: ReviewScope): { pages: string; incidents: string; params: { scopeId: string } } {
  if (scope.kind === 'team') {
    return { pages: 'p.team_id = $scopeId', incidents: 'i.team_id = $scopeId', params: { scopeId: scope.id } };
  }
  return {
    pages: 'p.oncall_schedule_id = $scopeId',
    incidents: `i.id IN (SELECT n.id FROM incidents n JOIN pd_escalation_policies ep ON ep.id = n.escalation_policy_id
      WHERE list_contains(ep.schedule_ids, $scopeId))`,
    params: { scopeId: scope.id },
  };
}
