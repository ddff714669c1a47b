// Seeding the PagerDuty tables of a simulated organisation without HTTP: the stand-in's own list
// handlers are called in-process (the collector's paths and parameters, 100 a page) and every
// item goes through the collector's schema, normalise function, loader and derivation
// (collectors/pagerduty/*): the directory, incidents, the account's log entries, the alerts of
// every incident that has some, notifications and on-call shifts, over the configured history.
// Windows are short enough that no list reaches PagerDuty's 10,000 offset cap (the collector's
// window walker cuts them adaptively; here they are halved when a window holds too many).
import { hashText } from '../../../collectors/engine/hash.ts';
import type { Row } from '../../../collectors/engine/types.ts';
import { deriveAllFinal, deriveFinal } from '../../../collectors/pagerduty/derive.ts';
import {
  alertRow,
  escalationPolicyRow,
  incidentRow,
  logEntryRow,
  notificationRow,
  oncallRow,
  scheduleRow,
  serviceRow,
  teamRow,
  userRow,
} from '../../../collectors/pagerduty/normalise.ts';
import {
  alertSchema,
  escalationPolicySchema,
  incidentSchema,
  logEntrySchema,
  notificationSchema,
  oncallSchema,
  scheduleSchema,
  serviceSchema,
  teamSchema,
  userSchema,
} from '../../../collectors/pagerduty/schemas.ts';
import { priorityRows } from '../../../collectors/pagerduty/streams/directory.ts';
import type { Database } from '../../../server/db/index.ts';
import type { OrgStore } from '../../stand-ins/org/model.ts';
import { createPdContext, type PdContext } from '../../stand-ins/pagerduty/context.ts';
import {
  listEscalationPolicies,
  listOncalls,
  listPriorities,
  listSchedules,
  listServices,
  listTeams,
  listUsers,
} from '../../stand-ins/pagerduty/handlers-account.ts';
import type { PdCall } from '../../stand-ins/pagerduty/handlers-incidents.ts';
import { listAlerts, listIncidents, listLogEntries, listNotifications } from '../../stand-ins/pagerduty/handlers-incidents.ts';
import { SeedLoader } from './loading.ts';

const DAY = 86_400_000;
const LIMIT = 100;
/** PagerDuty's offset cap, less a page: a window holding more is split. */
const WINDOW_MAX = 9_900;

type Handler = (call: PdCall) => Promise<unknown>;
type Schema<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false } };

export interface PagerDutySeedFigures {
  requests: number;
  offered: number;
  written: Record<string, number>;
  loadMs: number;
  ms: number;
}

