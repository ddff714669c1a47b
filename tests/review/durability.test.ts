// Labels, follow-ups and notes are the only data Vigil owns that no API can give back. On the small
// simulated organisation, synced from the PagerDuty stand-in over HTTP into a database file, a
// reviewer labels a week through the API; then a full resync from nothing, a renormalise from raw
// and a schema migration (one that applies and one that fails half-way) each leave every
// user-owned row exactly as it was (no loss, no duplicate), still joined to the same incidents and
// rules, with the same false-positive ratio. The crash case is in crash.test.ts.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_TABLES } from '../../collectors/engine/tables.ts';
import { createSyncService } from '../../collectors/index.ts';
import { createApp } from '../../server/api/app.ts';
import { applyConfig } from '../../server/config/apply.ts';
import type { VigilConfig } from '../../server/config/schema.ts';
import { Database, ident, openDatabase } from '../../server/db/index.ts';
import { type Migration, migrate } from '../../server/db/migrate.ts';
import { migrations } from '../../server/db/migrations/index.ts';
import { refreshDerived } from '../../server/metrics/refresh.ts';
import { configFor, startWorld, syncPagerDuty, TOKEN, type World } from '../collectors/pagerduty/support.ts';
import { tempDir } from '../support/tmp.ts';
import { itemsOf, type Json, send } from './support.ts';

const dir = tempDir('vigil-review-durable-');
const path = join(dir, 'vigil.duckdb');
let world: World;
let config: VigilConfig;
let db: Database;
let app: ReturnType<typeof createApp>;
let team: string;
let week: string;
let before: { user: string; view: string; ratio: Json };

async function call(p: string, init?: RequestInit, status = 200): Promise<Json> {
  const res = await app.request(p, init);
  const text = await res.text();
  expect(res.status, `${p}: ${text.slice(0, 300)}`).toBe(status);
  return JSON.parse(text);
}

function open(database: Database) {
  db = database;
  app = createApp({ db, config, log: () => {} });
}

/** Every user-owned row, in a stable order, as text: equal means nothing lost, changed or duplicated. */
async function userTables(): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const [table, key] of [
    ['review_labels', 'incident_id'],
    ['follow_ups', 'id'],
    ['review_notes', 'team_id, week_start'],
    ['incident_links', 'incident_id, deployment_id'],
    ['user_audit', 'id'],
  ] as const) {
    out[table] = await db.all(`SELECT * FROM ${ident(table)} ORDER BY ${key}`);
  }
  return JSON.stringify(out);
}

/** What the review shows of the reviewers' work: each rule's incidents with their stored labels and follow-ups. */
async function reviewed(): Promise<string> {
  const view = await call(`/api/review?team=${team}&week=${week}`);
  return JSON.stringify({
    rules: view.rules.map((r: Json) => ({
      signature: r.signature,
      labelState: r.labelState,
      incidents: r.incidents.map((i: Json) => [i.id, i.stored]),
      followUps: r.followUps.map((f: Json) => [f.id, f.title, f.version]),
    })),
    note: view.note,
  });
}

let range = '';
const ratio = () => call(`/api/metrics/false-positive-ratio?team=${team}&${range}&grain=week`).then((r) => r.summary[0]);

async function expectUnchanged() {
  expect(await userTables()).toBe(before.user);
  const dupes = await db.one<{ n: number }>('SELECT count(*) - count(DISTINCT incident_id) AS n FROM review_labels');
  expect(dupes?.n).toBe(0);
  expect(await reviewed()).toBe(before.view);
  expect(await ratio()).toEqual(before.ratio);
}

