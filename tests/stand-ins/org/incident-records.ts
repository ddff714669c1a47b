// Renders incidents, their log entries, alerts and notifications from the incident plan. The
// final state is rendered once per incident (and cached); `asOf` cuts it at the store's clock.
// Notifications follow each person's notification rules while the incident is assigned to them
// and unacknowledged, so pages, escalations and on-call shifts always agree.
import { IdCodec } from './ids.ts';
import type { Escalation, IncidentCore, NoteEvent } from './incident-plan.ts';
import { alertSummary, type CauseFacts, incidentDescription, incidentTitle, noteText } from './incident-text.ts';
import type { OrgAlert, OrgIncident, OrgLogEntry, OrgNotification } from './model.ts';
import { hash32, hex32, Rng } from './prng.ts';
import type { NotificationRule, StaticOrg } from './static-org.ts';
import { iso, MINUTE, sec } from './time.ts';

export const MAX_ENTRIES = 512;
const SOURCES = ['prometheus', 'datadog', 'cloudwatch', 'grafana'];
const CHANNEL_NAMES: Record<NotificationRule['type'], string> = {
  sms_notification: 'SMS',
  phone_notification: 'phone',
  push_notification: 'push notification',
  email_notification: 'email',
};

export interface TimedEntry {
  at: number;
  entry: OrgLogEntry;
}
export interface TimedNotification {
  at: number;
  n: OrgNotification;
}
export interface TimedAlert {
  at: number;
  resolvedAt: number;
  alert: OrgAlert;
}

export interface EntryPlan {
  at: number;
  order: number;
  kind: 'trigger' | 'notify' | 'escalate' | 'ack' | 'priority' | 'note' | 'resolve';
  ref: number;
}
export interface NotifyPlan {
  at: number;
  user: number;
  type: NotificationRule['type'];
}
export interface IncidentSchedule {
  /** Chronological; position k is the entry's index in the incident's log. */
  entries: EntryPlan[];
  /** Chronological; position k is the notification's index. */
  notifications: NotifyPlan[];
}

const TYPE_INDEX: Record<NotificationRule['type'], number> = {
  sms_notification: 0,
  phone_notification: 1,
  push_notification: 2,
  email_notification: 3,
};
const ACK_CHANNELS = ['mobile', 'web_ui', 'sms', 'phone', 'slack'];
const RESOLVE_CHANNELS = ['web_ui', 'mobile', 'slack'];

export interface IncidentDetail {
  incident: OrgIncident; // final state
  entries: TimedEntry[]; // chronological
  notifications: TimedNotification[];
  alerts: TimedAlert[];
  /** Times at which something visible on the incident changed (for updated_at as of a clock). */
  changes: number[];
}

export class IncidentRenderer {
  readonly incidentIds: IdCodec;
  readonly entryIds: IdCodec;
  readonly alertIds: IdCodec;
  readonly notificationIds: IdCodec;

  constructor(
    private readonly org: StaticOrg,
    private readonly causeOf: (core: IncidentCore) => CauseFacts | null,
  ) {
    this.incidentIds = new IdCodec('Q', org.seed, 'incident');
    this.entryIds = new IdCodec('R', org.seed, 'log-entry');
    this.alertIds = new IdCodec('A', org.seed, 'alert');
    this.notificationIds = new IdCodec('P', org.seed, 'notification');
  }

  userId(u: number): string {
    return this.org.users[u]?.pdId ?? '';
  }

  incidentKey(core: IncidentCore): string {
    if (core.userReported) return hex32(hash32(this.org.seed, 'key', core.index)) + hex32(hash32(core.index, 'k2'));
    const source = SOURCES[core.service % SOURCES.length];
    if (core.kind === 'flapping')
      return `${source}/${this.org.services[core.service]?.name.toLowerCase().replace(/\W+/g, '-')}/flap-${core.flap}/${core.index}`;
    return `${source}/${hex32(hash32(this.org.seed, 'dedup', core.index))}`;
  }

