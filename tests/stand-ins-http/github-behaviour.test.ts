// The GitHub stand-in behaves like api.github.com where collectors can tell: authentication,
// Link pagination to the end, the compare and pull-commit caps, ETags and 304s that cost nothing,
// primary and secondary rate limits with GitHub's headers, API versions, and "as of the clock".
import { describe, expect, it } from 'vitest';
import { GH_TOKEN, ghGet, github, nextLink, orgWithGiantPull, pickRepos, testOrg } from './support/org.ts';

describe('GitHub stand-in: authentication and errors', async () => {
  const store = await testOrg();
  const gh = await github(store);
  const repo = store.repos[0]!.fullName;

  it('accepts `token X` and `Bearer X`', async () => {
    expect((await fetch(`${gh.url}/repos/${repo}/deployments`, { headers: { authorization: `token ${GH_TOKEN}` } })).status).toBe(
      200,
    );
    expect(
      (await fetch(`${gh.url}/repos/${repo}/deployments`, { headers: { authorization: `Bearer ${GH_TOKEN}` } })).status,
    ).toBe(200);
  });

  it('answers a missing or wrong token with 401 and GitHub’s body', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'token wrong' }, { authorization: `Basic ${GH_TOKEN}` }];
    for (const headers of attempts) {
      const res = await fetch(`${gh.url}/repos/${repo}/deployments`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual({
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
  });

  it('answers an unknown repository or path with 404 Not Found', async () => {
    const res = await ghGet(gh, '/repos/nobody/nothing/deployments');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ message: 'Not Found', status: '404' });
    expect((await ghGet(gh, '/no/such/endpoint')).status).toBe(404);
  });

  it('finds repositories case-insensitively and by id', async () => {
    const r = store.repos[0]!;
    expect((await ghGet(gh, `/repos/${r.fullName.toUpperCase()}/releases`)).status).toBe(200);
    expect((await ghGet(gh, `/repositories/${r.id}/releases`)).status).toBe(200);
  });

  it('selects the API version a client asks for and rejects unknown ones', async () => {
    const ok = await ghGet(gh, `/repos/${repo}/releases`, { 'x-github-api-version': '2022-11-28' });
    expect(ok.headers.get('x-github-api-version-selected')).toBe('2022-11-28');
    const bad = await ghGet(gh, `/repos/${repo}/releases`, { 'x-github-api-version': '2019-01-01' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/not supported/);
  });

  it('answers invalid enum filters with 422 Validation Failed', async () => {
    const res = await ghGet(gh, `/repos/${repo}/pulls?state=merged`);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ message: 'Validation Failed', errors: [{ field: 'state', code: 'invalid' }] });
  });

  it('answers an unknown ref with 404', async () => {
    const res = await ghGet(gh, `/repos/${repo}/commits?sha=no-such-branch`);
    expect(res.status).toBe(404);
    expect((await res.json()).message).toBe('No commit found for SHA: no-such-branch');
  });
});

