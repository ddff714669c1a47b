// The reporting API through Hono over a real DuckDB (the hand-built scenario of
// tests/metrics/scenario.ts): metrics, records, DORA summary, organisation, CSV and bad input.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import { ComputeSlots, cacheFor } from '../../server/metrics/cache.ts';
import { computeMetric, findMetric, metricNames } from '../../server/metrics/registry.ts';
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

const get = (path: string) => app.request(path);
async function json(path: string, status = 200) {
  const res = await get(path);
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(status);
  return body;
}
function csv(text: string): Record<string, string>[] {
  return parse(text, { columns: true, bom: true, skip_empty_lines: true });
}

describe('metrics', () => {
  it('lists every metric with its unit, definition and parameters', async () => {
    const body = await json('/api/metrics');
    expect(body.metrics.map((m: { name: string }) => m.name)).toEqual(metricNames);
    const lead = body.metrics.find((m: { name: string }) => m.name === 'lead-time');
    expect(lead).toMatchObject({ unit: 'seconds', kind: 'duration' });
    expect(lead.definition).toMatch(/first commit/);
    expect(lead.parameters.groupBy.values).toEqual(['none', 'team', 'repo']);
  });

  it('answers a metric as { metric, unit, definition, params, rows }', async () => {
    const body = await json(`/api/metrics/lead-time?${MARCH}&team=payments&grain=month`);
    expect(body).toMatchObject({ metric: 'lead-time', unit: 'seconds', params: { grain: 'month', team: ['payments'] } });
    expect(body.rows).toEqual([
      {
        bucket: '2024-03-01',
        group: null,
        n: 4,
        median: 169_200,
        p90: 322_200,
        mean: 173_700,
        ci90: null,
        smallSample: true,
        pullRequests: 2,
      },
    ]);
  });

  it('serves the same rows as CSV, with the confidence interval in two columns', async () => {
    const res = await get(`/api/metrics/lead-time.csv?${MARCH}&grain=month`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="vigil-lead-time-2024-03-01-2024-03-31.csv"');
    const rows = csv(await res.text());
    expect(rows).toEqual([
      {
        bucket: '2024-03-01',
        group: '',
        n: '5',
        median: '86400',
        p90: '313200',
        mean: '156240',
        ci90Low: '7200',
        ci90High: '349200',
        smallSample: 'true',
        pullRequests: '2',
      },
    ]);
  });

  it('answers every metric over HTTP exactly as the engine computes it, as JSON and as CSV', async () => {
    for (const name of metricNames) {
      const metric = findMetric(name);
      if (!metric) throw new Error(name);
      const direct = await computeMetric({ db: f.db, config: f.config }, metric, {
        from: ['2024-03-01'],
        to: ['2024-03-31'],
        grain: ['week'],
      });
      const body = await json(`/api/metrics/${name}?${MARCH}&grain=week`);
      expect(body.rows, name).toEqual(JSON.parse(JSON.stringify(direct.rows)));
      expect(body.summary, name).toEqual(JSON.parse(JSON.stringify(direct.summary)));
      const res = await get(`/api/metrics/${name}.csv?${MARCH}&grain=week`);
      expect(res.status, name).toBe(200);
      expect(csv(await res.text()), name).toHaveLength(direct.rows.length);
    }
  });

  it('caches by data version', async () => {
    const path = `/api/metrics/pages?${MARCH}`;
    await get(path);
    expect((await get(path)).headers.get('x-vigil-cache')).toBe('hit');
    await f.db.run("UPDATE meta SET value = value WHERE key = 'nothing'");
    expect((await get(path)).headers.get('x-vigil-cache')).toBe('miss');
  });

  it('computes identical requests arriving together once, each getting the same answer', async () => {
    const cache = cacheFor(f.db);
    f.db.bumpVersion();
    const before = { coalesced: cache.coalesced, hits: cache.hits };
    const path = `/api/metrics/lead-time?${MARCH}&grain=week`;
    const bodies = await Promise.all(Array.from({ length: 6 }, async () => (await get(path)).text()));
    expect(new Set(bodies).size).toBe(1);
    // Computed once: the other five waited for it (or, arriving after it was done, hit the cache).
    expect(cache.coalesced - before.coalesced + (cache.hits - before.hits)).toBe(5);
  });

  it('computes at most as many answers at once as it has slots, the rest in turn, failures included', async () => {
    const slots = new ComputeSlots(2);
    let running = 0;
    let most = 0;
    const task = (i: number) =>
      slots.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setImmediate(r));
        running--;
        if (i === 3) throw new Error('boom');
        return i;
      });
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map(task));
    expect(most).toBe(2);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await slots.run(async () => 'after')).toBe('after');
  });

  it('returns the DORA summary per team with the thresholds used', async () => {
    const body = await json(`/api/dora/summary?${MARCH}&thresholds=2023`);
    expect(body.thresholds).toMatchObject({ id: '2023', title: 'Accelerate State of DevOps 2023' });
    expect(body.thresholds.sources.length).toBeGreaterThan(0);
    const payments = body.teams.find((t: { team: string }) => t.team === 'payments');
    expect(payments.leadTime).toMatchObject({ value: 169_200, level: 'high', threshold: { rule: '< 7 d' } });
    expect(payments.changeFailureRate).toMatchObject({ level: 'low', n: 7 });
    expect(payments.overall.level).toBe('low');
    const platform = body.teams.find((t: { team: string }) => t.team === 'platform');
    expect(platform.overall.level).toBeNull();
    const latest = await json(`/api/dora/summary?${MARCH}`);
    expect(latest.thresholds.id).toBe('2024');
  });

  it('serves the definitions document', async () => {
    const res = await get('/api/docs/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/markdown/);
    expect(await res.text()).toMatch(/^# What Vigil measures/);
  });
});

