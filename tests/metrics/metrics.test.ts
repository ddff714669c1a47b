// Every metric on the hand-built scenario (scenario.ts), with the expected numbers worked out in
// the comments. Range: March 2024 unless a test says otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetric, findMetric, metricNames } from '../../server/metrics/registry.ts';
import type { MetricRow } from '../../server/metrics/types.ts';
import type { Fixture } from './fixture.ts';
import { buildScenario } from './scenario.ts';

let f: Fixture;
beforeAll(async () => {
  f = await buildScenario();
  await f.refresh();
});
afterAll(() => f.close());

async function metric(name: string, params: Record<string, string | string[]> = {}) {
  const m = findMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  const raw: Record<string, string[]> = { from: ['2024-03-01'], to: ['2024-03-31'], grain: ['month'] };
  for (const [k, v] of Object.entries(params)) raw[k] = Array.isArray(v) ? v : [v];
  return computeMetric({ db: f.db, config: f.config }, m, raw);
}
const total = (rows: MetricRow[], group: string | null = null) => rows.find((r) => r.group === group);

describe('DORA metrics', () => {
  it('deployment frequency: successful production deployments and deploy days', async () => {
    // D1-D6 and W2 (payments), S1 and S2 (search): 9 deployments on 5 days (03-04, 05, 06, 07, 11).
    // Per week: 9 over the 31 days of March -> 9 * 7 / 31.
    const r = await metric('deployment-frequency');
    expect(total(r.summary)).toMatchObject({ n: 9, deployDays: 5 });
    expect(total(r.summary)?.perWeek).toBeCloseTo((9 * 7) / 31, 10);
    const byTeam = await metric('deployment-frequency', { groupBy: 'team' });
    expect(total(byTeam.summary, 'payments')).toMatchObject({ n: 7, deployDays: 4 });
    expect(total(byTeam.summary, 'search')).toMatchObject({ n: 2, deployDays: 2 });
  });

  it('deploy days per week: weekly, zero weeks included in the median', async () => {
    // Weeks from Monday 02-26 to 03-25: deploy days 0, 4, 1, 0, 0 -> median 0 over 5 weeks.
    const r = await metric('deploy-days', { grain: 'week' });
    expect(r.rows.map((x) => x.deployDays)).toEqual([0, 4, 1, 0, 0]);
    expect(total(r.summary)).toMatchObject({ medianDeployDays: 0, weeks: 5 });
  });

  it('lead time: median, p90, mean and the confidence interval of the median', async () => {
    // payments: 7200, 79200, 259200, 349200 s. Median (79200 + 259200) / 2 = 169200; p90 at
    // position 0.9 * 3 = 2.7 -> 259200 + 0.7 * 90000 = 322200; mean 694800 / 4 = 173700; n = 4 < 5:
    // no confidence interval; small sample.
    const r = await metric('lead-time', { team: 'payments' });
    expect(total(r.summary)).toEqual({
      bucket: null,
      group: null,
      n: 4,
      median: 169_200,
      p90: 322_200,
      mean: 173_700,
      ci90: null,
      smallSample: true,
      pullRequests: 2,
    });
    // With search's 86400 s change: five values, the CI of the median is [x(1), x(5)].
    const all = await metric('lead-time');
    expect(total(all.summary)).toMatchObject({ n: 5, median: 86_400, ci90: [7_200, 349_200] });
  });

  it('change failure rate: incidents or rollbacks over successful deployments, never above 100%', async () => {
    // D3 (rolled back, caused I1), D4 (caused I11 by window), D5 (caused I2): 3 of 9.
    const r = await metric('change-failure-rate');
    expect(total(r.summary)).toMatchObject({ n: 9, failed: 3, causedIncident: 3, rolledBack: 1 });
    expect(total(r.summary)?.rate).toBeCloseTo(1 / 3, 10);
    const repo = await metric('change-failure-rate', { repo: 'acme/pay-api', groupBy: 'repo' });
    expect(total(repo.summary, 'acme/pay-api')).toMatchObject({ n: 6, failed: 3, rate: 0.5 });
  });

  it('failed deployment recovery time: resolved minus the causing deployment', async () => {
    // I1: 12:30 - D3 10:00 = 9000 s; I2: 13:30 - D5 10:00 = 12600 s; I11: 21:30 - D4 12:00 = 34200 s.
    const r = await metric('recovery-time');
    expect(total(r.summary)).toMatchObject({ n: 3, median: 12_600, mean: (9_000 + 12_600 + 34_200) / 3, open: 0 });
  });

  it('rework rate and deploy failure rate', async () => {
    // D4 (03-06 12:00) was made while I1 (11:00-12:30) was open: 1 of 9.
    expect(total((await metric('rework-rate')).summary)).toMatchObject({ n: 9, rework: 1 });
    // Finished production attempts: 9 successes + D7's failure = 10, 1 failed.
    expect(total((await metric('deploy-failure-rate')).summary)).toMatchObject({ n: 10, failed: 1, rate: 0.1 });
  });

  it('DORA levels per team with the thresholds used', async () => {
    // payments: lead time median 169200 s (47 h: 1 day..1 week -> high), CFR 3/7 (> 20% -> low in
    // 2024, > 15% -> low in 2023), recovery median 12600 s (< 1 day -> high), deploy days per week
    // 0, 4, 0, 0, 0 -> median 0; monthly median 4 >= 1 -> medium. Overall: low.
    const r = await metric('dora-levels', { groupBy: 'team', team: 'payments' });
    expect(total(r.summary, 'payments')).toMatchObject({
      leadTimeLevel: 'high',
      changeFailureRateLevel: 'low',
      recoveryTimeLevel: 'high',
      deploymentFrequencyLevel: 'medium',
      overallLevel: 'low',
      thresholds: '2024',
    });
    const y2021 = await metric('dora-levels', { groupBy: 'team', team: 'payments', thresholds: '2021' });
    // 2021: CFR <= 30%? 3/7 = 43% -> low; lead time < 1 week -> high; frequency: monthly median >= 1 -> high.
    expect(total(y2021.summary, 'payments')).toMatchObject({ deploymentFrequencyLevel: 'high', thresholds: '2021' });
  });
});