describe('GitHub stand-in: pagination', async () => {
  const store = await testOrg();
  const gh = await github(store);
  const { deploys: repo, long, actions } = await pickRepos(store);

  async function followAll(first: string): Promise<{ items: { id: number }[]; pages: number; urls: string[] }> {
    const items: { id: number }[] = [];
    const urls: string[] = [];
    let url: string | undefined = first;
    let pages = 0;
    while (url) {
      urls.push(url);
      const res = await ghGet(gh, url);
      expect(res.status).toBe(200);
      items.push(...((await res.json()) as { id: number }[]));
      pages++;
      url = nextLink(res);
    }
    return { items, pages, urls };
  }

  it('follows Link rel="next" to the end and returns every deployment exactly once', async () => {
    const total = (await store.deployments(repo.fullName, {}, 0, 1)).total;
    const env = repo.productionEnvironment;
    const { items, pages, urls } = await followAll(`/repos/${repo.fullName}/deployments?per_page=7&environment=${env}`);
    const production = (await store.deployments(repo.fullName, { environment: env }, 0, 10_000)).items;
    expect(items.map((d) => d.id)).toEqual(production.map((d) => d.id));
    expect(new Set(items.map((d) => d.id)).size).toBe(items.length);
    expect(pages).toBe(Math.ceil(production.length / 7));
    expect(total).toBeGreaterThan(production.length);
    // Links are absolute on the stand-in's own base and keep the client's filters.
    for (const u of urls.slice(1))
      expect(u).toMatch(
        new RegExp(`^${gh.url}/repos/${repo.fullName}/deployments\\?per_page=7&environment=production&page=\\d+$`),
      );
  });

  it('uses the /repositories/{id} path shape for issue links, as GitHub does, and serves it', async () => {
    const { items, urls } = await followAll(`/repos/${repo.fullName}/issues?state=all&per_page=50`);
    const all = (await store.issues(repo.fullName, { state: 'all', sort: 'created', direction: 'desc' }, 0, 10_000)).items;
    expect(items.map((i) => i.id)).toEqual(all.map((i) => i.id));
    expect(urls[1]).toMatch(new RegExp(`^${gh.url}/repositories/${repo.id}/issues\\?`));
  });

  it('sends first, prev, next and last links, and none when one page holds everything', async () => {
    const mid = await ghGet(gh, `/repos/${repo.fullName}/commits?per_page=50&page=3`);
    const link = mid.headers.get('link')!;
    for (const rel of ['prev', 'next', 'last', 'first']) expect(link).toContain(`rel="${rel}"`);
    expect(link).toContain('page=2>; rel="prev"');
    const one = await ghGet(gh, `/repos/${repo.fullName}/releases?per_page=100`);
    expect(one.headers.get('link')).toBeNull();
  });

  it('defaults per_page to 30, clamps it at 100 and answers a page past the end with []', async () => {
    expect(((await (await ghGet(gh, `/repos/${repo.fullName}/commits`)).json()) as unknown[]).length).toBe(30);
    expect(((await (await ghGet(gh, `/repos/${repo.fullName}/commits?per_page=500`)).json()) as unknown[]).length).toBe(100);
    expect(await (await ghGet(gh, `/repos/${repo.fullName}/commits?page=999`)).json()).toEqual([]);
  });

  it('lists pull requests in issues with a pull_request key, and filters by labels and state', async () => {
    const all = (await (await ghGet(gh, `/repos/${repo.fullName}/issues?state=all&per_page=100`)).json()) as Record<
      string,
      unknown
    >[];
    expect(all.some((i) => 'pull_request' in i)).toBe(true);
    expect(all.some((i) => !('pull_request' in i))).toBe(true);
    // Postmortems follow the worst change-caused incidents: take a repository that has one.
    let withPostmortem = repo.fullName;
    for (const r of store.repos) {
      const found = await store.issues(
        r.fullName,
        { state: 'all', labels: ['postmortem'], sort: 'created', direction: 'desc' },
        0,
        1,
      );
      if (found.total > 0) {
        withPostmortem = r.fullName;
        break;
      }
    }
    const postmortems = (await (await ghGet(gh, `/repos/${withPostmortem}/issues?state=all&labels=postmortem`)).json()) as {
      labels: { name: string }[];
    }[];
    expect(postmortems.length).toBeGreaterThan(0);
    for (const i of postmortems) expect(i.labels.map((l) => l.name)).toContain('postmortem');
    const open = (await (await ghGet(gh, `/repos/${repo.fullName}/issues?per_page=100`)).json()) as { state: string }[];
    expect(open.every((i) => i.state === 'open')).toBe(true);
  });

  it('caps an unpaged compare at 250 commits ending with the newest, and pages it with files on page 1 only', async () => {
    const oldest = (await store.commits(long.fullName, {}, 0, 10_000)).items.at(-1)!.sha;
    const expected = (await store.compare(long.fullName, oldest, long.defaultBranch))!;
    expect(expected.commits.length).toBeGreaterThan(300);
    const head = expected.commits.at(-1)!.sha;
    const unpaged = (await (await ghGet(gh, `/repos/${long.fullName}/compare/${oldest}...${long.defaultBranch}`)).json()) as {
      total_commits: number;
      commits: { sha: string }[];
      files: unknown[];
      ahead_by: number;
      status: string;
    };
    expect(unpaged.total_commits).toBe(expected.commits.length);
    expect(unpaged.ahead_by).toBe(expected.aheadBy);
    expect(unpaged.status).toBe(expected.status);
    expect(unpaged.commits.map((c) => c.sha)).toEqual(expected.commits.slice(-250).map((c) => c.sha));
    expect(unpaged.commits.at(-1)!.sha).toBe(head);
    expect(unpaged.files.length).toBeGreaterThan(0);

    const seen: string[] = [];
    let url: string | undefined = `/repos/${long.fullName}/compare/${oldest}...${long.defaultBranch}?per_page=100`;
    let page = 0;
    while (url) {
      const res = await ghGet(gh, url);
      const body = (await res.json()) as { commits: { sha: string }[]; files?: unknown[] };
      page++;
      if (page === 1) expect(body.files?.length).toBeGreaterThan(0);
      else expect(body.files).toBeUndefined();
      seen.push(...body.commits.map((c) => c.sha));
      url = nextLink(res);
    }
    expect(seen).toEqual(expected.commits.map((c) => c.sha));
  });

  it('lists at most 250 commits of a pull request', async () => {
    const giant = await orgWithGiantPull();
    const giantGh = await github(giant.store);
    let count = 0;
    for (let page = 1; ; page++) {
      const res = await ghGet(giantGh, `/repos/${giant.repo}/pulls/${giant.number}/commits?per_page=100&page=${page}`);
      const body = (await res.json()) as unknown[];
      if (body.length === 0) break;
      count += body.length;
    }
    expect(count).toBe(250);
  });

  it('wraps workflow runs in {total_count, workflow_runs}, per repository and per workflow', async () => {
    const all = (await (await ghGet(gh, `/repos/${actions.fullName}/actions/runs?per_page=5`)).json()) as {
      total_count: number;
      workflow_runs: unknown[];
    };
    expect(all.workflow_runs).toHaveLength(5);
    expect(all.total_count).toBe((await store.workflowRuns(actions.fullName, {}, 0, 1)).total);
    const run = (await store.workflowRuns(actions.fullName, {}, 0, 1)).items[0]!;
    const expected = (await store.workflowRuns(actions.fullName, { workflowId: run.workflowId }, 0, 1)).total;
    for (const ref of [String(run.workflowId), run.path.split('/').at(-1)!]) {
      const byWorkflow = (await (
        await ghGet(gh, `/repos/${actions.fullName}/actions/workflows/${ref}/runs?per_page=100`)
      ).json()) as {
        total_count: number;
        workflow_runs: { workflow_id: number }[];
      };
      expect(byWorkflow.total_count).toBe(expected);
      expect(byWorkflow.workflow_runs.every((r) => r.workflow_id === run.workflowId)).toBe(true);
    }
    expect((await ghGet(gh, `/repos/${actions.fullName}/actions/workflows/nope.yml/runs`)).status).toBe(404);
    expect((await ghGet(gh, `/repos/${actions.fullName}/actions/runs?created=yesterday`)).status).toBe(422);
  });
});

