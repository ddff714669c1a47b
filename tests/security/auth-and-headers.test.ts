import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import { assertSafeBinding, readAuthSettings, requireActor } from '../../server/api/auth.ts';
import { parseConfig } from '../../server/config/load.ts';
import { openDatabase } from '../../server/db/index.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const config = parseConfig('/x/vigil.config.yaml', { teams: [{ id: 'core', name: 'Core' }], database: ':memory:' });
const auth = readAuthSettings({
  VIGIL_AUTH_TOKEN: 'a-long-enough-secret-token',
  VIGIL_USERS: 'ana:correct-horse,bo:battery-staple',
});

async function appWith(withAuth: boolean) {
  const db = await openDatabase(':memory:');
  const app = createApp({ db, config, ...(withAuth && auth ? { auth } : {}), log: () => {} });
  app.get('/api/test/read', (c) => c.json({ ok: true }));
  app.post('/api/test/write', async (c) => c.json({ actor: requireActor(c), body: await c.req.json() }));
  return { app, db };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('authentication', () => {
  it('leaves health open and requires credentials for everything else when on', async () => {
    const { app, db } = await appWith(true);
    expect((await app.request('/api/health')).status).toBe(200);
    const denied = await app.request('/api/test/read');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Basic realm="Vigil"/);
    expect((await denied.json()).error).toMatchObject({ code: 'unauthorized', hint: expect.any(String) });
    expect(
      (await app.request('/api/test/read', { headers: { authorization: 'Bearer a-long-enough-secret-token' } })).status,
    ).toBe(200);
    expect((await app.request('/api/test/read', { headers: { authorization: basic('ana', 'correct-horse') } })).status).toBe(200);
    expect((await app.request('/api/test/read', { headers: { authorization: basic('ana', 'wrong-password') } })).status).toBe(
      401,
    );
    expect((await app.request('/api/test/read', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    await db.close();
  });

  it('records the authenticated user as the writer, ignoring a claimed name', async () => {
    const { app, db } = await appWith(true);
    const res = await app.request('/api/test/write', {
      method: 'POST',
      headers: { authorization: basic('bo', 'battery-staple'), 'content-type': 'application/json', 'x-vigil-actor': 'mallory' },
      body: JSON.stringify({ x: 1 }),
    });
    expect(await res.json()).toEqual({ actor: 'bo', body: { x: 1 } });
    await db.close();
  });

  it('asks an anonymous writer for a name when auth is off', async () => {
    const { app, db } = await appWith(false);
    const anonymous = await app.request('/api/test/write', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anonymous.status).toBe(400);
    expect((await anonymous.json()).error.code).toBe('actor_required');
    const named = await app.request('/api/test/write', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vigil-actor': encodeURIComponent('Zoë Ng') },
      body: '{}',
    });
    expect((await named.json()).actor).toBe('Zoë Ng');
    await db.close();
  });

  it('rejects weak or malformed auth settings', () => {
    expect(() => readAuthSettings({ VIGIL_AUTH_TOKEN: 'short' })).toThrow(/at least 16/);
    expect(() => readAuthSettings({ VIGIL_USERS: 'ana' })).toThrow(/name:password/);
    expect(readAuthSettings({})).toBeUndefined();
  });

  it('refuses to bind beyond loopback without authentication', () => {
    expect(() => assertSafeBinding('0.0.0.0', undefined)).toThrow(/VIGIL_AUTH_TOKEN/);
    expect(() => assertSafeBinding('127.0.0.1', undefined)).not.toThrow();
    expect(() => assertSafeBinding('::1', undefined)).not.toThrow();
    expect(() => assertSafeBinding('0.0.0.0', auth)).not.toThrow();
  });

  it('exits 2 with the way out when `vigil serve --host 0.0.0.0` has no auth', async () => {
    const cwd = join(tempDir(), 'exposed');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'vigil.config.yaml'), 'teams:\n  - id: core\n    name: Core\n');
    const result = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], {
      cwd,
      env: { VIGIL_AUTH_TOKEN: '', VIGIL_USERS: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Refusing to listen on 0\.0\.0\.0 without authentication.*VIGIL_AUTH_TOKEN/);
  });
});

describe('security headers and write protection', () => {
  it('sends a CSP, nosniff and frame-ancestors on every response', async () => {
    const { app, db } = await appWith(false);
    for (const path of ['/api/health', '/api/missing']) {
      const res = await app.request(path);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    await db.close();
  });

  it('refuses cross-site writes, non-JSON bodies and oversized bodies with the JSON envelope', async () => {
    const { app, db } = await appWith(false);
    const headers = { 'content-type': 'application/json', 'x-vigil-actor': 'ana', host: 'localhost' };
    const cross = await app.request('http://localhost/api/test/write', {
      method: 'POST',
      headers: { ...headers, origin: 'https://evil.example' },
      body: '{}',
    });
    expect(cross.status).toBe(403);
    expect((await cross.json()).error.code).toBe('cross_origin');
    const form = await app.request('/api/test/write', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-vigil-actor': 'ana' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    const huge = await app.request('/api/test/write', {
      method: 'POST',
      headers: { ...headers, 'content-length': String(2 * 1024 * 1024) },
      body: JSON.stringify({ note: 'x'.repeat(2 * 1024 * 1024 - 20) }),
    });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe('payload_too_large');
    const malformed = await app.request('/api/test/write', { method: 'POST', headers, body: '{"unclosed": ' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.message).toMatch(/Malformed JSON/);
    await db.close();
  });
});
