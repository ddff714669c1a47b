// The dashboard's own endpoints through Hono over a real DuckDB (the hand-built scenario of
// tests/metrics/scenario.ts): duration histograms, the page hour x weekday heat map, people,
// settings, and the manual incident <-> deployment links with who, when and optimistic concurrency.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import type { Fixture } from '../metrics/fixture.ts';
import { buildScenario } from '../metrics/scenario.ts';

let f: Fixture;
let app: ReturnType<typeof createApp>;
const MARCH = 'from=2024-03-01&to=2024-03-31';

beforeAll(async () => {
  f = await buildScenario();
  await f.refresh();
  app = createApp({ db: f.db, config: f.config, log: () => {} });
});
afterAll(() => f.close());

async function json(path: string, status = 200, init?: RequestInit) {
  const res = await app.request(path, init);
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(status);
  return body;
}

const write = (method: string, body?: unknown, actor: string | null = 'Rita Reviewer') =>
  ({
    method,
    headers: {
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(actor ? { 'X-Vigil-Actor': encodeURIComponent(actor) } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  }) satisfies RequestInit;

describe('distributions', () => {
  it('bins time to resolve per severity with the target and how many met it', async () => {
    // SEV1: I1 resolved in 90 min (bin [1 h, 2 h)), I10 in 3 h (bin [2 h, 4 h)); target 1 h: none within.
    const body = await json(`/api/distributions/mttr?${MARCH}&groupBy=severity`);
    expect(body.edges[0]).toBe(0);
    const sev1 = body.bins.filter((b: { group: string }) => b.group === 'SEV1');
    expect(sev1).toEqual([
      { group: 'SEV1', bin: 5, lo: 3600, hi: 7200, n: 1 },
      { group: 'SEV1', bin: 6, lo: 7200, hi: 14_400, n: 1 },
    ]);
    expect(body.groups.find((g: { group: string }) => g.group === 'SEV1')).toEqual({
      group: 'SEV1',
      n: 2,
      median: 8100,
      p90: 10_260,
      targetSeconds: 3600,
      withinTarget: 0,
    });
  });

  it('serves the same bins as CSV', async () => {
    const res = await app.request(`/api/distributions/mttr.csv?${MARCH}&groupBy=severity`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('vigil-mttr-2024-03-01-2024-03-31.csv');
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const body = await json(`/api/distributions/mttr?${MARCH}&groupBy=severity`);
    expect(rows.map((r) => Number(r.n))).toEqual(body.bins.map((b: { n: number }) => b.n));
  });

  it("places pages by hour and weekday in each recipient's own zone", async () => {
    const body = await json(`/api/distributions/page-hours?${MARCH}`);
    expect(body.cells).toHaveLength(7 * 24);
    const cell = (weekday: number, hour: number) =>
      body.cells.find((c: { weekday: number; hour: number }) => c.weekday === weekday && c.hour === hour);
    // Berlin: Wed 21:59 and 22:00 local; New York: four pages Wed 10:00 local (3 interruptions).
    expect(cell(3, 21)).toMatchObject({ pages: 1 });
    expect(cell(3, 22)).toMatchObject({ pages: 1 });
    expect(cell(3, 10)).toEqual({ weekday: 3, hour: 10, pages: 4, interruptions: 3 });
    // The daylight-saving night: 01:30 CET and 03:30 CEST on Sunday, then 08:30 CEST.
    expect(cell(7, 1)?.pages).toBe(1);
    expect(cell(7, 3)?.pages).toBe(1);
    expect(cell(7, 8)?.pages).toBe(1);
    const pages = await json(`/api/metrics/pages?${MARCH}&grain=month`);
    expect(body.total.pages).toBe(pages.summary[0].n);
    expect(body.hours).toMatchObject({ businessStart: 8, businessEnd: 18, sleepStart: 22, sleepEnd: 8 });
  });

  it('404 for an unknown distribution, 400 for a group it does not have', async () => {
    const missing = await json('/api/distributions/velocity', 404);
    expect(missing.error.distributions).toContain('lead-time');
    // Names an object has from its prototype are not distributions either (found by fuzzing: a 500).
    for (const name of ['hasOwnProperty', 'constructor', '__proto__', 'toString.csv'])
      expect((await json(`/api/distributions/${name}`, 404)).error.code).toBeTruthy();
    const bad = await json(`/api/distributions/lead-time?${MARCH}&groupBy=severity`, 400);
    expect(bad.error.parameter).toBe('groupBy');
  });
});

describe('people and settings', () => {
  it('lists people with their zones and teams', async () => {
    const body = await json('/api/people');
    const ana = body.items.find((p: { id: string }) => p.id === 'U1');
    expect(ana).toMatchObject({ name: 'Ana', timeZone: 'Europe/Berlin', teams: ['payments'] });
  });

  it('serves the settings that define the metrics', async () => {
    const body = await json('/api/settings');
    expect(body.severityTargetsSeconds).toEqual({ SEV1: 3600, SEV2: 14_400, SEV3: 86_400, SEV4: null });
    expect(body).toMatchObject({ pagesPerWeekTarget: 5, attributionWindowHours: 24, concentrationThreshold: 0.8 });
  });
});

describe('manual incident links', () => {
  const incident = async (id: string) => json(`/api/incidents/${id}`);

  it('links an incident to a deployment by hand, recording who and when', async () => {
    // I10 was created 45 h after D6: the window says not change-caused; a reviewer knows better.
    expect((await incident('I10')).attribution.cause).toBe('not_change_caused');
    const body = await json(
      '/api/incident-links',
      201,
      write('POST', { incidentId: 'I10', deploymentId: 'D6', action: 'link', note: 'Config flag' }),
    );
    expect(body.link).toMatchObject({
      incidentId: 'I10',
      deploymentId: 'D6',
      action: 'link',
      createdBy: 'Rita Reviewer',
      version: 1,
    });
    expect(body.attribution).toMatchObject({ cause: 'change_caused', method: 'manual_link', deploymentId: 'D6' });
    const after = await incident('I10');
    expect(after.attribution.evidenceText).toContain('by Rita Reviewer');
    const listed = await json('/api/incident-links?deployment=D6');
    expect(listed.items).toHaveLength(1);
    const audit = await f.db.all<{ action: string; actor: string }>(
      "SELECT action, actor FROM user_audit WHERE entity = 'incident_links' AND entity_key = 'I10|D6'",
    );
    expect(audit).toEqual([{ action: 'insert', actor: 'Rita Reviewer' }]);
  });

  it('refuses a stale write with 409 and the current value', async () => {
    const stale = await json(
      '/api/incident-links',
      409,
      write('POST', { incidentId: 'I10', deploymentId: 'D6', action: 'unlink' }, 'Sam'),
    );
    expect(stale.error.code).toBe('conflict');
    expect(stale.error.current).toMatchObject({ action: 'link', version: 1, createdBy: 'Rita Reviewer' });
    const updated = await json(
      '/api/incident-links',
      200,
      write('POST', { incidentId: 'I10', deploymentId: 'D6', action: 'unlink', version: 1 }, 'Sam'),
    );
    expect(updated.link).toMatchObject({ action: 'unlink', version: 2, createdBy: 'Sam' });
    expect(updated.attribution.cause).toBe('not_change_caused');
    const staleDelete = await json('/api/incident-links/I10/D6?version=1', 409, write('DELETE', undefined, 'Sam'));
    expect(staleDelete.error.current.version).toBe(2);
  });

  it('removes a manual decision, and the automatic rules decide again', async () => {
    const body = await json('/api/incident-links/I10/D6?version=2', 200, write('DELETE'));
    expect(body.removed).toMatchObject({ version: 2 });
    expect(body.attribution).toMatchObject({ cause: 'not_change_caused', method: 'none' });
    expect((await json('/api/incident-links?incident=I10')).items).toEqual([]);
    await json('/api/incident-links/I10/D6?version=2', 404, write('DELETE'));
  });

  it('says what is wrong with a bad write', async () => {
    const post = (body: unknown, status: number, actor: string | null = 'Rita') =>
      json('/api/incident-links', status, write('POST', body, actor));
    expect((await post({ incidentId: 'I10', deploymentId: 'D6', action: 'link' }, 400, null)).error.code).toBe('actor_required');
    expect((await post({ incidentId: 'NOPE', deploymentId: 'D6', action: 'link' }, 404)).error.message).toContain('NOPE');
    expect((await post({ incidentId: 'I10', deploymentId: 'NOPE', action: 'link' }, 404)).error.message).toContain('NOPE');
    expect((await post({ incidentId: 'I10', deploymentId: 'D7', action: 'link' }, 400)).error.message).toMatch(
      /not a successful production deployment/,
    );
    expect((await post({ incidentId: 'I10', deploymentId: '*', action: 'link' }, 400)).error.message).toMatch(/only goes with/);
    expect((await post({ incidentId: 'I10', deploymentId: 'D6', action: 'blame' }, 400)).error.message).toMatch(/action/);
    expect((await post({ incidentId: 'I10', deploymentId: 'D6', action: 'link', note: 'x'.repeat(2001) }, 413)).error.code).toBe(
      'payload_too_large',
    );
  });
});

describe('record filters the dashboard drills down with', () => {
  const ids = async (path: string) => (await json(path)).items.map((r: { id: string }) => r.id).sort();

  it('lists the deployments counted as change failures', async () => {
    // D3 was rolled back; the failures are exactly the change-failure-rate metric's numerator.
    const failed = await ids(`/api/deployments?${MARCH}&changeFailed=true`);
    expect(failed).toContain('D3');
    const cfr = await json(`/api/metrics/change-failure-rate?${MARCH}&grain=month`);
    expect(failed).toHaveLength(cfr.summary[0].failed);
    const ok = await ids(`/api/deployments?${MARCH}&changeFailed=false&outcome=success`);
    expect(ok.filter((id: string) => failed.includes(id))).toEqual([]);
  });

  it('lists overdue and never-escalated incidents', async () => {
    // I1 overdue but escalated; I4 open and overdue, never escalated; I10 3 h > 1 h, never escalated.
    expect(await ids(`/api/incidents?${MARCH}&overdue=true&escalated=false`)).toEqual(expect.arrayContaining(['I10', 'I4']));
    expect(await ids(`/api/incidents?${MARCH}&overdue=true&escalated=false`)).not.toContain('I1');
    expect(await ids(`/api/incidents?${MARCH}&overdue=true`)).toContain('I1');
  });

  it("lists the pages of one heat-map cell, in the recipient's zone", async () => {
    expect(await ids(`/api/pages?${MARCH}&weekday=3&hour=10`)).toEqual(['N10', 'N7', 'N8', 'N9']);
    expect((await json(`/api/pages?${MARCH}&hour=24`, 400)).error.parameter).toBe('hour');
  });
});