describe('incident metrics', () => {
  it('MTTD with the share of incidents whose impact start is known', async () => {
    // Known: I1 3600, I2 5400, I3 900, I11 32280 -> median (3600 + 5400) / 2 = 4500; 4 of 14.
    const r = await metric('mttd');
    expect(total(r.summary)).toMatchObject({ n: 4, median: 4_500, incidents: 14 });
    expect(total(r.summary)?.knownShare).toBeCloseTo(4 / 14, 10);
  });

  it('MTTA counts never-acknowledged incidents separately (including the open one)', async () => {
    // Acked: I1 300, I2 600, I3 120, I10 600 -> median 450; 10 never acknowledged.
    expect(total((await metric('mtta')).summary)).toMatchObject({ n: 4, median: 450, neverAcknowledged: 10 });
  });

  it('MTTR per severity with the share within target; the unresolved incident is open', async () => {
    // SEV1: I1 5400, I10 10800 -> both over 1 h. SEV3: I3 1800, I5 240 resolved within 24 h; I4 open.
    const r = await metric('mttr', { groupBy: 'severity' });
    expect(total(r.summary, 'SEV1')).toMatchObject({ n: 2, median: 8_100, withinTarget: 0, open: 0 });
    expect(total(r.summary, 'SEV3')).toMatchObject({ n: 2, median: 1_020, withinTarget: 1, open: 1 });
  });

  it('time to restore uses the impact start', async () => {
    // I1 9000, I2 12600, I3 2700, I11 34200 -> median (9000 + 12600) / 2 = 10800.
    expect(total((await metric('time-to-restore')).summary)).toMatchObject({ n: 4, median: 10_800 });
  });

  it('overdue and never-escalated incidents', async () => {
    // Overdue: I1 (escalated), I10, I12 and the open I4 (never escalated) -> 4 overdue, 3 never escalated.
    expect(total((await metric('overdue-incidents')).summary)).toMatchObject({
      overdue: 4,
      overdueNeverEscalated: 3,
      openOverdue: 1,
    });
  });

  it('detection source and alerts per incident', async () => {
    expect(total((await metric('detection-source')).summary)).toMatchObject({ n: 14, monitoring: 13, human: 1 });
    expect(total((await metric('alerts-per-incident')).summary)).toMatchObject({ n: 14, alerts: 1 });
  });

  it('keeps incidents of unmapped services under "unassigned" rather than dropping them', async () => {
    f.nextSync('2024-06-02T00:00:00Z');
    await f.incident({ id: 'I99', service: 'PUNMAPPED', at: '2024-03-02 10:00', resolvedAt: '2024-03-02 10:30' });
    await f.refresh();
    const r = await metric('incidents', { groupBy: 'team' });
    expect(total(r.summary, 'unassigned')).toMatchObject({ n: 1 });
    await f.db.run("DELETE FROM log_entries WHERE incident_id = 'I99'");
    await f.db.run("DELETE FROM incidents WHERE id = 'I99'");
    expect((await f.refresh()).mode).toBe('full');
  });
});

