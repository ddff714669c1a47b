// Notifications and on-call shifts for a person in a zone that changes its clocks. The stand-in
// renders every time in the account's zone (America/New_York here), so the payloads carry -05:00
// before 2026-03-08 and -04:00 after: the collector must store the instants they name, not the
// wall times. A weekly shift over the change is 168 hours long although its local start and end
// are 9:00 and 10:00, and the day of the change has 23 hours, as the metrics then count them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilConfig } from '../../../server/config/schema.ts';
import { type Database, openDatabase } from '../../../server/db/index.ts';
import { refreshDerived } from '../../../server/metrics/refresh.ts';
import type { OrgOncall } from '../../stand-ins/org/model.ts';
import { configFor, historyDaysOf, startWorld, syncPagerDuty, type World } from './support.ts';

const ZONE = 'America/New_York';
/** 2026-03-08 02:00 EST: clocks go forward to 03:00 EDT. */
const CHANGE = Date.parse('2026-03-08T07:00:00Z');
const HOUR = 3_600_000;

let world: World;
let config: VigilConfig;
let db: Database;
let shift: OrgOncall;

function wallTime(iso: string, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

beforeAll(async () => {
  world = await startWorld({ accountTimeZone: ZONE });
  const clock = world.store.clock();
  const since = new Date(Date.parse(clock) - historyDaysOf(world.store) * 86_400_000).toISOString();
  const shifts = (await world.store.oncalls({ since, until: clock }, 0, 100_000)).items;
  const zoneOf = new Map(world.store.users.map((u) => [u.pdId, u.timeZone]));
  const found = shifts.find(
    (o) =>
      o.start &&
      o.end &&
      o.escalationLevel === 1 &&
      zoneOf.get(o.userId) === ZONE &&
      Date.parse(o.start) < CHANGE - 24 * HOUR &&
      Date.parse(o.end) > CHANGE + 24 * HOUR,
  );
  expect(found, `a level-1 shift of someone in ${ZONE} over the change`).toBeDefined();
  shift = found!;
  config = configFor(world, ':memory:');
  db = await openDatabase(':memory:');
  const result = await syncPagerDuty(db, config, world);
  expect(result.status, result.error ?? '').toBe('succeeded');
});

afterAll(async () => {
  await db?.close();
  await world?.close();
});

describe('a person whose clocks change', () => {
  it('keeps their zone', async () => {
    const row = await db.one<{ time_zone: string }>('SELECT time_zone FROM pd_users WHERE id = $id', { id: shift.userId });
    expect(row?.time_zone).toBe(ZONE);
  });

  it('stores the on-call shift over the change as the instants it names: 168 hours', async () => {
    const rows = await db.all<{ id: string; start_at: string; end_at: string }>(
      `SELECT id, start_at, end_at FROM oncall_shifts WHERE user_id = $user AND schedule_id = $schedule AND escalation_level = 1
         AND start_at = CAST($start AS TIMESTAMPTZ)`,
      { user: shift.userId, schedule: shift.scheduleId, start: shift.start },
    );
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.start_at).toBe(new Date(shift.start!).toISOString());
    expect(row.end_at).toBe(new Date(shift.end!).toISOString());
    expect((Date.parse(row.end_at) - Date.parse(row.start_at)) / HOUR).toBe(168);
    // As received: local times with the offsets of each side of the change.
    const raw = await db.one<{ payload: string }>(
      `SELECT payload FROM raw_pagerduty WHERE stream = 'oncalls' AND record_key = $id`,
      {
        id: row.id,
      },
    );
    const payload = JSON.parse(raw?.payload ?? '{}') as { start: string; end: string };
    expect(payload.start).toMatch(/-05:00$/);
    expect(payload.end).toMatch(/-04:00$/);
    expect(payload.start.slice(11, 16)).not.toBe(payload.end.slice(11, 16));
  });

  it('stores every page of theirs at its instant, on both sides of the change', async () => {
    const clock = world.store.clock();
    const truth = (await world.store.notifications({ since: world.store.historyStart, until: clock }, 0, 1_000_000)).items.filter(
      (n) => world.store.users.find((u) => u.pdId === n.userId)?.timeZone === ZONE,
    );
    expect(truth.some((n) => Date.parse(n.startedAt) < CHANGE)).toBe(true);
    expect(truth.some((n) => Date.parse(n.startedAt) > CHANGE)).toBe(true);
    const rows = await db.all<{ id: string; started_at: string }>(
      'SELECT id, started_at FROM notifications WHERE user_id IN (SELECT id FROM pd_users WHERE time_zone = $zone)',
      { zone: ZONE },
    );
    expect(new Map(rows.map((r) => [r.id, r.started_at]))).toEqual(
      new Map(truth.map((n) => [n.id, new Date(n.startedAt).toISOString()])),
    );
    const before = truth.find((n) => Date.parse(n.startedAt) < CHANGE)!;
    const after = truth.find((n) => Date.parse(n.startedAt) > CHANGE)!;
    const payloads = await db.all<{ record_key: string; payload: string }>(
      `SELECT record_key, payload FROM raw_pagerduty WHERE stream = 'notifications' AND record_key IN ($a, $b)`,
      { a: before.id, b: after.id },
    );
    const offset = (id: string) =>
      (JSON.parse(payloads.find((p) => p.record_key === id)?.payload ?? '{}') as { started_at: string }).started_at.slice(-6);
    expect(offset(before.id)).toBe('-05:00');
    expect(offset(after.id)).toBe('-04:00');
  });

  it('lets the metrics place their pages and on-call hours in their own zone', async () => {
    await refreshDerived(db, config);
    const day = await db.one<{ hours: number }>(
      `SELECT sum(hours) AS hours FROM d_oncall_pieces
       WHERE user_id = $user AND CAST(timezone($zone, start_at) AS DATE) = DATE '2026-03-08'`,
      { user: shift.userId, zone: ZONE },
    );
    expect(day?.hours).toBeCloseTo(23, 6);
    const pages = await db.all<{ started_at: string; local_time: string }>(
      `SELECT p.started_at, p.local_time FROM d_pages p JOIN pd_users u ON u.id = p.user_id WHERE u.time_zone = $zone`,
      { zone: ZONE },
    );
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) expect(page.local_time.slice(0, 19)).toBe(wallTime(page.started_at, ZONE));
  });
});
