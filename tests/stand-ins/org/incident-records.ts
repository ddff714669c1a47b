// Renders incidents, their log entries, alerts and notifications from the incident plan. The
// final state is rendered once per incident (and cached); `asOf` cuts it at the store's clock.
// Notifications follow each person's notification rules while the incident is assigned to them
// and unacknowledged, so pages, escalations and on-call shifts always agree.
import { IdCodec } from './ids.ts';
import type { IncidentCore } from './incident-plan.ts';
import { alertSummary, type CauseFacts, incidentDescription, incidentTitle, noteText } from './incident-text.ts';
import type { OrgAlert, OrgIncident, OrgLogEntry, OrgNotification } from './model.ts';
import { hash32, Rng } from './prng.ts';
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
    if (core.userReported)
      return (
        hash32(this.org.seed, 'key', core.index).toString(16).padStart(8, '0') +
        hash32(core.index, 'k2').toString(16).padStart(8, '0')
      );
    const source = SOURCES[core.service % SOURCES.length];
    if (core.kind === 'flapping')
      return `${source}/${this.org.services[core.service]?.name.toLowerCase().replace(/\W+/g, '-')}/flap-${core.flap}/${core.index}`;
    return `${source}/${hash32(this.org.seed, 'dedup', core.index).toString(16)}`;
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

    type Draft = Omit<OrgLogEntry, 'id' | 'incidentId' | 'createdAt'> & { at: number; order: number };
    const drafts: Draft[] = [];
    const base = (at: number, order: number, type: OrgLogEntry['type'], summary: string): Draft => ({
      at,
      order,
      type,
      agent: null,
      channel: { type: 'auto' },
      userId: null,
      assigneeIds: [],
      notification: null,
      note: null,
      summary,
      changes: [],
      escalationLevel: null,
    });

    // Trigger.
    const trigger = base(
      core.at,
      0,
      'trigger_log_entry',
      core.userReported ? 'Triggered through the website.' : 'Triggered through the API.',
    );
    trigger.agent = core.userReported
      ? { type: 'user_reference', id: this.userId(core.reporter) }
      : { type: 'integration_reference', id: integrationId };
    trigger.channel = core.userReported
      ? { type: 'web_trigger', summary: title }
      : {
          type: 'api',
          summary: title,
          details: { source: SOURCES[core.service % SOURCES.length], severity: core.priority <= 1 ? 'critical' : 'error' },
        };
    trigger.assigneeIds = [this.userId(core.level1)];
    trigger.escalationLevel = 1;
    drafts.push(trigger);

    // Who was paged when: level 1 from the trigger, then whoever each escalation reached, while
    // nobody had acknowledged.
    const stop = Number.isFinite(core.ackAt) ? core.ackAt : core.resolvedAt;
    const periods: { user: number; from: number; to: number }[] = [];
    let from = core.at;
    let user = core.level1;
    for (const e of core.escalations) {
      periods.push({ user, from, to: e.at });
      const esc = base(
        e.at,
        2,
        'escalate_log_entry',
        `Escalated to ${org.users[e.user]?.name ?? 'someone'} (level ${e.level}): not acknowledged in time.`,
      );
      esc.channel = { type: 'timeout' };
      esc.assigneeIds = [this.userId(e.user)];
      esc.escalationLevel = e.level;
      drafts.push(esc);
      from = e.at;
      user = e.user;
    }
    periods.push({ user, from, to: stop });
    const notifications: TimedNotification[] = [];
    for (const period of periods) {
      const info = org.userInfo[period.user];
      const person = org.users[period.user];
      if (!info || !person) continue;
      const rules = core.urgency === 'high' ? info.high : info.low;
      for (const rule of rules) {
        const at = sec(
          period.from +
            rule.delayMinutes * MINUTE +
            ((hash32(core.index, period.from, rule.delayMinutes, rule.type) % 25) + 2) * 1000,
        );
        if (at >= period.to || notifications.length >= 200) continue;
        const address =
          rule.type === 'push_notification' ? null : rule.type === 'email_notification' ? person.email : person.phone;
        const nid = this.notificationIds.encode(core.index * MAX_ENTRIES + notifications.length);
        notifications.push({
          at,
          n: { id: nid, incidentId: id, userId: person.pdId, type: rule.type, startedAt: iso(at), address, status: 'success' },
        });
        const notify = base(at, 1, 'notify_log_entry', `Notified ${person.name} by ${CHANNEL_NAMES[rule.type]}.`);
        notify.userId = person.pdId;
        notify.notification = { id: nid, type: rule.type, address };
        drafts.push(notify);
      }
    }
    notifications.sort((a, b) => a.at - b.at || (a.n.id < b.n.id ? -1 : 1));

    if (Number.isFinite(core.ackAt)) {
      const ack = base(core.ackAt, 3, 'acknowledge_log_entry', `Acknowledged by ${org.users[core.ackBy]?.name ?? 'someone'}.`);
      ack.agent = { type: 'user_reference', id: this.userId(core.ackBy) };
      ack.channel = { type: rng.pick(['mobile', 'web_ui', 'sms', 'phone', 'slack']) };
      drafts.push(ack);
    }
    if (Number.isFinite(core.priorityChangeAt)) {
      const fromName = priorityName(core.initialPriority);
      const toName = priorityName(core.priority);
      const change = base(
        core.priorityChangeAt,
        4,
        'field_value_change_log_entry',
        `Priority changed from ${fromName ?? 'none'} to ${toName ?? 'none'}.`,
      );
      change.agent = { type: 'user_reference', id: this.userId(core.priorityChanger) };
      change.channel = { type: 'web_ui' };
      change.changes = [{ field: 'priority', from: fromName, to: toName }];
      drafts.push(change);
    }
    for (const note of core.notes) {
      const text = noteText(core, note.kind, note.value, cause);
      const annotate = base(note.at, 5, 'annotate_log_entry', `Note added: ${text}`);
      annotate.agent = { type: 'user_reference', id: this.userId(note.user) };
      annotate.channel = { type: 'note' };
      annotate.note = text;
      drafts.push(annotate);
    }
    const resolve = base(
      core.resolvedAt,
      6,
      'resolve_log_entry',
      core.resolvedBy === 'integration'
        ? 'Resolved through the API.'
        : `Resolved by ${org.users[core.resolver]?.name ?? 'someone'}.`,
    );
    if (core.resolvedBy === 'integration') {
      resolve.agent = { type: 'integration_reference', id: integrationId };
      resolve.channel = { type: 'api' };
    } else {
      resolve.agent = { type: 'user_reference', id: this.userId(core.resolver) };
      resolve.channel = { type: rng.pick(['web_ui', 'mobile', 'slack']) };
    }
    drafts.push(resolve);

    drafts.sort((a, b) => a.at - b.at || a.order - b.order);
    const entries: TimedEntry[] = drafts.slice(0, MAX_ENTRIES).map((d, k) => {
      const { at, order: _order, ...rest } = d;
      return {
        at,
        entry: { ...rest, id: this.entryIds.encode(core.index * MAX_ENTRIES + k), incidentId: id, createdAt: iso(at) },
      };
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
          alertKey: k === 0 ? this.incidentKey(core) : `${source}/${hash32(org.seed, 'alert', core.index, k).toString(16)}`,
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
