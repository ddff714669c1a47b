// The derived facts of the hand-built scenario (scenario.ts explains every expected value).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fixture } from './fixture.ts';
import { buildScenario } from './scenario.ts';

let f: Fixture;
beforeAll(async () => {
  f = await buildScenario();
  const result = await f.refresh();
  expect(result.mode).toBe('full');
});
afterAll(() => f.close());

const row = <T = Record<string, unknown>>(sql: string, params?: Record<string, string>) => f.one<T>(sql, params);

describe('deployment facts', () => {
  it('decides production by each repository pattern, case-insensitively', async () => {
    const envs = await f.all<{ id: string; production: boolean }>(
      "SELECT id, production FROM d_deployments WHERE id IN ('W1', 'W2', 'D8', 'D1') ORDER BY id",
    );
    expect(envs).toEqual([
      { id: 'D1', production: true },
      { id: 'D8', production: false },
      { id: 'W1', production: false },
      { id: 'W2', production: true },
    ]);
  });

  it('counts inactive-after-success as success and a failure as a failed attempt', async () => {
    expect(await row("SELECT outcome, deployed_at FROM d_deployments WHERE id = 'D1'")).toEqual({
      outcome: 'success',
      deployed_at: '2024-03-04T10:00:00.000Z',
    });
    expect(await row("SELECT outcome, deployed_at FROM d_deployments WHERE id = 'D7'")).toEqual({
      outcome: 'failure',
      deployed_at: null,
    });
  });

  it('marks a rollback and the deployment it rolled back, but not a re-deploy of the same SHA', async () => {
    const flags = await f.all(
      "SELECT id, is_rollback, rolled_back FROM d_deployments WHERE repo = 'acme/pay-api' AND production AND outcome = 'success' ORDER BY id",
    );
    expect(flags).toEqual([
      { id: 'D1', is_rollback: false, rolled_back: false },
      { id: 'D2', is_rollback: false, rolled_back: false },
      { id: 'D3', is_rollback: false, rolled_back: true },
      { id: 'D4', is_rollback: true, rolled_back: false },
      { id: 'D5', is_rollback: false, rolled_back: false },
      { id: 'D6', is_rollback: false, rolled_back: false },
    ]);
  });
});

describe('changes', () => {
  it('counts each change once, for the deployment that first shipped it, timed from its first commit', async () => {
    const changes = await f.all<{ deployment_id: string; kind: string; pr_number: number | null; lead_time_s: number }>(
      "SELECT deployment_id, kind, pr_number, lead_time_s FROM d_changes WHERE repo = 'acme/pay-api' ORDER BY lead_time_s",
    );
    expect(changes).toEqual([
      { deployment_id: 'D5', kind: 'commit', pr_number: null, lead_time_s: 7_200 },
      { deployment_id: 'D2', kind: 'commit', pr_number: null, lead_time_s: 79_200 },
      // PR #2 was squash-merged: timed from its own first commit (03-03 10:00), not the squash commit.
      { deployment_id: 'D3', kind: 'pull_request', pr_number: 2, lead_time_s: 259_200 },
      { deployment_id: 'D2', kind: 'pull_request', pr_number: 1, lead_time_s: 349_200 },
    ]);
  });

  it('gives the first deployment of a repository no changes', async () => {
    expect(await row("SELECT count(*) AS n FROM d_changes WHERE deployment_id IN ('D1', 'S1', 'W2')")).toEqual({ n: 0 });
  });
});

