// PagerDuty records → rows of the normalised tables. Pure functions of a validated record and the
// raw record it came from, so `vigil sync --renormalize` rebuilds exactly the rows the sync wrote:
// raw_hash is the payload's hash and synced_at the time it was fetched. Every timestamp is stored
// as the instant it names: PagerDuty renders times in the account's (or the request's) zone with
// an offset, and Date.parse reads the offset, so a page sent at 01:30 on the night clocks go back
// keeps its own instant. incidents.final is derived in SQL after loading (derive.ts).

import type { z } from 'zod';
import type { RawRecord, Row } from '../engine/types.ts';
import type {
  escalationPolicySchema,
  PdAlert,
  PdIncident,
  PdLogEntry,
  PdNotification,
  PdOncall,
  prioritySchema,
  scheduleSchema,
  serviceSchema,
  teamSchema,
  userSchema,
} from './schemas.ts';

type RawMeta = Pick<RawRecord, 'payloadHash' | 'fetchedAt'>;

export function iso(text: string | null | undefined): string | null {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const ids = (list: readonly { id: string }[] | null | undefined): string[] => (list ?? []).map((r) => r.id);

const meta = (raw: RawMeta) => ({ raw_hash: raw.payloadHash, synced_at: raw.fetchedAt });

/** PagerDuty's notification types (sms_notification, …) and notify channel types (push_notification, …) as Vigil's page channels. */
export function channelName(type: string | null | undefined): string | null {
  if (!type) return null;
  const base = type.replace(/_notification$/, '');
  return base === 'voice' ? 'phone' : base;
}

export function incidentRow(i: PdIncident, raw: RawMeta): Row {
  return {
    id: i.id,
    incident_number: i.incident_number ?? null,
    title: i.title,
    description: i.description ?? null,
    status: i.status,
    urgency: i.urgency ?? null,
    priority_id: i.priority?.id ?? null,
    priority_name: i.priority?.name ?? i.priority?.summary ?? null,
    service_id: i.service.id,
    escalation_policy_id: i.escalation_policy?.id ?? null,
    team_ids: ids(i.teams),
    incident_key: i.incident_key ?? null,
    html_url: i.html_url ?? null,
    created_at: iso(i.created_at),
    updated_at: iso(i.updated_at),
    last_status_change_at: iso(i.last_status_change_at),
    resolved_at: iso(i.resolved_at),
    alert_count: i.alert_counts?.all ?? null,
    assigned_via: i.assigned_via ?? null,
    ...meta(raw),
  };
}

interface AppliedField {
  name?: unknown;
  value?: unknown;
  old_value?: unknown;
}

/**
 * The JSON kept in log_entries.details: the event's details, a custom-field changeset, and field
 * changes as `changes: [{ field, from, to }]` (the shape the metrics read priority raises from;
 * server/metrics/derive/incidents.ts).
 */
function details(e: PdLogEntry): string | null {
  const out: Record<string, unknown> = {};
  if (e.event_details !== undefined && e.event_details !== null) out.event_details = e.event_details;
  if (e.changeset !== undefined && e.changeset !== null) out.changeset = e.changeset;
  const applied = (e.channel?.changeset as { application_fields?: unknown } | null | undefined)?.application_fields;
  if (Array.isArray(applied)) {
    out.changes = (applied as AppliedField[]).map((f) => ({
      field: typeof f.name === 'string' ? f.name : null,
      from: f.old_value ?? null,
      to: f.value ?? null,
    }));
  }
  return Object.keys(out).length > 0 ? JSON.stringify(out) : null;
}

export function logEntryRow(e: PdLogEntry, raw: RawMeta): Row {
  const notification = e.channel?.notification ?? null;
  const notify = e.type === 'notify_log_entry';
  return {
    id: e.id,
    incident_id: e.incident.id,
    type: e.type,
    created_at: iso(e.created_at),
    agent_type: e.agent?.type ?? null,
    agent_id: e.agent?.id ?? null,
    channel_type: e.channel?.type ?? null,
    user_id: e.user?.id ?? null,
    notification_type: notification?.type ? channelName(notification.type) : notify ? channelName(e.channel?.type) : null,
    notification_id: notification?.id ?? null,
    assignee_ids: ids(e.assignees),
    summary: e.summary ?? null,
    note: e.note ?? null,
    details: details(e),
    ...meta(raw),
  };
}

export function alertRow(a: PdAlert, incidentId: string, raw: RawMeta): Row {
  return {
    id: a.id,
    incident_id: a.incident?.id ?? incidentId,
    status: a.status ?? null,
    created_at: iso(a.created_at),
    resolved_at: iso(a.resolved_at),
    alert_key: a.alert_key ?? null,
    severity: a.severity ?? null,
    summary: a.summary ?? null,
    service_id: a.service?.id ?? null,
    integration_id: a.integration?.id ?? null,
    // The monitor's own time of the event: Events API v2 `payload.timestamp`, shown as cef_details.creation_time.
    event_time: iso(a.body?.cef_details?.creation_time),
    suppressed: a.suppressed ?? null,
    ...meta(raw),
  };
}

export function notificationRow(n: PdNotification, raw: RawMeta): Row {
  return {
    id: n.id,
    type: channelName(n.type) ?? n.type,
    started_at: iso(n.started_at),
    user_id: n.user.id,
    address: n.address ?? null,
    status: n.status ?? null,
    ...meta(raw),
  };
}

/**
 * PagerDuty gives on-call shifts no id: schedule|policy|level|user|start, the start as a UTC
 * instant (the same shift rendered in another zone keeps its id). Permanent on-calls have no start.
 */
export function oncallId(o: PdOncall): string {
  return [o.schedule?.id ?? '', o.escalation_policy.id, o.escalation_level, o.user.id, iso(o.start) ?? ''].join('|');
}

export function oncallRow(o: PdOncall, raw: RawMeta): Row {
  return {
    id: oncallId(o),
    schedule_id: o.schedule?.id ?? null,
    escalation_policy_id: o.escalation_policy.id,
    escalation_level: o.escalation_level,
    user_id: o.user.id,
    start_at: iso(o.start),
    end_at: iso(o.end),
    ...meta(raw),
  };
}

export function serviceRow(s: z.infer<typeof serviceSchema>, raw: RawMeta): Row {
  return {
    id: s.id,
    name: s.name,
    description: s.description ?? null,
    status: s.status ?? null,
    escalation_policy_id: s.escalation_policy?.id ?? null,
    team_ids: ids(s.teams),
    html_url: s.html_url ?? null,
    created_at: iso(s.created_at),
    ...meta(raw),
  };
}

export function teamRow(t: z.infer<typeof teamSchema>, raw: RawMeta): Row {
  return { id: t.id, name: t.name, description: t.description ?? null, html_url: t.html_url ?? null, ...meta(raw) };
}

export function userRow(u: z.infer<typeof userSchema>, raw: RawMeta): Row {
  return {
    id: u.id,
    name: u.name,
    email: u.email ?? null,
    time_zone: u.time_zone ?? null,
    role: u.role ?? null,
    team_ids: ids(u.teams),
    html_url: u.html_url ?? null,
    ...meta(raw),
  };
}

/** Priorities come as one ordered list (most severe first); position is the place in it. */
export function priorityRow(p: z.infer<typeof prioritySchema>, position: number, raw: RawMeta): Row {
  return { id: p.id, name: p.name, description: p.description ?? null, position, ...meta(raw) };
}

export function escalationPolicyRow(p: z.infer<typeof escalationPolicySchema>, raw: RawMeta): Row {
  const schedules = (p.escalation_rules ?? []).flatMap((rule) =>
    (rule.targets ?? []).filter((t) => t.type === 'schedule' || t.type === 'schedule_reference').map((t) => t.id),
  );
  return {
    id: p.id,
    name: p.name,
    team_ids: ids(p.teams),
    service_ids: ids(p.services),
    schedule_ids: [...new Set(schedules)],
    num_loops: p.num_loops ?? null,
    html_url: p.html_url ?? null,
    ...meta(raw),
  };
}

export function scheduleRow(s: z.infer<typeof scheduleSchema>, raw: RawMeta): Row {
  return {
    id: s.id,
    name: s.name,
    time_zone: s.time_zone ?? null,
    escalation_policy_ids: ids(s.escalation_policies),
    team_ids: ids(s.teams),
    html_url: s.html_url ?? null,
    ...meta(raw),
  };
}
