// The web app's API client against the real API (Hono over the hand-built scenario's DuckDB): typed
// URLs, the error envelope as an ApiFailure with the server's message and hint, the reviewer's name
// on writes, the data version of each answer, and the cached resources that follow it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import { ApiClient, ApiFailure } from '../../web/src/api/client.ts';
import { DataModel } from '../../web/src/models/data.ts';
import type { Fixture } from '../metrics/fixture.ts';
import { buildScenario } from '../metrics/scenario.ts';

let f: Fixture;
let app: ReturnType<typeof createApp>;
const versions: number[] = [];
let actor: string | null = null;

function client(): ApiClient {
  return new ApiClient({
    origin: 'http://vigil.test',
    actor: () => actor,
    fetch: (input, init) => Promise.resolve(app.request(`http://vigil.test${String(input)}`, init)),
    onDataVersion: (v) => versions.push(v),
  });
}

beforeAll(async () => {
  f = await buildScenario();
  await f.refresh();
  app = createApp({ db: f.db, config: f.config, log: () => {} });
});
afterAll(() => f.close());

describe('ApiClient', () => {
  it('builds typed URLs with repeated filters and reads the answer', async () => {
    const api = client();
    const url = api.metricUrl('lead-time', {
      from: '2024-03-01',
      to: '2024-03-31',
      grain: 'month',
      team: ['payments'],
      repo: [],
    });
    expect(url).toBe('/api/metrics/lead-time?from=2024-03-01&to=2024-03-31&grain=month&team=payments');
    const body = await api.get<{ rows: { median: number }[] }>(url);
    expect(body.rows[0]?.median).toBe(169_200);
    expect(versions.at(-1)).toBe(f.db.dataVersion);
    expect(api.recordsUrl('incidents', { severity: ['SEV1', 'SEV2'], limit: 5 }, true)).toBe(
      '/api/incidents.csv?severity=SEV1&severity=SEV2&limit=5',
    );
    expect(api.paths.syncStatus).toBe('/api/sync/status');
  });

  it('turns the error envelope into an ApiFailure with the message, hint and parameter', async () => {
    const api = client();
    const failure = await api.get(api.metricUrl('lead-time', { team: ['nope'] })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure).toMatchObject({ status: 400, code: 'bad_request', details: { parameter: 'team' } });
    expect((failure as ApiFailure).message).toContain('Unknown team "nope"');
    expect((failure as ApiFailure).hint).toContain('/api/teams');
  });

  it('sends the reviewer name with writes, and only then', async () => {
    const api = client();
    actor = null;
    const missing = await api
      .send('POST', api.paths.links, { incidentId: 'I10', deploymentId: 'D6', action: 'link' })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 400, code: 'actor_required' });
    actor = 'Zoë Reviewer';
    const done = await api.send<{ link: { createdBy: string } }>('POST', api.paths.links, {
      incidentId: 'I10',
      deploymentId: 'D6',
      action: 'link',
    });
    expect(done.link.createdBy).toBe('Zoë Reviewer');
  });

  it('says what to do when the server does not answer', async () => {
    const api = new ApiClient({ origin: 'http://vigil.test', fetch: () => Promise.reject(new TypeError('fetch failed')) });
    await expect(api.get('/api/health')).rejects.toMatchObject({
      status: 0,
      code: 'network',
      hint: expect.stringContaining('vigil serve'),
    });
  });
});

describe('DataModel', () => {
  it('loads a resource once, keeps it while reloading after an invalidation, and retries an error', async () => {
    const data = new DataModel(client());
    const url = client().metricUrl('incidents', { from: '2024-03-01', to: '2024-03-31', grain: 'month' });
    const first = data.resource<{ summary: { n: number }[] }>(url);
    expect(first.value.status).toBe('loading');
    await expect.poll(() => first.value.status).toBe('ready');
    expect(data.resource(url)).toBe(first);
    data.invalidate();
    const second = data.resource<{ summary: { n: number }[] }>(url);
    expect(second).not.toBe(first);
    expect(second.value).toMatchObject({ status: 'loading', data: first.value.data });
    await expect.poll(() => second.value.status).toBe('ready');

    const bad = data.resource(client().metricUrl('incidents', { team: ['nope'] }));
    await expect.poll(() => bad.value.status).toBe('error');
    data.dispose();
  });
});
