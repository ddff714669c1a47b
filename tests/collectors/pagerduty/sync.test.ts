// The PagerDuty collector against the stand-in over HTTP: a full sync holds exactly what the
// organisation holds, a rebuild from raw gives the same tables, a sync with nothing new costs at
// most one request per stream and writes nothing, an incremental sync after the clock moves ends
// equal to a full sync at the new clock, and an incident acknowledged and resolved between two
// syncs ends right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncService } from '../../../collectors/index.ts';
import type { VigilConfig } from '../../../server/config/schema.ts';
import { type Database, openDatabase } from '../../../server/db/index.ts';
import { expectedOf } from './expected.ts';
import {
  checksums,
  configFor,
  historyDaysOf,
  rawSummary,
  requestsPerStream,
  startWorld,
  syncPagerDuty,
  TOKEN,
  type World,
} from './support.ts';

const DAY = 86_400_000;
const open: Database[] = [];

async function freshDb(): Promise<Database> {
  const db = await openDatabase(':memory:');
  open.push(db);
  return db;
}

const ids = async (db: Database, sql: string) => new Set((await db.all<{ id: string }>(sql)).map((r) => r.id));

afterAll(async () => {
  for (const db of open) await db.close();
});

describe('a full PagerDuty sync', () => {
  let world: World;
  let config: VigilConfig;
  let db: Database;

  beforeAll(async () => {
    world = await startWorld();
    config = configFor(world, ':memory:');
    db = await freshDb();
    const result = await syncPagerDuty(db, config, world);
    expect(result.status, result.error ?? '').toBe('succeeded');
    expect(result.badRecords).toBe(0);
  });

  afterAll(async () => {
    await world?.close();
  });

  it('holds every record of the organisation, each once', async () => {
    const expected = await expectedOf(world.store, historyDaysOf(world.store));
    expect(expected.incidents.size).toBeGreaterThan(100);
    expect(await ids(db, 'SELECT id FROM incidents')).toEqual(new Set(expected.incidents.keys()));
    expect(await ids(db, 'SELECT id FROM log_entries')).toEqual(expected.logEntries);
    expect(await ids(db, 'SELECT id FROM notifications')).toEqual(new Set(expected.notifications.keys()));
    expect(await ids(db, 'SELECT id FROM alerts')).toEqual(expected.alerts);
    expect(await ids(db, 'SELECT id FROM oncall_shifts')).toEqual(new Set(expected.shifts.keys()));

    const incidents = await db.all<{ id: string; status: string; resolved_at: string | null; final: boolean }>(
      'SELECT id, status, resolved_at, final FROM incidents',
    );
    for (const row of incidents) {
      const truth = expected.incidents.get(row.id)!;
      expect(row.status).toBe(truth.status);
      expect(row.resolved_at).toBe(truth.resolvedAt ? new Date(truth.resolvedAt).toISOString() : null);
      // Resolved with every alert stored and resolved: final; open ones are not.
      expect(row.final).toBe(truth.status === 'resolved');
    }
    const raw = await rawSummary(db);
    expect(raw.rows).toBe(raw.distinct);
  });

  it('keeps the directory: users with their time zones, ordered priorities, policies and schedules', async () => {
    const users = await db.all<{ id: string; time_zone: string; name: string }>('SELECT id, time_zone, name FROM pd_users');
    expect(users.length).toBe(world.store.users.length);
    for (const u of world.store.users) expect(users.find((r) => r.id === u.pdId)?.time_zone).toBe(u.timeZone);
    const priorities = await db.all<{ name: string; position: number }>(
      'SELECT name, position FROM pd_priorities ORDER BY position',
    );
    expect(priorities.map((p) => p.name)).toEqual(
      [...world.store.priorities].sort((a, b) => a.order - b.order).map((p) => p.name),
    );
    const policies = await db.all<{ id: string; schedule_ids: string[]; service_ids: string[] }>(
      'SELECT id, schedule_ids, service_ids FROM pd_escalation_policies',
    );
    for (const ep of world.store.escalationPolicies) {
      const row = policies.find((p) => p.id === ep.id)!;
      expect(new Set(row.schedule_ids)).toEqual(new Set(ep.rules.flatMap((r) => r.scheduleIds)));
      expect(new Set(row.service_ids)).toEqual(new Set(ep.serviceIds));
    }
    const schedules = await db.all<{ id: string; time_zone: string }>('SELECT id, time_zone FROM pd_schedules');
    expect(new Map(schedules.map((s) => [s.id, s.time_zone]))).toEqual(
      new Map(world.store.schedules.map((s) => [s.id, s.timeZone])),
    );
    expect((await db.one<{ n: number }>('SELECT count(*) AS n FROM pd_services'))?.n).toBe(world.store.services.length);
  });

  it('links each page to its incident through the notify log entry, and keeps priority changes as the metrics read them', async () => {
    const unlinked = await db.one<{ n: number; total: number }>(
      `SELECT count(*) FILTER (WHERE l.id IS NULL) AS n, count(*) AS total FROM notifications n
       LEFT JOIN log_entries l ON l.notification_id = n.id AND l.type = 'notify_log_entry'`,
    );
    expect(unlinked?.total).toBeGreaterThan(0);
    expect(unlinked?.n).toBe(0);
    const channels = await db.all<{ type: string }>('SELECT DISTINCT type FROM notifications ORDER BY type');
    for (const c of channels) expect(['email', 'phone', 'push', 'sms']).toContain(c.type);
    const sameChannel = await db.one<{ n: number }>(
      `SELECT count(*) AS n FROM notifications n JOIN log_entries l ON l.notification_id = n.id
       WHERE l.notification_type <> n.type OR l.user_id <> n.user_id`,
    );
    expect(sameChannel?.n).toBe(0);
    const change = await db.one<{ details: string }>(
      `SELECT details FROM log_entries WHERE type = 'field_value_change_log_entry' AND details IS NOT NULL LIMIT 1`,
    );
    if (change) {
      const parsed = JSON.parse(change.details) as { changes: { field: string; from: unknown; to: unknown }[] };
      expect(parsed.changes[0]?.field).toBe('priority');
      expect(typeof parsed.changes[0]?.to).toBe('string');
    }
    const withEventTime = await db.one<{ n: number }>('SELECT count(*) AS n FROM alerts WHERE event_time IS NOT NULL');
    expect(withEventTime?.n).toBeGreaterThan(0);
  });

  it('rebuilds the same tables from raw, with no request', async () => {
    const before = await checksums(db, { withSyncedAt: true });
    const service = await createSyncService(db, config, { env: { PAGERDUTY_TOKEN: TOKEN }, afterSync: null, log: () => {} });
    const served = world.pd.stats.snapshot().total;
    try {
      const result = await service.renormalize('pagerduty');
      expect(result.status, result.error ?? '').toBe('succeeded');
      expect(result.requests).toBe(0);
    } finally {
      await service.stop();
    }
    expect(world.pd.stats.snapshot().total).toBe(served);
    expect(await checksums(db, { withSyncedAt: true })).toEqual(before);
  });

  it('costs at most one request per stream when nothing changed, and writes nothing', async () => {
    const tables = await checksums(db, { withSyncedAt: true });
    const raw = await rawSummary(db);
    const cursors = await db.all('SELECT stream, scope, cursor FROM sync_cursors ORDER BY stream');
    const version = db.dataVersion;
    const result = await syncPagerDuty(db, config, world);
    expect(result.status, result.error ?? '').toBe('succeeded');
    const perStream = requestsPerStream(result);
    for (const [stream, n] of Object.entries(perStream)) expect(n, stream).toBeLessThanOrEqual(1);
    expect(result.requests).toBe(Object.keys(perStream).length);
    expect(result.recordsWritten).toBe(0);
    expect(db.dataVersion).toBe(version);
    expect(await checksums(db, { withSyncedAt: true })).toEqual(tables);
    expect(await rawSummary(db)).toEqual(raw);
    expect(await db.all('SELECT stream, scope, cursor FROM sync_cursors ORDER BY stream')).toEqual(cursors);
  });
});

