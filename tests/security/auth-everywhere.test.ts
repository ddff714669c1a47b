// With authentication on, nothing under /api answers without it: every route of the app's own
// table (so a new one is covered without editing this file), every method, with no, wrong or
// malformed credentials, gets a 401 in the JSON envelope with a challenge; only GET /api/health
// stays open. Then the web app behind basic auth in headless Chromium: every page loads with the
// browser's credentials on each API call and no error; without credentials every page says that
// the server needs a sign-in, rather than failing silently.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import { readAuthSettings } from '../../server/api/auth.ts';
import { parseConfig } from '../../server/config/load.ts';
import { openDatabase } from '../../server/db/index.ts';
import { appRoutes, type Era, eraOf, isWrite, knownValues, type Route } from '../reliability/endpoints.ts';
import { type ServedVigil, serveWorld, startVigilWorld, type VigilWorld } from '../reliability/world.ts';
import { launchBrowser, openPage, screenshot, settle } from '../support/browser.ts';
import { tempDir } from '../support/tmp.ts';

const TOKEN = 'auth-everywhere-token-0123456789';
const USER = { username: 'ana', password: 'correct-horse-battery' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const root = tempDir('vigil-auth-web-');
let routes: Route[];

beforeAll(async () => {
  routes = await appRoutes();
});

/** A concrete path for a route template. */
const pathOf = (route: Route) => route.path.replace(/:(\w+)/g, 'X1');

describe('every API route with authentication on', () => {
  it('refuses anyone without valid credentials, whatever the method, and keeps only health open', async () => {
    const db = await openDatabase(':memory:');
    const auth = readAuthSettings({ VIGIL_AUTH_TOKEN: TOKEN, VIGIL_USERS: `${USER.username}:${USER.password}` });
    const app = createApp({
      db,
      config: parseConfig('auth.yaml', { teams: [{ id: 'core', name: 'Core' }], database: ':memory:' }),
      ...(auth ? { auth } : {}),
      log: () => {},
    });
    const wrong = [
      undefined,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      'Bearer ',
      `bearer  ${TOKEN} extra`,
      basic(USER.username, 'wrong-password'),
      basic('mallory', USER.password),
      basic(USER.username, ''),
      `Basic ${Buffer.from(USER.password).toString('base64')}`,
      'Basic !!!',
      `Token token=${TOKEN}`,
      TOKEN,
    ];
    const writes = routes.filter(isWrite);
    expect(writes.length).toBeGreaterThanOrEqual(7);
    let refused = 0;
    try {
      for (const route of routes) {
        for (const authorization of wrong) {
          const init: RequestInit = {
            method: route.method,
            headers: {
              ...(authorization !== undefined ? { authorization } : {}),
              'content-type': 'application/json',
              'x-vigil-actor': 'mallory',
            },
            ...(isWrite(route) ? { body: '{}' } : {}),
          };
          const res = await app.request(pathOf(route), init);
          if (route.method === 'GET' && route.path === '/api/health') {
            expect(res.status).toBe(200);
            continue;
          }
          expect(res.status, `${route.method} ${route.path} with ${authorization ?? 'nothing'}`).toBe(401);
          expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="Vigil"/);
          expect((await res.json()).error).toMatchObject({ code: 'unauthorized', hint: expect.stringMatching(/sign in/i) });
          refused++;
        }
        // Valid credentials get past the door (to whatever the handler says about an empty request).
        for (const authorization of [`Bearer ${TOKEN}`, basic(USER.username, USER.password)]) {
          const res = await app.request(pathOf(route), {
            method: route.method,
            headers: { authorization, 'content-type': 'application/json' },
            ...(isWrite(route) ? { body: '{}' } : {}),
          });
          expect(res.status, `${route.method} ${route.path} signed in`).not.toBe(401);
        }
      }
      // Methods no route has are refused the same way before anything else is said.
      for (const method of ['PATCH', 'OPTIONS', 'PUT', 'DELETE']) {
        expect((await app.request('/api/teams', { method })).status, method).toBe(401);
      }
    } finally {
      await db.close();
    }
    expect(refused).toBe((routes.length - 1) * wrong.length);
  });
});