beforeAll(async () => {
  world = await startWorld();
  config = configFor(world, path);
  open(await openDatabase(path));
  await applyConfig(db, config);
  const result = await syncPagerDuty(db, config, world);
  expect(result.status, result.error ?? '').toBe('succeeded');
  await refreshDerived(db, config);
  // The team-week with the most pages.
  const busiest = await db.one<{ team: string; wk: string }>(
    `SELECT team_id AS team, strftime(CAST(date_trunc('week', started_at) AS DATE) + 3, '%Y-%m-%d') AS wk
     FROM d_pages WHERE team_id <> 'unassigned' GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1`,
  );
  team = busiest?.team as string;
  week = busiest?.wk as string;
  // A reviewer's week: the noisiest rule non-actionable with a reason and note, the next actionable,
  // a follow-up on the first, a hand-off note.
  const view = await call(`/api/review?team=${team}&week=${week}`);
  expect(view.rules.length).toBeGreaterThan(1);
  range = `from=${view.week.start}&to=${view.week.end}&tz=${encodeURIComponent(view.scope.timeZone)}`;
  const [first, second] = view.rules;
  await call(
    '/api/review/labels',
    send('POST', { items: itemsOf(first), label: 'non_actionable', reason: 'threshold_needs_tuning', note: 'Too eager' }),
  );
  await call('/api/review/labels', send('POST', { items: itemsOf(second), label: 'actionable' }));
  await call(
    '/api/review/follow-ups',
    send('POST', { team, week, ruleSignature: first.signature, title: 'Tune it', owner: 'Ana' }),
    201,
  );
  await call('/api/review/notes', send('PUT', { team, week, body: 'Quiet week otherwise.', version: 0 }));
  before = { user: await userTables(), view: await reviewed(), ratio: await ratio() };
  expect(before.ratio.humanLabelled).toBeGreaterThan(0);
  expect(before.view).toContain('"reason":"threshold_needs_tuning"');
  expect(before.view).toContain('"Tune it"');
}, 240_000);

afterAll(async () => {
  await db?.close();
  await world?.close();
});

describe("reviewers' data survives", () => {
  it('a full resync from nothing: every PagerDuty record, the raw log and the cursors gone, then synced again', async () => {
    await db.write(async (tx) => {
      for (const table of SOURCE_TABLES.pagerduty) await tx.run(`DELETE FROM ${ident(table)}`);
      await tx.run('DELETE FROM raw_pagerduty');
      await tx.run("DELETE FROM sync_cursors WHERE source = 'pagerduty'");
    });
    // With no incidents at all the labels wait, untouched, for their incidents to come back.
    await refreshDerived(db, config);
    expect(await userTables()).toBe(before.user);
    expect((await db.one<{ n: number }>('SELECT count(*) AS n FROM d_incidents'))?.n).toBe(0);
    const again = await syncPagerDuty(db, config, world);
    expect(again.status, again.error ?? '').toBe('succeeded');
    await refreshDerived(db, config);
    await expectUnchanged();
  }, 240_000);

  it('a renormalise: every table rebuilt from the raw log and the metrics rebuilt in full', async () => {
    const service = await createSyncService(db, config, { env: { PAGERDUTY_TOKEN: TOKEN }, log: () => {} });
    try {
      const result = await service.renormalize('pagerduty');
      expect(result.status, result.error ?? '').toBe('succeeded');
    } finally {
      await service.stop();
    }
    await expectUnchanged();
  }, 240_000);

  it('a migration, and a migration that fails half-way (rolled back whole)', async () => {
    await db.close();
    const raw = await Database.open(path);
    const failing: Migration[] = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'rebuild review_labels, then fail',
        statements: [
          'CREATE TABLE review_labels_new AS SELECT * FROM review_labels',
          'DELETE FROM review_labels',
          'SELECT * FROM no_such_table',
        ],
      },
    ];
    await expect(migrate(raw, failing)).rejects.toThrow(/no_such_table/);
    const later: Migration[] = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'a later schema change',
        statements: [
          'CREATE TABLE review_rule_owners (rule_signature VARCHAR PRIMARY KEY, owner VARCHAR NOT NULL)',
          'CREATE INDEX follow_ups_rule ON follow_ups (rule_signature)',
        ],
      },
    ];
    expect((await migrate(raw, later)).applied).toEqual([migrations.length + 1]);
    open(raw);
    await expectUnchanged();
  }, 120_000);
});