describe('incident facts', () => {
  it('takes times from the log entries, never from updated_at', async () => {
    expect(
      await row("SELECT created_at, acknowledged_at, resolved_at, ack_s, resolve_s FROM d_incidents WHERE id = 'I1'"),
    ).toEqual({
      created_at: '2024-03-06T11:00:00.000Z',
      acknowledged_at: '2024-03-06T11:05:00.000Z',
      resolved_at: '2024-03-06T12:30:00.000Z',
      ack_s: 300,
      resolve_s: 5_400,
    });
  });

  it('maps priority to severity, urgency when there is none, and teams through services', async () => {
    const rows = await f.all(
      "SELECT id, severity, target_s, team_id FROM d_incidents WHERE id IN ('I1', 'I3', 'I4', 'I11') ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 'I1', severity: 'SEV1', target_s: 3_600, team_id: 'payments' },
      { id: 'I11', severity: 'SEV2', target_s: 14_400, team_id: 'payments' },
      { id: 'I3', severity: 'SEV3', target_s: 86_400, team_id: 'payments' },
      { id: 'I4', severity: 'SEV3', target_s: 86_400, team_id: 'platform' },
    ]);
  });

  it('tells monitoring from human detection and finds escalations, including a priority raise', async () => {
    const rows = await f.all(
      "SELECT id, detection, escalated, priority_raised FROM d_incidents WHERE id IN ('I1', 'I2', 'I10') ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 'I1', detection: 'monitoring', escalated: true, priority_raised: false },
      { id: 'I10', detection: 'monitoring', escalated: false, priority_raised: false },
      { id: 'I2', detection: 'human', escalated: true, priority_raised: true },
    ]);
  });

  it('normalises titles into alert-rule signatures', async () => {
    const sigs = await f.all<{ signature: string }>(
      "SELECT DISTINCT signature FROM d_incidents WHERE id IN ('I6', 'I7', 'I8', 'I9', 'I1')",
    );
    expect(sigs.map((s) => s.signature).sort()).toEqual([
      'PSVC1:checkout latency high on <host>',
      'SSVC1:disk usage <n>% on <host>',
    ]);
  });
});

describe('attribution', () => {
  it('attributes by window to the latest deployment of the team within 24 h, with evidence', async () => {
    const a = await row<{ cause: string; method: string; deployment_id: string; evidence: string; evidence_text: string }>(
      "SELECT cause, method, deployment_id, evidence, evidence_text FROM d_attribution WHERE incident_id = 'I1'",
    );
    expect(a).toMatchObject({ cause: 'change_caused', method: 'window', deployment_id: 'D3' });
    expect(JSON.parse(a?.evidence ?? '{}')).toMatchObject({ rule: 'window', deploymentId: 'D3', minutesBefore: 60 });
    expect(a?.evidence_text).toContain('60 min before');
  });

  it('lets an explicit SHA beat the window', async () => {
    const a = await row<{ method: string; deployment_id: string; evidence: string }>(
      "SELECT method, deployment_id, evidence FROM d_attribution WHERE incident_id = 'I2'",
    );
    expect(a).toMatchObject({ method: 'explicit_sha', deployment_id: 'D5' });
    expect(JSON.parse(a?.evidence ?? '{}')).toMatchObject({ foundIn: 'description', deploymentId: 'D5' });
  });

  it('lets a manual unlink beat both the SHA in a note and the window', async () => {
    expect(await row("SELECT cause, method, deployment_id FROM d_attribution WHERE incident_id = 'I3'")).toEqual({
      cause: 'not_change_caused',
      method: 'manual_unlink',
      deployment_id: null,
    });
  });

  it('says unknown for a service with no mapped repository, not change-caused otherwise', async () => {
    expect(await row("SELECT cause FROM d_attribution WHERE incident_id = 'I4'")).toEqual({ cause: 'unknown' });
    expect(await row("SELECT cause FROM d_attribution WHERE incident_id = 'I10'")).toEqual({ cause: 'not_change_caused' });
  });

  it('derives impact start from the earliest known candidate', async () => {
    const rows = await f.all(
      "SELECT id, impact_source, ttd_s, restore_s FROM d_incidents WHERE id IN ('I1', 'I2', 'I3', 'I10') ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 'I1', impact_source: 'deployment', ttd_s: 3_600, restore_s: 9_000 },
      { id: 'I10', impact_source: null, ttd_s: null, restore_s: null },
      { id: 'I2', impact_source: 'deployment', ttd_s: 5_400, restore_s: 12_600 },
      { id: 'I3', impact_source: 'explicit', ttd_s: 900, restore_s: 2_700 },
    ]);
  });

  it('marks change failures and rework on the deployments', async () => {
    const rows = await f.all(
      "SELECT id, caused_incidents, change_failed, is_rework FROM d_deployments WHERE id IN ('D3', 'D4', 'D5', 'D6') ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 'D3', caused_incidents: 1, change_failed: true, is_rework: false },
      { id: 'D4', caused_incidents: 1, change_failed: true, is_rework: true },
      { id: 'D5', caused_incidents: 1, change_failed: true, is_rework: false },
      { id: 'D6', caused_incidents: 0, change_failed: false, is_rework: false },
    ]);
  });
});

