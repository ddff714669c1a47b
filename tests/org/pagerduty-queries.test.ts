// Every PagerDuty-side OrgStore query on the small organisation: incident windows, filters and
// sorts as of the clock, log entries per incident and account-wide, alerts, notifications and
// on-call shifts, and that pages, escalations and shifts agree with each other.
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../stand-ins/org/index.ts';
import type { OrgIncident, OrgLogEntry, OrgStore } from '../stand-ins/org/model.ts';
import { allPages } from './realism-helpers.ts';

const anchor = '2025-06-01T12:00:00Z';
let store: OrgStore;
let all: OrgIncident[];

beforeAll(async () => {
  store = await createOrg({ seed: 5, size: 'small', anchor });
  all = await allPages((o, l) => store.incidents({ all: true }, o, l));
});

const entriesOf = (id: string) => allPages((o, l) => store.logEntries({ incidentId: id, ascending: true }, o, l));

describe('incidents', () => {
  it('lists every incident up to the clock in creation order, numbered from 1', async () => {
    expect(all.length).toBeGreaterThan(150);
    expect(all.map((i) => i.number)).toEqual(all.map((_, k) => k + 1));
    for (let k = 1; k < all.length; k++) expect((all[k - 1]?.createdAt as string) <= (all[k]?.createdAt as string)).toBe(true);
    expect(all.every((i) => Date.parse(i.createdAt) <= Date.parse(anchor))).toBe(true);
    expect(all.every((i) => /^Q[0-9A-Z]{13}$/.test(i.id))).toBe(true);
  });

  it('defaults to the last 30 days and takes since/until', async () => {
    const recent = await allPages((o, l) => store.incidents({}, o, l));
    const cutoff = Date.parse(anchor) - 30 * 86_400_000;
    expect(recent.map((i) => i.id)).toEqual(all.filter((i) => Date.parse(i.createdAt) >= cutoff).map((i) => i.id));
    const since = '2025-04-01T00:00:00Z';
    const until = '2025-04-15T00:00:00Z';
    const window = await allPages((o, l) => store.incidents({ since, until }, o, l));
    expect(window.length).toBeGreaterThan(5);
    expect(window.map((i) => i.id)).toEqual(all.filter((i) => i.createdAt >= since && i.createdAt < until).map((i) => i.id));
  });

  it('filters by status as of the clock, service, team, assignee, urgency and key', async () => {
    const open = await allPages((o, l) => store.incidents({ all: true, statuses: ['triggered', 'acknowledged'] }, o, l));
    expect(open.length).toBeGreaterThanOrEqual(2);
    expect(open.map((i) => i.status).sort()).toEqual(
      all
        .filter((i) => i.status !== 'resolved')
        .map((i) => i.status)
        .sort(),
    );
    expect(open.some((i) => i.status === 'triggered')).toBe(true);
    expect(open.some((i) => i.status === 'acknowledged')).toBe(true);
    const resolved = await store.incidents({ all: true, statuses: ['resolved'] }, 0, 1);
    expect(resolved.total + open.length).toBe(all.length);
    const service = store.services[1]?.id as string;
    const byService = await allPages((o, l) => store.incidents({ all: true, serviceIds: [service] }, o, l));
    expect(byService.length).toBe(all.filter((i) => i.serviceId === service).length);
    const team = store.teams[2]?.pdTeamId as string;
    const byTeam = await store.incidents({ all: true, teamIds: [team] }, 0, 1);
    expect(byTeam.total).toBe(all.filter((i) => i.teamIds.includes(team)).length);
    const assignee = open[0]?.assignedUserIds[0] as string;
    const mine = await allPages((o, l) => store.incidents({ all: true, userIds: [assignee] }, o, l));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((i) => i.status !== 'resolved' && i.assignedUserIds.includes(assignee))).toBe(true);
    const low = await store.incidents({ all: true, urgencies: ['low'] }, 0, 1);
    expect(low.total).toBe(all.filter((i) => i.urgency === 'low').length);
    expect(low.total).toBeGreaterThan(0);
    const key = all[10]?.incidentKey as string;
    expect((await store.incidents({ all: true, incidentKey: key }, 0, 5)).items.map((i) => i.id)).toEqual([all[10]?.id]);
  });

  it('sorts by created_at, resolved_at and urgency in either direction', async () => {
    const desc = await store.incidents({ all: true, sortBy: [{ field: 'created_at', direction: 'desc' }] }, 0, 10);
    expect(desc.items.map((i) => i.id)).toEqual(
      all
        .slice(-10)
        .reverse()
        .map((i) => i.id),
    );
    const byResolved = await allPages((o, l) =>
      store.incidents({ all: true, sortBy: [{ field: 'resolved_at', direction: 'asc' }] }, o, l),
    );
    const times = byResolved.filter((i) => i.resolvedAt).map((i) => i.resolvedAt as string);
    expect(times).toEqual([...times].sort());
    const byUrgency = await allPages((o, l) =>
      store.incidents(
        {
          all: true,
          sortBy: [
            { field: 'urgency', direction: 'desc' },
            { field: 'incident_number', direction: 'asc' },
          ],
        },
        o,
        l,
      ),
    );
    const firstLow = byUrgency.findIndex((i) => i.urgency === 'low');
    expect(byUrgency.slice(firstLow).every((i) => i.urgency === 'low')).toBe(true);
    expect(byUrgency.slice(0, firstLow).map((i) => i.number)).toEqual(
      [...byUrgency.slice(0, firstLow).map((i) => i.number)].sort((a, b) => a - b),
    );
  });

  it('finds an incident by id or by number', async () => {
    const one = all[42] as OrgIncident;
    expect(await store.incident(one.id)).toEqual(one);
    expect(await store.incident(String(one.number))).toEqual(one);
    expect(await store.incident('QZZZZZZZZZZZZZ')).toBeUndefined();
    expect(await store.incident('100000')).toBeUndefined();
  });

  it('tells human-reported incidents from monitoring ones and carries priorities', async () => {
    const human = all.filter((i) => i.triggeredBy === 'user');
    expect(human.length).toBeGreaterThan(3);
    const entries = await entriesOf(human[0]?.id as string);
    expect(entries[0]).toMatchObject({
      type: 'trigger_log_entry',
      agent: { type: 'user_reference' },
      channel: { type: 'web_trigger' },
    });
    expect(human[0]?.alertCount).toBe(0);
    const priorities = new Set(all.map((i) => i.priorityId));
    expect(priorities.has(null)).toBe(true);
    expect(priorities.size).toBeGreaterThanOrEqual(5);
  });
});

