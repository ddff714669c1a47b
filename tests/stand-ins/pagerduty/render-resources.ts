// PagerDuty references and account resources rendered as the REST API v2 renders them: every object
// carries id, type, summary, self (on the stand-in) and html_url (on the fake subdomain); a
// reference's type ends in `_reference`, and `include[]` swaps a reference for the full object.

import type { JsonFragment } from '../common/json-fragments.ts';
import { renderInZone } from '../common/util.ts';
import type { OrgEscalationPolicy, OrgPriority, OrgSchedule, OrgService, OrgTeam, OrgUser } from '../org/model.ts';
import type { PdContext } from './context.ts';

export type Obj = Record<string, unknown>;
/** References are embedded everywhere, so they are cached as pre-serialised fragments. */
export type Ref = JsonFragment;

export function userRef(ctx: PdContext, id: string): Ref {
  return ctx.fragments.get(`ur:${id}`, () => ({
    id,
    type: 'user_reference',
    summary: ctx.users.get(id)?.name ?? id,
    self: `${ctx.api}/users/${id}`,
    html_url: `${ctx.web}/users/${id}`,
  }));
}

export function teamRef(ctx: PdContext, id: string): Ref {
  return ctx.fragments.get(`tr:${id}`, () => ({
    id,
    type: 'team_reference',
    summary: ctx.teams.get(id)?.name ?? id,
    self: `${ctx.api}/teams/${id}`,
    html_url: `${ctx.web}/teams/${id}`,
  }));
}

export function serviceRef(ctx: PdContext, id: string): Ref {
  return ctx.fragments.get(`sr:${id}`, () => ({
    id,
    type: 'service_reference',
    summary: ctx.services.get(id)?.name ?? id,
    self: `${ctx.api}/services/${id}`,
    html_url: `${ctx.web}/service-directory/${id}`,
  }));
}

export function escalationPolicyRef(ctx: PdContext, id: string): Ref {
  return ctx.fragments.get(`er:${id}`, () => ({
    id,
    type: 'escalation_policy_reference',
    summary: ctx.escalationPolicies.get(id)?.name ?? id,
    self: `${ctx.api}/escalation_policies/${id}`,
    html_url: `${ctx.web}/escalation_policies/${id}`,
  }));
}

export function scheduleRef(ctx: PdContext, id: string): Ref {
  return ctx.fragments.get(`scr:${id}`, () => ({
    id,
    type: 'schedule_reference',
    summary: ctx.schedules.get(id)?.name ?? id,
    self: `${ctx.api}/schedules/${id}`,
    html_url: `${ctx.web}/schedules/${id}`,
  }));
}

export function integrationRef(ctx: PdContext, id: string): Ref {
  return ctx.fragments.get(`ir:${id}`, () => integrationRefObject(ctx, id));
}

function integrationRefObject(ctx: PdContext, id: string): Obj {
  const service = ctx.integrations.get(id);
  const sid = service?.id ?? 'UNKNOWN';
  return {
    id,
    type: 'events_api_v2_inbound_integration_reference',
    summary: `${service?.name ?? 'Service'} Events API v2`,
    self: `${ctx.api}/services/${sid}/integrations/${id}`,
    html_url: `${ctx.web}/services/${sid}/integrations/${id}`,
  };
}

export function priorityRef(ctx: PdContext, id: string): Ref {
  return ctx.fragments.get(`pr:${id}`, () => ({
    id,
    type: 'priority_reference',
    summary: ctx.priorities.get(id)?.name ?? id,
    self: `${ctx.api}/priorities/${id}`,
    html_url: null,
  }));
}

/** An agent (who did something): a user, a service, or a service's integration. */
export function agentRef(ctx: PdContext, agent: { type: string; id: string }): Ref {
  if (agent.type === 'user_reference') return userRef(ctx, agent.id);
  if (agent.type === 'integration_reference') return integrationRef(ctx, agent.id);
  return serviceRef(ctx, agent.id);
}

// The account roles the API knows; anything else the organisation calls a role is a job title.
const ROLES = new Set([
  'admin',
  'limited_user',
  'observer',
  'owner',
  'read_only_user',
  'restricted_access',
  'read_only_limited_user',
  'user',
]);
const COLORS = ['purple', 'red', 'green', 'blue', 'orange', 'teal', 'brown', 'cayenne'];