describe('bad input', () => {
  it('404 for an unknown metric, listing the names', async () => {
    const body = await json('/api/metrics/velocity', 404);
    expect(body.error.code).toBe('not_found');
    expect(body.error.metrics).toEqual(metricNames);
    expect(body.error.hint).toContain('lead-time');
  });

  it('400 naming the parameter and the allowed values', async () => {
    const grain = await json('/api/metrics/pages?grain=hour', 400);
    expect(grain.error).toMatchObject({ parameter: 'grain', allowed: ['day', 'week', 'month', 'quarter'] });
    expect(grain.error.message).toMatch(/grain must be one of day, week, month, quarter; got "hour"/);
    const group = await json('/api/metrics/mttr?groupBy=repo', 400);
    expect(group.error).toMatchObject({ parameter: 'groupBy', allowed: ['none', 'team', 'service', 'severity'] });
    const sev = await json('/api/metrics/mttr?severity=SEV9', 400);
    expect(sev.error).toMatchObject({ parameter: 'severity', allowed: ['SEV1', 'SEV2', 'SEV3', 'SEV4'] });
    const team = await json('/api/metrics/mttr?team=nope', 400);
    expect(team.error.parameter).toBe('team');
    expect(team.error.allowed).toContain('payments');
    const unknown = await json('/api/metrics/mttr?grian=week', 400);
    expect(unknown.error.parameter).toBe('grian');
    const tz = await json('/api/metrics/mttr?tz=Mars/Olympus', 400);
    expect(tz.error.parameter).toBe('tz');
    const thresholds = await json('/api/dora/summary?thresholds=1999', 400);
    expect(thresholds.error).toMatchObject({ parameter: 'thresholds', allowed: ['latest', '2021', '2023', '2024'] });
  });

  it('400 when from is after to, when a date is malformed, and when the range is over 10 years', async () => {
    expect((await json('/api/metrics/pages?from=2024-03-10&to=2024-03-01', 400)).error.message).toMatch(/after/);
    expect((await json('/api/metrics/pages?from=2024-02-30', 400)).error.parameter).toBe('from');
    const long = await json('/api/metrics/pages?from=2010-01-01&to=2024-01-01', 400);
    expect(long.error.message).toMatch(/10 years/);
    expect(long.error.hint).toBeTruthy();
  });

  it('400 for a bad cursor or limit on records', async () => {
    expect((await json('/api/deployments?cursor=garbage', 400)).error.parameter).toBe('cursor');
    expect((await json('/api/deployments?limit=5000', 400)).error.parameter).toBe('limit');
  });
});