describe('log entries', () => {
  it('tell each incident story in order: trigger, notifications, acknowledgement, resolution', async () => {
    let checked = 0;
    for (const incident of all.filter((i) => i.status === 'resolved').slice(0, 80)) {
      const entries = await entriesOf(incident.id);
      expect(entries[0]?.id).toBe(incident.firstTriggerLogEntryId);
      expect(entries[0]?.createdAt).toBe(incident.createdAt);
      expect(entries.at(-1)).toMatchObject({ type: 'resolve_log_entry', createdAt: incident.resolvedAt });
      const ack = entries.find((e) => e.type === 'acknowledge_log_entry');
      expect(ack?.createdAt ?? null).toBe(incident.acknowledgedAt);
      for (let k = 1; k < entries.length; k++)
        expect((entries[k - 1]?.createdAt as string) <= (entries[k]?.createdAt as string)).toBe(true);
      // Nobody is paged after someone acknowledged.
      for (const n of entries.filter((e) => e.type === 'notify_log_entry')) {
        if (incident.acknowledgedAt) expect(n.createdAt < incident.acknowledgedAt).toBe(true);
        expect(n.notification?.id).toMatch(/^P/);
      }
      checked++;
    }
    expect(checked).toBe(80);
  });

  it('lists newest first by default and finds one entry by id', async () => {
    const incident = all.find((i) => i.acknowledgedAt) as OrgIncident;
    const asc = await entriesOf(incident.id);
    const desc = await store.logEntries({ incidentId: incident.id }, 0, 100);
    expect(desc.items).toEqual([...asc].reverse());
    expect(await store.logEntry(asc[1]?.id as string)).toEqual(asc[1]);
    expect(await store.logEntry('RNOTANENTRYIDX')).toBeUndefined();
  });

  it('has escalations, priority changes and notes, including impact-start notes', async () => {
    const types = new Map<string, OrgLogEntry>();
    let impactStart = 0;
    for (const incident of all) {
      for (const e of await entriesOf(incident.id)) {
        types.set(e.type, e);
        if (e.note?.startsWith('impact-start: ')) {
          impactStart++;
          expect(Date.parse(e.note.slice('impact-start: '.length))).toBeLessThan(Date.parse(incident.createdAt));
        }
      }
    }
    expect(impactStart).toBeGreaterThan(3);
    expect(types.get('escalate_log_entry')).toMatchObject({ channel: { type: 'timeout' }, escalationLevel: 2 });
    expect(types.get('field_value_change_log_entry')?.changes[0]?.field).toBe('priority');
    expect(types.get('annotate_log_entry')?.note).toBeTruthy();
  });

  it('lists entries account-wide in a window, filtered by team', async () => {
    const since = '2025-05-10T00:00:00Z';
    const until = '2025-05-17T00:00:00Z';
    const window = await allPages((o, l) => store.logEntries({ since, until, ascending: true }, o, l));
    expect(window.length).toBeGreaterThan(30);
    expect(window.every((e) => e.createdAt >= since && e.createdAt < until)).toBe(true);
    for (let k = 1; k < window.length; k++)
      expect((window[k - 1]?.createdAt as string) <= (window[k]?.createdAt as string)).toBe(true);
    // The same entries as walking each incident.
    const expected: string[] = [];
    for (const i of all)
      for (const e of await entriesOf(i.id)) if (e.createdAt >= since && e.createdAt < until) expected.push(e.id);
    expect(window.map((e) => e.id).sort()).toEqual(expected.sort());
    const team = store.teams[0]?.pdTeamId as string;
    const teamIncidents = new Set(all.filter((i) => i.teamIds.includes(team)).map((i) => i.id));
    const byTeam = await allPages((o, l) => store.logEntries({ since, until, teamIds: [team] }, o, l));
    expect(byTeam.length).toBe(window.filter((e) => teamIncidents.has(e.incidentId)).length);
  });
});

