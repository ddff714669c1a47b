// GET /api/sync/status and POST /api/sync through Hono, with the real sync service syncing one
// repository of the small organisation from the GitHub stand-in into an in-memory DuckDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncService, type SyncService } from '../../../collectors/index.ts';
import { createApp } from '../../../server/api/app.ts';
import type { VigilConfig } from '../../../server/config/schema.ts';
import { type Database, openDatabase } from '../../../server/db/index.ts';
import { configFor, startWorld, TOKEN, type World } from './support.ts';

let world: World;
let db: Database;
let config: VigilConfig;
let service: SyncService;
let app: ReturnType<typeof createApp>;

const post = (body?: string) =>
  app.request('/api/sync', {
    method: 'POST',
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
  });

beforeAll(async () => {
  world = await startWorld();
  db = await openDatabase(':memory:');
  const first = world.store.repos[0]?.fullName;
  config = configFor(world, ':memory:', (r) => r === first);
  service = await createSyncService(db, config, {
    env: { GITHUB_TOKEN: TOKEN },
    afterSync: null,
    log: () => {},
    github: { retryAfterBaseValue: 1 },
    schedule: true,
  });
  app = createApp({ db, config, sync: service, log: () => {} });
});

afterAll(async () => {
  await service?.stop();
  await db?.close();
  await world?.close();
});

describe('the sync API', () => {
  it('reports no runs yet, and when the next scheduled one is', async () => {
    const response = await app.request('/api/sync/status');
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ running: [], lastRuns: {}, recent: [], progress: {} });
    expect(body.schedule.github.cron).toBe('*/30 * * * *');
    expect(Date.parse(body.schedule.github.nextRunAt)).toBeGreaterThan(Date.now());
  });

  it('starts a sync, reports one already running instead of starting a second, and shows its progress', async () => {
    const started = await post();
    expect(started.status).toBe(202);
    expect(await started.json()).toEqual({ started: ['github'], alreadyRunning: [], unavailable: [] });
    const again = await post(JSON.stringify({ sources: ['github'] }));
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ started: [], alreadyRunning: ['github'], unavailable: [] });

    const during = await (await app.request('/api/sync/status')).json();
    expect(during.running).toHaveLength(1);
    expect(during.running[0]).toMatchObject({ source: 'github', status: 'running', trigger: 'api' });
    expect(during.progress.github.scopes[0].scope).toBe(config.teams.flatMap((t) => t.repos)[0]?.name);

    const result = await service.current('github');
    expect(result?.status, result?.error ?? '').toBe('succeeded');
    const after = await (await app.request('/api/sync/status')).json();
    expect(after.running).toEqual([]);
    expect(after.lastRuns.github).toMatchObject({ status: 'succeeded', trigger: 'api', error: null });
    expect(after.lastRuns.github.requests).toBeGreaterThan(0);
    expect(after.lastRuns.github.recordsWritten).toBeGreaterThan(0);
    expect(after.lastRuns.github.rateLimitRemaining).toBe(5000 - after.lastRuns.github.requests);
    expect(after.recent).toHaveLength(1);
    expect(Object.keys(after.lastRuns.github.streams)).toEqual(
      expect.arrayContaining(['deployments', 'deployment_statuses', 'compare', 'pulls', 'pull_commits']),
    );
  });

  it('answers 400 for a source it cannot sync or a malformed body, with what to send instead', async () => {
    const pagerduty = await post(JSON.stringify({ sources: ['pagerduty'] }));
    expect(pagerduty.status).toBe(400);
    expect((await pagerduty.json()).error).toMatchObject({ code: 'bad_request', unavailable: ['pagerduty'] });
    const unknown = await post(JSON.stringify({ sources: ['jira'] }));
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.message).toContain('github, pagerduty');
    const broken = await post('{"sources": [');
    expect(broken.status).toBe(400);
    expect((await broken.json()).error).toMatchObject({ code: 'bad_request', hint: expect.stringContaining('"sources"') });
  });

  it('says so when the server runs without collectors', async () => {
    const bare = createApp({ db, config, log: () => {} });
    const response = await bare.request('/api/sync/status');
    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe('sync_unavailable');
  });
});