describe('records', () => {
  it('pages deployments with cursors, each with its changes and incidents', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const body = await json(`/api/deployments?${MARCH}&team=payments&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.items.map((d: { id: string }) => d.id));
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    // Production only by default, newest first: D7 (failed) .. D1, and W2.
    expect(seen).toEqual(['D7', 'D6', 'D5', 'D4', 'D3', 'D2', 'W2', 'D1']);
    const d3 = (await json(`/api/deployments?${MARCH}&team=payments&outcome=success&limit=10`)).items.find(
      (d: { id: string }) => d.id === 'D3',
    );
    expect(d3).toMatchObject({ rolledBack: true, changeFailed: true, changeCount: 1 });
    expect(d3.changes).toMatchObject([{ key: 'pr:2', leadTimeSeconds: 259_200 }]);
    expect(d3.incidents).toMatchObject([{ id: 'I1', method: 'window' }]);
  });

  it('gives one deployment in full: commits, pull requests and incidents with evidence', async () => {
    const d5 = await json('/api/deployments/D5');
    expect(d5.commits.map((c: { firstShippedHere: boolean }) => c.firstShippedHere)).toEqual([false, true]);
    expect(d5.incidents[0]).toMatchObject({ id: 'I2', method: 'explicit_sha', evidence: { foundIn: 'description' } });
    expect((await json('/api/deployments/D2')).pullRequests).toMatchObject([{ number: 1 }]);
    expect((await json('/api/deployments/nope', 404)).error.code).toBe('not_found');
  });

  it('lists incidents with attribution, label and timeline, and one in full', async () => {
    const open = await json(`/api/incidents?${MARCH}&status=open`);
    expect(open.items.map((i: { id: string }) => i.id)).toEqual(['I4']);
    expect(open.items[0]).toMatchObject({ attribution: { cause: 'unknown' }, overdue: true, escalated: false });
    const i1 = await json('/api/incidents/I1');
    expect(i1.timeline ?? i1.logEntries).toBeTruthy();
    expect(i1.logEntries.map((l: { type: string }) => l.type)).toEqual([
      'trigger_log_entry',
      'acknowledge_log_entry',
      'escalate_log_entry',
      'resolve_log_entry',
    ]);
    expect(i1.alerts).toHaveLength(1);
    expect(i1.attribution).toMatchObject({ cause: 'change_caused', deploymentId: 'D3', evidence: { rule: 'window' } });
    expect(i1.label).toMatchObject({ label: 'actionable', source: 'human' });
  });

  it('lists pages with the local time in the recipient zone', async () => {
    const body = await json(`/api/pages?${MARCH}&person=U1`);
    const n5 = body.items.find((p: { id: string }) => p.id === 'N5');
    expect(n5).toMatchObject({ localTime: '2024-03-31T03:30:00+02:00', hourClass: 'sleep', nightDate: '2024-03-30' });
    const n1 = body.items.find((p: { id: string }) => p.id === 'N1');
    expect(n1.localTime).toBe('2024-03-06T21:59:00+01:00');
  });

  it('streams every record as CSV that a real parser reads back', async () => {
    const res = await get(`/api/pages.csv?${MARCH}`);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="vigil-pages-2024-03-01-2024-03-31.csv"');
    const rows = csv(await res.text());
    expect(rows).toHaveLength(13);
    expect(rows.find((r) => r.id === 'N11')).toMatchObject({
      started_at: '2024-03-25T03:30:00Z',
      local_time: '2024-03-24T23:30:00-04:00',
      hour_class: 'sleep',
    });
    for (const kind of ['deployments', 'incidents', 'oncall-shifts']) {
      const r = await get(`/api/${kind}.csv?${MARCH}`);
      expect(r.status, kind).toBe(200);
      expect(csv(await r.text()).length, kind).toBeGreaterThan(0);
    }
  });

  it('neutralises spreadsheet formulas in CSV cells', async () => {
    await f.user('U1', 'Europe/Berlin', '=HYPERLINK("http://evil")');
    await f.refresh();
    const text = await (await get(`/api/pages.csv?${MARCH}&person=U1`)).text();
    const rows = csv(text);
    expect(rows[0]?.user_name).toBe('\'=HYPERLINK("http://evil")');
    await f.user('U1', 'Europe/Berlin', 'Ana');
  });

  it('lists on-call shifts with their hours in the range', async () => {
    const body = await json('/api/oncall-shifts?from=2024-03-01&to=2024-03-07&person=U1');
    expect(body.items).toMatchObject([{ userId: 'U1', scheduleId: 'PSCHED', team: 'payments', hoursInRange: 96 }]);
  });
});

describe('organisation', () => {
  it('lists teams (with unassigned), services, repositories and alert rules', async () => {
    const teams = await json('/api/teams');
    expect(teams.items.map((t: { id: string }) => t.id)).toEqual(['payments', 'search', 'platform', 'unassigned']);
    expect((await json('/api/services')).items.map((s: { id: string }) => s.id)).toContain('PLSVC');
    const repos = await json('/api/repos');
    expect(repos.items.find((r: { name: string }) => r.name === 'acme/pay-web')).toMatchObject({
      productionEnvironments: ['PROD'],
      otherEnvironments: ['production'],
      otherEnvironmentCount: 1,
    });
    const rules = await json(`/api/alert-rules?${MARCH}&team=search`);
    expect(rules.items[0]).toHaveProperty('signature');
    expect(rules.items.find((r: { signature: string }) => r.signature === 'SSVC1:disk usage <n>% on <host>').incidents).toBe(4);
  });
});
