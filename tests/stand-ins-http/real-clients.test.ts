// The real client libraries accept the stand-ins: @octokit/rest with the paginate, throttling and
// retry plugins recovers from injected faults and gets every record exactly once; @pagerduty/pdjs
// with a full `url` per call pages with next() and retries a 429.
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { api } from '@pagerduty/pdjs';
import { describe, expect, it } from 'vitest';
import { GH_TOKEN, github, PD_TOKEN, pagerduty, pickRepos, testOrg } from './support/org.ts';

const ThrottledOctokit = Octokit.plugin(throttling, retry);

function octokitFor(baseUrl: string, events: string[]) {
  return new ThrottledOctokit({
    auth: GH_TOKEN,
    baseUrl,
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    // Delays are counted in milliseconds instead of seconds so the test does not sleep.
    retry: { retryAfterBaseValue: 1 },
    throttle: {
      retryAfterBaseValue: 1,
      onRateLimit: (_after: number, options: { url: string }, _o: unknown, count: number) => {
        events.push(`primary ${options.url}`);
        return count < 3;
      },
      onSecondaryRateLimit: (_after: number, options: { url: string }, _o: unknown, count: number) => {
        events.push(`secondary ${options.url}`);
        return count < 3;
      },
    },
  });
}

describe('@octokit/rest against the GitHub stand-in', async () => {
  const store = await testOrg();
  const gh = await github(store);
  const { deploys, actions } = await pickRepos(store);
  const [owner, repo] = deploys.fullName.split('/') as [string, string];
  const [actionsOwner, actionsRepo] = actions.fullName.split('/') as [string, string];

  it('paginates every deployment exactly once through 5xx bursts and rate limits', async () => {
    const events: string[] = [];
    const octokit = octokitFor(gh.url, events);
    gh.faults.add({ kind: 'status', status: [502, 503], count: 2, path: '*page=2*' });
    gh.faults.add({ kind: 'secondary-rate-limit', retryAfter: 1, path: '*page=3*' });
    gh.faults.add({ kind: 'rate-limit', retryAfter: 1, path: '*page=4*' });
    const before = gh.stats.count('GET /repos/{owner}/{repo}/deployments');
    const deployments = await octokit.paginate(octokit.rest.repos.listDeployments, { owner, repo, per_page: 100 });
    const expected = (await store.deployments(`${owner}/${repo}`, {}, 0, 10_000)).items.map((d) => d.id);
    expect(deployments.map((d) => d.id)).toEqual(expected);
    expect(events).toEqual([expect.stringMatching(/^secondary /), expect.stringMatching(/^primary /)]);
    const pages = Math.ceil(expected.length / 100);
    expect(gh.stats.count('GET /repos/{owner}/{repo}/deployments') - before).toBe(pages + 2 + 1 + 1);
  });

  it('flattens object-wrapped workflow runs and follows /repositories/{id} issue links', async () => {
    const octokit = octokitFor(gh.url, []);
    const runs = await octokit.paginate(octokit.rest.actions.listWorkflowRunsForRepo, {
      owner: actionsOwner,
      repo: actionsRepo,
      per_page: 7,
    });
    expect(runs.length).toBe((await store.workflowRuns(actions.fullName, {}, 0, 1)).total);
    const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: 'all', per_page: 9 });
    expect(new Set(issues.map((i) => i.number)).size).toBe(
      (await store.issues(`${owner}/${repo}`, { state: 'all', sort: 'created', direction: 'desc' }, 0, 1)).total,
    );
    expect(issues.some((i) => i.pull_request)).toBe(true);
  });

  it('reads compare, pull commits and commit pulls with the typed methods', async () => {
    const octokit = octokitFor(gh.url, []);
    const commits = (await store.commits(`${owner}/${repo}`, {}, 0, 20)).items;
    const cmp = await octokit.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: `${commits[10]!.sha}...${commits[0]!.sha}`,
    });
    const expected = (await store.compare(`${owner}/${repo}`, commits[10]!.sha, commits[0]!.sha))!;
    expect(cmp.data.total_commits).toBe(expected.commits.length);
    expect(cmp.data.commits.map((c) => c.sha)).toEqual(expected.commits.map((c) => c.sha));
    expect(cmp.data.commits.at(-1)!.sha).toBe(commits[0]!.sha);
    const prs = await octokit.rest.pulls.list({ owner, repo, state: 'closed', per_page: 5 });
    expect(prs.data).toHaveLength(5);
    const pr = prs.data.find((p) => p.merged_at)!;
    const prCommits = await octokit.paginate(octokit.rest.pulls.listCommits, { owner, repo, pull_number: pr.number });
    expect(prCommits.length).toBeGreaterThan(0);
    const back = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: pr.merge_commit_sha! });
    expect(back.data.map((p) => p.number)).toContain(pr.number);
  });

  it('gets a 304 on a conditional request (octokit throws it as a RequestError)', async () => {
    const octokit = octokitFor(gh.url, []);
    const first = await octokit.rest.repos.listReleases({ owner, repo });
    const remaining = first.headers['x-ratelimit-remaining'];
    await expect(
      octokit.rest.repos.listReleases({ owner, repo, headers: { 'if-none-match': first.headers.etag! } }),
    ).rejects.toMatchObject({ status: 304 });
    const rate = await octokit.rest.rateLimit.get();
    expect(String(rate.data.resources.core.remaining)).toBe(remaining);
  });

  it('surfaces a revoked token as a 401 it does not retry', async () => {
    const s = await testOrg();
    const g = await github(s);
    const octokit = octokitFor(g.url, []);
    g.faults.revokeToken(GH_TOKEN);
    await expect(octokit.rest.repos.listReleases({ owner, repo })).rejects.toMatchObject({ status: 401 });
    expect(g.stats.count('GET /repos/{owner}/{repo}/releases')).toBe(1);
  });
});

