// Every fault switch of the stand-ins, programmatic and through the admin route: 5xx bursts, primary
// and secondary rate limits, a reset connection, truncated JSON, slow answers past a client's
// timeout, records appearing while a client pages, a revoked token and a vanished repository.
import { describe, expect, it, vi } from 'vitest';
import { GH_TOKEN, ghGet, github, nextLink, pagerduty, pdGet, pickRepos, testOrg } from './support/org.ts';

const DEPLOYMENTS = 'GET /repos/{owner}/{repo}/deployments';

describe('fault switches', async () => {
  const store = await testOrg();
  const gh = await github(store);
  const pd = await pagerduty(store);
  const repo = (await pickRepos(store)).deploys.fullName;
  const other = store.repos.find((r) => r.fullName !== repo)!.fullName;

  it('answers a burst of N consecutive 5xx, then recovers', async () => {
    gh.faults.add({ kind: 'status', status: [500, 502, 503], count: 3, endpoint: DEPLOYMENTS });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await ghGet(gh, `/repos/${repo}/deployments`)).status);
    expect(statuses).toEqual([500, 502, 503, 200]);
    pd.faults.add({ kind: 'status', status: 502, count: 2, endpoint: 'GET /incidents' });
    const r1 = await pdGet(pd, '/incidents');
    expect(r1.status).toBe(502);
    expect(await r1.json()).toMatchObject({ error: { code: 2000, message: 'Bad Gateway' } });
    expect((await pdGet(pd, '/incidents')).status).toBe(502);
    expect((await pdGet(pd, '/incidents')).status).toBe(200);
    expect(gh.stats.faults.status).toBe(3);
  });

  it('targets faults by endpoint, path glob, token, and skips the first requests', async () => {
    gh.faults.add({ kind: 'status', status: 500, path: '*page=2*', skip: 1, count: 1 });
    expect((await ghGet(gh, `/repos/${repo}/commits?page=2`)).status).toBe(200); // skipped
    expect((await ghGet(gh, `/repos/${repo}/commits?page=1`)).status).toBe(200); // does not match
    expect((await ghGet(gh, `/repos/${repo}/commits?page=2`)).status).toBe(500);
    expect((await ghGet(gh, `/repos/${repo}/commits?page=2`)).status).toBe(200); // used up
    gh.faults.add({ kind: 'status', status: 503, token: 'someone-else', count: 'always' });
    expect((await ghGet(gh, `/repos/${repo}/commits`)).status).toBe(200);
    gh.faults.clear();
  });

  it('simulates primary rate-limit exhaustion in each API’s own shape', async () => {
    gh.faults.add({ kind: 'rate-limit', endpoint: DEPLOYMENTS, retryAfter: 30 });
    const res = await ghGet(gh, `/repos/${repo}/deployments`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    gh.faults.add({ kind: 'rate-limit', limitStatus: 429 });
    expect((await ghGet(gh, `/repos/${repo}/deployments`)).status).toBe(429);
    pd.faults.add({ kind: 'rate-limit', retryAfter: 7 });
    const limited = await pdGet(pd, '/incidents');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-reset')).toBe('7');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('simulates GitHub’s secondary rate limit with its message and retry-after', async () => {
    gh.faults.add({ kind: 'secondary-rate-limit', retryAfter: 2 });
    const res = await ghGet(gh, `/repos/${repo}/releases`);
    expect(res.status).toBe(403);
    expect(res.headers.get('retry-after')).toBe('2');
    expect((await res.json()).message).toMatch(/^You have exceeded a secondary rate limit/);
  });

  it('resets the connection mid-response', async () => {
    gh.faults.add({ kind: 'reset', endpoint: DEPLOYMENTS, bytes: 100 });
    await expect(ghGet(gh, `/repos/${repo}/deployments`).then((r) => r.text())).rejects.toThrow();
    expect((await ghGet(gh, `/repos/${repo}/deployments`)).status).toBe(200);
    expect(gh.stats.faults.reset).toBe(1);
  });

  it('truncates the body after valid headers: cut short, or a complete message with broken JSON', async () => {
    pd.faults.add({ kind: 'truncate', endpoint: 'GET /incidents' });
    const cut = await pdGet(pd, '/incidents?date_range=all');
    expect(cut.status).toBe(200);
    expect(cut.headers.get('content-type')).toBe('application/json; charset=utf-8');
    await expect(cut.text()).rejects.toThrow();

    pd.faults.add({ kind: 'truncate', endpoint: 'GET /incidents', declare: 'sent', bytes: 200 });
    const broken = await pdGet(pd, '/incidents?date_range=all');
    expect(broken.status).toBe(200);
    expect(Number(broken.headers.get('content-length'))).toBe(200);
    await expect(broken.json()).rejects.toThrow(SyntaxError);
    expect((await pdGet(pd, '/incidents?date_range=all')).status).toBe(200);
  });

  it('answers slowly, past a client’s timeout', async () => {
    // Long enough that only the client's timeout can end the first request.
    gh.faults.add({ kind: 'slow', delayMs: 60_000, endpoint: 'GET /repos/{owner}/{repo}/releases' });
    await expect(
      fetch(`${gh.url}/repos/${repo}/releases`, {
        headers: { authorization: `token ${GH_TOKEN}` },
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    // The stand-in notices the client left, answers nothing, and serves the next request normally.
    await vi.waitFor(() => expect(gh.stats.log().some((e) => e.fault === 'slow' && e.status === 0)).toBe(true));
    expect((await ghGet(gh, `/repos/${repo}/releases`)).status).toBe(200);
  });

  it('revokes a token: 401 from then on, on both stand-ins', async () => {
    const s = await testOrg();
    const g = await github(s);
    const p = await pagerduty(s);
    g.faults.add({ kind: 'revoke-token', skip: 1 });
    expect((await ghGet(g, `/repos/${repo}/releases`)).status).toBe(200);
    expect((await ghGet(g, `/repos/${repo}/releases`)).status).toBe(401);
    expect((await ghGet(g, '/rate_limit')).status).toBe(401);
    p.faults.add({ kind: 'revoke-token' });
    const res = await pdGet(p, '/priorities');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 2006 } });
    expect((await pdGet(p, '/priorities')).status).toBe(401);
  });

  it('makes a repository disappear (404) from a given request on', async () => {
    const s = await testOrg();
    const g = await github(s);
    g.faults.add({ kind: 'remove-repository', repo, skip: 2 });
    expect((await ghGet(g, `/repos/${repo}/releases`)).status).toBe(200);
    expect((await ghGet(g, `/repos/${repo}/releases`)).status).toBe(200);
    expect((await ghGet(g, `/repos/${repo}/releases`)).status).toBe(404);
    expect((await ghGet(g, `/repositories/${s.repos.find((r) => r.fullName === repo)!.id}/releases`)).status).toBe(404);
    expect((await ghGet(g, `/repos/${other}/releases`)).status).toBe(200);
  });

  it('inserts records while a client pages a newest-first list, shifting page boundaries', async () => {
    const s = await testOrg();
    const all = (await s.deployments(repo, {}, 0, 10_000)).items;
    s.setClock(all[2]!.createdAt); // the newest two are not there yet
    const g = await github(s);
    g.faults.add({ kind: 'advance-clock', to: all[0]!.createdAt, path: '*page=2*' });
    const first = await ghGet(g, `/repos/${repo}/deployments?per_page=10`);
    const page1 = ((await first.json()) as { id: number }[]).map((d) => d.id);
    const page2 = ((await (await ghGet(g, nextLink(first)!)).json()) as { id: number }[]).map((d) => d.id);
    // Two deployments appeared at the top, so page 2 starts with the last two of page 1 again.
    expect(page2.slice(0, 2)).toEqual(page1.slice(-2));
    expect(s.clock()).toBe(all[0]!.createdAt.replace(/\.\d+Z$/, 'Z'));

    const p = await pagerduty(s);
    const before = (await (await pdGet(p, '/incidents?date_range=all&total=true&limit=1')).json()).total as number;
    p.faults.add({ kind: 'advance-clock', to: s.historyEnd, endpoint: 'GET /incidents' });
    const after = (await (await pdGet(p, '/incidents?date_range=all&total=true&limit=1')).json()).total as number;
    expect(after).toBeGreaterThan(before);
  });
});

