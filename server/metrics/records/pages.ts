// Page records: every page behind the on-call metrics with its recipient, the time in their own
// zone, the hour class, the interruption it belongs to, its incident, alert rule and label (JSON,
// cursor-paged, newest first) and the same as CSV (the weekly review's export).
import type { Params, QueryRunner } from '../../db/index.ts';
import { csvLinesSql } from '../../lib/csv.ts';
import type { MetricQuery } from '../query.ts';
import { filterExpr, queryParams, usedParams } from '../sql.ts';
import type { MetricContext } from '../types.ts';
import {
  type CsvLinesQuery,
  cursorExpr,
  cursorParams,
  encodeCursor,
  isoSql,
  listParam,
  localIsoSql,
  localTimeIsoSql,
  type Page,
  sliceExpr,
  timeSlices,
} from './shared.ts';

export const pageParams = {
  limit: undefined,
  cursor: undefined,
  person: undefined,
  schedule: undefined,
  hourClass: ['business', 'off', 'sleep', 'all'],
  onCall: ['true', 'false', 'all'],
  rule: undefined,
  // The heat map's cells: ISO weekday (1 = Monday) and hour in the recipient's own zone.
  weekday: ['1', '2', '3', '4', '5', '6', '7'],
  hour: Array.from({ length: 24 }, (_, h) => String(h)),
} as const;

const dims = { team: 'p.team_id', service: 'p.service_id', severity: 'p.severity' } as const;

function where(q: MetricQuery): string {
  const person = listParam(q.extra.person).length ? 'AND list_contains($person, p.user_id)' : '';
  const schedule = listParam(q.extra.schedule).length ? 'AND list_contains($schedule, p.oncall_schedule_id)' : '';
  const hour = q.extra.hourClass && q.extra.hourClass !== 'all' ? 'AND p.hour_class = $hourClass' : '';
  const onCall = q.extra.onCall === 'true' ? 'AND p.on_call' : q.extra.onCall === 'false' ? 'AND NOT p.on_call' : '';
  const rule = q.extra.rule ? 'AND p.signature = $rule' : '';
  const weekday = q.extra.weekday ? 'AND isodow(p.local_time) = CAST($weekday AS INTEGER)' : '';
  const localHour = q.extra.hour ? 'AND hour(p.local_time) = CAST($localHour AS INTEGER)' : '';
  return `p.started_at >= CAST($lo AS TIMESTAMPTZ) AND p.started_at < CAST($hi AS TIMESTAMPTZ)
    ${person} ${schedule} ${hour} ${onCall} ${rule} ${weekday} ${localHour} ${filterExpr(q, dims)}`;
}

function params(q: MetricQuery): Params {
  return {
    ...queryParams(q),
    person: listParam(q.extra.person),
    schedule: listParam(q.extra.schedule),
    ...(q.extra.hourClass ? { hourClass: q.extra.hourClass } : {}),
    ...(q.extra.rule ? { rule: q.extra.rule } : {}),
    ...(q.extra.weekday ? { weekday: q.extra.weekday } : {}),
    ...(q.extra.hour ? { localHour: q.extra.hour } : {}),
  };
}

export async function listPages(ctx: MetricContext, q: MetricQuery, page: Page) {
  const sql = `
    SELECT p.id, p.user_id AS "userId", u.name AS "userName", p.type, p.started_at AS "startedAt", p.zone,
      ${localIsoSql('p.started_at', 'p.zone')} AS "localTime", p.hour_class AS "hourClass", p.night_date AS "nightDate",
      p.interruption_start AS "interruptionStart", p.on_call AS "onCall", p.oncall_schedule_id AS schedule,
      p.team_id AS team, p.incident_id AS "incidentId", i.title AS "incidentTitle", i.html_url AS "incidentUrl",
      p.link_method AS "linkedBy", p.service_id AS "serviceId", p.severity, p.signature AS rule, p.label,
      p.label_source AS "labelSource", i.suggestion_text AS "suggestionText"
    FROM (
      SELECT * FROM d_pages p WHERE ${where(q)} ${cursorExpr(page, 'p.started_at', 'p.id')}
      ORDER BY p.started_at DESC, p.id DESC LIMIT ${page.limit + 1}
    ) p LEFT JOIN pd_users u ON u.id = p.user_id LEFT JOIN d_incidents i ON i.id = p.incident_id
    ORDER BY p.started_at DESC, p.id DESC`;
  const rows = await ctx.db.all<Record<string, unknown>>(sql, usedParams(sql, { ...params(q), ...cursorParams(page) }));
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeCursor(String(last.startedAt), String(last.id)) : null };
}

export const pageCsvColumns = [
  'id',
  'user_id',
  'user_name',
  'type',
  'started_at',
  'local_time',
  'zone',
  'hour_class',
  'night_date',
  'interruption_start',
  'on_call',
  'schedule',
  'team',
  'incident_id',
  'incident_title',
  'service_id',
  'severity',
  'rule',
  'label',
  'label_source',
  'reason',
  'note',
  'labelled_by',
] as const;

