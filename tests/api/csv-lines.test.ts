// The pre-rendered deployment and page CSV lines (server/metrics/derive/csv-lines.ts) against the
// query-time renderer, byte for byte, through the real route over the hand-built scenario: after
// the first refresh, after incremental refreshes that move an attribution (a manual link), change
// labels, notes, an incident's title, people's names and shifts, add pages, and add deployments
// with awkward text (commas, quotes, line breaks, formula starts, unicode), and after the lines
// went missing. The query-time text is what the route serves when the lines are
// not current, so each comparison serves the same request both ways.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import { csvLinesCurrent } from '../../server/metrics/derive/csv-lines.ts';
import { localIsoSql, localTimeIsoSql } from '../../server/metrics/records/shared.ts';
import { type Fixture, sha } from '../metrics/fixture.ts';
import { API, buildScenario } from '../metrics/scenario.ts';

let f: Fixture;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  f = await buildScenario();
  await f.refresh();
  app = createApp({ db: f.db, config: f.config, log: () => {} });
});
afterAll(() => f.close());

const WIDE = 'from=2023-01-01&to=2025-01-01';
const pageQueries = [
  WIDE,
  `${WIDE}&hourClass=sleep`,
  `${WIDE}&onCall=true`,
  `${WIDE}&onCall=false`,
  `${WIDE}&person=U1,U2`,
  `${WIDE}&weekday=3`,
  `${WIDE}&hour=21`,
  `${WIDE}&team=payments`,
  `${WIDE}&severity=SEV1`,
  `${WIDE}&schedule=SSCHED`,
];
const queries = [
  `${WIDE}&environment=all`,
  WIDE,
  `${WIDE}&environment=all&outcome=success`,
  `${WIDE}&changeFailed=true`,
  `${WIDE}&changeFailed=false&environment=all`,
  `${WIDE}&repo=${encodeURIComponent(API)}&environment=all`,
  `${WIDE}&team=payments`,
  'from=2024-03-05&to=2024-03-09&environment=all',
];

