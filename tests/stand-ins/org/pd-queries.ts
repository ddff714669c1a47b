// The PagerDuty-side queries, as of the store's clock: incidents by window with PagerDuty's
// filters and sorts, log entries (per incident or account-wide in a window), alerts and
// notifications. Incidents are planned for the whole history (cheap numbers); their rendered
// details are cached per incident, and account-wide windows gather from month partitions.
import type { IncidentCore } from './incident-plan.ts';
import {
  type IncidentDetail,
  type IncidentRenderer,
  MAX_ENTRIES,
  type TimedEntry,
  type TimedNotification,
} from './incident-records.ts';
import { Lru } from './lru.ts';
import type { OrgAlert, OrgIncident, OrgLogEntry, OrgNotification, OrgStore, Page } from './model.ts';
import { lastAtOrBefore } from './repo-timeline.ts';
import type { StaticOrg } from './static-org.ts';
import { DAY, monthIndex, monthIndexStart, parseIso } from './time.ts';

type IncidentFilter = Parameters<OrgStore['incidents']>[0];
type LogFilter = Parameters<OrgStore['logEntries']>[0];
type NotificationFilter = Parameters<OrgStore['notifications']>[0];

/** No incident's log reaches further than this past its trigger (resolution is capped at 12 days). */
const LIFETIME = 13 * DAY;
const DEFAULT_WINDOW = 30 * DAY;

interface MonthPartition {
  entries: TimedEntry[];
  notifications: TimedNotification[];
}

export class PagerDutyQueries {
  private readonly times: number[];
  private readonly details: Lru<number, IncidentDetail>;
  private readonly months: Lru<number, MonthPartition>;
  private readonly results = new Lru<string, unknown>(48);
  private readonly teamIndex: Map<string, number>;

  constructor(
    private readonly org: StaticOrg,
    readonly cores: IncidentCore[],
    readonly renderer: IncidentRenderer,
  ) {
    this.times = cores.map((c) => c.at);
    this.details = new Lru(org.size === 'large' ? 40_000 : 1_000_000);
    this.months = new Lru(org.sizeParams.monthCache);
    this.teamIndex = new Map(org.teams.map((t, i) => [t.pdTeamId, i]));
  }

  private cached<T>(key: string, make: () => T): T {
    return this.results.getOrCreate(key, make) as T;
  }

  detail(index: number): IncidentDetail {
    return this.details.getOrCreate(index, () => this.renderer.render(this.cores[index] as IncidentCore));
  }

  /** Resolve an id or an incident number to the incident's index. */
  indexOf(idOrNumber: string): number | undefined {
    if (/^\d+$/.test(idOrNumber)) {
      const n = Number(idOrNumber) - 1;
      return n >= 0 && n < this.cores.length ? n : undefined;
    }
    const i = this.renderer.incidentIds.decode(idOrNumber);
    return i !== undefined && i < this.cores.length ? i : undefined;
  }

  incident(idOrNumber: string, clock: number): OrgIncident | undefined {
    const i = this.indexOf(idOrNumber);
    if (i === undefined) return undefined;
    return this.renderer.asOf(this.cores[i] as IncidentCore, this.detail(i), clock);
  }

  private statusAt(core: IncidentCore, clock: number): 'triggered' | 'acknowledged' | 'resolved' {
    if (core.resolvedAt <= clock) return 'resolved';
    return Number.isFinite(core.ackAt) && core.ackAt <= clock ? 'acknowledged' : 'triggered';
  }

  private assigneeAt(core: IncidentCore, clock: number): number {
    let user = core.level1;
    for (const e of core.escalations) if (e.at <= clock) user = e.user;
    return user;
  }