export function renderUser(ctx: PdContext, u: OrgUser, include: ReadonlySet<string> = new Set()): Obj {
  const methods = [
    { id: `${u.pdId}E`, type: 'email_contact_method', label: 'Work', address: u.email },
    { id: `${u.pdId}P`, type: 'phone_contact_method', label: 'Mobile', address: u.phone.replace(/^\+1/, ''), country_code: 1 },
    { id: `${u.pdId}S`, type: 'sms_contact_method', label: 'Mobile', address: u.phone.replace(/^\+1/, ''), country_code: 1 },
    { id: `${u.pdId}U`, type: 'push_notification_contact_method', label: 'Phone app', address: `device-${u.pdId.toLowerCase()}` },
  ];
  const team = (tid: string) => {
    const t = ctx.store.teams.find((x) => x.id === tid);
    return t ? t.pdTeamId : tid;
  };
  return {
    id: u.pdId,
    type: 'user',
    summary: u.name,
    self: `${ctx.api}/users/${u.pdId}`,
    html_url: `${ctx.web}/users/${u.pdId}`,
    name: u.name,
    email: u.email,
    time_zone: u.timeZone,
    color: COLORS[u.pdId.charCodeAt(u.pdId.length - 1) % COLORS.length],
    role: ROLES.has(u.role) ? u.role : 'user',
    avatar_url: `https://secure.gravatar.com/avatar/${u.pdId.toLowerCase()}.png?d=mm&r=PG`,
    description: null,
    invitation_sent: false,
    job_title: ROLES.has(u.role) ? 'Engineer' : u.role,
    teams: u.teamIds.map((tid) => (include.has('teams') ? renderTeam(ctx, ctx.teams.get(team(tid))!) : teamRef(ctx, team(tid)))),
    contact_methods: methods.map((m) =>
      include.has('contact_methods')
        ? { ...m, summary: m.label, self: `${ctx.api}/users/${u.pdId}/contact_methods/${m.id}`, html_url: null }
        : {
            id: m.id,
            type: `${m.type}_reference`,
            summary: m.label,
            self: `${ctx.api}/users/${u.pdId}/contact_methods/${m.id}`,
            html_url: null,
          },
    ),
    notification_rules: [
      include.has('notification_rules')
        ? {
            id: `${u.pdId}R`,
            type: 'assignment_notification_rule',
            summary: '0 minutes: channel P',
            self: `${ctx.api}/users/${u.pdId}/notification_rules/${u.pdId}R`,
            html_url: null,
            start_delay_in_minutes: 0,
            contact_method: { id: `${u.pdId}U`, type: 'push_notification_contact_method_reference' },
            urgency: 'high',
          }
        : {
            id: `${u.pdId}R`,
            type: 'assignment_notification_rule_reference',
            summary: '0 minutes: channel P',
            self: `${ctx.api}/users/${u.pdId}/notification_rules/${u.pdId}R`,
            html_url: null,
          },
    ],
    coordinated_incidents: [],
  };
}

export function renderTeam(ctx: PdContext, t: OrgTeam): Obj {
  return {
    id: t.pdTeamId,
    type: 'team',
    summary: t.name,
    self: `${ctx.api}/teams/${t.pdTeamId}`,
    html_url: `${ctx.web}/teams/${t.pdTeamId}`,
    name: t.name,
    description: `The ${t.name} team`,
    default_role: 'manager',
    parent: null,
  };
}

export function teamOfVigilId(ctx: PdContext, teamId: string): OrgTeam | undefined {
  return ctx.store.teams.find((t) => t.id === teamId);
}

export function renderService(ctx: PdContext, s: OrgService, include: ReadonlySet<string> = new Set(), zone = 'UTC'): Obj {
  const team = teamOfVigilId(ctx, s.teamId);
  const ep = ctx.escalationPolicies.get(s.escalationPolicyId);
  return {
    id: s.id,
    type: 'service',
    summary: s.name,
    self: `${ctx.api}/services/${s.id}`,
    html_url: `${ctx.web}/service-directory/${s.id}`,
    name: s.name,
    description: s.description,
    auto_resolve_timeout: 14400,
    acknowledgement_timeout: 1800,
    created_at: renderInZone(s.createdAt, zone),
    status: s.status,
    alert_creation: 'create_alerts_and_incidents',
    incident_urgency_rule: { type: 'constant', urgency: 'high' },
    support_hours: null,
    scheduled_actions: [],
    addons: [],
    response_play: null,
    escalation_policy:
      include.has('escalation_policies') && ep ? renderEscalationPolicy(ctx, ep) : escalationPolicyRef(ctx, s.escalationPolicyId),
    teams: team ? [include.has('teams') ? renderTeam(ctx, team) : teamRef(ctx, team.pdTeamId)] : [],
    integrations: s.integrationIds.map((id) =>
      include.has('integrations')
        ? {
            ...integrationRefObject(ctx, id),
            type: 'events_api_v2_inbound_integration',
            name: 'Events API v2',
            service: serviceRef(ctx, s.id),
            created_at: renderInZone(s.createdAt, zone),
            integration_key: `${id.toLowerCase()}0000000000000000000000`.slice(0, 32),
          }
        : integrationRef(ctx, id),
    ),
  };
}

