// Conformance of the PagerDuty stand-in to PagerDuty's official OpenAPI description (vendored at
// tests/stand-ins/pagerduty/openapi.json): every endpoint, several query shapes and include[]
// combinations each, bodies validated against the operation's 200 schema (errors against the
// documented error responses), and the rate-limit headers. The validator is shown to fail when a
// required field is missing.
import { beforeAll, describe, expect, it } from 'vitest';
import { dropPath, pagerdutySpecValidator, type SpecValidator } from './support/openapi-validator.ts';
import { pagerduty, pdGet, testOrg } from './support/org.ts';

describe('PagerDuty stand-in conforms to the OpenAPI description', async () => {
  const store = await testOrg();
  const pd = await pagerduty(store);
  let spec: SpecValidator;
  beforeAll(() => {
    spec = pagerdutySpecValidator();
  });

  const incidents = (await store.incidents({ all: true }, 0, 10_000)).items;
  const resolved = incidents.find((i) => i.status === 'resolved' && i.alertCount > 1)!;
  const open = incidents.find((i) => i.status !== 'resolved')!;
  const entry = (await store.logEntries({ incidentId: resolved.id }, 0, 1)).items[0]!;
  const alert = (await store.alerts(resolved.id, {}, 0, 1)).items[0]!;
  const service = store.services[0]!;
  const team = store.teams[0]!;
  const schedule = store.schedules[0]!;
  const ep = store.escalationPolicies[0]!;
  const user = store.users[0]!;
  const allIncidentIncludes = [
    'acknowledgers',
    'agents',
    'assignees',
    'conference_bridge',
    'escalation_policies',
    'first_trigger_log_entries',
    'priorities',
    'services',
    'teams',
    'users',
  ]
    .map((i) => `include[]=${i}`)
    .join('&');

  const cases: [string, string][] = [
    ['GET /incidents', '/incidents'],
    ['GET /incidents', '/incidents?date_range=all&limit=100&total=true'],
    ['GET /incidents', `/incidents?date_range=all&limit=100&${allIncidentIncludes}`],
    ['GET /incidents', `/incidents?date_range=all&statuses[]=triggered&statuses[]=acknowledged&${allIncidentIncludes}`],
    [
      'GET /incidents',
      `/incidents?since=2024-01-01T00:00:00Z&until=2024-06-30T00:00:00Z&service_ids[]=${service.id}&team_ids[]=${team.pdTeamId}&urgencies[]=high&sort_by=created_at:desc,incident_number:asc&time_zone=America/Los_Angeles`,
    ],
    ['GET /incidents', '/incidents?since=2024-01-01&until=2024-02-01&time_zone=Asia/Kolkata&offset=5&limit=5'],
    ['GET /incidents/{id}', `/incidents/${resolved.id}`],
    [
      'GET /incidents/{id}',
      `/incidents/${open.number}?include[]=body&include[]=acknowledgers&include[]=assignees&include[]=first_trigger_log_entries`,
    ],
    ['GET /incidents/{id}/log_entries', `/incidents/${resolved.id}/log_entries`],
    [
      'GET /incidents/{id}/log_entries',
      `/incidents/${resolved.id}/log_entries?include[]=incidents&include[]=services&include[]=channels&include[]=teams&time_zone=Europe/Berlin`,
    ],
    ['GET /incidents/{id}/log_entries', `/incidents/${resolved.id}/log_entries?is_overview=true&total=true`],
    ['GET /log_entries', '/log_entries?limit=100'],
    [
      'GET /log_entries',
      `/log_entries?since=2024-01-01T00:00:00Z&until=2024-03-01T00:00:00Z&team_ids[]=${team.pdTeamId}&total=true&include[]=incidents&limit=100`,
    ],
    ['GET /log_entries', '/log_entries?is_overview=true&limit=50&offset=50&time_zone=Australia/Sydney'],
    ['GET /log_entries/{id}', `/log_entries/${entry.id}?include[]=incidents`],
    ['GET /incidents/{id}/alerts', `/incidents/${resolved.id}/alerts`],
    [
      'GET /incidents/{id}/alerts',
      `/incidents/${resolved.id}/alerts?statuses[]=resolved&sort_by=created_at:desc&include[]=services&include[]=incidents&total=true`,
    ],
    ['GET /incidents/{id}/alerts', `/incidents/${open.id}/alerts?statuses[]=triggered&alert_key=${alert.alertKey}`],
    ['GET /notifications', '/notifications?since=2024-04-01T00:00:00Z&until=2024-06-30T00:00:00Z&limit=100'],
    [
      'GET /notifications',
      '/notifications?since=2024-04-01&until=2024-05-01&filter=push_notification&include[]=users&time_zone=America/New_York&total=true',
    ],
    ['GET /oncalls', '/oncalls'],
    [
      'GET /oncalls',
      `/oncalls?since=2024-05-01T00:00:00Z&until=2024-06-30T00:00:00Z&schedule_ids[]=${schedule.id}&include[]=users&include[]=schedules&include[]=escalation_policies&time_zone=Europe/Berlin`,
    ],
    [
      'GET /oncalls',
      `/oncalls?escalation_policy_ids[]=${ep.id}&user_ids[]=${user.pdId}&earliest=true&since=2024-05-01T00:00:00Z&until=2024-07-30T00:00:00Z`,
    ],
    ['GET /schedules', '/schedules'],
    [
      'GET /schedules',
      `/schedules?include[]=schedule_layers&query=${encodeURIComponent(schedule.name.slice(0, 3))}&team_ids[]=${team.pdTeamId}`,
    ],
    ['GET /schedules/{id}', `/schedules/${schedule.id}`],
    ['GET /schedules/{id}', `/schedules/${schedule.id}?since=2024-05-01T00:00:00Z&until=2024-06-01T00:00:00Z&time_zone=UTC`],
    ['GET /services', '/services'],
    [
      'GET /services',
      `/services?include[]=escalation_policies&include[]=teams&include[]=integrations&sort_by=name:desc&team_ids[]=${team.pdTeamId}`,
    ],
    ['GET /services/{id}', `/services/${service.id}?include[]=integrations`],
    ['GET /users', '/users'],
    [
      'GET /users',
      `/users?include[]=contact_methods&include[]=notification_rules&include[]=teams&team_ids[]=${team.pdTeamId}&query=${encodeURIComponent(user.name.split(' ')[0]!)}`,
    ],
    ['GET /users/{id}', `/users/${user.pdId}?include[]=contact_methods`],
    ['GET /teams', '/teams'],
    ['GET /teams', `/teams?query=${encodeURIComponent(team.name)}&limit=1`],
    ['GET /teams/{id}', `/teams/${team.pdTeamId}`],
    ['GET /priorities', '/priorities'],
    ['GET /escalation_policies', '/escalation_policies'],
    [
      'GET /escalation_policies',
      `/escalation_policies?include[]=services&include[]=teams&include[]=targets&user_ids[]=${user.pdId}&sort_by=name:asc`,
    ],
    ['GET /escalation_policies/{id}', `/escalation_policies/${ep.id}?include[]=services`],
  ];

  it.each(cases)('%s  %s', async (endpoint, path) => {
    const res = await pdGet(pd, path);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    spec.assert(endpoint, 200, body);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    for (const h of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) expect(res.headers.get(h), h).toMatch(/^\d+$/);
    if ('limit' in body) {
      expect(body).toMatchObject({ limit: expect.any(Number), offset: expect.any(Number), more: expect.any(Boolean) });
      expect(path.includes('total=true') ? typeof body.total : body.total).toBe(path.includes('total=true') ? 'number' : null);
    }
  });

  it('covers every endpoint the stand-in serves', () => {
    const served = new Set(cases.map(([e]) => e));
    for (const e of [
      'GET /incidents',
      'GET /incidents/{id}',
      'GET /incidents/{id}/log_entries',
      'GET /log_entries',
      'GET /incidents/{id}/alerts',
      'GET /notifications',
      'GET /oncalls',
      'GET /schedules',
      'GET /services',
      'GET /users',
      'GET /teams',
      'GET /priorities',
      'GET /escalation_policies',
    ]) {
      expect(served).toContain(e);
    }
  });

  it('answers errors in the documented error shape', async () => {
    const checks: [string, number, string][] = [
      ['GET /incidents', 400, '/incidents?since=2023-01-01T00:00:00Z&until=2024-01-01T00:00:00Z'],
      ['GET /log_entries', 400, '/log_entries?offset=10000'],
      ['GET /incidents/{id}', 404, '/incidents/NOPE'],
    ];
    for (const [endpoint, status, path] of checks) {
      const res = await pdGet(pd, path);
      expect(res.status).toBe(status);
      spec.assert(endpoint, status, await res.json());
    }
    const unauthorised = await fetch(`${pd.url}/incidents`);
    spec.assert('GET /incidents', 401, await unauthorised.json());
  });

  it('fails validation when a required field is missing', async () => {
    const mutilate: [string, string, string[]][] = [
      ['GET /incidents', '/incidents?date_range=all', ['incidents']],
      ['GET /incidents', '/incidents?date_range=all', ['incidents', '0', 'service', 'id']],
      [
        'GET /incidents',
        `/incidents?date_range=all&statuses[]=triggered&statuses[]=acknowledged`,
        ['incidents', '0', 'assignments', '0', 'at'],
      ],
      ['GET /incidents/{id}/log_entries', `/incidents/${resolved.id}/log_entries`, ['log_entries', '0', 'incident', 'type']],
      ['GET /notifications', '/notifications?since=2024-04-01&until=2024-05-01', ['notifications', '0', 'user', 'id']],
      ['GET /oncalls', '/oncalls', ['oncalls', '0', 'escalation_policy', 'id']],
      ['GET /escalation_policies', '/escalation_policies', ['escalation_policies', '0', 'escalation_rules', '0', 'targets']],
      ['GET /teams', '/teams', ['teams', '0', 'name']],
    ];
    for (const [endpoint, path, at] of mutilate) {
      const body: unknown = await (await pdGet(pd, path)).json();
      expect(spec.errors(endpoint, 200, body), endpoint).toEqual([]);
      dropPath(body, at);
      expect(spec.errors(endpoint, 200, body).length, `${endpoint} without ${at.join('.')}`).toBeGreaterThan(0);
    }
  });
});
