// Incidents, log entries, alerts, notifications and on-call shifts rendered as PagerDuty's REST API
// v2 renders them, timestamps in the request's time zone with offsets (UTC renders with `Z`).
// The store answers as of its clock; these renderers only shape records and expand `include[]`.

import { renderInZone } from '../common/util.ts';
import type { OrgAlert, OrgIncident, OrgLogEntry, OrgNotification, OrgOncall } from '../org/model.ts';
import type { PdContext } from './context.ts';
import {
  agentRef,
  escalationPolicyRef,
  integrationRef,
  type Obj,
  priorityRef,
  renderEscalationPolicy,
  renderPriority,
  renderSchedule,
  renderService,
  renderTeam,
  renderUser,
  scheduleRef,
  serviceRef,
  teamRef,
  userRef,
} from './render-resources.ts';

export function incidentRef(ctx: PdContext, inc: Pick<OrgIncident, 'id' | 'number' | 'title'>): Obj {
  return {
    id: inc.id,
    type: 'incident_reference',
    summary: `[#${inc.number}] ${inc.title}`,
    self: `${ctx.api}/incidents/${inc.id}`,
    html_url: `${ctx.web}/incidents/${inc.id}`,
  };
}

export function logEntryRef(ctx: PdContext, id: string, type: string, incidentId: string, summary: string): Obj {
  return {
    id,
    type: `${type}_reference`,
    summary,
    self: `${ctx.api}/log_entries/${id}?incident_id=${incidentId}`,
    html_url: `${ctx.web}/incidents/${incidentId}/log_entries/${id}`,
  };
}

const fullUser = (ctx: PdContext, id: string) => {
  const u = ctx.users.get(id);
  return u ? renderUser(ctx, u) : userRef(ctx, id);
};

export async function renderIncident(ctx: PdContext, inc: OrgIncident, include: ReadonlySet<string>, zone: string): Promise<Obj> {
  const t = (iso: string) => renderInZone(iso, zone);
  const clock = ctx.clockMs();
  const resolved = inc.status === 'resolved';
  const service = ctx.services.get(inc.serviceId);
  const ep = ctx.escalationPolicies.get(inc.escalationPolicyId);
  const expandUsers = include.has('users');

  // Alert counts: a resolved incident's alerts are all resolved (resolving an incident resolves its
  // alerts); an open one may have some resolved already, so ask the store.
  let triggered = 0;
  if (!resolved && inc.alertCount > 0) triggered = (await ctx.store.alerts(inc.id, { statuses: ['triggered'] }, 0, 1)).total;

  let firstTrigger: Obj = logEntryRef(
    ctx,
    inc.firstTriggerLogEntryId,
    'trigger_log_entry',
    inc.id,
    inc.triggeredBy === 'user' ? 'Triggered through the website' : 'Triggered through the API',
  );
  if (include.has('first_trigger_log_entries')) {
    const entry = await ctx.store.logEntry(inc.firstTriggerLogEntryId);
    if (entry) firstTrigger = renderLogEntry(ctx, entry, inc, new Set(), zone);
  }
  const updated = Date.parse(inc.updatedAt) <= clock ? inc.updatedAt : inc.lastStatusChangeAt;
  const lastBy =
    include.has('agents') && inc.lastStatusChangeBy.type === 'user_reference'
      ? fullUser(ctx, inc.lastStatusChangeBy.id)
      : include.has('agents') && service
        ? renderService(ctx, service, new Set(), zone)
        : agentRef(ctx, inc.lastStatusChangeBy);

  const out: Obj = {
    id: inc.id,
    type: 'incident',
    summary: `[#${inc.number}] ${inc.title}`,
    self: `${ctx.api}/incidents/${inc.id}`,
    html_url: `${ctx.web}/incidents/${inc.id}`,
    incident_number: inc.number,
    title: inc.title,
    description: inc.description,
    created_at: t(inc.createdAt),
    updated_at: t(updated),
    status: inc.status,
    incident_key: inc.incidentKey,
    service: include.has('services') && service ? renderService(ctx, service, new Set(), zone) : serviceRef(ctx, inc.serviceId),
    assignments: resolved
      ? []
      : inc.assignedUserIds.map((id) => ({
          at: t(inc.createdAt),
          assignee: include.has('assignees') || expandUsers ? fullUser(ctx, id) : userRef(ctx, id),
        })),
    assigned_via: 'escalation_policy',
    last_status_change_at: t(inc.lastStatusChangeAt),
    resolved_at: resolved && inc.resolvedAt ? t(inc.resolvedAt) : null,
    first_trigger_log_entry: firstTrigger,
    alert_counts: { all: inc.alertCount, triggered, resolved: inc.alertCount - triggered },
    is_mergeable: true,
    incident_type: { name: 'incident_default' },
    escalation_policy:
      include.has('escalation_policies') && ep
        ? renderEscalationPolicy(ctx, ep)
        : escalationPolicyRef(ctx, inc.escalationPolicyId),
    teams: inc.teamIds.map((id) =>
      include.has('teams') && ctx.teams.get(id) ? renderTeam(ctx, ctx.teams.get(id)!) : teamRef(ctx, id),
    ),
    pending_actions: [],
    acknowledgements: inc.acknowledgements.map((a) => ({
      at: t(a.at),
      acknowledger: include.has('acknowledgers') || expandUsers ? fullUser(ctx, a.userId) : userRef(ctx, a.userId),
    })),
    // The real API sends null when no alert was ever grouped (a user-reported incident).
    alert_grouping:
      inc.alertCount > 0
        ? {
            grouping_type: 'advanced',
            started_at: t(inc.createdAt),
            ended_at: resolved && inc.resolvedAt ? t(inc.resolvedAt) : null,
            alert_grouping_active: !resolved,
          }
        : null,
    last_status_change_by: lastBy,
    priority:
      inc.priorityId === null
        ? null
        : include.has('priorities') && ctx.priorities.get(inc.priorityId)
          ? renderPriority(ctx, ctx.priorities.get(inc.priorityId)!)
          : priorityRef(ctx, inc.priorityId),
    resolve_reason: inc.resolveReason === null ? null : { type: 'merge_resolve_reason', incident: incidentRef(ctx, inc) },
    incidents_responders: [],
    responder_requests: [],
    urgency: inc.urgency,
  };
  // Major incidents (the two most severe priorities) get a bridge; others have none to show.
  const severe = inc.priorityId !== null && (ctx.priorities.get(inc.priorityId)?.order ?? 9) <= 1;
  if (include.has('conference_bridge') && severe) {
    out.conference_bridge = {
      conference_number: `+1-415-555-0100,,,,${inc.number}#`,
      conference_url: `https://meet.vigil-sim.example/${inc.id}`,
    };
  }
  if (include.has('body')) out.body = { type: 'incident_body', details: inc.description };
  return out;
}

