// Conformance of the GitHub stand-in to GitHub's official OpenAPI description (@octokit/openapi):
// every endpoint, several query shapes each, every body validated against the operation's 200
// schema, error bodies against GitHub's error schemas, and the headers collectors rely on. The
// validator is shown to fail when a required field is missing, so a pass means something.
import { beforeAll, describe, expect, it } from 'vitest';
import { dropPath, githubSpecValidator, type SpecValidator } from './support/openapi-validator.ts';
import { ghGet, github, pickRepos, testOrg } from './support/org.ts';

type Case = [endpoint: string, path: string];

describe('GitHub stand-in conforms to the OpenAPI description', async () => {
  const store = await testOrg();
  const gh = await github(store);
  let spec: SpecValidator;
  beforeAll(() => {
    spec = githubSpecValidator();
  });

  const { deploys, long, actions } = await pickRepos(store);
  const R = `/repos/${deploys.fullName}`;
  const L = `/repos/${long.fullName}`;
  const A = `/repos/${actions.fullName}`;
  const commits = (await store.commits(long.fullName, {}, 0, 10_000)).items;
  const deployment = (await store.deployments(deploys.fullName, {}, 0, 1)).items[0]!;
  const merged = (await store.pulls(deploys.fullName, { state: 'closed', sort: 'created', direction: 'asc' }, 0, 100)).items.find(
    (p) => p.mergedAt,
  )!;
  const run = (await store.workflowRuns(actions.fullName, {}, 0, 1)).items[0]!;
  const label = (
    await store.issues(deploys.fullName, { state: 'all', sort: 'created', direction: 'desc' }, 0, 10_000)
  ).items.find((i) => i.labels.length)!.labels[0]!;
  const since = commits[40]!.committedAt;

  const cases: Case[] = [
    ['GET /repos/{owner}/{repo}', R],
    ['GET /repos/{owner}/{repo}/deployments', `${R}/deployments`],
    ['GET /repos/{owner}/{repo}/deployments', `${R}/deployments?environment=${deploys.productionEnvironment}&per_page=100`],
    ['GET /repos/{owner}/{repo}/deployments', `${R}/deployments?sha=${deployment.sha}&task=deploy&ref=${deployment.ref}`],
    ['GET /repos/{owner}/{repo}/deployments', `${R}/deployments?environment=nowhere`],
    ['GET /repos/{owner}/{repo}/deployments/{deployment_id}', `${R}/deployments/${deployment.id}`],
    ['GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', `${R}/deployments/${deployment.id}/statuses`],
    [
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      `${R}/deployments/${deployment.id}/statuses?per_page=1&page=2`,
    ],
    ['GET /repos/{owner}/{repo}/compare/{basehead}', `${L}/compare/${commits[20]!.sha}...${commits[0]!.sha}`],
    ['GET /repos/{owner}/{repo}/compare/{basehead}', `${L}/compare/${commits.at(-1)!.sha}...${long.defaultBranch}`],
    [
      'GET /repos/{owner}/{repo}/compare/{basehead}',
      `${L}/compare/${commits.at(-1)!.sha}...${long.defaultBranch}?per_page=100&page=2`,
    ],
    ['GET /repos/{owner}/{repo}/compare/{basehead}', `${L}/compare/${commits[0]!.sha}...${commits[5]!.sha}`],
    ['GET /repos/{owner}/{repo}/commits', `${L}/commits`],
    ['GET /repos/{owner}/{repo}/commits', `${L}/commits?sha=${commits[10]!.sha}&per_page=100`],
    ['GET /repos/{owner}/{repo}/commits', `${L}/commits?since=${since}&until=${commits[5]!.committedAt}`],
    ['GET /repos/{owner}/{repo}/commits/{ref}', `${L}/commits/${commits[3]!.sha}`],
    ['GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', `${R}/commits/${merged.mergeCommitSha}/pulls`],
    ['GET /repos/{owner}/{repo}/pulls', `${R}/pulls`],
    ['GET /repos/{owner}/{repo}/pulls', `${R}/pulls?state=closed&sort=updated&direction=asc&per_page=100`],
    ['GET /repos/{owner}/{repo}/pulls', `${R}/pulls?state=all&sort=long-running&base=main`],
    ['GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', `${R}/pulls/${merged.number}/commits`],
    ['GET /repos/{owner}/{repo}/issues', `${R}/issues`],
    ['GET /repos/{owner}/{repo}/issues', `${R}/issues?state=all&per_page=100`],
    [
      'GET /repos/{owner}/{repo}/issues',
      `${R}/issues?state=closed&labels=${label}&since=2024-05-01T00:00:00Z&sort=updated&direction=asc`,
    ],
    ['GET /repos/{owner}/{repo}/actions/runs', `${A}/actions/runs`],
    ['GET /repos/{owner}/{repo}/actions/runs', `${A}/actions/runs?status=success&branch=${run.headBranch}&per_page=100`],
    [
      'GET /repos/{owner}/{repo}/actions/runs',
      `${A}/actions/runs?event=${run.event}&actor=${run.actorLogin}&created=>=2024-05-01`,
    ],
    ['GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', `${A}/actions/workflows/${run.workflowId}/runs`],
    [
      'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      `${A}/actions/workflows/${run.path.split('/').at(-1)}/runs?per_page=2&page=3`,
    ],
    ['GET /repos/{owner}/{repo}/releases', `${R}/releases`],
    ['GET /repos/{owner}/{repo}/releases', `${R}/releases?per_page=5&page=2`],
    ['GET /rate_limit', '/rate_limit'],
  ];

  it.each(cases)('%s  %s', async (endpoint, path) => {
    const res = await ghGet(gh, path);
    expect(res.status).toBe(200);
    const body = await res.json();
    spec.assert(endpoint, 200, body);
    checkHeaders(res, gh.url);
    // The /repositories/{id} shape serves the same body.
    const byId = path.replace(
      /^\/repos\/([^/]+\/[^/?]+)/,
      (_m, name: string) => `/repositories/${store.repos.find((r) => r.fullName === name)!.id}`,
    );
    if (byId !== path) expect(await (await ghGet(gh, byId)).json()).toEqual(body);
  });

  it('covers every endpoint the stand-in serves', () => {
    const served = new Set(cases.map(([e]) => e));
    for (const e of [
      'GET /repos/{owner}/{repo}/deployments',
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      'GET /repos/{owner}/{repo}/compare/{basehead}',
      'GET /repos/{owner}/{repo}/commits',
      'GET /repos/{owner}/{repo}/pulls',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits',
      'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
      'GET /repos/{owner}/{repo}/issues',
      'GET /repos/{owner}/{repo}/actions/runs',
      'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      'GET /repos/{owner}/{repo}/releases',
      'GET /rate_limit',
    ]) {
      expect(served).toContain(e);
    }
  });

  it('answers errors with GitHub’s error bodies', async () => {
    const notFound = await (await ghGet(gh, '/repos/acme/nothing/deployments')).json();
    expect(spec.schemaErrors('basic-error', notFound)).toEqual([]);
    const invalid = await (await ghGet(gh, `${R}/issues?state=everything`)).json();
    expect(spec.schemaErrors('validation-error', invalid)).toEqual([]);
    const unauthorised = await (await fetch(`${gh.url}${R}/deployments`)).json();
    expect(spec.schemaErrors('basic-error', unauthorised)).toEqual([]);
  });

  it('fails validation when a required field is missing', async () => {
    const mutilate: [string, string, string[]][] = [
      ['GET /repos/{owner}/{repo}/deployments', `${R}/deployments`, ['0', 'sha']],
      [
        'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
        `${R}/deployments/${deployment.id}/statuses`,
        ['0', 'state'],
      ],
      [
        'GET /repos/{owner}/{repo}/compare/{basehead}',
        `${L}/compare/${commits[20]!.sha}...${long.defaultBranch}`,
        ['merge_base_commit'],
      ],
      ['GET /repos/{owner}/{repo}/commits', `${L}/commits`, ['0', 'parents']],
      ['GET /repos/{owner}/{repo}/pulls', `${R}/pulls?state=all`, ['0', 'merged_at']],
      ['GET /repos/{owner}/{repo}/pulls', `${R}/pulls?state=all`, ['0', 'head', 'repo', 'default_branch']],
      ['GET /repos/{owner}/{repo}/issues', `${R}/issues?state=all`, ['0', 'labels']],
      ['GET /repos/{owner}/{repo}/actions/runs', `${A}/actions/runs`, ['workflow_runs', '0', 'head_sha']],
      ['GET /repos/{owner}/{repo}/releases', `${R}/releases`, ['0', 'tag_name']],
      ['GET /rate_limit', '/rate_limit', ['resources', 'core']],
    ];
    for (const [endpoint, path, at] of mutilate) {
      const body: unknown = await (await ghGet(gh, path)).json();
      expect(spec.errors(endpoint, 200, body), endpoint).toEqual([]);
      dropPath(body, at);
      expect(spec.errors(endpoint, 200, body).length, `${endpoint} without ${at.join('.')}`).toBeGreaterThan(0);
    }
  });
});

function checkHeaders(res: Response, base: string): void {
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-used', 'x-ratelimit-reset'])
    expect(res.headers.get(h), h).toMatch(/^\d+$/);
  expect(res.headers.get('x-ratelimit-resource')).toBe('core');
  expect(res.headers.get('x-github-request-id')).toMatch(/^[0-9A-F]+(:[0-9A-F]+){4}$/);
  expect(res.headers.get('x-github-api-version-selected')).toBe('2022-11-28');
  // Lists and objects carry an ETag for conditional requests; /rate_limit (which never counts) does not.
  if (!res.url.endsWith('/rate_limit')) expect(res.headers.get('etag')).toMatch(/^W\/"[0-9a-f]+"$/);
  expect(res.headers.get('date')).toBeTruthy();
  const link = res.headers.get('link');
  if (link) {
    for (const part of link.split(', ')) {
      const m = /^<([^>]+)>; rel="(next|prev|first|last)"$/.exec(part);
      expect(m, part).not.toBeNull();
      expect(m![1]!.startsWith(base + '/')).toBe(true);
      expect(new URL(m![1]!).searchParams.get('page')).toMatch(/^\d+$/);
    }
  }
}