describe('noise and labels', () => {
  it('suggests non-actionable for an auto-resolved incident and for a flapping rule, and a human label wins', async () => {
    const rows = await f.all(
      "SELECT id, suggestion_code, flap_count, label, label_source FROM d_incidents WHERE id IN ('I5', 'I6', 'I7', 'I8', 'I9') ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 'I5', suggestion_code: 'auto_resolved', flap_count: 1, label: 'non_actionable', label_source: 'suggested' },
      { id: 'I6', suggestion_code: 'flapping', flap_count: 3, label: 'non_actionable', label_source: 'human' },
      { id: 'I7', suggestion_code: 'flapping', flap_count: 3, label: 'non_actionable', label_source: 'suggested' },
      { id: 'I8', suggestion_code: 'flapping', flap_count: 3, label: 'non_actionable', label_source: 'suggested' },
      { id: 'I9', suggestion_code: null, flap_count: 1, label: 'actionable', label_source: 'suggested' },
    ]);
  });
});

describe('page facts', () => {
  it('places 21:59 in off hours and 22:00 in sleep hours in the recipient zone', async () => {
    const rows = await f.all("SELECT id, hour_class, night_date FROM d_pages WHERE id IN ('N1', 'N2') ORDER BY id");
    expect(rows).toEqual([
      { id: 'N1', hour_class: 'off', night_date: null },
      { id: 'N2', hour_class: 'sleep', night_date: '2024-03-06' },
    ]);
  });

  it('follows the daylight-saving change through the night', async () => {
    const rows = await f.all(
      "SELECT id, strftime(local_time, '%H:%M') AS local, hour_class, night_date, sleep_interruption FROM d_pages WHERE id IN ('N3', 'N4', 'N5', 'N6') ORDER BY started_at",
    );
    expect(rows).toEqual([
      { id: 'N3', local: '23:30', hour_class: 'sleep', night_date: '2024-03-30', sleep_interruption: true },
      { id: 'N4', local: '01:30', hour_class: 'sleep', night_date: '2024-03-30', sleep_interruption: true },
      { id: 'N5', local: '03:30', hour_class: 'sleep', night_date: '2024-03-30', sleep_interruption: true },
      { id: 'N6', local: '08:30', hour_class: 'off', night_date: null, sleep_interruption: false },
    ]);
  });

  it('starts a new interruption more than 5 minutes after the first page of the current one', async () => {
    const rows = await f.all<{ id: string; interruption_start: boolean }>(
      "SELECT id, interruption_start FROM d_pages WHERE user_id = 'U2' AND id IN ('N7', 'N8', 'N9', 'N10') ORDER BY started_at",
    );
    expect(rows.map((r) => r.interruption_start)).toEqual([true, false, true, true]);
  });

  it('links a page by the nearest notify entry when the id is missing, and ignores e-mail', async () => {
    expect(await row("SELECT incident_id, link_method FROM d_pages WHERE id = 'N12'")).toEqual({
      incident_id: 'I5',
      link_method: 'nearest',
    });
    expect(await row("SELECT count(*) AS n FROM d_pages WHERE id = 'N13'")).toEqual({ n: 0 });
  });

  it('falls back to the configured zone for an unknown zone and knows who was on call', async () => {
    expect(await row("SELECT zone, on_call FROM d_pages WHERE id = 'N14'")).toEqual({ zone: 'UTC', on_call: false });
    expect(await row("SELECT on_call, oncall_schedule_id FROM d_pages WHERE id = 'N1'")).toEqual({
      on_call: true,
      oncall_schedule_id: 'PSCHED',
    });
  });

  it('cuts on-call shifts into business, off and sleep hours in the person zone', async () => {
    // U1's first week (CET, UTC+1): 5 weekdays x 10 h business = 50 h; sleep 10 h per night x 7 = 70 h
    // (the shift starts at 01:00 local on Monday and ends at 01:00 local on the next Monday, so the
    // 22:00-08:00 nights add up to 7 x 10 h); off hours the rest: 168 - 50 - 70 = 48 h.
    const rows = await f.all(
      "SELECT hour_class, sum(hours) AS h FROM d_oncall_pieces WHERE user_id = 'U1' AND start_at < '2024-03-11' GROUP BY hour_class ORDER BY hour_class",
    );
    expect(rows).toEqual([
      { hour_class: 'business', h: 50 },
      { hour_class: 'off', h: 48 },
      { hour_class: 'sleep', h: 70 },
    ]);
  });
});