/** Log entry types the real API keeps for `is_overview=true` ("only the most important changes"). */
export const OVERVIEW_TYPES = new Set([
  'trigger_log_entry',
  'acknowledge_log_entry',
  'unacknowledge_log_entry',
  'escalate_log_entry',
  'resolve_log_entry',
  'annotate_log_entry',
  'urgency_change_log_entry',
  'field_value_change_log_entry',
]);

const NOTIFY_CHANNEL: Record<string, string> = {
  sms_notification: 'sms',
  phone_notification: 'phone',
  push_notification: 'push_notification',
  email_notification: 'email',
};

export function renderLogEntry(
  ctx: PdContext,
  e: OrgLogEntry,
  inc: OrgIncident | undefined,
  include: ReadonlySet<string>,
  zone: string,
  fullIncident?: Obj,
): Obj {
  const t = (iso: string) => renderInZone(iso, zone);
  // ⚠ PagerDuty's description contradicts itself on the acknowledge entry: AcknowledgeLogEntry.type
  // says `acknowledgement_log_entry`, LogEntry and LogEntryReference say `acknowledge_log_entry`. The
  // real API sends `acknowledge_log_entry`, so that is what the store holds and we emit.
  const channel: Obj = { ...e.channel };
  if (e.notification) {
    channel.type = NOTIFY_CHANNEL[e.notification.type] ?? e.channel.type;
    const notification: Obj = { id: e.notification.id, type: e.notification.type, started_at: t(e.createdAt), status: 'success' };
    // Push notifications have no address (the real API leaves it out).
    if (e.notification.address !== null) notification.address = e.notification.address;
    channel.notification = notification;
  }
  if (e.changes.length) {
    channel.changeset = {
      application_fields: e.changes.map((c) => ({ name: c.field, namespace: 'incidents', value: c.to ?? '', old_value: c.from })),
    };
  }
  const service = inc ? ctx.services.get(inc.serviceId) : undefined;
  const out: Obj = {
    id: e.id,
    type: e.type,
    summary: e.summary,
    self: `${ctx.api}/log_entries/${e.id}?incident_id=${e.incidentId}`,
    html_url: `${ctx.web}/incidents/${e.incidentId}/log_entries/${e.id}`,
    created_at: t(e.createdAt),
    channel,
    service: inc
      ? include.has('services') && service
        ? renderService(ctx, service, new Set(), zone)
        : serviceRef(ctx, inc.serviceId)
      : null,
    incident: fullIncident ?? (inc ? incidentRef(ctx, inc) : { id: e.incidentId, type: 'incident_reference' }),
    teams: (inc?.teamIds ?? []).map((id) =>
      include.has('teams') && ctx.teams.get(id) ? renderTeam(ctx, ctx.teams.get(id)!) : teamRef(ctx, id),
    ),
    contexts: [],
  };
  // Entries PagerDuty makes itself (notifications, timeouts) carry no agent.
  if (e.agent) out.agent = agentRef(ctx, e.agent);
  if (e.note !== null) out.note = e.note;
  switch (e.type) {
    case 'trigger_log_entry':
      out.event_details = { description: inc?.title ?? e.summary };
      break;
    case 'notify_log_entry':
      if (e.userId) out.user = userRef(ctx, e.userId);
      break;
    case 'acknowledge_log_entry':
      out.acknowledgement_timeout = 1800;
      break;
    case 'escalate_log_entry':
    case 'assign_log_entry':
      out.assignees = e.assigneeIds.map((id) => userRef(ctx, id));
      break;
    default:
      break;
  }
  return out;
}