describe('on-call metrics', () => {
  it('pages, interruptions and off-hours pages', async () => {
    // 13 pages (N13 is e-mail); interruptions: U1 5 (N1, N3, N4, N5, N6), U2 4 (N7, N9, N10, N11),
    // U3 1, U4 1 = 11. Business: N7-N10, N12 = 5; off: N1, N6 = 2; sleep: N2-N5, N11, N14 = 6.
    expect(total((await metric('pages')).summary)).toMatchObject({
      n: 13,
      interruptions: 11,
      business: 5,
      offHours: 2,
      sleep: 6,
    });
    expect(total((await metric('interruptions')).summary)).toMatchObject({ n: 11, sleep: 5 });
    expect(total((await metric('off-hours-pages')).summary)).toMatchObject({ offHours: 2, sleep: 6, outsideBusiness: 8 });
  });

  it('pages per on-call week against the target', async () => {
    // U1: 6 pages on call over 336 h -> 3 per on-call week.
    const r = await metric('pages-per-oncall-week', { groupBy: 'person' });
    expect(total(r.summary, 'U1')).toMatchObject({ pages: 6, onCallHours: 336, value: 3, aboveTarget: false });
    expect(r.target?.value).toBe(5);
  });

  it('nights interrupted and bad nights (the daylight-saving night has three sleep interruptions)', async () => {
    // Person-nights with a sleep page: U1 03-06, U1 03-30, U2 03-24, U4 03-12 -> 4; bad: U1 03-30.
    expect(total((await metric('nights-interrupted')).summary)).toMatchObject({ n: 4, sleepPages: 6 });
    expect(total((await metric('bad-nights')).summary)).toMatchObject({ n: 1, nightsInterrupted: 4 });
  });

  it('load concentration flags a team whose busiest two take 80% or more', async () => {
    // search: U2 5 pages, U3 1, U4 1 -> top1 5/7, top2 6/7 = 86% with three people -> flagged.
    const r = await metric('load-concentration');
    expect(total(r.summary, 'search')).toMatchObject({ pages: 7, people: 3, top1: 'U2', flagged: true });
    expect(total(r.summary, 'search')?.top2Share).toBeCloseTo(6 / 7, 10);
  });

  it('alert rules, noisiest first, and the false-positive ratio with human and suggested labels', async () => {
    const rules = await metric('alert-rules');
    const disk = rules.rows.find((r) => r.group === 'SSVC1:disk usage <n>% on <host>');
    expect(disk).toMatchObject({ incidents: 4, pages: 1, nonActionable: 3, humanLabelled: 1, flapping: 3 });
    expect(rules.rows[0]?.pages).toBeGreaterThanOrEqual(rules.rows[1]?.pages as number);
    // Pages of non-actionable incidents: N12 (I5, auto-resolved) and N14 (I7, flapping) -> 2 of 13.
    const fp = await metric('false-positive-ratio');
    expect(total(fp.summary)).toMatchObject({ pages: 13, nonActionable: 2, suggestedNonActionable: 2, humanLabelled: 0 });
  });
});

describe('buckets and filters', () => {
  it('buckets weeks in the requested zone', async () => {
    // N11: Monday 03-25 03:30 UTC is Sunday 03-24 23:30 in New York: week of 03-18 there.
    const utc = await metric('pages', { grain: 'week', groupBy: 'person' });
    const ny = await metric('pages', { grain: 'week', groupBy: 'person', tz: 'America/New_York' });
    const week = (rows: MetricRow[], bucket: string) => rows.find((r) => r.group === 'U2' && r.bucket === bucket)?.n;
    expect(week(utc.rows, '2024-03-25')).toBe(1);
    expect(week(utc.rows, '2024-03-18')).toBe(4);
    expect(week(ny.rows, '2024-03-18')).toBe(5);
    expect(week(ny.rows, '2024-03-25')).toBe(0);
  });

  it('fills every bucket of the range, with zeros where nothing happened', async () => {
    const r = await metric('deployment-frequency', { grain: 'day' });
    expect(r.rows).toHaveLength(31);
    expect(r.rows.find((x) => x.bucket === '2024-03-20')).toMatchObject({ n: 0 });
  });

  it('reports filters that do not apply instead of silently dropping them', async () => {
    const r = await metric('pages', { repo: 'acme/pay-api' });
    expect(r.notes.join(' ')).toMatch(/repo filter does not apply/);
  });

  it('answers every registered metric on an empty range', async () => {
    for (const name of metricNames) {
      const r = await metric(name, { from: '2020-01-01', to: '2020-01-31' });
      expect(Array.isArray(r.rows), name).toBe(true);
    }
  });
});
