// PagerDuty's account endpoints: /oncalls (since/until overlap, at most 90 days ahead, earliest),
// /schedules (with layers and the final schedule on GET /schedules/{id}), /services, /users (with
// their time zones), /teams, /priorities and /escalation_policies, each with the `query`,
// `team_ids[]`, `include[]` and paging the real API takes.
import { renderInZone } from '../common/util.ts';
import type { OrgEscalationPolicy, OrgSchedule, OrgService, OrgUser } from '../org/model.ts';
import { invalidInput, notFound, type PdContext } from './context.ts';
import type { PdCall } from './handlers-incidents.ts';
import {
  arrayParam,
  boolParam,
  envelope,
  includes,
  instantParam,
  nonEmpty,
  pageOf,
  queryFilter,
  readPaging,
  timeZone,
  toIso,
} from './params.ts';
import { renderOncall } from './render-incidents.ts';
import {
  type Obj,
  renderEscalationPolicy,
  renderLayer,
  renderPriority,
  renderSchedule,
  renderService,
  renderTeam,
  renderUser,
  userRef,
} from './render-resources.ts';

const DAY = 86_400_000;

/** Vigil team ids of the PagerDuty team ids in `team_ids[]` (undefined: no filter). */
function teamFilter(ctx: PdContext, q: URLSearchParams): Set<string> | undefined {
  const ids = arrayParam(q, 'team_ids');
  if (!ids.length) return undefined;
  return new Set(ids.map((id) => ctx.teams.get(id)?.id ?? `unknown:${id}`));
}

export async function listOncalls(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const include = includes(q, ['escalation_policies', 'users', 'schedules']);
  const paging = readPaging(q);
  const zone = timeZone(q, ctx.accountTimeZone);
  const now = ctx.clockMs();
  const sinceMs = instantParam(q, 'since', zone) ?? now;
  const untilMs = instantParam(q, 'until', zone) ?? now;
  if (untilMs < sinceMs) throw invalidInput('until cannot be before since');
  if (untilMs > now + 90 * DAY)
    throw invalidInput('On-call shifts are limited to 90 days in the future; until is too far ahead.');
  const page = await ctx.store.oncalls(
    {
      since: toIso(sinceMs),
      until: toIso(untilMs),
      scheduleIds: nonEmpty(arrayParam(q, 'schedule_ids')),
      escalationPolicyIds: nonEmpty(arrayParam(q, 'escalation_policy_ids')),
      userIds: nonEmpty(arrayParam(q, 'user_ids')),
      earliest: boolParam(q, 'earliest'),
    },
    paging.offset,
    paging.limit,
  );
  return envelope(
    'oncalls',
    page.items.map((o) => renderOncall(ctx, o, include, zone)),
    paging,
    page.total,
  );
}

function schedulesFor(call: PdCall): OrgSchedule[] {
  const teams = teamFilter(call.ctx, call.q);
  return queryFilter(call.ctx.store.schedules, call.q, (s) => s.name).filter((s) => !teams || teams.has(s.teamId));
}

export async function listSchedules(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const include = includes(q, ['schedule_layers', 'overrides_subschedule', 'final_schedule']);
  const paging = readPaging(q);
  const zone = timeZone(q, ctx.accountTimeZone);
  const all = schedulesFor(call);
  return envelope(
    'schedules',
    pageOf(all, paging).map((s) => renderSchedule(ctx, s, include, zone)),
    paging,
    all.length,
  );
}

export async function getSchedule(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const s = ctx.schedules.get(call.params.id ?? '');
  if (!s) throw notFound();
  const zone = timeZone(q, s.timeZone);
  const now = ctx.clockMs();
  const sinceMs = instantParam(q, 'since', zone) ?? now;
  const untilMs = instantParam(q, 'until', zone) ?? sinceMs + 14 * DAY;
  if (untilMs < sinceMs) throw invalidInput('until cannot be before since');
  // The final schedule is the level this schedule's shifts are served at; one entry per shift.
  const shifts = (await ctx.store.oncalls({ since: toIso(sinceMs), until: toIso(untilMs), scheduleIds: [s.id] }, 0, 10_000))
    .items;
  const seen = new Set<string>();
  const entries: Obj[] = [];
  for (const o of shifts) {
    const key = `${o.start}|${o.userId}`;
    if (seen.has(key) || o.start === null || o.end === null) continue;
    seen.add(key);
    const start = Math.max(Date.parse(o.start), sinceMs);
    const end = Math.min(Date.parse(o.end), untilMs);
    entries.push({ start: toZone(start, zone), end: toZone(end, zone), user: userRef(ctx, o.userId) });
  }
  const schedule = renderSchedule(ctx, s, new Set(), zone);
  return {
    schedule: {
      ...schedule,
      schedule_layers: [renderLayer(ctx, s, zone, entries)],
      overrides_subschedule: { name: 'Overrides', rendered_schedule_entries: [], rendered_coverage_percentage: 0 },
      final_schedule: {
        name: 'Final Schedule',
        rendered_schedule_entries: entries,
        rendered_coverage_percentage: entries.length ? 100 : 0,
      },
    },
  };
}