export async function seedPagerDuty(
  db: Database,
  store: OrgStore,
  options: { baseUrl: string; historyDays: number; fetchedAt: string; accountTimeZone?: string },
  log: (line: string) => void,
): Promise<PagerDutySeedFigures> {
  const started = performance.now();
  const ctx: PdContext = createPdContext(
    store,
    options.baseUrl,
    'https://vigil-sim.pagerduty.com',
    options.accountTimeZone ?? 'UTC',
  );
  const loader = new SeedLoader(db, 'pagerduty');
  let requests = 0;
  const call = async (
    handler: Handler,
    query: Record<string, string | number | boolean>,
    params: Record<string, string> = {},
  ) => {
    requests++;
    const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    return JSON.parse(ctx.fragments.stringify(await handler({ ctx, q, params }))) as Record<string, unknown>;
  };
  const meta = (item: unknown) => ({ payloadHash: hashText(JSON.stringify(item)), fetchedAt: options.fetchedAt });

  /** Every item of a list, page by page (offset paging, as readAll does). */
  const all = async (
    handler: Handler,
    key: string,
    query: Record<string, string | number | boolean>,
    each: (item: unknown) => void,
  ) => {
    let total: number | null = null;
    for (let offset = 0; ; ) {
      const page = await call(handler, { ...query, limit: LIMIT, offset, ...(offset === 0 ? { total: true } : {}) });
      if (offset === 0 && typeof page.total === 'number') total = page.total;
      const items = (page[key] ?? []) as unknown[];
      for (const item of items) each(item);
      offset += items.length;
      await loader.flushIfFull();
      if (page.more !== true || items.length === 0) return total;
    }
  };
  const simple =
    <T>(table: string, schema: Schema<T>, toRow: (v: T, raw: ReturnType<typeof meta>) => Row) =>
    (item: unknown) => {
      const parsed = schema.safeParse(item);
      if (parsed.success) loader.add(table, [toRow(parsed.data, meta(item))]);
    };

  /** A time-windowed list over the history: windows of `spanDays`, split while one holds too many. */
  const windowed = async (
    handler: Handler,
    key: string,
    spanDays: number,
    extra: Record<string, string>,
    each: (item: unknown) => void,
  ) => {
    const clock = Date.parse(store.clock());
    const from = clock - options.historyDays * DAY;
    const until = clock + 1;
    const walk = async (a: number, b: number): Promise<void> => {
      const probe = await call(handler, {
        ...extra,
        since: new Date(a).toISOString(),
        until: new Date(b).toISOString(),
        limit: 1,
        offset: 0,
        total: true,
      });
      const total = typeof probe.total === 'number' ? probe.total : 0;
      if (total > WINDOW_MAX && b - a > 60_000) {
        const mid = a + Math.floor((b - a) / 2);
        await walk(a, mid);
        await walk(mid, b);
        return;
      }
      if (total === 0) return;
      await all(handler, key, { ...extra, since: new Date(a).toISOString(), until: new Date(b).toISOString() }, each);
    };
    for (let a = from; a < until; a += spanDays * DAY) await walk(a, Math.min(until, a + spanDays * DAY));
    await loader.flush(false);
  };

  // The directory.
  await all(listServices, 'services', {}, simple('pd_services', serviceSchema, serviceRow));
  await all(listTeams, 'teams', {}, simple('pd_teams', teamSchema, teamRow));
  await all(listUsers, 'users', {}, simple('pd_users', userSchema, userRow));
  await all(
    listEscalationPolicies,
    'escalation_policies',
    {},
    simple('pd_escalation_policies', escalationPolicySchema, escalationPolicyRow),
  );
  await all(listSchedules, 'schedules', {}, simple('pd_schedules', scheduleSchema, scheduleRow));
  const priorities: unknown[] = [];
  await all(listPriorities, 'priorities', {}, (item) => priorities.push(item));
  if (priorities.length > 0) loader.add('pd_priorities', priorityRows(priorities, meta(priorities)).rows);
  await loader.flush();
  log(`pagerduty: directory loaded (${requests} pages)`);

  // Incidents, with `final` derived as each batch is committed (IncidentWriter does the same).
  let pending: string[] = [];
  await windowed(listIncidents, 'incidents', 30, { sort_by: 'created_at:asc,incident_number:asc' }, (item) => {
    const parsed = incidentSchema.safeParse(item);
    if (!parsed.success) return;
    loader.add('incidents', [incidentRow(parsed.data, meta(item))]);
    pending.push(parsed.data.id);
    if (pending.length >= 5_000) {
      loader.derive(deriveFinal(pending));
      pending = [];
    }
  });
  if (pending.length > 0) loader.derive(deriveFinal(pending));
  await loader.flush(false);
  log(`pagerduty: incidents loaded (${requests} pages, ${Math.round((performance.now() - started) / 1000)} s)`);

  await windowed(listLogEntries, 'log_entries', 5, {}, simple('log_entries', logEntrySchema, logEntryRow));
  log(`pagerduty: log entries loaded (${requests} pages, ${Math.round((performance.now() - started) / 1000)} s)`);

  // Alerts of every incident that says it has some (the collector's due list on a first sync).
  const withAlerts = await db.all<{ id: string }>(
    'SELECT id FROM incidents WHERE coalesce(alert_count, 0) > 0 ORDER BY created_at, id',
  );
  for (const { id } of withAlerts) {
    for (let offset = 0; ; ) {
      const page = await call(listAlerts, { limit: LIMIT, offset }, { id });
      const items = (page.alerts ?? []) as unknown[];
      for (const item of items) {
        const parsed = alertSchema.safeParse(item);
        if (parsed.success) loader.add('alerts', [alertRow(parsed.data, parsed.data.incident?.id ?? id, meta(item))]);
      }
      offset += items.length;
      if (page.more !== true || items.length === 0) break;
    }
    await loader.flushIfFull();
  }
  // An incident is final once its alerts are stored too (the alerts stream re-derives it likewise).
  loader.derive(deriveAllFinal());
  await loader.flush(false);
  log(`pagerduty: alerts loaded (${requests} pages, ${Math.round((performance.now() - started) / 1000)} s)`);

  await windowed(listNotifications, 'notifications', 7, {}, simple('notifications', notificationSchema, notificationRow));
  await windowed(listOncalls, 'oncalls', 30, {}, simple('oncall_shifts', oncallSchema, oncallRow));
  log(
    `pagerduty: notifications and on-call shifts loaded (${requests} pages, ${Math.round((performance.now() - started) / 1000)} s)`,
  );
  return {
    requests,
    offered: loader.offered,
    written: loader.written,
    loadMs: Math.round(loader.loadMs),
    ms: Math.round(performance.now() - started),
  };
}