describe('fault admin route and start option', async () => {
  const store = await testOrg();
  const gh = await github(store, { faults: [{ kind: 'status', status: 503, count: 1 }] });
  const admin = (method: string, what: string, body?: unknown) =>
    fetch(`${gh.url}/__stand-in/${what}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('applies faults given at start', async () => {
    expect((await ghGet(gh, '/rate_limit')).status).toBe(503);
    expect((await ghGet(gh, '/rate_limit')).status).toBe(200);
  });

  it('adds, lists and clears faults over HTTP, for the demo', async () => {
    const added = await admin('POST', 'faults', { kind: 'status', status: 502, count: 2, endpoint: 'GET /rate_limit' });
    expect(added.status).toBe(201);
    const listed = (await (await admin('GET', 'faults')).json()) as { rules: { kind: string; count: number }[] };
    expect(listed.rules).toEqual([expect.objectContaining({ kind: 'status', count: 2, fired: 0 })]);
    expect((await ghGet(gh, '/rate_limit')).status).toBe(502);
    // A revoke-token rule fires on the next request; the status rule still answers that one.
    await admin('POST', 'faults', [{ kind: 'revoke-token', revoke: GH_TOKEN }]);
    expect((await ghGet(gh, '/rate_limit')).status).toBe(502);
    expect((await admin('GET', 'faults').then((r) => r.json())).revokedTokens).toBe(1);
    expect((await ghGet(gh, '/rate_limit')).status).toBe(401);
    expect((await admin('DELETE', 'faults')).status).toBe(200);
    expect((await ghGet(gh, '/rate_limit')).status).toBe(200);
  });

  it('rejects an invalid rule with a clear message', async () => {
    const res = await admin('POST', 'faults', { kind: 'slow' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/delayMs/);
    const bad = await admin('POST', 'faults', { kind: 'explode' });
    expect(bad.status).toBe(400);
    expect((await admin('POST', 'clock', { advanceMs: -5 })).status).toBe(400);
  });

  it('moves the organisation’s clock and reports request stats', async () => {
    const before = store.clock();
    const moved = (await (await admin('POST', 'clock', { advanceMs: 3600_000 })).json()) as { clock: string };
    expect(Date.parse(moved.clock) - Date.parse(before)).toBe(3600_000);
    const stats = (await (await admin('GET', 'stats')).json()) as {
      total: number;
      byEndpoint: Record<string, number>;
      log: unknown[];
    };
    expect(stats.byEndpoint['GET /rate_limit']).toBe(gh.stats.count('GET /rate_limit'));
    expect(stats.log.length).toBe(stats.total);
  });
});