describe('PagerDuty syncs while the organisation moves on', () => {
  let world: World;
  let config: VigilConfig;
  let anchor: string;

  beforeAll(async () => {
    world = await startWorld();
    anchor = world.store.clock();
    config = configFor(world, ':memory:');
  });

  afterAll(async () => {
    await world?.close();
  });

  it('ends an incident acknowledged and resolved between two syncs right', async () => {
    // An incident old enough to be outside the live window's trail when it is resolved, acknowledged
    // and resolved well after it was created.
    const all = (await world.store.incidents({ all: true }, 0, 1_000_000)).items;
    const target = all.find(
      (i) =>
        i.acknowledgedAt &&
        i.resolvedAt &&
        i.alertCount > 0 &&
        Date.parse(i.createdAt) < Date.parse(anchor) - 20 * DAY &&
        Date.parse(i.acknowledgedAt) - Date.parse(i.createdAt) > 2 * 60_000 &&
        Date.parse(i.resolvedAt) - Date.parse(i.createdAt) > 2 * DAY,
    );
    expect(target, 'an incident resolved days after it was triggered').toBeDefined();
    const inc = target!;
    const db = await freshDb();
    world.store.setClock(new Date(Date.parse(inc.createdAt) + 60_000).toISOString());
    const first = await syncPagerDuty(db, config, world);
    expect(first.status, first.error ?? '').toBe('succeeded');
    const before = await db.one<{ status: string; final: boolean; resolved_at: string | null }>(
      'SELECT status, final, resolved_at FROM incidents WHERE id = $id',
      { id: inc.id },
    );
    expect(before).toEqual({ status: 'triggered', final: false, resolved_at: null });

    world.store.setClock(anchor);
    const second = await syncPagerDuty(db, config, world);
    expect(second.status, second.error ?? '').toBe('succeeded');
    const after = await db.one<{ status: string; final: boolean; resolved_at: string; alert_count: number }>(
      'SELECT status, final, resolved_at, alert_count FROM incidents WHERE id = $id',
      { id: inc.id },
    );
    expect(after).toEqual({
      status: 'resolved',
      final: true,
      resolved_at: new Date(inc.resolvedAt!).toISOString(),
      alert_count: inc.alertCount,
    });
    const entries = await db.all<{ type: string; created_at: string }>(
      'SELECT type, created_at FROM log_entries WHERE incident_id = $id ORDER BY created_at',
      { id: inc.id },
    );
    expect(entries.map((e) => e.type)).toEqual(
      expect.arrayContaining(['trigger_log_entry', 'acknowledge_log_entry', 'resolve_log_entry']),
    );
    expect(entries.find((e) => e.type === 'acknowledge_log_entry')?.created_at).toBe(new Date(inc.acknowledgedAt!).toISOString());
    const alerts = await db.all<{ status: string }>('SELECT status FROM alerts WHERE incident_id = $id', { id: inc.id });
    expect(alerts.length).toBe(inc.alertCount);
    expect(alerts.every((a) => a.status === 'resolved')).toBe(true);

    // The database now equals one synced once at the later clock.
    const full = await freshDb();
    const clean = await syncPagerDuty(full, config, world);
    expect(clean.status, clean.error ?? '').toBe('succeeded');
    expect(await checksums(db)).toEqual(await checksums(full));
    // And the second sync cost far less than a full one.
    expect(second.requests).toBeLessThan(clean.requests);
  });

  it('fills in only the older history when pagerduty.historyDays is raised', async () => {
    world.store.setClock(anchor);
    const db = await freshDb();
    const short = await syncPagerDuty(db, configFor(world, ':memory:', { historyDays: 30 }), world);
    expect(short.status, short.error ?? '').toBe('succeeded');
    const recent = await db.one<{ oldest: string }>('SELECT min(created_at) AS oldest FROM incidents');
    expect(Date.parse(recent?.oldest ?? '')).toBeGreaterThanOrEqual(Date.parse(anchor) - 30 * DAY);

    const longer = await syncPagerDuty(db, config, world);
    expect(longer.status, longer.error ?? '').toBe('succeeded');
    const full = await freshDb();
    const clean = await syncPagerDuty(full, config, world);
    expect(await checksums(db)).toEqual(await checksums(full));
    // The last 30 days were not read again (beyond each window's overlap).
    expect(requestsPerStream(longer).log_entries).toBeLessThan(requestsPerStream(clean).log_entries ?? 0);
    expect(requestsPerStream(longer).notifications).toBeLessThan(requestsPerStream(clean).notifications ?? 0);
  });

  it('catches up after the clock moves three days, equal to a full sync at the new clock', async () => {
    world.store.setClock(anchor);
    const db = await freshDb();
    const first = await syncPagerDuty(db, config, world);
    expect(first.status, first.error ?? '').toBe('succeeded');
    const incidentsBefore = (await db.one<{ n: number }>('SELECT count(*) AS n FROM incidents'))?.n ?? 0;
    world.store.setClock(new Date(Date.parse(anchor) + 3 * DAY).toISOString());
    const later = configFor(world, ':memory:', { historyDays: historyDaysOf(world.store) });
    const next = await syncPagerDuty(db, later, world);
    expect(next.status, next.error ?? '').toBe('succeeded');
    expect(next.recordsWritten).toBeGreaterThan(0);
    expect((await db.one<{ n: number }>('SELECT count(*) AS n FROM incidents'))?.n).toBeGreaterThan(incidentsBefore);
    expect(next.requests).toBeLessThan(first.requests / 3);

    const full = await freshDb();
    const clean = await syncPagerDuty(full, later, world);
    expect(clean.status, clean.error ?? '').toBe('succeeded');
    expect(await checksums(db)).toEqual(await checksums(full));
    const raw = await rawSummary(db);
    expect(raw.rows).toBe(raw.distinct);
  });
});