  /**
   * When each log entry and notification of an incident happens, without rendering anything:
   * enough for the month partitions that order account-wide windows. `render` builds the records
   * from this same schedule, so positions agree.
   */
  schedule(core: IncidentCore): IncidentSchedule {
    const org = this.org;
    // Who was paged when: level 1 from the trigger, then whoever each escalation reached, while
    // nobody had acknowledged.
    const stop = Number.isFinite(core.ackAt) ? core.ackAt : core.resolvedAt;
    const notifications: NotifyPlan[] = [];
    let from = core.at;
    let user = core.level1;
    const page = (to: number) => {
      const info = org.userInfo[user];
      if (!info) return;
      for (const rule of core.urgency === 'high' ? info.high : info.low) {
        // A few seconds of delivery jitter, stable per incident, person and rule.
        const at = sec(
          from +
            rule.delayMinutes * MINUTE +
            ((hash32(core.index, from, rule.delayMinutes, TYPE_INDEX[rule.type]) % 25) + 2) * 1000,
        );
        if (at < to && notifications.length < 200) notifications.push({ at, user, type: rule.type });
      }
    };
    for (const e of core.escalations) {
      page(e.at);
      from = e.at;
      user = e.user;
    }
    page(stop);
    notifications.sort((x, y) => x.at - y.at);

    const entries: EntryPlan[] = [{ at: core.at, order: 0, kind: 'trigger', ref: 0 }];
    notifications.forEach((n, i) => {
      entries.push({ at: n.at, order: 1, kind: 'notify', ref: i });
    });
    core.escalations.forEach((e, i) => {
      entries.push({ at: e.at, order: 2, kind: 'escalate', ref: i });
    });
    if (Number.isFinite(core.ackAt)) entries.push({ at: core.ackAt, order: 3, kind: 'ack', ref: 0 });
    if (Number.isFinite(core.priorityChangeAt)) entries.push({ at: core.priorityChangeAt, order: 4, kind: 'priority', ref: 0 });
    core.notes.forEach((n, i) => {
      entries.push({ at: n.at, order: 5, kind: 'note', ref: i });
    });
    entries.push({ at: core.resolvedAt, order: 6, kind: 'resolve', ref: 0 });
    entries.sort((x, y) => x.at - y.at || x.order - y.order || x.ref - y.ref);
    if (entries.length > MAX_ENTRIES) entries.length = MAX_ENTRIES;
    return { entries, notifications };
  }