describe('GET /api/health with authentication on', () => {
  it('answers everyone, but tells the last sync errors (repositories, hosts) only to who is signed in', async () => {
    const db = await openDatabase(':memory:');
    const auth = readAuthSettings({ VIGIL_AUTH_TOKEN: TOKEN });
    const app = createApp({
      db,
      config: parseConfig('auth.yaml', { teams: [{ id: 'core', name: 'Core' }], database: ':memory:' }),
      ...(auth ? { auth } : {}),
      log: () => {},
    });
    const secret = 'GitHub has no repository acme/secret-merger-2027 (teams[0].repos[3] in the config)';
    await db.run(
      `INSERT INTO sync_runs (source, trigger, started_at, ended_at, status, error) VALUES ('github', 'schedule', now(), now(), 'partial', $secret)`,
      { secret },
    );
    try {
      const open = await app.request('/api/health');
      expect(open.status).toBe(200);
      const anonymous = await open.json();
      expect(anonymous.lastSync.github).toMatchObject({ status: 'partial', error: null });
      expect(JSON.stringify(anonymous)).not.toContain('secret-merger');
      for (const authorization of [`Bearer ${TOKEN}x`, 'Basic !!!']) {
        expect(
          (await (await app.request('/api/health', { headers: { authorization } })).json()).lastSync.github.error,
        ).toBeNull();
      }
      const signedIn = await (await app.request('/api/health', { headers: { authorization: `Bearer ${TOKEN}` } })).json();
      expect(signedIn.lastSync.github.error).toBe(secret);
    } finally {
      await db.close();
    }
  });
});

describe('the web app behind basic authentication', () => {
  let world: VigilWorld;
  let served: ServedVigil;
  let browser: Browser;
  let era: Era;

  beforeAll(async () => {
    browser = await launchBrowser();
    // The organisation's clock at the start of today: the pages' default ranges hold its data.
    const today = `${new Date().toISOString().slice(0, 10)}T00:00:00Z`;
    era = eraOf(today);
    world = await startVigilWorld({ dir: root, repos: 3, anchor: today });
    for (const result of await world.syncNow()) expect(result.status, result.error ?? '').toBe('succeeded');
    served = await serveWorld(world, { VIGIL_USERS: `${USER.username}:${USER.password}` });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await world?.close();
  });

  it('loads every page signed in, every API call answered', async () => {
    const known = await knownValues(served.url, { authorization: basic(USER.username, USER.password) }, era);
    // The browser signs in as a user does at its password prompt (Playwright answers the prompt).
    const context = await browser.newContext({ httpCredentials: USER, viewport: { width: 1280, height: 900 } });
    const answered: number[] = [];
    context.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) answered.push(r.status());
    });
    const pages = [
      '/',
      '/deployments',
      '/incidents',
      '/on-call',
      '/review',
      '/sync',
      '/definitions',
      `/incidents/${known.incidents[0]}`,
      `/deployments/${known.deployments[0]}`,
    ];
    for (const path of pages) {
      const { page, problems } = await openPage(context);
      await page.goto(`${served.url}${path}`);
      await settle(page);
      expect(problems, `${path}: ${problems.join('\n')}`).toEqual([]);
      expect(await page.locator('.state-error').count(), `${path} shows an error`).toBe(0);
      await page.close();
    }
    expect(answered.length).toBeGreaterThan(pages.length * 3);
    expect(answered.filter((s) => s !== 200 && s !== 304)).toEqual([]);
    await context.close();
  });

  it('tells a visitor who cannot sign in that the server needs it', async () => {
    // Wrong credentials at the prompt (or the prompt dismissed): every API call gets its 401.
    const context = await browser.newContext({ httpCredentials: { username: USER.username, password: 'wrong-password' } });
    const { page } = await openPage(context);
    const answers: number[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/') && !r.url().endsWith('/api/health')) answers.push(r.status());
    });
    await page.goto(`${served.url}/`);
    const error = page.locator('.state-error').first();
    await error.waitFor({ timeout: 30_000 });
    await screenshot(page, 'auth-signed-out');
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((s) => s === 401)).toBe(true);
    expect(await error.textContent()).toMatch(/requires authentication/);
    await context.close();
  });
});
