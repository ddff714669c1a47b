// Tokens never leave the process that holds them. Known tokens are planted (GITHUB_TOKEN,
// PAGERDUTY_TOKEN, VIGIL_AUTH_TOKEN), then Vigil is made to do everything that could write one
// somewhere: syncs through faults and through revoked tokens (errors, retries, kept bad pages,
// stored request URLs), with VIGIL_DEBUG=1 for the most verbose logs; every GET endpoint as JSON and
// CSV; wrong credentials; `vigil sync` and `vigil export` from the command line; a web build made
// with the tokens in its environment; and `vigil demo`, which writes a config file. Then every
// output is searched: the processes' stdout and stderr, the text of every column of every table,
// the database file's bytes, every CSV and API answer, the web bundle, the demo's files and log.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/index.ts';
import { startDemo } from '../../server/demo/demo.ts';
import { PROJECT_ROOT } from '../../server/lib/version.ts';
import { recordKinds } from '../../server/metrics/records/index.ts';
import { appRoutes, getUrls, knownValues } from '../reliability/endpoints.ts';
import { type ServedVigil, serveWorld, startVigilWorld, syncThroughApi, type VigilWorld } from '../reliability/world.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const PLANTED = {
  GITHUB_TOKEN: 'ghp_PLANTEDgh7Q2mX9vK4tR8wZ1bN5cL3dF6',
  PAGERDUTY_TOKEN: 'u+PLANTEDpdY7eC2hJ9kM4nP6qS8',
  VIGIL_AUTH_TOKEN: 'vigil-PLANTED-auth-3fA9kQ2mZ7xW4pL8',
} as const;

/** Each token as written, URL-encoded, base64 (an Authorization header), and its distinctive middle. */
const needles: [string, string][] = Object.entries(PLANTED).flatMap(([name, token]) => [
  [name, token],
  [`${name} (URL-encoded)`, encodeURIComponent(token)],
  [`${name} (base64)`, Buffer.from(token).toString('base64')],
  [`${name} (a fragment)`, token.slice(6, 22)],
]);

function leaks(where: string, text: string): string[] {
  return needles.filter(([, needle]) => text.includes(needle)).map(([name]) => `${name} in ${where}`);
}

// The search finds each form of each token (a '+' or '-' in it changes nothing).
for (const [name, token] of Object.entries(PLANTED)) {
  if (leaks('probe', `…${encodeURIComponent(token)}…`).length === 0) throw new Error(`the search misses ${name}`);
}

const auth = { authorization: `Bearer ${PLANTED.VIGIL_AUTH_TOKEN}` };
const root = tempDir('vigil-tokens-');
let world: VigilWorld;
let served: ServedVigil;
const found: string[] = [];
const checked: Record<string, number> = {};

function search(kind: string, where: string, text: string): void {
  checked[kind] = (checked[kind] ?? 0) + 1;
  found.push(...leaks(where, text));
}

beforeAll(async () => {
  world = await startVigilWorld({
    dir: join(root, 'world'),
    repos: 2,
    pagerdutyHistoryDays: 30,
    tokens: { github: PLANTED.GITHUB_TOKEN, pagerduty: PLANTED.PAGERDUTY_TOKEN },
  });
}, 60_000);

afterAll(async () => {
  await served?.stop();
  await world?.close();
});