  render(core: IncidentCore): IncidentDetail {
    const org = this.org;
    const service = org.services[core.service];
    const cause = this.causeOf(core);
    const title = incidentTitle(org, core, cause);
    const reporterName = core.reporter >= 0 ? (org.users[core.reporter]?.name ?? null) : null;
    const id = this.incidentIds.encode(core.index);
    const integrationId = service?.integrationIds[0] ?? '';
    const rng = new Rng(org.seed, 'incident-detail', core.index);
    const priorityName = (p: number) => (p >= 0 ? (org.priorities[p]?.name ?? null) : null);
    const plan = this.schedule(core);

    const notifications: TimedNotification[] = plan.notifications.map((n, k) => {
      const person = org.users[n.user];
      const address =
        n.type === 'push_notification'
          ? null
          : n.type === 'email_notification'
            ? (person?.email ?? null)
            : (person?.phone ?? null);
      return {
        at: n.at,
        n: {
          id: this.notificationIds.encode(core.index * MAX_ENTRIES + k),
          incidentId: id,
          userId: person?.pdId ?? '',
          type: n.type,
          startedAt: iso(n.at),
          address,
          status: 'success',
        },
      };
    });

    const entries: TimedEntry[] = plan.entries.map((p, k) => {
      const entry: OrgLogEntry = {
        id: this.entryIds.encode(core.index * MAX_ENTRIES + k),
        incidentId: id,
        type: 'trigger_log_entry',
        createdAt: iso(p.at),
        agent: null,
        channel: { type: 'auto' },
        userId: null,
        assigneeIds: [],
        notification: null,
        note: null,
        summary: '',
        changes: [],
        escalationLevel: null,
      };
      switch (p.kind) {
        case 'trigger':
          entry.summary = core.userReported ? 'Triggered through the website.' : 'Triggered through the API.';
          entry.agent = core.userReported
            ? { type: 'user_reference', id: this.userId(core.reporter) }
            : { type: 'integration_reference', id: integrationId };
          entry.channel = core.userReported
            ? { type: 'web_trigger', summary: title }
            : {
                type: 'api',
                summary: title,
                details: { source: SOURCES[core.service % SOURCES.length], severity: core.priority <= 1 ? 'critical' : 'error' },
              };
          entry.assigneeIds = [this.userId(core.level1)];
          entry.escalationLevel = 1;
          break;
        case 'notify': {
          const n = notifications[p.ref] as TimedNotification;
          entry.type = 'notify_log_entry';
          entry.userId = n.n.userId;
          entry.notification = { id: n.n.id, type: n.n.type, address: n.n.address };
          entry.summary = `Notified ${org.users[plan.notifications[p.ref]?.user ?? 0]?.name ?? 'someone'} by ${CHANNEL_NAMES[n.n.type]}.`;
          break;
        }
        case 'escalate': {
          const e = core.escalations[p.ref] as Escalation;
          entry.type = 'escalate_log_entry';
          entry.channel = { type: 'timeout' };
          entry.assigneeIds = [this.userId(e.user)];
          entry.escalationLevel = e.level;
          entry.summary = `Escalated to ${org.users[e.user]?.name ?? 'someone'} (level ${e.level}): not acknowledged in time.`;
          break;
        }
        case 'ack':
          entry.type = 'acknowledge_log_entry';
          entry.agent = { type: 'user_reference', id: this.userId(core.ackBy) };
          entry.channel = { type: ACK_CHANNELS[hash32(core.index, 'ack') % ACK_CHANNELS.length] as string };
          entry.summary = `Acknowledged by ${org.users[core.ackBy]?.name ?? 'someone'}.`;
          break;
        case 'priority': {
          const fromName = priorityName(core.initialPriority);
          const toName = priorityName(core.priority);
          entry.type = 'field_value_change_log_entry';
          entry.agent = { type: 'user_reference', id: this.userId(core.priorityChanger) };
          entry.channel = { type: 'web_ui' };
          entry.changes = [{ field: 'priority', from: fromName, to: toName }];
          entry.summary = `Priority changed from ${fromName ?? 'none'} to ${toName ?? 'none'}.`;
          break;
        }
        case 'note': {
          const note = core.notes[p.ref] as NoteEvent;
          const text = noteText(core, note.kind, note.value, cause);
          entry.type = 'annotate_log_entry';
          entry.agent = { type: 'user_reference', id: this.userId(note.user) };
          entry.channel = { type: 'note' };
          entry.note = text;
          entry.summary = `Note added: ${text}`;
          break;
        }
        case 'resolve':
          entry.type = 'resolve_log_entry';
          if (core.resolvedBy === 'integration') {
            entry.agent = { type: 'integration_reference', id: integrationId };
            entry.channel = { type: 'api' };
            entry.summary = 'Resolved through the API.';
          } else {
            entry.agent = { type: 'user_reference', id: this.userId(core.resolver) };
            entry.channel = { type: RESOLVE_CHANNELS[hash32(core.index, 'resolve') % RESOLVE_CHANNELS.length] as string };
            entry.summary = `Resolved by ${org.users[core.resolver]?.name ?? 'someone'}.`;
          }
          break;
      }
      return { at: p.at, entry };
    });
    // Alerts: one usually, several for grouped incidents; the monitor's own event time when it has one.
    const alerts: TimedAlert[] = [];
    const source = SOURCES[core.service % SOURCES.length] as string;
    for (let k = 0; k < core.alerts; k++) {
      const at = k === 0 ? core.at : sec(Math.min(core.resolvedAt - 1000, core.at + rng.range(0.5, 15) * MINUTE * k));
      const resolvedAt =
        k === 0 || rng.chance(0.7) ? core.resolvedAt : sec(Math.min(core.resolvedAt, at + rng.range(2, 30) * MINUTE));
      const eventTime = Number.isFinite(core.eventLead)
        ? iso(at - (k === 0 ? core.eventLead : Math.floor(core.eventLead / 2 / 1000) * 1000))
        : null;
      const summary = alertSummary(org, core, k, title);
      alerts.push({
        at,
        resolvedAt,
        alert: {
          id: this.alertIds.encode(core.index * 64 + k),
          incidentId: id,
          serviceId: service?.id ?? '',
          integrationId,
          alertKey: k === 0 ? this.incidentKey(core) : `${source}/${hex32(hash32(org.seed, 'alert', core.index, k))}`,
          summary,
          severity:
            core.priority === 0
              ? 'critical'
              : core.priority === 1
                ? 'error'
                : core.priority === 2
                  ? 'warning'
                  : rng.chance(0.5)
                    ? 'warning'
                    : 'info',
          createdAt: iso(at),
          resolvedAt: iso(resolvedAt),
          suppressed: false,
          eventTime,
          source,
          details: {
            summary,
            source,
            ...(eventTime ? { timestamp: eventTime } : {}),
            ...(cause ? { version: cause.sha.slice(0, 7) } : {}),
            runbook_url: `https://runbooks.acme.example/${core.service}`,
          },
        },
      });
    }

    const changes = [
      core.at,
      ...core.escalations.map((e) => e.at),
      core.ackAt,
      core.priorityChangeAt,
      ...core.notes.map((n) => n.at),
      core.resolvedAt,
    ]
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const incident: OrgIncident = {
      id,
      number: core.index + 1,
      title,
      description: incidentDescription(org, core, title, cause, reporterName),
      serviceId: service?.id ?? '',
      escalationPolicyId: service?.escalationPolicyId ?? '',
      teamIds: [org.teams[core.team]?.pdTeamId ?? ''],
      urgency: core.urgency,
      priorityId: core.priority >= 0 ? (org.priorities[core.priority]?.id ?? null) : null,
      status: 'resolved',
      incidentKey: this.incidentKey(core),
      createdAt: iso(core.at),
      acknowledgedAt: Number.isFinite(core.ackAt) ? iso(core.ackAt) : null,
      resolvedAt: iso(core.resolvedAt),
      updatedAt: iso(changes[changes.length - 1] as number),
      triggeredBy: core.userReported ? 'user' : 'integration',
      resolvedBy: core.resolvedBy,
      assignedUserIds: [],
      alertCount: alerts.length,
      resolveReason: null,
      acknowledgements: [],
      lastStatusChangeAt: iso(core.resolvedAt),
      lastStatusChangeBy:
        core.resolvedBy === 'integration'
          ? { type: 'service_reference', id: service?.id ?? '' }
          : { type: 'user_reference', id: this.userId(core.resolver) },
      firstTriggerLogEntryId: entries[0]?.entry.id as string,
    };
    return { incident, entries, notifications, alerts, changes };
  }