/** The columns from the derived facts but the first three (stored pre-rendered: d_csv_pages). */
const CSV_FACTS = `p.type, ${isoSql('p.started_at')} AS started_at,
      ${localTimeIsoSql('p.local_time', 'p.started_at')} AS local_time, p.zone, p.hour_class, CAST(p.night_date AS VARCHAR) AS night_date,
      p.interruption_start, p.on_call, p.oncall_schedule_id AS schedule, p.team_id AS team, p.incident_id,
      i.title AS incident_title, p.service_id, p.severity, p.signature AS rule, p.label, p.label_source`;
const CSV_FACTS_FROM = 'd_pages p LEFT JOIN d_incidents i ON i.id = p.incident_id';

/**
 * Read at export time, not stored: the person's name and the reviewer's label text come from
 * tables a refresh does not derive (a note edit triggers no refresh at all).
 */
const headColumns = ['id', 'user_id', 'user_name'] as const;
const reviewColumns = ['reason', 'note', 'labelled_by'] as const;
export const pageFactColumns = pageCsvColumns.filter(
  (c) => !(headColumns as readonly string[]).includes(c) && !(reviewColumns as readonly string[]).includes(c),
);

export function pagesCsvQuery(q: MetricQuery): { sql: string; params: Params } {
  const sql = `
    SELECT p.id, p.user_id, u.name AS user_name, ${CSV_FACTS},
      rl.reason, rl.note, rl.labelled_by
    FROM ${CSV_FACTS_FROM} LEFT JOIN pd_users u ON u.id = p.user_id
    LEFT JOIN review_labels rl ON rl.incident_id = p.incident_id
    WHERE ${where(q)}
    ORDER BY p.started_at DESC, p.id DESC`;
  return { sql, params: usedParams(sql, params(q)) };
}

/**
 * The rows csv-lines.ts renders into d_csv_pages: the first two columns (`head`) and the fact
 * columns (`line`) of every page (or of those in the temp table `scopeTable`), with the keys the
 * export filters on (k_*). Same expressions as pagesCsvQuery, so the same text.
 */
export function pagesCsvRenderSource(scopeTable: 's_csv_pages' | null): { sql: string; carry: string[]; head: string[] } {
  const sql = `
    SELECT p.id, p.user_id, ${CSV_FACTS},
      p.id AS k_id, p.started_at AS k_started_at, p.user_id AS k_user_id, p.oncall_schedule_id AS k_oncall_schedule_id,
      p.hour_class AS k_hour_class, p.on_call AS k_on_call, p.signature AS k_signature, p.local_time AS k_local_time,
      p.team_id AS k_team_id, p.service_id AS k_service_id, p.severity AS k_severity, p.incident_id AS k_incident_id
    FROM ${CSV_FACTS_FROM}
    WHERE ${scopeTable ? `p.id IN (SELECT id FROM ${scopeTable})` : 'true'}`;
  return {
    sql,
    head: ['id', 'user_id'],
    carry: [
      'k_id',
      'k_started_at',
      'k_user_id',
      'k_oncall_schedule_id',
      'k_hour_class',
      'k_on_call',
      'k_signature',
      'k_local_time',
      'k_team_id',
      'k_service_id',
      'k_severity',
      'k_incident_id',
    ],
  };
}

/**
 * The export over the pre-rendered lines (d_csv_pages, filter columns named as on d_pages): the
 * stored head and facts around the person's name and the reviewer's label text, each rendered
 * once per person and per label (small tables), never per page. Cut into time slices (pages
 * never change their time, so a slice read after a write leaves no page out or in twice).
 */
export async function pagesCsvLinesQuery(q: MetricQuery, db: Pick<QueryRunner, 'all' | 'one'>): Promise<CsvLinesQuery> {
  const users = await csvLinesSql(db, 'SELECT id AS k_id, name AS user_name FROM pd_users', {}, ['user_name'], ['k_id']);
  const labels = await csvLinesSql(
    db,
    'SELECT incident_id AS k_id, reason, note, labelled_by FROM review_labels',
    {},
    reviewColumns,
    ['k_id'],
  );
  const filter = where(q);
  const slices = await timeSlices(db, 'd_csv_pages p', 'p.started_at', filter, usedParams(filter, params(q)));
  const sql = `
    WITH u AS (${users.sql}), rl AS (${labels.sql})
    SELECT p.head || ',' || coalesce(u.line, '') || ',' || p.line || ',' || coalesce(rl.line, ',,') AS line
    FROM d_csv_pages p LEFT JOIN u ON u.k_id = p.user_id LEFT JOIN rl ON rl.k_id = p.incident_id
    WHERE ${filter} ${slices.length > 0 ? sliceExpr('p.started_at') : ''}
    ORDER BY p.started_at DESC, p.id DESC`;
  return { sql, params: usedParams(filter, params(q)), slices, keysMayMove: false };
}
