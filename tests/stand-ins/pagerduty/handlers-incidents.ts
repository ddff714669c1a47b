// PagerDuty's incident endpoints: /incidents (with the 6-month since/until rule, date_range=all,
// array filters, sort_by and include[]), /incidents/{id}, log entries (per incident and
// account-wide, with is_overview), alerts, and /notifications (since and until required, range
// under 3 months). Each returns a JSON value; the server adds auth, rate limits and headers.

import { addMonthsUtc } from '../common/util.ts';
import type { OrgIncident, OrgLogEntry } from '../org/model.ts';
import { invalidInput, notFound, type PdContext } from './context.ts';
import {
  arrayParam,
  boolParam,
  envelope,
  includes,
  instantParam,
  nonEmpty,
  PAGINATION_CAP,
  pageOf,
  readPaging,
  timeZone,
  toIso,
} from './params.ts';
import { OVERVIEW_TYPES, renderAlert, renderIncident, renderLogEntry, renderNotification } from './render-incidents.ts';

export interface PdCall {
  ctx: PdContext;
  q: URLSearchParams;
  params: Record<string, string>;
}

const INCIDENT_INCLUDES = [
  'acknowledgers',
  'agents',
  'assignees',
  'conference_bridge',
  'escalation_policies',
  'first_trigger_log_entries',
  'priorities',
  'services',
  'teams',
  'users',
] as const;
const LOG_ENTRY_INCLUDES = ['incidents', 'services', 'channels', 'teams'] as const;
const ALERT_INCLUDES = ['services', 'first_trigger_log_entries', 'incidents'] as const;
const SORT_FIELDS = ['incident_number', 'created_at', 'resolved_at', 'urgency'] as const;
type SortField = (typeof SORT_FIELDS)[number];

function oneOfEach(values: string[], allowed: readonly string[], name: string): string[] {
  const bad = values.filter((v) => !allowed.includes(v));
  if (bad.length) throw invalidInput(`${name}[] values ${bad.join(', ')} are not one of ${allowed.join(', ')}`);
  return values;
}

function sortBy(q: URLSearchParams): { field: SortField; direction: 'asc' | 'desc' }[] | undefined {
  const raw = [...q.getAll('sort_by'), ...q.getAll('sort_by[]')].flatMap((v) => v.split(',')).filter(Boolean);
  if (raw.length === 0) return undefined;
  if (raw.length > 2) throw invalidInput('sort_by takes at most two fields');
  return raw.map((s) => {
    const [field, direction = 'asc'] = s.split(':');
    if (!(SORT_FIELDS as readonly string[]).includes(field!) || (direction !== 'asc' && direction !== 'desc')) {
      throw invalidInput(`sort_by '${s}' must be one of ${SORT_FIELDS.join(', ')}, optionally with :asc or :desc`);
    }
    return { field: field as SortField, direction };
  });
}

/** since/until for /incidents: default the last month up to now; at most 6 months apart. */
function incidentWindow(call: PdCall, zone: string): { since?: string; until?: string; all: boolean } {
  const { ctx, q } = call;
  const range = q.get('date_range');
  if (range !== null && range !== '' && range !== 'all') throw invalidInput(`date_range '${range}' must be 'all'`);
  if (range === 'all') return { all: true };
  const untilMs = instantParam(q, 'until', zone) ?? ctx.clockMs();
  const sinceMs = instantParam(q, 'since', zone) ?? addMonthsUtc(untilMs, -1);
  if (sinceMs > untilMs) throw invalidInput('since must be before until');
  if (untilMs > addMonthsUtc(sinceMs, 6))
    throw invalidInput('The date range between since and until is too large. The maximum range is 6 months.');
  return { since: toIso(sinceMs), until: toIso(untilMs), all: false };
}