describe('GitHub stand-in: conditional requests and rate limits', async () => {
  let now = Date.parse('2024-07-01T12:00:00Z');
  const store = await testOrg();
  const gh = await github(store, { now: () => now, rateLimit: { limit: 5, pointsPerMinute: 1000 } });
  const repo = store.repos[0]!.fullName;

  it('answers If-None-Match with 304 that costs nothing, and reports the budget in x-ratelimit-*', async () => {
    gh.rateLimits.reset();
    const first = await ghGet(gh, `/repos/${repo}/releases`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('5');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(first.headers.get('x-ratelimit-used')).toBe('1');
    expect(first.headers.get('x-ratelimit-resource')).toBe('core');
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBe(Math.ceil((now + 3600_000) / 1000));
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
    const again = await ghGet(gh, `/repos/${repo}/releases`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(gh.stats.notModified).toBeGreaterThanOrEqual(1);
  });

  it('exhausts the primary budget with 403 and remaining 0, then refills at the reset time', async () => {
    gh.rateLimits.reset();
    for (let i = 0; i < 5; i++) expect((await ghGet(gh, `/repos/${repo}/releases?page=${i + 1}`)).status).toBe(200);
    const limited = await ghGet(gh, `/repos/${repo}/releases`);
    expect(limited.status).toBe(403);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await limited.json()).message).toMatch(/^API rate limit exceeded/);
    // GET /rate_limit still answers and does not count.
    const rl = (await (await ghGet(gh, '/rate_limit')).json()) as {
      resources: { core: { remaining: number; used: number } };
      rate: { remaining: number };
    };
    expect(rl.resources.core).toMatchObject({ remaining: 0, used: 5 });
    now += 3600_000;
    const after = await ghGet(gh, `/repos/${repo}/releases`);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-remaining')).toBe('4');
  });

  it('can answer primary exhaustion with 429 instead', async () => {
    const s2 = await testOrg();
    const strict = await github(s2, { now: () => now, rateLimit: { limit: 1, exhaustedStatus: 429 } });
    expect((await ghGet(strict, `/repos/${repo}/releases`)).status).toBe(200);
    const res = await ghGet(strict, `/repos/${repo}/releases`);
    expect(res.status).toBe(429);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('enforces the secondary limit per endpoint with a secondary-rate-limit message and retry-after', async () => {
    const s3 = await testOrg();
    const tight = await github(s3, { now: () => now, rateLimit: { pointsPerMinute: 3 } });
    for (let i = 0; i < 3; i++) expect((await ghGet(tight, `/repos/${repo}/releases`)).status).toBe(200);
    const res = await ghGet(tight, `/repos/${repo}/releases`);
    expect(res.status).toBe(403);
    expect((await res.json()).message).toMatch(/You have exceeded a secondary rate limit/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('x-ratelimit-remaining')).not.toBe('0');
    // Another endpoint has its own points.
    expect((await ghGet(tight, `/repos/${repo}/deployments`)).status).toBe(200);
    now += 61_000;
    expect((await ghGet(tight, `/repos/${repo}/releases`)).status).toBe(200);
  });
});

describe('GitHub stand-in: as of the organisation’s clock', async () => {
  const store = await testOrg();
  const gh = await github(store);
  const repo = (await pickRepos(store)).deploys.fullName;

  it('shows deployments, statuses and merges only once the clock reaches them', async () => {
    const all = (await store.deployments(repo, {}, 0, 10_000)).items;
    const newest = all.find((d) => d.statuses.length > 1)!;
    store.setClock(new Date(Date.parse(newest.createdAt) - 1000).toISOString());
    let ids = ((await (await ghGet(gh, `/repos/${repo}/deployments?per_page=100`)).json()) as { id: number }[]).map((d) => d.id);
    expect(ids).not.toContain(newest.id);
    expect(ids.length).toBeGreaterThan(0);
    // Between the deployment and its final status: the deployment is there, its success is not yet.
    store.setClock(new Date(Date.parse(newest.statuses.at(-1)!.createdAt) - 1000).toISOString());
    ids = ((await (await ghGet(gh, `/repos/${repo}/deployments?per_page=100`)).json()) as { id: number }[]).map((d) => d.id);
    expect(ids).toContain(newest.id);
    const states = (
      (await (await ghGet(gh, `/repos/${repo}/deployments/${newest.id}/statuses`)).json()) as { state: string }[]
    ).map((s) => s.state);
    expect(states).toEqual(
      newest.statuses
        .slice(0, -1)
        .map((s) => s.state)
        .reverse(),
    );
  });
});