function toZone(ms: number, zone: string): string {
  return renderInZone(new Date(ms).toISOString(), zone);
}

function sortByName<T extends { name: string }>(list: T[], q: URLSearchParams): T[] {
  const sort = q.get('sort_by') ?? 'name';
  if (sort !== 'name' && sort !== 'name:asc' && sort !== 'name:desc')
    throw invalidInput(`sort_by '${sort}' must be name, name:asc or name:desc`);
  const sorted = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sort === 'name:desc' ? sorted.reverse() : sorted;
}

export async function listServices(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const include = includes(q, ['escalation_policies', 'teams', 'integrations', 'auto_pause_notifications_parameters']);
  const paging = readPaging(q);
  const zone = timeZone(q, ctx.accountTimeZone);
  const teams = teamFilter(ctx, q);
  const name = q.get('name');
  let all: OrgService[] = queryFilter(ctx.store.services, q, (s) => s.name).filter((s) => !teams || teams.has(s.teamId));
  if (name) all = all.filter((s) => s.name === name);
  all = sortByName(all, q);
  return envelope(
    'services',
    pageOf(all, paging).map((s) => renderService(ctx, s, include, zone)),
    paging,
    all.length,
  );
}

export async function getService(call: PdCall): Promise<unknown> {
  const s = call.ctx.services.get(call.params.id ?? '');
  if (!s) throw notFound();
  const include = includes(call.q, ['escalation_policies', 'teams', 'integrations', 'auto_pause_notifications_parameters']);
  return { service: renderService(call.ctx, s, include, timeZone(call.q, call.ctx.accountTimeZone)) };
}

const USER_INCLUDES = ['contact_methods', 'notification_rules', 'teams', 'subdomains'];

export async function listUsers(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const include = includes(q, USER_INCLUDES);
  const paging = readPaging(q);
  const teams = teamFilter(ctx, q);
  const all: OrgUser[] = queryFilter(ctx.store.users, q, (u) => `${u.name} ${u.email}`).filter(
    (u) => !teams || u.teamIds.some((t) => teams.has(t)),
  );
  return envelope(
    'users',
    pageOf(all, paging).map((u) => renderUser(ctx, u, include)),
    paging,
    all.length,
  );
}

export async function getUser(call: PdCall): Promise<unknown> {
  const u = call.ctx.users.get(call.params.id ?? '');
  if (!u) throw notFound();
  return { user: renderUser(call.ctx, u, includes(call.q, USER_INCLUDES)) };
}

export async function listTeams(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const paging = readPaging(q);
  const all = queryFilter(ctx.store.teams, q, (t) => t.name);
  return envelope(
    'teams',
    pageOf(all, paging).map((t) => renderTeam(ctx, t)),
    paging,
    all.length,
  );
}

export async function getTeam(call: PdCall): Promise<unknown> {
  const t = call.ctx.teams.get(call.params.id ?? '');
  if (!t) throw notFound();
  return { team: renderTeam(call.ctx, t) };
}

export async function listPriorities(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const paging = readPaging(q);
  // Ordered most to least severe, as the real API lists them.
  const all = [...ctx.store.priorities].sort((a, b) => a.order - b.order);
  return envelope(
    'priorities',
    pageOf(all, paging).map((p) => renderPriority(ctx, p)),
    paging,
    all.length,
  );
}

const EP_INCLUDES = ['services', 'teams', 'targets', 'escalation_rule_assignment_strategies'];

export async function listEscalationPolicies(call: PdCall): Promise<unknown> {
  const { ctx, q } = call;
  const include = includes(q, EP_INCLUDES);
  const paging = readPaging(q);
  const teams = teamFilter(ctx, q);
  const users = arrayParam(q, 'user_ids');
  const onCallUsers = (ep: OrgEscalationPolicy) =>
    ep.rules.flatMap((r) => [...r.userIds, ...r.scheduleIds.flatMap((id) => ctx.schedules.get(id)?.rotationUserIds ?? [])]);
  let all = queryFilter(ctx.store.escalationPolicies, q, (ep) => ep.name).filter((ep) => !teams || teams.has(ep.teamId));
  if (users.length) all = all.filter((ep) => onCallUsers(ep).some((u) => users.includes(u)));
  all = sortByName(all, q);
  return envelope(
    'escalation_policies',
    pageOf(all, paging).map((ep) => renderEscalationPolicy(ctx, ep, include)),
    paging,
    all.length,
  );
}

export async function getEscalationPolicy(call: PdCall): Promise<unknown> {
  const ep = call.ctx.escalationPolicies.get(call.params.id ?? '');
  if (!ep) throw notFound();
  return { escalation_policy: renderEscalationPolicy(call.ctx, ep, includes(call.q, EP_INCLUDES)) };
}