export async function listIncidents(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const include = includes(q, INCIDENT_INCLUDES);
  const paging = readPaging(q);
  // Rendering defaults to UTC; bare since/until default to the account's zone (the spec says so).
  const render = timeZone(q, 'UTC');
  const window = incidentWindow(call, q.get('time_zone') ? render : ctx.accountTimeZone);
  const page = await ctx.store.incidents(
    {
      ...window,
      statuses: nonEmpty(oneOfEach(arrayParam(q, 'statuses'), ['triggered', 'acknowledged', 'resolved'], 'statuses')),
      serviceIds: nonEmpty(arrayParam(q, 'service_ids')),
      teamIds: nonEmpty(arrayParam(q, 'team_ids')),
      userIds: nonEmpty(arrayParam(q, 'user_ids')),
      urgencies: nonEmpty(oneOfEach(arrayParam(q, 'urgencies'), ['high', 'low'], 'urgencies')),
      incidentKey: q.get('incident_key') || undefined,
      sortBy: sortBy(q),
    },
    paging.offset,
    paging.limit,
  );
  const items = [];
  for (const inc of page.items) items.push(await renderIncident(ctx, inc, include, render));
  return envelope('incidents', items, paging, page.total);
}

async function findIncident(call: PdCall): Promise<OrgIncident> {
  const inc = await call.ctx.store.incident(call.params.id ?? '');
  if (!inc) throw notFound();
  return inc;
}

export async function getIncident(call: PdCall): Promise<unknown> {
  const include = includes(call.q, [...INCIDENT_INCLUDES, 'body']);
  const inc = await findIncident(call);
  return { incident: await renderIncident(call.ctx, inc, include, timeZone(call.q, 'UTC')) };
}

async function renderEntries(
  call: PdCall,
  entries: OrgLogEntry[],
  include: ReadonlySet<string>,
  zone: string,
): Promise<unknown[]> {
  const { ctx } = call;
  const incidents = new Map<string, OrgIncident | undefined>();
  const full = new Map<string, unknown>();
  for (const e of entries) {
    if (!incidents.has(e.incidentId)) {
      const inc = await ctx.store.incident(e.incidentId);
      incidents.set(e.incidentId, inc);
      if (inc && include.has('incidents')) full.set(inc.id, await renderIncident(ctx, inc, new Set(), zone));
    }
  }
  return entries.map((e) =>
    renderLogEntry(
      ctx,
      e,
      incidents.get(e.incidentId),
      include,
      zone,
      full.get(e.incidentId) as Record<string, unknown> | undefined,
    ),
  );
}

/**
 * Log entries with is_overview: the store cannot filter by type, so walk its pages (newest first)
 * and keep the important ones. Bounded by the 10,000 cap the request already passed.
 */
async function overviewPage(
  call: PdCall,
  filter: Parameters<PdContext['store']['logEntries']>[0],
  offset: number,
  limit: number,
) {
  const kept: OrgLogEntry[] = [];
  let scanned = 0;
  for (;;) {
    const page = await call.ctx.store.logEntries(filter, scanned, 500);
    for (const e of page.items) if (OVERVIEW_TYPES.has(e.type)) kept.push(e);
    scanned += page.items.length;
    if (page.items.length === 0 || scanned >= page.total || kept.length > PAGINATION_CAP)
      return { items: kept.slice(offset, offset + limit), total: kept.length };
  }
}

async function listEntries(call: PdCall, incidentId: string | undefined): Promise<unknown> {
  const { ctx, q } = call;
  const include = includes(q, LOG_ENTRY_INCLUDES);
  const paging = readPaging(q);
  const zone = timeZone(q, ctx.accountTimeZone);
  const sinceMs = instantParam(q, 'since', zone);
  const untilMs = instantParam(q, 'until', zone);
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs > untilMs) throw invalidInput('since must be before until');
  const filter = {
    incidentId,
    since: sinceMs === undefined ? undefined : toIso(sinceMs),
    until: untilMs === undefined ? undefined : toIso(untilMs),
    teamIds: incidentId ? undefined : nonEmpty(arrayParam(q, 'team_ids')),
  };
  const page = boolParam(q, 'is_overview')
    ? await overviewPage(call, filter, paging.offset, paging.limit)
    : await ctx.store.logEntries(filter, paging.offset, paging.limit);
  return envelope('log_entries', await renderEntries(call, page.items, include, zone), paging, page.total);
}

