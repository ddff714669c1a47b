// The review's read side through Hono over DuckDB: a team's (and a schedule's) week grouped by alert
// rule with suggestions and reasons, header figures equal to the dashboard's metrics, the default
// week in the team's own zone, the trends and the parameter errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWeek, parseWeek, resolveWeek } from '../../server/review/scope.ts';
import { DISK, P99, type ReviewHarness, review, ruleOf, startHarness, WEEK } from './support.ts';

let h: ReviewHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('a team week', () => {
  it('groups every page and incident by alert rule, noisiest first, with the suggestion and why', async () => {
    const view = await review(h);
    expect(view.scope).toMatchObject({ kind: 'team', id: 'search', key: 'search', timeZone: 'UTC' });
    expect(view.week).toMatchObject({ start: WEEK, end: '2024-03-17', lo: '2024-03-11T00:00:00.000Z', previous: '2024-03-04' });
    // Both rules paged once; the disk rule has more incidents, so it comes first.
    expect(view.rules.map((r: { signature: string }) => r.signature)).toEqual([DISK, P99]);
    const disk = ruleOf(view, DISK);
    expect(disk.incidents.map((i: { id: string }) => i.id)).toEqual(['I6', 'I7', 'I8', 'I9']);
    expect(disk).toMatchObject({ pages: 1, sleepPages: 1, suggested: 'non_actionable', suggestedNonActionable: 3 });
    expect(disk.why).toContain('flapping 3 times in 24 h, each firing resolving itself');
    expect(disk.responders).toEqual([{ userId: 'U4', name: 'Dee', pages: 1 }]);
    expect(disk.labelState).toBe('partial');
    const i7 = disk.incidents[1];
    expect(i7.why).toBe('flapping: fired 3 times in 24 h, each resolved itself');
    expect(i7.url).toBe('https://example.pagerduty.com/incidents/I7');
    expect(i7.pages).toEqual([
      expect.objectContaining({ id: 'N14', localTime: '2024-03-13 05:01', hourClass: 'sleep', userName: 'Dee', zone: 'UTC' }),
    ]);
    // I9 fired alone 29 h later: suggested actionable, and the page says why.
    expect(disk.incidents[3]).toMatchObject({
      suggested: 'actionable',
      why: 'never acknowledged; resolved itself after 20 min (over 10 min)',
    });
    expect(disk.incidents[0].stored).toMatchObject({ label: 'non_actionable', reason: 'threshold_needs_tuning', version: 1 });
    const p99 = ruleOf(view, P99);
    expect(p99.why).toEqual(['every incident auto-resolved in 4 min, never acknowledged']);
  });

  it('heads the week with the same figures the dashboard charts', async () => {
    const view = await review(h);
    const q = `team=search&from=${WEEK}&to=2024-03-17&grain=week`;
    const pages = (await h.json(`/api/metrics/pages?${q}`)).summary[0];
    const perWeek = (await h.json(`/api/metrics/pages-per-oncall-week?${q}`)).summary[0];
    const nights = (await h.json(`/api/metrics/bad-nights?${q}`)).summary[0];
    expect(view.header).toMatchObject({
      pages: pages.n,
      interruptions: pages.interruptions,
      sleepPages: pages.sleep,
      offHoursPages: pages.offHours,
      nightsInterrupted: nights.nightsInterrupted,
      badNights: nights.n,
      pagesPerOncallWeek: perWeek.value,
      pagesPerWeekTarget: 5,
      incidents: 5,
      unlabelledIncidents: 4,
      unlabelledPages: 2,
      openFollowUps: 0,
    });
    expect(view.header.pages).toBe(2);
    // Both pages are non-actionable (one by suggestion each); no pages in the four weeks before.
    expect(view.header.falsePositiveRatio).toBe(1);
    expect(view.header.falsePositiveWeeks.map((w: { week: string }) => w.week)).toEqual([
      '2024-02-12',
      '2024-02-19',
      '2024-02-26',
      '2024-03-04',
      WEEK,
    ]);
    expect(view.header.previousFalsePositiveRatio).toBeNull();
  });

  it('reviews one on-call schedule: the pages received while on call for it', async () => {
    const view = await review(h, `schedule=SSCHED&week=${WEEK}`);
    expect(view.scope).toMatchObject({ kind: 'schedule', key: 'schedule:SSCHED' });
    // Cy was on call for SSCHED and got N12; Dee's N14 was off call.
    expect(view.header.pages).toBe(1);
    expect(view.rules.map((r: { signature: string }) => r.signature)).toEqual([P99]);
  });

  it('lists teams and schedules with their default weeks', async () => {
    const options = await h.json('/api/review/options');
    expect(options.teams.map((t: { id: string }) => t.id)).toEqual(['payments', 'search', 'platform', 'unassigned']);
    expect(options.schedules.map((s: { id: string }) => s.id)).toEqual(['PSCHED', 'SSCHED']);
    expect(options.reasons.map((r: { value: string }) => r.value)).toEqual([
      'threshold_needs_tuning',
      'check_is_faulty',
      'expected',
      'duplicate',
      'informational_only',
      'other',
    ]);
  });
});