describe('alerts and notifications', () => {
  it('lists alerts per incident with the monitor event time before the trigger', async () => {
    const grouped = all.find((i) => i.alertCount > 1) as OrgIncident;
    const alerts = await store.alerts(grouped.id, {}, 0, 100);
    expect(alerts.total).toBe(grouped.alertCount);
    expect(alerts.items[0]?.summary).toBe(grouped.title);
    expect(alerts.items.every((a) => a.incidentId === grouped.id && a.serviceId === grouped.serviceId)).toBe(true);
    const withEventTime = all.filter((i) => i.alertCount > 0).slice(0, 60);
    let seen = 0;
    for (const i of withEventTime) {
      for (const a of (await store.alerts(i.id, {}, 0, 10)).items) {
        if (a.eventTime) {
          seen++;
          expect(a.eventTime < a.createdAt).toBe(true);
        }
      }
    }
    expect(seen).toBeGreaterThan(5);
    const key = alerts.items[1]?.alertKey as string;
    expect((await store.alerts(grouped.id, { alertKey: key }, 0, 10)).items).toHaveLength(1);
    const open = all.find((i) => i.status !== 'resolved' && i.alertCount > 0) as OrgIncident;
    const openAlerts = await store.alerts(open.id, {}, 0, 10);
    const triggered = await store.alerts(open.id, { statuses: ['triggered'] }, 0, 10);
    expect(triggered.total).toBeGreaterThan(0);
    expect(triggered.items).toEqual(openAlerts.items.filter((a) => a.resolvedAt === null));
    expect((await store.alerts(grouped.id, { statuses: ['triggered'] }, 0, 10)).total).toBe(0);
  });

  it('lists notifications in a window by start time, each one recorded by a notify entry', async () => {
    const since = '2025-05-01T00:00:00Z';
    const until = '2025-05-20T00:00:00Z';
    const notifications = await allPages((o, l) => store.notifications({ since, until }, o, l));
    expect(notifications.length).toBeGreaterThan(60);
    for (let k = 1; k < notifications.length; k++) {
      expect((notifications[k - 1]?.startedAt as string) <= (notifications[k]?.startedAt as string)).toBe(true);
    }
    expect(new Set(notifications.map((n) => n.type))).toEqual(
      new Set(['sms_notification', 'phone_notification', 'push_notification', 'email_notification']),
    );
    const users = new Map(store.users.map((u) => [u.pdId, u]));
    for (const n of notifications.slice(0, 200)) {
      const entries = await entriesOf(n.incidentId);
      const notify = entries.find((e) => e.notification?.id === n.id);
      expect(notify).toMatchObject({ type: 'notify_log_entry', userId: n.userId, createdAt: n.startedAt });
      if (n.type === 'push_notification') expect(n.address).toBeNull();
      if (n.type === 'email_notification') expect(n.address).toBe(users.get(n.userId)?.email);
      if (n.type === 'sms_notification' || n.type === 'phone_notification') expect(n.address).toBe(users.get(n.userId)?.phone);
    }
    const sms = await allPages((o, l) => store.notifications({ since, until, type: 'sms_notification' }, o, l));
    expect(sms.map((n) => n.id)).toEqual(notifications.filter((n) => n.type === 'sms_notification').map((n) => n.id));
  });

  it('pages whoever the on-call shifts say, and escalates to level 2', async () => {
    let checked = 0;
    let escalations = 0;
    for (const incident of all.slice(0, 120)) {
      const entries = await entriesOf(incident.id);
      const firstNotify = entries.find((e) => e.type === 'notify_log_entry');
      if (!firstNotify) continue;
      const at = incident.createdAt;
      const oncall = await store.oncalls(
        { since: at, until: new Date(Date.parse(at) + 1000).toISOString(), escalationPolicyIds: [incident.escalationPolicyId] },
        0,
        10,
      );
      const level1 = oncall.items.filter((o) => o.escalationLevel === 1).map((o) => o.userId);
      expect(level1).toContain(firstNotify.userId);
      for (const esc of entries.filter((e) => e.type === 'escalate_log_entry' && e.escalationLevel === 2)) {
        const level2 = await store.oncalls(
          {
            since: esc.createdAt,
            until: new Date(Date.parse(esc.createdAt) + 1000).toISOString(),
            escalationPolicyIds: [incident.escalationPolicyId],
          },
          0,
          10,
        );
        expect(level2.items.filter((o) => o.escalationLevel === 2).map((o) => o.userId)).toContain(esc.assigneeIds[0]);
        escalations++;
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(80);
    expect(escalations).toBeGreaterThan(2);
  });
});

describe('on-call shifts', () => {
  it('lists weekly shifts per policy and level, with filters and earliest', async () => {
    const since = '2025-05-01T00:00:00Z';
    const until = '2025-05-29T00:00:00Z';
    const shifts = await allPages((o, l) => store.oncalls({ since, until }, o, l));
    const scheduled = shifts.filter((s) => s.scheduleId);
    expect(scheduled.every((s) => Date.parse(s.end as string) - Date.parse(s.start as string) === 7 * 86_400_000)).toBe(true);
    expect(scheduled.every((s) => (s.end as string) > since && (s.start as string) < until)).toBe(true);
    // Level 2 of some teams is a manager, on call permanently.
    expect(shifts.some((s) => s.scheduleId === null && s.start === null && s.end === null && s.escalationLevel === 2)).toBe(true);
    const schedule = store.schedules[0]?.id as string;
    const one = await allPages((o, l) => store.oncalls({ since, until, scheduleIds: [schedule] }, o, l));
    expect(one.every((s) => s.scheduleId === schedule)).toBe(true);
    expect(one.length).toBeGreaterThanOrEqual(4);
    const user = one[0]?.userId as string;
    const mine = await allPages((o, l) => store.oncalls({ since, until, userIds: [user] }, o, l));
    expect(mine.every((s) => s.userId === user)).toBe(true);
    const earliest = await allPages((o, l) => store.oncalls({ since, until, earliest: true }, o, l));
    const keys = earliest.map((s) => `${s.escalationPolicyId}|${s.escalationLevel}|${s.userId}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(earliest.length).toBeLessThan(shifts.length);
    const policy = store.escalationPolicies[1]?.id as string;
    const byPolicy = await allPages((o, l) => store.oncalls({ since, until, escalationPolicyIds: [policy] }, o, l));
    expect(byPolicy.length).toBeGreaterThan(0);
    expect(byPolicy.every((s) => s.escalationPolicyId === policy)).toBe(true);
  });

  it('rotates through people in several time zones', () => {
    const zones = new Set(store.users.map((u) => u.timeZone));
    expect(zones.size).toBeGreaterThanOrEqual(4);
    expect([...zones].some((z) => z.startsWith('Europe/'))).toBe(true);
    expect([...zones].some((z) => z.startsWith('America/'))).toBe(true);
    expect([...zones].some((z) => z.startsWith('Asia/'))).toBe(true);
    expect(new Set(store.schedules.map((s) => s.timeZone)).size).toBeGreaterThanOrEqual(3);
    for (const p of store.escalationPolicies) expect(p.rules).toHaveLength(2);
  });
});