export async function listIncidentLogEntries(call: PdCall): Promise<unknown> {
  const inc = await findIncident(call);
  return listEntries(call, inc.id);
}

export function listLogEntries(call: PdCall): Promise<unknown> {
  return listEntries(call, undefined);
}

export async function getLogEntry(call: PdCall): Promise<unknown> {
  const include = includes(call.q, LOG_ENTRY_INCLUDES);
  const entry = await call.ctx.store.logEntry(call.params.id ?? '');
  if (!entry) throw notFound();
  const [rendered] = await renderEntries(call, [entry], include, timeZone(call.q, call.ctx.accountTimeZone));
  return { log_entry: rendered };
}

export async function listAlerts(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const include = includes(q, ALERT_INCLUDES);
  const paging = readPaging(q);
  const inc = await findIncident(call);
  const statuses = nonEmpty(oneOfEach(arrayParam(q, 'statuses'), ['triggered', 'resolved'], 'statuses'));
  // One incident's alerts are few: fetch them all, then sort and page here (the store has no sort).
  const all = (await ctx.store.alerts(inc.id, { statuses, alertKey: q.get('alert_key') || undefined }, 0, PAGINATION_CAP)).items;
  const sort = q.get('sort_by');
  if (sort) {
    const [field, dir = 'asc'] = sort.split(':');
    if ((field !== 'created_at' && field !== 'resolved_at') || (dir !== 'asc' && dir !== 'desc')) {
      throw invalidInput(`sort_by '${sort}' must be created_at or resolved_at, optionally with :asc or :desc`);
    }
    const key = (a: (typeof all)[number]) =>
      Date.parse((field === 'resolved_at' ? a.resolvedAt : a.createdAt) ?? '9999-12-31T00:00:00Z');
    all.sort((a, b) => (dir === 'asc' ? key(a) - key(b) : key(b) - key(a)) || (a.id < b.id ? -1 : 1));
  }
  const zone = timeZone(q, ctx.accountTimeZone);
  const full = include.has('incidents') ? await renderIncident(ctx, inc, new Set(), zone) : undefined;
  return envelope(
    'alerts',
    pageOf(all, paging).map((a) => renderAlert(ctx, a, inc, include, zone, full)),
    paging,
    all.length,
  );
}

export async function getAlert(call: PdCall): Promise<unknown> {
  const inc = await findIncident(call);
  const all = (await call.ctx.store.alerts(inc.id, {}, 0, PAGINATION_CAP)).items;
  const alert = all.find((a) => a.id === call.params.alert_id);
  if (!alert) throw notFound();
  return {
    alert: renderAlert(call.ctx, alert, inc, includes(call.q, ALERT_INCLUDES), timeZone(call.q, call.ctx.accountTimeZone)),
  };
}

export async function listNotifications(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const include = includes(q, ['users']);
  const paging = readPaging(q);
  const zone = timeZone(q, ctx.accountTimeZone);
  const sinceMs = instantParam(q, 'since', zone);
  const untilMs = instantParam(q, 'until', zone);
  const missing = [sinceMs === undefined ? 'since is required' : '', untilMs === undefined ? 'until is required' : ''].filter(
    Boolean,
  );
  if (missing.length) throw invalidInput(...missing);
  if (sinceMs! > untilMs!) throw invalidInput('since must be before until');
  if (untilMs! >= addMonthsUtc(sinceMs!, 3))
    throw invalidInput('The date range between since and until must be less than 3 months.');
  const type = q.get('filter') || undefined;
  if (type !== undefined)
    oneOfEach([type], ['sms_notification', 'email_notification', 'phone_notification', 'push_notification'], 'filter');
  const page = await ctx.store.notifications(
    { since: toIso(sinceMs!), until: toIso(untilMs!), type },
    paging.offset,
    paging.limit,
  );
  return envelope(
    'notifications',
    page.items.map((n) => renderNotification(ctx, n, include, zone)),
    paging,
    page.total,
  );
}