async function download(query: string, kind = 'deployments'): Promise<string> {
  const res = await app.request(`/api/${kind}.csv?${query}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return text;
}

/** The same request served from the stored lines and rendered at query time. */
async function bothWays(query: string, kind = 'deployments'): Promise<{ stored: string; live: string }> {
  expect(await csvLinesCurrent(f.db)).toBe(true);
  const stored = await download(query, kind);
  const state = await f.one<{ value: string }>("SELECT value FROM meta WHERE key = 'csv-lines.state'");
  await f.db.run("DELETE FROM meta WHERE key = 'csv-lines.state'");
  try {
    expect(await csvLinesCurrent(f.db)).toBe(false);
    return { stored, live: await download(query, kind) };
  } finally {
    await f.db.run("INSERT INTO meta (key, value, updated_at) VALUES ('csv-lines.state', $value, now())", {
      value: String(state?.value),
    });
  }
}

/** Every query of both kinds served the same both ways; returns the first of each. */
async function expectSame(): Promise<string> {
  let all = '';
  for (const query of queries) {
    const { stored, live } = await bothWays(query);
    expect(stored, query).toBe(live);
    if (query === queries[0]) all = stored;
  }
  for (const query of pageQueries) {
    const { stored, live } = await bothWays(query, 'pages');
    expect(stored, `pages ${query}`).toBe(live);
  }
  return all;
}

function rows(text: string): Record<string, string>[] {
  return parse(text, { columns: true });
}

describe('pre-rendered deployment CSV', () => {
  it('serves exactly the query-time text after a full refresh', async () => {
    const text = await expectSame();
    expect(text.startsWith('id,repo,environment,team,sha,ref,creator,outcome,created_at,')).toBe(true);
    expect(rows(text).length).toBeGreaterThan(5);
    // One stored line per deployment.
    const n = await f.one<{ lines: number; facts: number }>(
      'SELECT (SELECT count(*) FROM d_csv_deployments) AS lines, (SELECT count(*) FROM d_deployments) AS facts',
    );
    expect(n?.lines).toBe(n?.facts);
  });

  it("writes each page's local time from its derived local time exactly as from its zone", async () => {
    const row = await f.one<{ n: number; diff: number }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE ${localIsoSql('p.started_at', 'p.zone')}
        IS DISTINCT FROM ${localTimeIsoSql('p.local_time', 'p.started_at')}) AS diff FROM d_pages p`,
    );
    expect(row?.n).toBeGreaterThan(10);
    expect(row?.diff).toBe(0);
  });

  it('follows an incremental refresh that moves an attribution', async () => {
    const before = rows(await download(queries[0] as string));
    const d6 = before.find((r) => r.id === 'D6');
    expect(d6?.incident_ids ?? '').not.toContain('I12');
    f.nextSync('2024-06-02T00:00:00Z');
    await f.link('I12', 'D6', 'link', 'reviewer', '2024-06-02T00:00:00Z');
    const result = await f.refresh();
    expect(result.mode).toBe('incremental');
    expect(result.steps?.['csv lines']).toBeDefined();
    const text = await expectSame();
    const after = rows(text).find((r) => r.id === 'D6');
    expect(after?.incident_ids).toContain('I12');
    expect(after?.change_failed).toBe('true');
  });

  it('follows a changed label and incident title (pages of people not otherwise touched)', async () => {
    f.nextSync('2024-06-02T12:00:00Z');
    await f.label('I13', 'non_actionable', 'expected', '=reviewer, "quoted"');
    await f.db.run("UPDATE review_labels SET note = $note WHERE incident_id = 'I13'", { note: 'line one\nline "two", @three' });
    await f.db.run("UPDATE incidents SET title = '+Payout, \"late\"', synced_at = $s WHERE id = 'I13'", {
      s: '2024-06-02T12:00:00Z',
    });
    expect((await f.refresh()).mode).toBe('incremental');
    await expectSame();
    const i13 = rows(await download(WIDE, 'pages')).find((r) => r.incident_id === 'I13');
    expect(i13).toMatchObject({ reason: 'expected', note: 'line one\nline "two", @three', labelled_by: '\'=reviewer, "quoted"' });
    expect(i13?.incident_title).toBe('\'+Payout, "late"');
    expect(i13?.label).toBe('non_actionable');
  });

  it('never serves stored lines with an old label after a label write (which re-derives without a refresh)', async () => {
    const res = await app.request('/api/review/labels', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Vigil-Actor': 'Rita' },
      body: JSON.stringify({ items: [{ incidentId: 'I14', version: 0 }], label: 'actionable' }),
    });
    expect(res.status, await res.text()).toBe(200);
    // The write re-derived the pages' label columns at once: the export must show it already.
    expect(await csvLinesCurrent(f.db)).toBe(false);
    expect(rows(await download(WIDE, 'pages')).find((r) => r.incident_id === 'I14')?.label).toBe('actionable');
    f.nextSync('2024-06-02T12:30:00Z');
    expect((await f.refresh()).mode).toBe('incremental');
    await expectSame();
    expect(rows(await download(WIDE, 'pages')).find((r) => r.incident_id === 'I14')?.label).toBe('actionable');
  });

  it('follows a new shift (the on-call columns of pages in its range)', async () => {
    f.nextSync('2024-06-02T13:00:00Z');
    expect(rows(await download(WIDE, 'pages')).find((r) => r.id === 'N14')?.on_call).toBe('false');
    await f.shift({ user: 'U4', schedule: 'SSCHED', start: '2024-03-13 00:00', end: '2024-03-14 00:00' });
    expect((await f.refresh()).mode).toBe('incremental');
    await expectSame();
    expect(rows(await download(WIDE, 'pages')).find((r) => r.id === 'N14')).toMatchObject({
      on_call: 'true',
      schedule: 'SSCHED',
    });
  });

  it("follows a person's new name and new pages; a note edited alone is read at export time", async () => {
    f.nextSync('2024-06-02T14:00:00Z');
    await f.page({ id: 'N30', user: 'U2', at: '2024-03-21 03:10', incident: 'I13' });
    await f.user('U1', 'Europe/Berlin', '-Ann, "the" ünïcødé');
    expect((await f.refresh()).mode).toBe('incremental');
    await expectSame();
    const pages = rows(await download(WIDE, 'pages'));
    expect(pages.find((r) => r.user_id === 'U1')?.user_name).toBe('\'-Ann, "the" ünïcødé');
    expect(pages.some((r) => r.id === 'N30')).toBe(true);
    // A note edited alone triggers no refresh; the export still shows it.
    await f.db.run("UPDATE review_labels SET note = 'edited' WHERE incident_id = 'I13'");
    expect((await f.refresh()).mode).toBe('unchanged');
    await expectSame();
    expect(rows(await download(WIDE, 'pages')).find((r) => r.incident_id === 'I13')?.note).toBe('edited');
  });

  it('renders awkward text exactly as the query-time renderer does', async () => {
    f.nextSync('2024-06-03T00:00:00Z');
    const awkward = [
      ['DX1', 'feature/a,b "quoted"\r\nnext line', '=HYPERLINK("http://x")', 'prod'],
      ['DX2', '+1', '-5 minus', 'staging,eu'],
      ['DX3', '@SUM(A1)', '\tTab start', '"=quoted"'],
      ['DX4', 'ünïcødé 🚀 日本語', 'Zoë "Z" Ångström', 'production'],
      ['DX5', '\rcarriage', 'line\nbreak', ''],
    ] as const;
    for (const [i, [id, ref, creator, env]] of awkward.entries()) {
      await f.commit({ repo: API, sha: sha(`awk-${i}`), at: `2024-03-2${i} 09:00` });
      await f.deployment({ id, repo: API, sha: sha(`awk-${i}`), at: `2024-03-2${i} 10:00`, env, githubId: 900 + i });
      await f.db.run('UPDATE deployments SET ref = $ref, creator = $creator WHERE id = $id', { id, ref, creator });
    }
    expect((await f.refresh()).mode).toBe('incremental');
    const text = await expectSame();
    const parsed = rows(text);
    const dx1 = parsed.find((r) => r.id === 'DX1');
    expect(dx1?.ref).toBe('feature/a,b "quoted"\r\nnext line');
    expect(dx1?.creator).toBe('\'=HYPERLINK("http://x")');
    expect(parsed.find((r) => r.id === 'DX2')?.ref).toBe("'+1");
    expect(parsed.find((r) => r.id === 'DX2')?.environment).toBe('staging,eu');
    expect(parsed.find((r) => r.id === 'DX3')?.creator).toBe("'\tTab start");
    expect(parsed.find((r) => r.id === 'DX4')?.creator).toBe('Zoë "Z" Ångström');
    expect(parsed.find((r) => r.id === 'DX5')?.ref).toBe("'\rcarriage");
    expect(text).toContain('"feature/a,b ""quoted""\r\nnext line"');
  });

  it('renders the lines again when they are missing, without rebuilding the facts', async () => {
    await f.db.run('DROP TABLE d_csv_deployments');
    expect(await csvLinesCurrent(f.db)).toBe(false);
    // Meanwhile the export renders at query time.
    expect(rows(await download(queries[0] as string)).length).toBeGreaterThan(5);
    const result = await f.refresh();
    expect(result).toMatchObject({ mode: 'incremental', reason: 'CSV lines rendered' });
    await expectSame();
    expect((await f.refresh()).mode).toBe('unchanged');
  });

  it('renders every line again after a full rebuild', async () => {
    expect((await f.refresh({ full: true })).mode).toBe('full');
    await expectSame();
  });
});