describe('@pagerduty/pdjs against the PagerDuty stand-in', async () => {
  const store = await testOrg();
  const pd = await pagerduty(store);
  const client = api({ token: PD_TOKEN });

  it('pages incidents with a full url per call and next()', async () => {
    const ids: string[] = [];
    let res = await client.get('/incidents', {
      url: `${pd.url}/incidents`,
      data: { date_range: 'all', limit: 30, 'statuses[]': ['resolved'] },
    });
    for (;;) {
      expect(res.ok).toBe(true);
      ids.push(...(res.data.incidents as { id: string }[]).map((i) => i.id));
      if (!res.next) break;
      res = await res.next();
    }
    const expected = (await store.incidents({ all: true, statuses: ['resolved'] }, 0, 10_000)).items.map((i) => i.id);
    expect(ids).toEqual(expected);
  });

  it('retries a 429 after its retryTimeout, and resolves (not rejects) other errors', async () => {
    pd.faults.add({ kind: 'rate-limit', count: 2, endpoint: 'GET /priorities' });
    const res = await client.get('/priorities', { url: `${pd.url}/priorities`, retryTimeout: 5 });
    expect(res.ok).toBe(true);
    expect(res.data.priorities.length).toBe(store.priorities.length);
    expect(pd.stats.count('GET /priorities')).toBe(3);
    const bad = await client.get('/notifications', { url: `${pd.url}/notifications` });
    expect(bad.status).toBe(400);
    expect(bad.data.error.code).toBe(2001);
  });

  it('reads log entries and notifications, linking each page to its incident', async () => {
    const res = await client.get('/log_entries', {
      url: `${pd.url}/log_entries`,
      data: { limit: 100, 'include[]': ['incidents'] },
    });
    const notify = (
      res.data.log_entries as { type: string; channel: { notification?: { id: string } }; incident: { type: string } }[]
    ).filter((e) => e.type === 'notify_log_entry');
    expect(notify.length).toBeGreaterThan(0);
    expect(notify.every((e) => e.channel.notification?.id && e.incident.type === 'incident')).toBe(true);
  });
});