describe('planted tokens', () => {
  it('appear in no log, error, table, stored URL, export, API answer or page of a running Vigil', async () => {
    const [repo] = world.config.teams.flatMap((t) => t.repos.map((r) => r.name));
    // Faults that make the collectors retry, wait, keep unreadable pages and record errors.
    world.gh.faults.add({
      kind: 'secondary-rate-limit',
      endpoint: 'GET /repos/{owner}/{repo}/compare/{basehead}',
      retryAfter: 1,
    });
    world.gh.faults.add({ kind: 'truncate', path: `/repos/${repo}/pulls?*`, declare: 'sent', count: 'always' });
    world.pd.faults.add({ kind: 'status', endpoint: 'GET /users', status: 503, count: 1 });
    world.pd.faults.add({ kind: 'rate-limit', endpoint: 'GET /notifications', retryAfter: 1, count: 1 });
    world.pd.faults.add({ kind: 'truncate', endpoint: 'GET /notifications', declare: 'sent', count: 'always' });
    served = await serveWorld(world, { VIGIL_AUTH_TOKEN: PLANTED.VIGIL_AUTH_TOKEN, VIGIL_DEBUG: '1' });

    const first = await syncThroughApi(served.url, auth);
    expect(Object.values(first).map((r) => r.status)).toEqual(['partial', 'partial']);
    // Tokens revoked mid-run: the collectors stop with the 401 and say which variable to check.
    world.gh.faults.clear();
    world.pd.faults.clear();
    world.gh.faults.add({ kind: 'revoke-token', skip: 3 });
    world.pd.faults.add({ kind: 'revoke-token', skip: 3 });
    const revoked = await syncThroughApi(served.url, auth);
    expect(revoked.github?.error).toMatch(/GITHUB_TOKEN/);
    expect(revoked.pagerduty?.error).toMatch(/PAGERDUTY_TOKEN/);
    world.gh.faults.clear();
    world.pd.faults.clear();

    // Wrong credentials are refused without being echoed.
    for (const authorization of [
      `Bearer ${PLANTED.VIGIL_AUTH_TOKEN}x`,
      `Basic ${Buffer.from(`admin:${PLANTED.VIGIL_AUTH_TOKEN}`).toString('base64')}`,
      `Token token=${PLANTED.GITHUB_TOKEN}`,
    ]) {
      const res = await fetch(`${served.url}/api/teams`, { headers: { authorization } });
      expect(res.status).toBe(401);
      search('API answer', `401 to ${authorization.split(' ')[0]}`, `${JSON.stringify([...res.headers])}${await res.text()}`);
    }

    // Every GET endpoint, JSON and CSV, plus the user-data backup.
    const routes = await appRoutes();
    const known = await knownValues(served.url, auth);
    const urls = [...getUrls(routes, known), '/api/admin/user-data'];
    for (const url of urls) {
      const res = await fetch(`${served.url}${url}`, { headers: auth });
      expect(res.status, url).toBe(200);
      search(url.includes('.csv') ? 'CSV export' : 'API answer', url, `${JSON.stringify([...res.headers])}${await res.text()}`);
    }
    const backup = await fetch(`${served.url}/api/admin/backup`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"kind":"user-data"}',
    });
    search('API answer', 'POST /api/admin/backup', await backup.text());
    // The web app's pages and assets as served.
    const index = await (await fetch(`${served.url}/`)).text();
    search('web page', '/', index);
    for (const asset of index.match(/\/assets\/[^"']+/g) ?? []) {
      search('web page', asset, await (await fetch(`${served.url}${asset}`)).text());
    }

    expect(await served.stop()).toBe(0);
    search('server output', 'vigil serve stdout and stderr', served.output());
    // It logged the retries and the kept pages, with their URLs.
    expect(served.output()).toMatch(/not valid JSON for http:\/\/127\.0\.0\.1:\d+\/\S+/);

    // The command line: a sync that meets a revoked token, then every record kind and a metric as CSV.
    world.gh.faults.add({ kind: 'revoke-token', skip: 2 });
    const sync = await runCli(['sync', '--config', world.configFile], {
      env: { ...world.env, VIGIL_DEBUG: '1' },
      timeoutMs: 120_000,
    });
    world.gh.faults.clear();
    expect(sync.stdout + sync.stderr).toMatch(/GITHUB_TOKEN/);
    search('CLI output', 'vigil sync', sync.stdout + sync.stderr);
    for (const what of [...recordKinds.map((k) => k.name), 'mttr']) {
      const out = await runCli(
        ['export', what, '--from', '2026-03-01', '--to', '2026-06-01', '--config', world.configFile, '--out', '-'],
        {
          env: world.env,
        },
      );
      expect(out.code, out.stderr).toBe(0);
      search('CSV export', `vigil export ${what}`, out.stdout + out.stderr);
    }

    // Every column of every table, as text; then the file's bytes.
    const db = await openDatabase(world.dbPath);
    try {
      const columns = await db.all<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name",
      );
      const tables = new Set(columns.map((c) => c.table_name));
      expect(tables.has('raw_github') && tables.has('sync_errors') && tables.has('sync_runs')).toBe(true);
      const stored = await db.all<{ n: number }>('SELECT count(*) AS n FROM sync_errors WHERE url IS NOT NULL');
      expect(stored[0]?.n, 'stored request URLs to search').toBeGreaterThan(0);
      // One pass per table: every column as text, each needle counted.
      for (const table of tables) {
        const cols = columns
          .filter((c) => c.table_name === table)
          .map((c) => `coalesce(CAST("${c.column_name}" AS VARCHAR), '')`);
        const row = await db.one<Record<string, number>>(
          `SELECT ${needles.map((_, i) => `count(*) FILTER (WHERE contains(text, $n${i})) AS n${i}`).join(', ')}
           FROM (SELECT concat_ws(chr(1), ${cols.join(', ')}) AS text FROM "${table}")`,
          Object.fromEntries(needles.map(([, needle], i) => [`n${i}`, needle])),
        );
        checked['table text'] = (checked['table text'] ?? 0) + 1;
        needles.forEach(([name], i) => {
          if ((row?.[`n${i}`] ?? 0) > 0) found.push(`${name} in table ${table}`);
        });
      }
    } finally {
      await db.close();
    }
    for (const file of readdirSync(world.dir)) {
      const path = join(world.dir, file);
      if (statSync(path).isFile()) search('database file', file, readFileSync(path).toString('latin1'));
    }

    expect(found, found.join('\n')).toEqual([]);
    console.log(`token-leak: searched ${JSON.stringify(checked)}`);
    expect(checked['CSV export']).toBeGreaterThan(recordKinds.length);
  }, 300_000);

  it('are not built into the web bundle, even with them in the build environment', () => {
    const out = join(root, 'web-build');
    execFileSync(
      process.execPath,
      [join(PROJECT_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error', '--outDir', out, '--emptyOutDir'],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...PLANTED, VITE_GITHUB_TOKEN: PLANTED.GITHUB_TOKEN },
        stdio: 'pipe',
      },
    );
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(out);
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    const leaked = files.flatMap((f) => leaks(f, readFileSync(f).toString('latin1')));
    expect(leaked, leaked.join('\n')).toEqual([]);
  }, 120_000);

  it('are not written into the config, state or log of `vigil demo`', async () => {
    const dir = join(root, 'demo');
    const saved = { ...process.env };
    Object.assign(process.env, PLANTED);
    const log: string[] = [];
    const demo = await startDemo({
      dir,
      seed: 3,
      size: 'small',
      host: '127.0.0.1',
      port: 0,
      fresh: true,
      cron: '0 0 1 1 *',
      log: (l) => log.push(l),
    });
    try {
      // The demo makes tokens of its own for its stand-ins; they stay in memory too.
      const demoTokens = /ghp_demo[0-9a-f]{24}|pd_demo[0-9a-f]{24}/;
      for (const file of ['vigil.config.yaml', 'demo.json']) {
        const text = readFileSync(join(dir, file), 'utf8');
        expect(leaks(file, text)).toEqual([]);
        expect(text).not.toMatch(demoTokens);
      }
      expect(readFileSync(join(dir, 'vigil.config.yaml'), 'utf8')).toMatch(/baseUrl: http:\/\/127\.0\.0\.1:\d+/);
      await new Promise((r) => setTimeout(r, 1000));
      expect(leaks('demo log', log.join('\n'))).toEqual([]);
      expect(log.join('\n')).not.toMatch(demoTokens);
    } finally {
      await demo.stop();
      process.env = saved;
    }
  }, 120_000);
});