describe('the default week', () => {
  it("is the last full week in the team's own zone", () => {
    // Monday 2024-03-18 05:00 UTC: already Monday in Auckland (18:00), still Sunday in Los Angeles.
    const now = new Date('2024-03-18T05:00:00Z');
    expect(defaultWeek('Pacific/Auckland', now)).toBe('2024-03-11');
    expect(defaultWeek('America/Los_Angeles', now)).toBe('2024-03-04');
    expect(parseWeek(undefined, 'UTC', now)).toEqual({ start: '2024-03-11', isDefault: true });
    // Any day of a week means that week.
    expect(parseWeek('2024-03-14', 'UTC', now)).toEqual({ start: '2024-03-11', isDefault: true });
  });

  it('runs 167 hours in a week that springs forward', async () => {
    const view = await review(h, 'team=search&week=2024-03-25');
    expect(view.week.hi).toBe('2024-04-01T00:00:00.000Z');
    // Berlin moves its clocks on Sunday 03-31: its week ends at 22:00 UTC, 167 h after it began.
    const week = await resolveWeek(
      h.f.db,
      { kind: 'team', id: 'x', key: 'x', name: 'x', timeZone: 'Europe/Berlin', url: null },
      '2024-03-25',
    );
    expect(week).toMatchObject({ lo: '2024-03-24T23:00:00.000Z', hi: '2024-03-31T22:00:00.000Z' });
  });
});

describe('the trends', () => {
  it('gives the reviewed and the suggested ratio per week, the label mix and agreement', async () => {
    const trends = await h.json(`/api/review/trends?team=search&week=2024-03-25&weeks=3`);
    expect(trends.weeks.map((w: { week: string }) => w.week)).toEqual(['2024-03-11', '2024-03-18', '2024-03-25']);
    const first = trends.weeks[0];
    expect(first).toMatchObject({ pages: 2, reviewedRatio: 1, suggestedRatio: 1, incidents: 5, agreement: 1 });
    expect(first.labelMix).toMatchObject({ threshold_needs_tuning: 1, unlabelled: 4, actionable: 0 });
    expect(trends.rules[0].weeks).toHaveLength(3);
  });
});

describe('bad requests', () => {
  it.each([
    ['/api/review?week=2024-03-11', 400, /team=ID or schedule=ID/],
    ['/api/review?team=search&schedule=SSCHED', 400, /one of them/],
    ['/api/review?team=nobody', 404, /No team "nobody"/],
    ['/api/review?schedule=NOPE', 404, /No on-call schedule "NOPE"/],
    ['/api/review?team=search&week=2024-13-01', 400, /week must be a date/],
    ['/api/review?team=search&week=2999-01-04', 400, /has not started yet/],
    ['/api/review?team=search&colour=red', 400, /Unknown parameter "colour"/],
    ['/api/review/trends?team=search&weeks=500', 400, /weeks must be a whole number from 1 to 104/],
  ])('%s -> %i', async (path, status, message) => {
    const body = await h.json(path, status);
    expect(body.error.message).toMatch(message);
  });
});
