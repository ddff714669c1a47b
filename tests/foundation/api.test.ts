import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import { ApiError } from '../../server/api/errors.ts';
import { resolveInside } from '../../server/api/static.ts';
import { parseConfig } from '../../server/config/load.ts';
import { openDatabase, SCHEMA_VERSION } from '../../server/db/index.ts';

const config = parseConfig('/x/vigil.config.yaml', { teams: [{ id: 'core', name: 'Core' }], database: ':memory:' });

describe('the API skeleton', () => {
  it('answers health with version, schema and last sync per source', async () => {
    const db = await openDatabase(':memory:');
    await db.run(
      "INSERT INTO sync_runs (source, trigger, started_at, ended_at, status) VALUES ('github', 'cli', '2024-01-01T00:00:00Z', '2024-01-01T00:01:00Z', 'succeeded')",
    );
    const app = createApp({ db, config });
    const res = await app.request('/api/health');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', schemaVersion: SCHEMA_VERSION, lastSync: { pagerduty: null } });
    expect(body.lastSync.github).toMatchObject({ status: 'succeeded', startedAt: '2024-01-01T00:00:00.000Z' });
    await db.close();
  });

  it('answers health from memory while a changed database is read again behind it', async () => {
    const db = await openDatabase(':memory:');
    const app = createApp({ db, config });
    const health = async () => (await (await app.request('/api/health')).json()).lastSync.github;
    expect(await health()).toBeNull();
    await db.run(
      "INSERT INTO sync_runs (source, trigger, started_at, status) VALUES ('github', 'cli', '2024-01-01T00:00:00Z', 'running')",
    );
    db.bumpVersion();
    // The first probe after a change answers at once with what was known; the read it started
    // gives the next one the new run.
    expect(await health()).toBeNull();
    let next = await health();
    for (let i = 0; i < 100 && next === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      next = await health();
    }
    expect(next).toMatchObject({ status: 'running' });
    await db.close();
  });

  it('answers unknown API paths with the JSON error envelope', async () => {
    const db = await openDatabase(':memory:');
    const res = await createApp({ db, config }).request('/api/no/such/thing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toMatch(/GET \/api\/no\/such\/thing/);
    expect(body.error.hint).toBeTruthy();
    await db.close();
  });

  it('renders thrown errors in one envelope and hides internal ones', async () => {
    const db = await openDatabase(':memory:');
    const logged: string[] = [];
    const app = createApp({ db, config, log: (m) => logged.push(m) });
    app.get('/boom/api-error', () => {
      throw new ApiError(409, 'conflict', 'Stale write.', 'Reload and try again.', { current: { version: 2 } });
    });
    app.get('/boom/internal', () => {
      throw new Error('secret internals');
    });
    const conflict = await app.request('/boom/api-error');
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({
      error: { code: 'conflict', message: 'Stale write.', hint: 'Reload and try again.', current: { version: 2 } },
    });
    const internal = await app.request('/boom/internal');
    expect(internal.status).toBe(500);
    const body = await internal.json();
    expect(body.error.code).toBe('internal');
    expect(JSON.stringify(body)).not.toContain('secret internals');
    expect(logged.join('\n')).toContain('secret internals');
    await db.close();
  });

  it('never resolves a static path outside the web folder', () => {
    const root = '/srv/vigil/dist/web';
    expect(resolveInside(root, '/assets/app.js')).toBe('/srv/vigil/dist/web/assets/app.js');
    for (const attack of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc/passwd',
      '/a/%00',
      '/..\\..\\x',
      '/%E0%A4%A',
    ]) {
      const resolved = resolveInside(root, attack);
      expect(resolved === null || resolved.startsWith(`${root}/`), attack).toBe(true);
    }
  });
});
