// One small organisation, built by hand, that holds every edge case the metrics must get right.
// The expected numbers in the tests are worked out from the comments here. All times are UTC
// unless a comment says "local".
//
// Teams (fixture.ts baseConfig): payments (acme/pay-api, acme/pay-web with production pattern
// ^prod$; services PSVC1, PSVC2; schedule PSCHED), search (acme/search; SSVC1; SSCHED) and
// platform (service PLSVC, no repository).
import { Fixture, sha } from './fixture.ts';

export const API = 'acme/pay-api';
export const WEB = 'acme/pay-web';
export const SEARCH = 'acme/search';

export async function buildScenario(fixture?: Fixture): Promise<Fixture> {
  const f = fixture ?? (await Fixture.create());

  // ---- acme/pay-api, environment "production"
  // D1 03-04 10:00 ships A: the first deployment, no base, no lead time.
  // D2 03-05 10:00 ships B: lone commit L1 (authored 03-04 12:00, lead 22 h) and PR #1 merged with
  //    a merge commit: p1a 03-01 09:00, p1b 03-02 09:00, merge commit B -> lead 4 d 1 h = 97 h.
  // D3 03-06 10:00 ships C: PR #2 squash-merged as C; its own commits q1 03-03 10:00, q2 03-05 15:00
  //    are not on the branch -> lead from q1: 3 d = 72 h (not 03-06 09:00, the squash commit's time).
  // D4 03-06 12:00 ships B again: a rollback (B was shipped by D2, and D3 shipped C) -> D3 rolled back.
  // D5 03-07 10:00 ships E: compare B...E lists C and E; C was first shipped by D3 and is not
  //    counted again; E (lone, authored 03-07 08:00) -> lead 2 h.
  // D6 03-07 11:00 ships E again: a re-deploy of the same SHA, not a rollback.
  // D7 03-08 10:00 ships F and fails: a failed attempt (deploy failure rate), not a change failure.
  // D8 03-08 11:00 to "staging": not production.
  // Lead times (s): 7200, 79200, 259200, 349200 -> median 169200, p90 322200, mean 173700.
  const [A, B, C, E, F] = ['A', 'B', 'C', 'E', 'F'].map((n) => sha(`pay-${n}`)) as [string, string, string, string, string];
  const L1 = sha('pay-L1');
  const p1a = sha('pay-p1a');
  const p1b = sha('pay-p1b');
  await f.commit({ repo: API, sha: L1, at: '2024-03-04 12:00', message: 'Tune retries' });
  await f.commit({ repo: API, sha: p1a, at: '2024-03-01 09:00' });
  await f.commit({ repo: API, sha: p1b, at: '2024-03-02 09:00' });
  await f.commit({ repo: API, sha: B, at: '2024-03-05 09:00', message: 'Merge pull request #1' });
  await f.commit({ repo: API, sha: C, at: '2024-03-06 09:00', message: 'Checkout v2 (#2)' });
  await f.commit({ repo: API, sha: E, at: '2024-03-07 08:00', message: 'Fix rounding' });
  await f.pull({
    repo: API,
    number: 1,
    mergedAt: '2024-03-05 09:00',
    mergeCommitSha: B,
    commits: [
      { sha: p1a, at: '2024-03-01 09:00' },
      { sha: p1b, at: '2024-03-02 09:00' },
    ],
  });
  await f.pull({
    repo: API,
    number: 2,
    mergedAt: '2024-03-06 09:00',
    mergeCommitSha: C,
    title: 'Checkout v2',
    commits: [
      { sha: sha('pay-q1'), at: '2024-03-03 10:00' },
      { sha: sha('pay-q2'), at: '2024-03-05 15:00' },
    ],
  });
  await f.deployment({ id: 'D1', repo: API, sha: A, at: '2024-03-04 10:00', status: 'inactive' });
  await f.deployment({ id: 'D2', repo: API, sha: B, at: '2024-03-05 10:00', status: 'inactive' });
  await f.shipped('D2', API, [L1, p1a, p1b, B], A);
  await f.deployment({ id: 'D3', repo: API, sha: C, at: '2024-03-06 10:00', status: 'inactive' });
  await f.shipped('D3', API, [C], B);
  await f.deployment({ id: 'D4', repo: API, sha: B, at: '2024-03-06 12:00', status: 'inactive' });
  await f.shipped('D4', API, [], C);
  await f.deployment({ id: 'D5', repo: API, sha: E, at: '2024-03-07 10:00', status: 'inactive' });
  await f.shipped('D5', API, [C, E], B);
  await f.deployment({ id: 'D6', repo: API, sha: E, at: '2024-03-07 11:00' });
  await f.shipped('D6', API, [], E, 'identical');
  await f.deployment({ id: 'D7', repo: API, sha: F, at: '2024-03-08 10:00', status: 'failure' });
  await f.deployment({ id: 'D8', repo: API, sha: F, at: '2024-03-08 11:00', env: 'staging' });

  // ---- acme/pay-web: "production" does not match its pattern ^prod$, "prod" does.
  await f.deployment({ id: 'W1', repo: WEB, sha: sha('web-1'), at: '2024-03-05 08:00', env: 'production' });
  await f.deployment({ id: 'W2', repo: WEB, sha: sha('web-2'), at: '2024-03-05 08:30', env: 'PROD' });

  // ---- acme/search: S1 03-04 09:00 (first), S2 03-11 09:00 ships lone commit s1 (03-10 09:00, 24 h).
  await f.commit({ repo: SEARCH, sha: sha('search-s1'), at: '2024-03-10 09:00' });
  await f.deployment({ id: 'S1', repo: SEARCH, sha: sha('search-0'), at: '2024-03-04 09:00' });
  await f.deployment({ id: 'S2', repo: SEARCH, sha: sha('search-s1'), at: '2024-03-11 09:00' });
  await f.shipped('S2', SEARCH, [sha('search-s1')], sha('search-0'));

  // ---- people
  await f.user('U1', 'Europe/Berlin', 'Ana');
  await f.user('U2', 'America/New_York', 'Ben');
  await f.user('U3', 'UTC', 'Cy');
  await f.user('U4', 'Not/AZone', 'Dee');
  for (const s of ['PSVC1', 'PSVC2', 'SSVC1', 'PLSVC']) await f.service(s, `Service ${s}`);

  // ---- incidents
  // I1 PSVC1 P1 (SEV1, target 1 h): created 03-06 11:00, acked 11:05, escalated 11:20, resolved by a
  //    person 12:30 (90 min > 1 h: overdue, but escalated). Window -> D3 (60 min before). Alert event
  //    time 10:40, deployment 10:00 -> impact start 10:00 (deployment), MTTD 60 min, restore 150 min,
  //    failed-deployment recovery 150 min. Human label: actionable.
  await f.incident({
    id: 'I1',
    service: 'PSVC1',
    title: 'Checkout latency high on pay-api-7f9c2d.prod.example.com',
    priority: 'P1',
    at: '2024-03-06 11:00',
    ackAt: '2024-03-06 11:05',
    escalations: ['2024-03-06 11:20'],
    resolvedAt: '2024-03-06 12:30',
    alerts: [{ at: '2024-03-06 11:00', eventTime: '2024-03-06 10:40' }],
  });
  await f.label('I1', 'actionable');
  // I2 PSVC2 P2 (SEV2, 4 h), reported by a person 03-07 11:30; its description names commit E
  //    (first shipped by D5 at 10:00) while the window would pick D6 (11:00, a re-deploy): the SHA
  //    wins -> D5. Priority raised P3 -> P2 at 11:35 (escalated). Acked 11:40, resolved 13:30 (2 h,
  //    within target). Impact start 10:00 (D5), MTTD 90 min, restore 210 min.
  await f.incident({
    id: 'I2',
    service: 'PSVC2',
    title: 'Refunds failing',
    description: `Started right after ${E.slice(0, 10)} went out`,
    priority: 'P2',
    triggeredBy: 'user',
    at: '2024-03-07 11:30',
    ackAt: '2024-03-07 11:40',
    priorityChanges: [{ at: '2024-03-07 11:35', from: 'P3', to: 'P2' }],
    resolvedAt: '2024-03-07 13:30',
  });
  // I3 PSVC1 created 03-08 09:00: the window would pick D6 (22 h before), a note names commit C
  //    (D3), but a reviewer unlinked it from every deployment: not change-caused (manual_unlink).
  //    Note impact-start 08:45 -> MTTD 15 min (explicit). Resolved 09:30, acked 09:02.
  await f.incident({
    id: 'I3',
    service: 'PSVC1',
    title: 'Card auth errors',
    priority: 'P3',
    at: '2024-03-08 09:00',
    ackAt: '2024-03-08 09:02',
    resolvedAt: '2024-03-08 09:30',
    notes: [
      { at: '2024-03-08 09:10', text: `Suspect ${C.slice(0, 8)}` },
      { at: '2024-03-08 09:20', text: 'impact-start: 2024-03-08T08:45:00Z' },
    ],
  });
  await f.link('I3', '*', 'unlink');
  // I4 PLSVC (platform: no repository) low urgency, no priority -> SEV3 (24 h); created 03-08 12:00,
  //    never acknowledged, still open: unknown cause, open and overdue, never escalated.
  await f.incident({ id: 'I4', service: 'PLSVC', title: 'Build cache degraded', urgency: 'low', at: '2024-03-08 12:00' });
  // I10 PSVC2 P1: created 03-09 08:00, acked 08:10, resolved 11:00 (3 h > 1 h), never escalated.
  //    Window: latest payments deployment before is D6 (03-07 11:00, 45 h) -> not change-caused.
  await f.incident({
    id: 'I10',
    service: 'PSVC2',
    title: 'Payout batch late',
    priority: 'P1',
    at: '2024-03-09 08:00',
    ackAt: '2024-03-09 08:10',
    resolvedAt: '2024-03-09 11:00',
  });
  // I5 SSVC1 created 03-12 15:00, resolved by the integration 15:04, never acknowledged:
  //    suggested non-actionable (auto-resolved in 4 min). S2 was 30 h before: not change-caused.
  await f.incident({
    id: 'I5',
    service: 'SSVC1',
    title: 'Search p99 above 800ms',
    urgency: 'low',
    at: '2024-03-12 15:00',
    resolvedAt: '2024-03-12 15:04',
    resolvedBy: 'integration',
  });
  // I6, I7, I8 one rule (SSVC1 "disk usage <n>% on <host>") firing 03-13 01:00, 05:00 and 20:00, each
  //    resolved by the integration after 20 min: flapping (3 in 24 h). I9 fires again 03-15 01:00,
  //    29 h later: alone in its window, not flapping. I6 carries a human non-actionable label.
  const disk = (id: string, at: string, pct: number, host: string) =>
    f.incident({
      id,
      service: 'SSVC1',
      title: `Disk usage ${pct}% on ${host}.search.internal`,
      at,
      resolvedAt: new Date(Date.parse(`${at.replace(' ', 'T')}:00Z`) + 20 * 60_000).toISOString(),
      resolvedBy: 'integration',
    });
  await disk('I6', '2024-03-13 01:00', 91, 'db-3');
  await disk('I7', '2024-03-13 05:00', 97, 'db-3');
  await disk('I8', '2024-03-13 20:00', 92, 'db-4');
  await disk('I9', '2024-03-15 01:00', 93, 'db-3');
  await f.label('I6', 'non_actionable', 'threshold_needs_tuning');
  // I11 PSVC1 03-06 20:58 -> 21:30; I12 PSVC1 03-30 22:29 -> 03-31 07:00; I13 SSVC1 03-20 13:59 ->
  //    14:30; I14 SSVC1 03-25 03:29 -> 03:45. Window attribution: I11 -> D4 (03-06 12:00, 8 h 58 min);
  //    I12, I13, I14: no deployment within 24 h -> not change-caused.
  await f.incident({ id: 'I11', service: 'PSVC1', title: 'Queue depth', at: '2024-03-06 20:58', resolvedAt: '2024-03-06 21:30' });
  await f.incident({ id: 'I12', service: 'PSVC1', title: 'Ledger lag', at: '2024-03-30 22:29', resolvedAt: '2024-03-31 07:00' });
  await f.incident({
    id: 'I13',
    service: 'SSVC1',
    title: 'Indexer stalled',
    at: '2024-03-20 13:59',
    resolvedAt: '2024-03-20 14:30',
  });
  await f.incident({
    id: 'I14',
    service: 'SSVC1',
    title: 'Crawler errors',
    at: '2024-03-25 03:29',
    resolvedAt: '2024-03-25 03:45',
  });

  // ---- pages
  // U1 (Europe/Berlin, CET = UTC+1 until 03-31 02:00 local, then CEST = UTC+2):
  //   03-06 20:59 UTC = 21:59 local Wed -> off hours (starts an interruption);
  //   03-06 21:00 UTC = 22:00 local -> sleep hours, night of 03-06, same interruption.
  //   The daylight-saving night of 03-30: 22:30 UTC (23:30 CET), 00:30 (01:30 CET), 01:30 (03:30 CEST):
  //   three sleep-hour interruptions -> a bad night (more than two), night date 03-30.
  //   06:30 UTC on Sunday 03-31 = 08:30 CEST -> off hours (a fixed +1 h offset would say 07:30, sleep).
  await f.page({ id: 'N1', user: 'U1', at: '2024-03-06 20:59', incident: 'I11' });
  await f.page({ id: 'N2', user: 'U1', at: '2024-03-06 21:00', incident: 'I11', type: 'phone' });
  await f.page({ id: 'N3', user: 'U1', at: '2024-03-30 22:30', incident: 'I12' });
  await f.page({ id: 'N4', user: 'U1', at: '2024-03-31 00:30', incident: 'I12' });
  await f.page({ id: 'N5', user: 'U1', at: '2024-03-31 01:30', incident: 'I12' });
  await f.page({ id: 'N6', user: 'U1', at: '2024-03-31 06:30', incident: 'I12', type: 'push' });
  // U2 (America/New_York, EDT = UTC-4 from 03-10): 14:00, 14:03, 14:06, 14:12 UTC on Wed 03-20
  //   (business hours). 14:06 is more than 5 min after 14:00 (the interruption's first page) -> new;
  //   14:12 more than 5 min after 14:06 -> new: 3 interruptions (gaps alone would give 2).
  for (const [id, at] of [
    ['N7', '2024-03-20 14:00'],
    ['N8', '2024-03-20 14:03'],
    ['N9', '2024-03-20 14:06'],
    ['N10', '2024-03-20 14:12'],
  ] as const) {
    await f.page({ id, user: 'U2', at, incident: 'I13' });
  }
  //   Sunday 03-24 23:30 local = Monday 03-25 03:30 UTC: week of 03-18 in New York, of 03-25 in UTC.
  await f.page({ id: 'N11', user: 'U2', at: '2024-03-25 03:30', incident: 'I14' });
  // U3 (UTC): a page linked by nearest time (its notify entry lacks the notification id), and an
  //   e-mail that is not a page.
  await f.page({ id: 'N12', user: 'U3', at: '2024-03-12 15:01', incident: 'I5', logWithoutId: true });
  await f.page({ id: 'N13', user: 'U3', at: '2024-03-12 15:02', type: 'email' });
  // U4 has an unknown zone: placed in the configured default (UTC).
  await f.page({ id: 'N14', user: 'U4', at: '2024-03-13 05:01', incident: 'I7' });

  // ---- on-call shifts at level 1 (U2 also level 2 on PSCHED, ignored):
  // U1 PSCHED 03-04 -> 03-11 and 03-25 -> 04-01 (336 h); U3 SSCHED 03-11 -> 03-18; U2 SSCHED
  // 03-18 -> 03-25 (so N11 at 03-25 03:30 is off call). U1's pages on call: N1, N2, N3..N6 = 6 ->
  // 6 / (336 / 168) = 3 pages per on-call week.
  await f.shift({ user: 'U1', schedule: 'PSCHED', start: '2024-03-04 00:00', end: '2024-03-11 00:00' });
  await f.shift({ user: 'U1', schedule: 'PSCHED', start: '2024-03-25 00:00', end: '2024-04-01 00:00' });
  await f.shift({ user: 'U3', schedule: 'SSCHED', start: '2024-03-11 00:00', end: '2024-03-18 00:00' });
  await f.shift({ user: 'U2', schedule: 'SSCHED', start: '2024-03-18 00:00', end: '2024-03-25 00:00' });
  await f.shift({ user: 'U2', schedule: 'PSCHED', level: 2, start: '2024-03-04 00:00', end: '2024-03-11 00:00' });
  return f;
}
