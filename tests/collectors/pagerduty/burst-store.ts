// The simulated organisation plus a burst: `count` incidents triggered within one hour (an
// alert storm), with a trigger and a resolve log entry (all of them, or the first few) and no alert. Every other query goes
// to the organisation. The PagerDuty stand-in serves it over HTTP like any store, so a window
// holding the burst is more than PagerDuty's 10,000-record paging limit lets a client read.
import type { OrgIncident, OrgLogEntry, OrgStore, Page } from '../../stand-ins/org/model.ts';

const ALL = 10_000_000;

export interface Burst {
  store: OrgStore;
  incidents: OrgIncident[];
  entries: OrgLogEntry[];
  start: string;
  end: string;
}

/**
 * `count` incidents from `start` within one hour; the first `withEntries` of them (default all)
 * have a trigger and a resolve log entry.
 */
export async function withBurst(base: OrgStore, options: { count: number; start: string; withEntries?: number }): Promise<Burst> {
  const all = (await base.incidents({ all: true }, 0, ALL)).items;
  const template = all.find((i) => i.status === 'resolved' && i.alertCount > 0);
  if (!template) throw new Error('the organisation has no resolved incident to copy');
  const lastNumber = Math.max(...all.map((i) => i.number));
  const start = Date.parse(options.start);
  const spacing = 3_600_000 / options.count;
  const incidents: OrgIncident[] = [];
  const entries: OrgLogEntry[] = [];
  for (let k = 0; k < options.count; k++) {
    const created = new Date(start + Math.floor(k * spacing)).toISOString();
    const resolved = new Date(start + Math.floor(k * spacing) + 300_000).toISOString();
    const id = `QB${k.toString(36).toUpperCase().padStart(5, '0')}`;
    const trigger = `RT${k.toString(36).toUpperCase().padStart(5, '0')}`;
    incidents.push({
      ...template,
      id,
      number: lastNumber + k + 1,
      title: `Storm ${k}: disk almost full on db-${k % 40}`,
      incidentKey: `storm-${k}`,
      priorityId: null,
      status: 'resolved',
      createdAt: created,
      acknowledgedAt: null,
      resolvedAt: resolved,
      updatedAt: resolved,
      lastStatusChangeAt: resolved,
      triggeredBy: 'integration',
      resolvedBy: 'integration',
      assignedUserIds: [],
      alertCount: 0,
      acknowledgements: [],
      firstTriggerLogEntryId: trigger,
      resolveReason: null,
    });
    if (k >= (options.withEntries ?? options.count)) continue;
    const common = {
      incidentId: id,
      agent: { type: 'service_reference' as const, id: template.serviceId },
      userId: null,
      assigneeIds: [],
      notification: null,
      note: null,
      changes: [],
      escalationLevel: null,
    };
    entries.push({
      ...common,
      id: trigger,
      type: 'trigger_log_entry',
      createdAt: created,
      channel: { type: 'api' },
      summary: 'Triggered through the API',
    });
    entries.push({
      ...common,
      id: `RR${k.toString(36).toUpperCase().padStart(5, '0')}`,
      type: 'resolve_log_entry',
      createdAt: resolved,
      channel: { type: 'api' },
      summary: 'Resolved through the API',
    });
  }
  const incidentById = new Map(incidents.flatMap((i) => [[i.id, i] as const, [String(i.number), i] as const]));
  const entryById = new Map(entries.map((e) => [e.id, e]));

  // Everything the organisation and the burst hold as of the clock, by time (rebuilt when it moves),
  // so each query is a binary search and not a scan.
  type Timed<T> = { at: number; item: T }[];
  let snapshot: { clock: string; incidents: Timed<OrgIncident>; entries: Timed<OrgLogEntry> } | null = null;
  const results = new Map<string, unknown[]>();
  const current = async () => {
    const clock = base.clock();
    if (snapshot?.clock === clock) return snapshot;
    const now = Date.parse(clock);
    const own = (await base.incidents({ all: true }, 0, ALL)).items;
    const ownEntries = (await base.logEntries({ since: '1970-01-01T00:00:00Z', until: new Date(now + 1).toISOString() }, 0, ALL))
      .items;
    const timed = <T>(list: readonly T[], at: (x: T) => string): Timed<T> =>
      list.map((item) => ({ at: Date.parse(at(item)), item })).filter((x) => x.at <= now);
    const inc = [...timed(own, (i) => i.createdAt), ...timed(incidents, (i) => i.createdAt)];
    inc.sort((a, b) => a.at - b.at || a.item.number - b.item.number);
    const ent = [...timed(ownEntries, (e) => e.createdAt), ...timed(entries, (e) => e.createdAt)];
    ent.sort((a, b) => a.at - b.at || (a.item.id < b.item.id ? -1 : 1));
    snapshot = { clock, incidents: inc, entries: ent };
    results.clear();
    return snapshot;
  };
  const lowerBound = (list: Timed<unknown>, at: number) => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as { at: number }).at < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const slice = <T>(list: Timed<T>, since?: string, until?: string): T[] => {
    const lo = since ? lowerBound(list, Date.parse(since)) : 0;
    const hi = until ? lowerBound(list, Date.parse(until)) : list.length;
    return list.slice(lo, hi).map((x) => x.item);
  };

  const incidentsQuery: OrgStore['incidents'] = async (filter, offset, limit) => {
    const snap = await current();
    const key = `inc:${JSON.stringify(filter)}`;
    let list = results.get(key) as OrgIncident[] | undefined;
    if (!list) {
      list = filter.all ? snap.incidents.map((x) => x.item) : slice(snap.incidents, filter.since, filter.until);
      if (filter.statuses?.length) list = list.filter((i) => filter.statuses?.includes(i.status));
      if (filter.serviceIds || filter.teamIds || filter.userIds || filter.urgencies || filter.incidentKey) {
        list = (await base.incidents(filter, 0, ALL)).items;
      }
      // PagerDuty's sort_by, field by field (created_at and incident_number are all the collector uses).
      const sorts = filter.sortBy ?? [];
      if (sorts.length > 0) {
        const value = (i: OrgIncident, field: string) => (field === 'incident_number' ? i.number : Date.parse(i.createdAt));
        list = [...list].sort((a, b) => {
          for (const s of sorts) {
            const d = value(a, s.field) - value(b, s.field);
            if (d !== 0) return s.direction === 'desc' ? -d : d;
          }
          return 0;
        });
      }
      results.set(key, list);
    }
    return { items: list.slice(offset, offset + limit), total: list.length } satisfies Page<OrgIncident>;
  };

  const logEntriesQuery: OrgStore['logEntries'] = async (filter, offset, limit) => {
    if (filter.incidentId !== undefined && !incidentById.has(filter.incidentId)) return base.logEntries(filter, offset, limit);
    if (filter.teamIds) return base.logEntries(filter, offset, limit);
    const snap = await current();
    const key = `log:${JSON.stringify(filter)}`;
    let list = results.get(key) as OrgLogEntry[] | undefined;
    if (!list) {
      list = slice(snap.entries, filter.since, filter.until);
      if (filter.incidentId !== undefined) list = list.filter((e) => e.incidentId === filter.incidentId);
      if (!filter.ascending) list = [...list].reverse();
      results.set(key, list);
    }
    return { items: list.slice(offset, offset + limit), total: list.length } satisfies Page<OrgLogEntry>;
  };
  const visible = (at: string) => Date.parse(at) <= Date.parse(base.clock());

  const store = new Proxy(base, {
    get(target, key) {
      if (key === 'incidents') return incidentsQuery;
      if (key === 'logEntries') return logEntriesQuery;
      if (key === 'incident')
        return async (idOrNumber: string) => {
          const own = incidentById.get(idOrNumber);
          return own ? (visible(own.createdAt) ? own : undefined) : target.incident(idOrNumber);
        };
      if (key === 'logEntry') return async (id: string) => entryById.get(id) ?? target.logEntry(id);
      if (key === 'alerts')
        return async (incidentId: string, filter: Parameters<OrgStore['alerts']>[1], offset: number, limit: number) =>
          incidentById.has(incidentId) ? { items: [], total: 0 } : target.alerts(incidentId, filter, offset, limit);
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    store,
    incidents,
    entries,
    start: new Date(start).toISOString(),
    end: new Date(start + 3_600_000 + 300_000).toISOString(),
  };
}