export function renderAlert(
  ctx: PdContext,
  a: OrgAlert,
  inc: OrgIncident,
  include: ReadonlySet<string>,
  zone: string,
  fullIncident?: Obj,
): Obj {
  const t = (iso: string) => renderInZone(iso, zone);
  const clock = ctx.clockMs();
  const resolved = a.resolvedAt !== null && Date.parse(a.resolvedAt) <= clock;
  const service = ctx.services.get(a.serviceId);
  const cef: Obj = {
    contexts: [],
    description: a.summary,
    details: a.details,
    event_class: a.source,
    message: a.summary,
    severity: a.severity,
    source_origin: typeof a.details.host === 'string' ? a.details.host : a.source,
    reporter_component: a.source,
  };
  if (a.eventTime !== null) cef.creation_time = renderInZone(a.eventTime, 'UTC');
  return {
    id: a.id,
    type: 'alert',
    summary: a.summary,
    self: `${ctx.api}/incidents/${a.incidentId}/alerts/${a.id}`,
    html_url: `${ctx.web}/alerts/${a.id}`,
    created_at: t(a.createdAt),
    status: resolved ? 'resolved' : 'triggered',
    resolved_at: resolved ? t(a.resolvedAt!) : null,
    alert_key: a.alertKey,
    suppressed: a.suppressed,
    severity: a.severity,
    service: include.has('services') && service ? renderService(ctx, service, new Set(), zone) : serviceRef(ctx, a.serviceId),
    incident: fullIncident ?? incidentRef(ctx, inc),
    integration: integrationRef(ctx, a.integrationId),
    body: { type: 'alert_body', contexts: [], details: a.details, cef_details: cef },
  };
}

export function renderNotification(ctx: PdContext, n: OrgNotification, include: ReadonlySet<string>, zone: string): Obj {
  // GET /notifications has no incident field (as the real API); notify log entries carry the link.
  const out: Obj = { id: n.id, type: n.type, started_at: renderInZone(n.startedAt, zone) };
  if (n.address !== null) out.address = n.address;
  out.user = include.has('users') ? fullUser(ctx, n.userId) : userRef(ctx, n.userId);
  out.status = n.status;
  return out;
}

export function renderOncall(ctx: PdContext, o: OrgOncall, include: ReadonlySet<string>, zone: string): Obj {
  const ep = ctx.escalationPolicies.get(o.escalationPolicyId);
  const schedule = o.scheduleId ? ctx.schedules.get(o.scheduleId) : undefined;
  return {
    escalation_policy:
      include.has('escalation_policies') && ep ? renderEscalationPolicy(ctx, ep) : escalationPolicyRef(ctx, o.escalationPolicyId),
    escalation_level: o.escalationLevel,
    schedule:
      o.scheduleId === null
        ? null
        : include.has('schedules') && schedule
          ? renderSchedule(ctx, schedule, new Set(), zone)
          : scheduleRef(ctx, o.scheduleId),
    user: include.has('users') ? fullUser(ctx, o.userId) : userRef(ctx, o.userId),
    start: o.start === null ? null : renderInZone(o.start, zone),
    end: o.end === null ? null : renderInZone(o.end, zone),
  };
}
