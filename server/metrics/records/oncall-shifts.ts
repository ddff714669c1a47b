// On-call shift records: PagerDuty's on-call shifts overlapping the range, with the person, the
// schedule and its team, the escalation level, their hours inside the range and the person's zone.
import type { Params } from '../../db/index.ts';
import { type MetricQuery, QueryError } from '../query.ts';
import { filterExpr, queryParams, usedParams } from '../sql.ts';
import type { MetricContext } from '../types.ts';
import { cursorExpr, cursorParams, encodeCursor, isoSql, listParam, localIsoSql, type Page } from './shared.ts';

export const shiftParams = {
  limit: undefined,
  cursor: undefined,
  person: undefined,
  schedule: undefined,
  level: undefined,
} as const;

const dims = { team: 's.team_id' } as const;
const HOURS = `(epoch_ms(least(s.end_at, CAST($hi AS TIMESTAMPTZ))) - epoch_ms(greatest(s.start_at, CAST($lo AS TIMESTAMPTZ)))) / 3600000.0`;

function where(q: MetricQuery): string {
  const person = listParam(q.extra.person).length ? 'AND list_contains($person, s.user_id)' : '';
  const schedule = listParam(q.extra.schedule).length ? 'AND list_contains($schedule, s.schedule_id)' : '';
  const level = q.extra.level ? 'AND s.escalation_level = $level' : '';
  return `s.end_at > CAST($lo AS TIMESTAMPTZ) AND s.start_at < CAST($hi AS TIMESTAMPTZ) ${person} ${schedule} ${level} ${filterExpr(q, dims)}`;
}

function params(q: MetricQuery): Params {
  const level = q.extra.level ? Number(q.extra.level) : undefined;
  if (level !== undefined && (!Number.isInteger(level) || level < 1 || level > 20)) {
    throw new QueryError('level', `level must be an escalation level from 1 to 20; got "${q.extra.level}".`);
  }
  return {
    ...queryParams(q),
    person: listParam(q.extra.person),
    schedule: listParam(q.extra.schedule),
    ...(level !== undefined ? { level } : {}),
  };
}

export async function listShifts(ctx: MetricContext, q: MetricQuery, page: Page) {
  const sql = `
    SELECT s.id, s.user_id AS "userId", u.name AS "userName", s.schedule_id AS "scheduleId", sc.name AS "scheduleName",
      s.escalation_policy_id AS "escalationPolicyId", s.escalation_level AS "escalationLevel", s.team_id AS team, s.zone,
      s.start_at AS "startAt", s.end_at AS "endAt", s.open_ended AS "openEnded",
      ${localIsoSql('s.start_at', 's.zone')} AS "localStart", ${localIsoSql('s.end_at', 's.zone')} AS "localEnd",
      ${HOURS} AS "hoursInRange"
    FROM d_shifts s LEFT JOIN pd_users u ON u.id = s.user_id LEFT JOIN pd_schedules sc ON sc.id = s.schedule_id
    WHERE ${where(q)} ${cursorExpr(page, 's.start_at', 's.id')}
    ORDER BY s.start_at DESC, s.id DESC LIMIT ${page.limit + 1}`;
  const rows = await ctx.db.all<Record<string, unknown>>(sql, usedParams(sql, { ...params(q), ...cursorParams(page) }));
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeCursor(String(last.startAt), String(last.id)) : null };
}

export const shiftCsvColumns = [
  'id',
  'user_id',
  'user_name',
  'schedule_id',
  'escalation_policy_id',
  'escalation_level',
  'team',
  'zone',
  'start_at',
  'end_at',
  'local_start',
  'local_end',
  'open_ended',
  'hours_in_range',
] as const;

export function shiftsCsvQuery(q: MetricQuery): { sql: string; params: Params } {
  const sql = `
    SELECT s.id, s.user_id, u.name AS user_name, s.schedule_id, s.escalation_policy_id, s.escalation_level, s.team_id AS team,
      s.zone, ${isoSql('s.start_at')} AS start_at, ${isoSql('s.end_at')} AS end_at,
      ${localIsoSql('s.start_at', 's.zone')} AS local_start, ${localIsoSql('s.end_at', 's.zone')} AS local_end,
      s.open_ended, ${HOURS} AS hours_in_range
    FROM d_shifts s LEFT JOIN pd_users u ON u.id = s.user_id
    WHERE ${where(q)}
    ORDER BY s.start_at DESC, s.id DESC`;
  return { sql, params: usedParams(sql, params(q)) };
}
