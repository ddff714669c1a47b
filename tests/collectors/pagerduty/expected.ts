// What a complete PagerDuty sync must hold, read straight from the simulated organisation (not
// through the stand-in), so the tests compare the collector's tables with the truth.
import { oncallId } from '../../../collectors/pagerduty/normalise.ts';
import type { OrgStore } from '../../stand-ins/org/model.ts';

const BIG = 10_000_000;
const DAY = 86_400_000;

export interface Expected {
  incidents: Map<string, { status: string; resolvedAt: string | null; alertCount: number }>;
  logEntries: Set<string>;
  notifications: Map<string, { userId: string; startedAt: string }>;
  alerts: Set<string>;
  shifts: Map<string, { start: string | null; end: string | null }>;
}

/** Everything the store holds as of its clock, within `historyDays` of it. */
export async function expectedOf(store: OrgStore, historyDays: number): Promise<Expected> {
  const clock = Date.parse(store.clock());
  const horizon = new Date(clock - historyDays * DAY).toISOString();
  const until = new Date(clock + 1).toISOString();
  // The store takes any range; only the stand-in holds /incidents to 6 months.
  const incidents = (await store.incidents({ since: horizon, until }, 0, BIG)).items;
  const out: Expected = {
    incidents: new Map(incidents.map((i) => [i.id, { status: i.status, resolvedAt: i.resolvedAt, alertCount: i.alertCount }])),
    logEntries: new Set((await store.logEntries({ since: horizon, until }, 0, BIG)).items.map((e) => e.id)),
    notifications: new Map(
      (await store.notifications({ since: horizon, until }, 0, BIG)).items.map((n) => [
        n.id,
        { userId: n.userId, startedAt: n.startedAt },
      ]),
    ),
    alerts: new Set<string>(),
    shifts: new Map(),
  };
  for (const id of out.incidents.keys()) {
    for (const a of (await store.alerts(id, {}, 0, BIG)).items) out.alerts.add(a.id);
  }
  for (const o of (await store.oncalls({ since: horizon, until: store.clock() }, 0, BIG)).items) {
    const id = oncallId({
      user: { id: o.userId },
      schedule: o.scheduleId ? { id: o.scheduleId } : null,
      escalation_policy: { id: o.escalationPolicyId },
      escalation_level: o.escalationLevel,
      start: o.start,
      end: o.end,
    });
    out.shifts.set(id, { start: o.start, end: o.end });
  }
  return out;
}