  incidents(filter: IncidentFilter, offset: number, limit: number, clock: number): Page<OrgIncident> {
    const key = `inc:${JSON.stringify(filter)}:${clock}`;
    const list = this.cached(key, () => {
      let lo = 0;
      let hi = this.cores.length;
      if (!filter.all) {
        const until = filter.until ? parseIso(filter.until, 'until') : clock + 1;
        const since = filter.since ? parseIso(filter.since, 'since') : until - DEFAULT_WINDOW;
        lo = lastAtOrBefore(this.times, since - 1) + 1;
        hi = lastAtOrBefore(this.times, until - 1) + 1;
      }
      hi = Math.min(hi, lastAtOrBefore(this.times, clock) + 1);
      const services = filter.serviceIds ? new Set(filter.serviceIds.map((id) => this.org.serviceById.get(id) ?? -1)) : null;
      const teams = filter.teamIds ? new Set(filter.teamIds.map((id) => this.teamIndex.get(id) ?? -1)) : null;
      const users = filter.userIds ? new Set(filter.userIds.map((id) => this.org.userByPdId.get(id) ?? -1)) : null;
      const statuses = filter.statuses?.length ? new Set(filter.statuses) : null;
      const urgencies = filter.urgencies?.length ? new Set(filter.urgencies) : null;
      const out: number[] = [];
      for (let i = lo; i < hi; i++) {
        const core = this.cores[i] as IncidentCore;
        if (services && !services.has(core.service)) continue;
        if (teams && !teams.has(core.team)) continue;
        if (urgencies && !urgencies.has(core.urgency)) continue;
        const status = this.statusAt(core, clock);
        if (statuses && !statuses.has(status)) continue;
        // PagerDuty: user_ids[] matches incidents currently assigned, so never resolved ones.
        if (users && (status === 'resolved' || !users.has(this.assigneeAt(core, clock)))) continue;
        if (filter.incidentKey !== undefined && this.renderer.incidentKey(core) !== filter.incidentKey) continue;
        out.push(i);
      }
      const sorts = filter.sortBy ?? [];
      if (sorts.length) {
        const value = (i: number, field: string): number => {
          const core = this.cores[i] as IncidentCore;
          if (field === 'resolved_at') return core.resolvedAt <= clock ? core.resolvedAt : Number.POSITIVE_INFINITY;
          if (field === 'urgency') return core.urgency === 'high' ? 1 : 0;
          return i; // incident_number and created_at share the index order
        };
        out.sort((a, b) => {
          for (const s of sorts) {
            const d = value(a, s.field) - value(b, s.field);
            if (d !== 0) return s.direction === 'desc' ? -d : d;
          }
          return a - b;
        });
      }
      return out;
    });
    const items: OrgIncident[] = [];
    for (const i of list.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit))) {
      const view = this.renderer.asOf(this.cores[i] as IncidentCore, this.detail(i), clock);
      if (view) items.push(view);
    }
    return { items, total: list.length };
  }

  // ---- log entries

  private partition(month: number): MonthPartition {
    return this.months.getOrCreate(month, () => {
      const start = monthIndexStart(month);
      const end = monthIndexStart(month + 1);
      const lo = lastAtOrBefore(this.times, start - 1) + 1;
      const hi = lastAtOrBefore(this.times, end - 1) + 1;
      const entries: TimedEntry[] = [];
      const notifications: TimedNotification[] = [];
      for (let i = lo; i < hi; i++) {
        const d = this.detail(i);
        for (const e of d.entries) entries.push(e);
        for (const n of d.notifications) notifications.push(n);
      }
      entries.sort((a, b) => a.at - b.at || (a.entry.id < b.entry.id ? -1 : 1));
      notifications.sort((a, b) => a.at - b.at || (a.n.id < b.n.id ? -1 : 1));
      return { entries, notifications };
    });
  }

  /** Gather records in [since, until) from the incidents triggered in the months that can hold them. */
  private gather<T extends { at: number }>(
    since: number,
    until: number,
    pick: (p: MonthPartition) => T[],
    keep: (item: T) => boolean,
  ): T[] {
    const out: T[] = [];
    const first = monthIndex(Math.max(this.org.historyStart, since - LIFETIME));
    const last = monthIndex(Math.min(this.org.historyEnd, until));
    for (let m = first; m <= last; m++) {
      for (const item of pick(this.partition(m))) if (item.at >= since && item.at < until && keep(item)) out.push(item);
    }
    return out.sort((a, b) => a.at - b.at);
  }

  logEntries(filter: LogFilter, offset: number, limit: number, clock: number): Page<OrgLogEntry> {
    const key = `log:${JSON.stringify(filter)}:${clock}`;
    const list = this.cached(key, () => {
      const until = Math.min(filter.until ? parseIso(filter.until, 'until') : clock + 1, clock + 1);
      let entries: TimedEntry[];
      if (filter.incidentId !== undefined) {
        const i = this.indexOf(filter.incidentId);
        if (i === undefined || (this.cores[i] as IncidentCore).at > clock) return [];
        const since = filter.since ? parseIso(filter.since, 'since') : Number.NEGATIVE_INFINITY;
        entries = this.detail(i).entries.filter((e) => e.at >= since && e.at < until);
      } else {
        const since = filter.since ? parseIso(filter.since, 'since') : until - DEFAULT_WINDOW;
        const teams = filter.teamIds ? new Set(filter.teamIds) : null;
        const incidentTeam = (e: TimedEntry) => {
          const i = this.renderer.entryIds.decode(e.entry.id) ?? 0;
          return this.org.teams[(this.cores[Math.floor(i / MAX_ENTRIES)] as IncidentCore).team]?.pdTeamId ?? '';
        };
        entries = this.gather(
          since,
          until,
          (p) => p.entries,
          (e) => !teams || teams.has(incidentTeam(e)),
        );
      }
      return filter.ascending ? entries : [...entries].reverse();
    });
    return {
      items: list.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit)).map((e) => e.entry),
      total: list.length,
    };
  }

  logEntry(id: string, clock: number): OrgLogEntry | undefined {
    const code = this.renderer.entryIds.decode(id);
    if (code === undefined) return undefined;
    const i = Math.floor(code / MAX_ENTRIES);
    if (i >= this.cores.length) return undefined;
    const e = this.detail(i).entries[code % MAX_ENTRIES];
    return e && e.at <= clock ? e.entry : undefined;
  }

  alerts(
    incidentId: string,
    filter: { statuses?: string[]; alertKey?: string },
    offset: number,
    limit: number,
    clock: number,
  ): Page<OrgAlert> {
    const i = this.indexOf(incidentId);
    if (i === undefined) return { items: [], total: 0 };
    const statuses = filter.statuses?.length ? new Set(filter.statuses) : null;
    const list: OrgAlert[] = [];
    for (const a of this.detail(i).alerts) {
      const view = this.renderer.alertAsOf(a, clock);
      if (!view) continue;
      if (statuses && !statuses.has(view.resolvedAt ? 'resolved' : 'triggered')) continue;
      if (filter.alertKey !== undefined && view.alertKey !== filter.alertKey) continue;
      list.push(view);
    }
    return { items: list.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit)), total: list.length };
  }

  notifications(filter: NotificationFilter, offset: number, limit: number, clock: number): Page<OrgNotification> {
    const key = `notif:${JSON.stringify(filter)}:${clock}`;
    const list = this.cached(key, () => {
      const since = parseIso(filter.since, 'since');
      const until = Math.min(parseIso(filter.until, 'until'), clock + 1);
      return this.gather(
        since,
        until,
        (p) => p.notifications,
        (n) => !filter.type || n.n.type === filter.type,
      );
    });
    return {
      items: list.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit)).map((n) => n.n),
      total: list.length,
    };
  }
}