export function renderEscalationPolicy(ctx: PdContext, ep: OrgEscalationPolicy, include: ReadonlySet<string> = new Set()): Obj {
  const team = teamOfVigilId(ctx, ep.teamId);
  return {
    id: ep.id,
    type: 'escalation_policy',
    summary: ep.name,
    self: `${ctx.api}/escalation_policies/${ep.id}`,
    html_url: `${ctx.web}/escalation_policies/${ep.id}`,
    name: ep.name,
    description: `Escalation policy for ${team?.name ?? ep.teamId}`,
    num_loops: ep.numLoops,
    on_call_handoff_notifications: 'if_has_services',
    escalation_rules: ep.rules.map((r) => ({
      id: r.id,
      escalation_delay_in_minutes: r.delayMinutes,
      targets: [
        ...r.scheduleIds.map((id) =>
          include.has('targets') && ctx.schedules.get(id)
            ? renderSchedule(ctx, ctx.schedules.get(id)!, new Set(), 'UTC')
            : scheduleRef(ctx, id),
        ),
        ...r.userIds.map((id) =>
          include.has('targets') && ctx.users.get(id) ? renderUser(ctx, ctx.users.get(id)!) : userRef(ctx, id),
        ),
      ],
    })),
    services: ep.serviceIds.map((id) =>
      include.has('services') && ctx.services.get(id) ? renderService(ctx, ctx.services.get(id)!) : serviceRef(ctx, id),
    ),
    teams: team ? [include.has('teams') ? renderTeam(ctx, team) : teamRef(ctx, team.pdTeamId)] : [],
  };
}

export function renderPriority(ctx: PdContext, p: OrgPriority): Obj {
  return {
    id: p.id,
    type: 'priority',
    summary: p.name,
    self: `${ctx.api}/priorities/${p.id}`,
    html_url: null,
    name: p.name,
    description: p.description,
    order: p.order,
    color: ['a8171c', 'eb6016', 'f9b406', '0b8a12', '666666'][Math.min(p.order, 4)],
  };
}

export function renderSchedule(ctx: PdContext, s: OrgSchedule, include: ReadonlySet<string>, zone: string): Obj {
  const team = teamOfVigilId(ctx, s.teamId);
  const out: Obj = {
    id: s.id,
    type: 'schedule',
    summary: s.name,
    self: `${ctx.api}/schedules/${s.id}`,
    html_url: `${ctx.web}/schedules/${s.id}`,
    name: s.name,
    time_zone: s.timeZone,
    description: `${s.handoffLength === 'weekly' ? 'Weekly' : 'Daily'} rotation for ${team?.name ?? s.teamId}`,
    escalation_policies: s.escalationPolicyIds.map((id) => escalationPolicyRef(ctx, id)),
    users: [...new Set(s.rotationUserIds)].map((id) => userRef(ctx, id)),
    teams: team ? [teamRef(ctx, team.pdTeamId)] : [],
  };
  if (include.has('schedule_layers')) out.schedule_layers = [renderLayer(ctx, s, zone)];
  return out;
}

export function renderLayer(ctx: PdContext, s: OrgSchedule, zone: string, entries: Obj[] = []): Obj {
  return {
    id: `${s.id}L1`,
    name: 'Layer 1',
    start: renderInZone(s.rotationStart, zone),
    end: null,
    rotation_virtual_start: renderInZone(s.rotationStart, zone),
    rotation_turn_length_seconds: s.handoffLength === 'weekly' ? 604800 : 86400,
    users: s.rotationUserIds.map((id) => ({ user: userRef(ctx, id) })),
    restrictions: [],
    rendered_schedule_entries: entries,
    rendered_coverage_percentage: entries.length ? 100 : 0,
  };
}
