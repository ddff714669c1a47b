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

/**
 * The log entries and notifications of the incidents triggered in one month, as parallel arrays
 * of times and codes (incident index * MAX_ENTRIES + position), sorted by time. Records are
 * rendered from the incident details only for the page asked for, which keeps a partition of the
 * large organisation at a few hundred kilobytes.
 */
interface Series {
  at: Float64Array;
  code: Float64Array;
  /** Notifications: index into NOTIFICATION_TYPES, so a type filter needs no rendering. */
  tag: Uint8Array;
}

const NOTIFICATION_TYPES = ['sms_notification', 'phone_notification', 'push_notification', 'email_notification'];
interface MonthPartition {
  entries: Series;
  notifications: Series;
}

function toSeries(rows: [number, number, number][]): Series {
  rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const at = new Float64Array(rows.length);
  const code = new Float64Array(rows.length);
  const tag = new Uint8Array(rows.length);
  rows.forEach(([t, c, g], i) => {
    at[i] = t;
    code[i] = c;
    tag[i] = g;
  });
  return { at, code, tag };
}

function lowerBound(values: Float64Array, value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class PagerDutyQueries {
  private readonly times: number[];
  private readonly details: Lru<number, IncidentDetail>;
  private readonly allDetails: (IncidentDetail | undefined)[] | null;
  private readonly months: Lru<number, MonthPartition>;
  private readonly results = new Lru<string, unknown>(48);
  private readonly teamIndex: Map<string, number>;

  constructor(
    private readonly org: StaticOrg,
    readonly cores: IncidentCore[],
    readonly renderer: IncidentRenderer,
    tuning: { months?: number; incidents?: number } = {},
  ) {
    this.times = cores.map((c) => c.at);
    // Small and default organisations keep every rendered incident; the large one a bounded set.
    this.details = new Lru(tuning.incidents ?? 12_000);
    this.allDetails = org.size === 'large' || tuning.incidents !== undefined ? null : [];
    this.months = new Lru(tuning.months ?? org.sizeParams.monthCache);
    this.teamIndex = new Map(org.teams.map((t, i) => [t.pdTeamId, i]));
  }

  private cached<T>(key: string, make: () => T): T {
    return this.results.getOrCreate(key, make) as T;
  }

  detail(index: number): IncidentDetail {
    if (this.allDetails) {
      let d = this.allDetails[index];
      if (!d) {
        d = this.renderer.render(this.cores[index] as IncidentCore);
        this.allDetails[index] = d;
      }
      return d;
    }
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

  /**
   * Each service's status at the clock, as PagerDuty derives it: critical with an open
   * high-urgency incident, warning with only low-urgency ones open, active otherwise.
   */
  serviceStatuses(clock: number): Map<number, 'critical' | 'warning'> {
    return this.cached(`service-status:${clock}`, () => {
      const out = new Map<number, 'critical' | 'warning'>();
      const hi = lastAtOrBefore(this.times, clock);
      for (let i = lastAtOrBefore(this.times, clock - LIFETIME) + 1; i <= hi; i++) {
        const core = this.cores[i] as IncidentCore;
        if (core.resolvedAt <= clock) continue;
        if (core.urgency === 'high') out.set(core.service, 'critical');
        else if (!out.has(core.service)) out.set(core.service, 'warning');
      }
      return out;
    });
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
      const entries: [number, number, number][] = [];
      const notifications: [number, number, number][] = [];
      // Only the schedule (times), not the records: pages render what they show.
      for (let i = lo; i < hi; i++) {
        const plan = this.renderer.schedule(this.cores[i] as IncidentCore);
        plan.entries.forEach((e, k) => {
          entries.push([e.at, i * MAX_ENTRIES + k, 0]);
        });
        plan.notifications.forEach((n, k) => {
          notifications.push([n.at, i * MAX_ENTRIES + k, NOTIFICATION_TYPES.indexOf(n.type)]);
        });
      }
      return { entries: toSeries(entries), notifications: toSeries(notifications) };
    });
  }

  /** Codes of the records in [since, until), by time, from the months whose incidents can hold them. */
  private gather(
    since: number,
    until: number,
    pick: (p: MonthPartition) => Series,
    keep: (code: number, tag: number) => boolean,
  ): number[] {
    const out: [number, number][] = [];
    const first = monthIndex(Math.max(this.org.historyStart, since - LIFETIME));
    const last = monthIndex(Math.min(this.org.historyEnd, until));
    for (let m = first; m <= last; m++) {
      const series = pick(this.partition(m));
      for (let j = lowerBound(series.at, since); j < series.at.length && (series.at[j] as number) < until; j++) {
        const code = series.code[j] as number;
        if (keep(code, series.tag[j] as number)) out.push([series.at[j] as number, code]);
      }
    }
    return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((pair) => pair[1]);
  }

  private entryOf(code: number): TimedEntry {
    return this.detail(Math.floor(code / MAX_ENTRIES)).entries[code % MAX_ENTRIES] as TimedEntry;
  }

  private notificationOf(code: number): TimedNotification {
    return this.detail(Math.floor(code / MAX_ENTRIES)).notifications[code % MAX_ENTRIES] as TimedNotification;
  }

  private teamOf(code: number): number {
    return (this.cores[Math.floor(code / MAX_ENTRIES)] as IncidentCore).team;
  }

  logEntries(filter: LogFilter, offset: number, limit: number, clock: number): Page<OrgLogEntry> {
    const key = `log:${JSON.stringify(filter)}:${clock}`;
    const list = this.cached(key, () => {
      const until = Math.min(filter.until ? parseIso(filter.until, 'until') : clock + 1, clock + 1);
      let codes: number[] = [];
      if (filter.incidentId !== undefined) {
        const i = this.indexOf(filter.incidentId);
        if (i === undefined || (this.cores[i] as IncidentCore).at > clock) return [];
        const since = filter.since ? parseIso(filter.since, 'since') : Number.NEGATIVE_INFINITY;
        this.detail(i).entries.forEach((e, k) => {
          if (e.at >= since && e.at < until) codes.push(i * MAX_ENTRIES + k);
        });
      } else {
        const since = filter.since ? parseIso(filter.since, 'since') : until - DEFAULT_WINDOW;
        const teams = filter.teamIds ? new Set(filter.teamIds.map((id) => this.teamIndex.get(id) ?? -1)) : null;
        codes = this.gather(
          since,
          until,
          (p) => p.entries,
          (code) => !teams || teams.has(this.teamOf(code)),
        );
      }
      return filter.ascending ? codes : codes.reverse();
    });
    const page = list.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit));
    return { items: page.map((code) => this.entryOf(code).entry), total: list.length };
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
        (_code, tag) => !filter.type || NOTIFICATION_TYPES[tag] === filter.type,
      );
    });
    const page = list.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit));
    return { items: page.map((code) => this.notificationOf(code).n), total: list.length };
  }
}