  /** The incident as it stood at the clock; undefined before it was triggered. */
  asOf(core: IncidentCore, detail: IncidentDetail, clock: number): OrgIncident | undefined {
    if (core.at > clock) return undefined;
    const final = detail.incident;
    if (core.resolvedAt <= clock && detail.changes[detail.changes.length - 1]! <= clock) return final;
    const org = this.org;
    const acked = Number.isFinite(core.ackAt) && core.ackAt <= clock;
    const resolved = core.resolvedAt <= clock;
    let assignee = core.level1;
    for (const e of core.escalations) if (e.at <= clock) assignee = e.user;
    let updated = core.at;
    for (const c of detail.changes) if (c <= clock) updated = c;
    const priority =
      Number.isFinite(core.priorityChangeAt) && core.priorityChangeAt > clock ? core.initialPriority : core.priority;
    const serviceId = org.services[core.service]?.id ?? '';
    const status: OrgIncident['status'] = resolved ? 'resolved' : acked ? 'acknowledged' : 'triggered';
    return {
      ...final,
      status,
      priorityId: priority >= 0 ? (org.priorities[priority]?.id ?? null) : null,
      acknowledgedAt: acked ? iso(core.ackAt) : null,
      resolvedAt: resolved ? final.resolvedAt : null,
      resolvedBy: resolved ? final.resolvedBy : null,
      updatedAt: iso(updated),
      assignedUserIds: resolved ? [] : [this.userId(assignee)],
      alertCount: detail.alerts.filter((a) => a.at <= clock).length,
      acknowledgements: status === 'acknowledged' ? [{ userId: this.userId(core.ackBy), at: iso(core.ackAt) }] : [],
      lastStatusChangeAt: resolved ? final.lastStatusChangeAt : acked ? iso(core.ackAt) : final.createdAt,
      lastStatusChangeBy: resolved
        ? final.lastStatusChangeBy
        : acked
          ? { type: 'user_reference', id: this.userId(core.ackBy) }
          : core.userReported
            ? { type: 'user_reference', id: this.userId(core.reporter) }
            : { type: 'service_reference', id: serviceId },
    };
  }

  alertAsOf(a: TimedAlert, clock: number): OrgAlert | undefined {
    if (a.at > clock) return undefined;
    return a.resolvedAt <= clock ? a.alert : { ...a.alert, resolvedAt: null };
  }
}
