// The GitHub streams' steps on their own: normalising the official examples of each record
// (GitHub's OpenAPI description), the SQL derivations of a deployment's outcome and a pull
// request's first commit, fetching a compare of more than 250 commits page by page from the
// stand-in, and the words of each failure.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { RequestError } from '@octokit/request-error';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FatalSyncError, ScopeSyncError } from '../../../collectors/engine/errors.ts';
import { HttpMeter, RequestTimeoutError } from '../../../collectors/engine/http.ts';
import { loadBatch } from '../../../collectors/engine/loader.ts';
import { emptyBatch } from '../../../collectors/engine/types.ts';
import { GitHubClient, parseGitHubRateLimit } from '../../../collectors/github/client.ts';
import { deriveAllDeployments, derivePulls } from '../../../collectors/github/derive.ts';
import { classifyGitHubError } from '../../../collectors/github/errors.ts';
import {
  compareRows,
  deploymentRow,
  pullCommitRow,
  pullRow,
  statusDeploymentId,
  statusRow,
  workflowRunRow,
} from '../../../collectors/github/normalise.ts';
import type { RepoRun } from '../../../collectors/github/repo-run.ts';
import {
  commitSchema,
  compareSchema,
  deploymentSchema,
  deploymentStatusSchema,
  pullSchema,
  workflowRunSchema,
} from '../../../collectors/github/schemas.ts';
import type { RepoScope } from '../../../collectors/github/scope.ts';
import { fetchCompare } from '../../../collectors/github/streams/compare.ts';
import { searchDate } from '../../../collectors/github/streams/workflow-runs.ts';
import { openDatabase } from '../../../server/db/index.ts';
import { createdRange } from '../../stand-ins/github/search-dates.ts';
import { startWorld, TOKEN, type World } from './support.ts';

const require = createRequire(import.meta.url);
const description = JSON.parse(readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8')) as {
  components: { examples: Record<string, { value: unknown }> };
};
const example = <T>(name: string) => description.components.examples[name]?.value as T;
const RAW = { payloadHash: 'h1', fetchedAt: '2024-06-01T00:00:00.000Z' };

describe('normalising GitHub records (the official examples)', () => {
  it('turns a deployment into its row, outcome left to its statuses', () => {
    const item = example<unknown[]>('deployment-items')[0];
    const d = deploymentSchema.parse(item);
    expect(deploymentRow(d, 'octocat/example', RAW)).toEqual({
      id: '1',
      repo: 'octocat/example',
      source: 'deployments',
      github_id: 1,
      sha: 'a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d',
      ref: 'topic-branch',
      task: 'deploy',
      environment: 'production',
      creator: 'octocat',
      created_at: '2012-07-20T01:19:13.000Z',
      updated_at: '2012-07-20T01:19:13.000Z',
      raw_hash: 'h1',
      synced_at: '2024-06-01T00:00:00.000Z',
    });
  });

  it('turns a status into its row and finds its deployment from deployment_url', () => {
    const s = deploymentStatusSchema.parse(example<unknown[]>('deployment-status-items')[0]);
    expect(statusDeploymentId(s)).toBe('42');
    expect(statusDeploymentId({ deployment_url: 'https://ghe.example/api/v3/repositories/9/deployments/1234' })).toBe('1234');
    expect(statusRow(s, '42', 'octocat/example', RAW)).toMatchObject({
      id: 1,
      deployment_id: '42',
      state: 'success',
      environment: 'production',
      log_url: 'https://example.com/deployment/42/output',
      created_at: '2012-07-20T01:19:13.000Z',
    });
  });

  it('turns a compare into the commits a deployment shipped, oldest first', () => {
    const original = example<{ commits: unknown[] }>('commit-comparison');
    const compare = compareSchema.parse(original);
    const rows = compareRows({
      deploymentId: '9',
      baseDeploymentId: '8',
      baseSha: 'b'.repeat(40),
      headSha: 'c'.repeat(40),
      repo: 'octocat/hello-world',
      pages: [{ compare, original, raw: RAW }],
    });
    expect(rows.compare).toMatchObject({
      deployment_id: '9',
      base_deployment_id: '8',
      status: 'behind',
      total_commits: 1,
      commits_stored: 1,
    });
    expect(rows.deploymentCommits).toEqual([
      { deployment_id: '9', repo: 'octocat/hello-world', sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', position: 0 },
    ]);
    expect(rows.commits[0]).toMatchObject({
      sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      authored_at: '2011-04-14T16:00:49.000Z',
      author: 'octocat',
      message: 'Fix all the bugs',
      parent_count: 1,
    });
  });

  it('turns a pull request and its commits into rows', () => {
    const p = pullSchema.parse(example<unknown[]>('pull-request-simple-items')[0]);
    expect(pullRow(p, 'octocat/hello-world', RAW)).toMatchObject({
      number: 1347,
      merged_at: '2011-01-26T19:01:12.000Z',
      merge_commit_sha: 'e5bd3914e2e596debea16f433f57875b5b90bcd6',
      head_sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      head_ref: 'new-topic',
      base_ref: 'master',
      author: 'octocat',
    });
    const c = commitSchema.parse(example<unknown[]>('commit-items')[0]);
    expect(pullCommitRow(c, 'octocat/hello-world', 1347)).toMatchObject({
      number: 1347,
      sha: c.sha,
      authored_at: '2011-04-14T16:00:49.000Z',
    });
  });

  it('counts only completed successful workflow runs as deployments, timed at completion', () => {
    const run = workflowRunSchema.parse(example<{ workflow_runs: unknown[] }>('workflow-run-paginated').workflow_runs[0]);
    expect(workflowRunRow(run, 'octocat/hello-world', RAW)).toMatchObject({
      id: 'run:30433642',
      source: 'actions',
      final: false,
      succeeded_at: null,
    });
    const done = workflowRunRow({ ...run, status: 'completed', conclusion: 'success' }, 'octocat/hello-world', RAW);
    expect(done).toMatchObject({
      status: 'success',
      final: true,
      succeeded_at: '2020-01-22T19:33:08.000Z',
      environment: 'production',
    });
  });

  it('rejects a record missing what Vigil needs, saying which field', () => {
    const result = deploymentSchema.safeParse({ id: 'seven', sha: 'abc' });
    expect(result.success).toBe(false);
  });
});

describe('derived columns', () => {
  it('takes a deployment’s outcome from its newest status and its time from its first success', async () => {
    const db = await openDatabase(':memory:');
    try {
      const batch = emptyBatch();
      const deployment = (id: string) => ({
        id,
        repo: 'a/b',
        source: 'deployments',
        github_id: Number(id),
        sha: 'abc',
        environment: 'production',
        created_at: '2024-01-01T00:00:00Z',
        raw_hash: id,
        synced_at: '2024-01-01T00:00:00Z',
      });
      batch.rows.push({ table: 'deployments', rows: ['1', '2', '3'].map(deployment) });
      const status = (id: number, deploymentId: string, state: string, minute: number) => ({
        id,
        deployment_id: deploymentId,
        repo: 'a/b',
        state,
        created_at: `2024-01-01T00:${String(minute).padStart(2, '0')}:00Z`,
        raw_hash: String(id),
        synced_at: '2024-01-02T00:00:00Z',
      });
      batch.rows.push({
        table: 'deployment_statuses',
        rows: [
          status(10, '1', 'in_progress', 1),
          status(11, '1', 'success', 5),
          status(12, '1', 'inactive', 30),
          status(20, '2', 'queued', 1),
          status(21, '2', 'in_progress', 2),
          status(30, '3', 'in_progress', 1),
          status(31, '3', 'failure', 9),
        ],
      });
      batch.after.push(deriveAllDeployments());
      await loadBatch(db, batch, { source: 'github', runId: 1, rawRules: [] });
      expect(await db.all('SELECT id, status, status_at, succeeded_at, final, synced_at FROM deployments ORDER BY id')).toEqual([
        // Replaced by a newer deployment: still a success, at its first success.
        {
          id: '1',
          status: 'inactive',
          status_at: '2024-01-01T00:30:00.000Z',
          succeeded_at: '2024-01-01T00:05:00.000Z',
          final: true,
          synced_at: '2024-01-02T00:00:00.000Z',
        },
        {
          id: '2',
          status: 'in_progress',
          status_at: '2024-01-01T00:02:00.000Z',
          succeeded_at: null,
          final: false,
          synced_at: '2024-01-02T00:00:00.000Z',
        },
        {
          id: '3',
          status: 'failure',
          status_at: '2024-01-01T00:09:00.000Z',
          succeeded_at: null,
          final: true,
          synced_at: '2024-01-02T00:00:00.000Z',
        },
      ]);
    } finally {
      await db.close();
    }
  });

  it('times a pull request from its earliest commit and knows when its commits are all stored', async () => {
    const db = await openDatabase(':memory:');
    try {
      const batch = emptyBatch();
      batch.rows.push({
        table: 'pull_requests',
        rows: [
          {
            repo: 'a/b',
            number: 1,
            state: 'closed',
            head_sha: 'h2',
            created_at: '2024-01-05T00:00:00Z',
            raw_hash: 'p',
            synced_at: '2024-01-06T00:00:00Z',
          },
          {
            repo: 'a/b',
            number: 2,
            state: 'closed',
            head_sha: 'new-head',
            created_at: '2024-01-05T00:00:00Z',
            raw_hash: 'q',
            synced_at: '2024-01-06T00:00:00Z',
          },
        ],
      });
      batch.rows.push({
        table: 'pull_request_commits',
        rows: [
          { repo: 'a/b', number: 1, sha: 'h1', authored_at: '2024-01-02T00:00:00Z', committed_at: '2024-01-04T00:00:00Z' },
          { repo: 'a/b', number: 1, sha: 'h2', authored_at: '2024-01-03T00:00:00Z', committed_at: '2024-01-04T00:00:00Z' },
          { repo: 'a/b', number: 2, sha: 'old-head', authored_at: '2024-01-01T00:00:00Z', committed_at: null },
        ],
      });
      batch.after.push(derivePulls('a/b', [1, 2]));
      await loadBatch(db, batch, { source: 'github', runId: 1, rawRules: [] });
      expect(
        await db.all('SELECT number, first_commit_at, commit_count, commits_synced FROM pull_requests ORDER BY number'),
      ).toEqual([
        { number: 1, first_commit_at: '2024-01-02T00:00:00.000Z', commit_count: 2, commits_synced: true },
        // Its head moved since its commits were fetched: they are fetched again.
        { number: 2, first_commit_at: '2024-01-01T00:00:00.000Z', commit_count: 1, commits_synced: false },
      ]);
    } finally {
      await db.close();
    }
  });
});

describe('fetching a compare', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('pages through a compare of more than 250 commits and keeps them in order', async () => {
    // The repository's first and latest deployments are far apart: hundreds of commits.
    let pick: { repo: string; base: string; head: string; total: number } | null = null;
    for (const repo of world.store.repos) {
      const list = (await world.store.deployments(repo.fullName, {}, 0, 1_000_000)).items;
      const oldest = list.at(-1);
      const newest = list[0];
      if (!oldest || !newest) continue;
      const compared = await world.store.compare(repo.fullName, oldest.sha, newest.sha);
      if (compared && compared.commits.length > 250 && (!pick || compared.commits.length > pick.total)) {
        pick = { repo: repo.fullName, base: oldest.sha, head: newest.sha, total: compared.commits.length };
      }
    }
    expect(pick, 'a deployment range of more than 250 commits').not.toBeNull();
    const { repo, base, head, total } = pick as NonNullable<typeof pick>;
    const meter = new HttpMeter(parseGitHubRateLimit);
    const client = new GitHubClient({
      baseUrl: world.gh.url,
      token: TOKEN,
      timeoutMs: 10_000,
      meter,
      signal: new AbortController().signal,
      log: () => {},
    });
    const [owner = '', name = ''] = repo.split('/');
    const scope: RepoScope = {
      repo,
      owner,
      name,
      configPath: 'teams[0].repos[0]',
      productionPatterns: ['^production$'],
      workflow: null,
      historyDays: 3650,
    };
    const result = await fetchCompare({ client, scope } as RepoRun, {
      id: '2',
      sha: head,
      baseId: '1',
      baseSha: base,
      replaces: false,
    });
    if (!('pages' in result)) throw new Error('expected pages');
    // One unpaged request that says there are more than it lists, then every page of 100.
    expect(meter.requests).toBe(1 + Math.ceil(total / 100));
    expect(result.pages.map((p) => p.page)).toEqual(Array.from({ length: Math.ceil(total / 100) }, (_, i) => i + 1));
    const pages = result.pages.map((p) => ({
      compare: compareSchema.parse(p.fetched.data),
      original: p.fetched.data as { commits: unknown[] },
      raw: { payloadHash: String(p.page), fetchedAt: RAW.fetchedAt },
    }));
    const rows = compareRows({ deploymentId: '2', baseDeploymentId: '1', baseSha: base, headSha: head, repo, pages });
    const expected = (await world.store.compare(repo, base, head))?.commits.map((c) => c.sha);
    expect(rows.deploymentCommits.map((c) => c.sha)).toEqual(expected);
    expect(rows.compare).toMatchObject({ total_commits: total, commits_stored: total });
  });
});

describe('GitHub failures in words a user can act on', () => {
  const scope: RepoScope = {
    repo: 'acme/web',
    owner: 'acme',
    name: 'web',
    configPath: 'teams[1].repos[2]',
    productionPatterns: ['^prod$'],
    workflow: { file: 'deploy.yml', branch: 'main', configPath: 'teams[1].repos[2].workflow' },
    historyDays: 30,
  };
  const options = { baseUrl: 'https://ghe.example/api/v3', token: 'ghp_secret_value' };
  const failure = (status: number, headers: Record<string, string> = {}, message = 'Not Found') =>
    new RequestError(message, status, {
      request: { method: 'GET', url: 'https://ghe.example/api/v3/repos/acme/web/deployments?per_page=100', headers: {} },
      response: { status, url: '', headers, data: { message } },
    });

  it('a rejected token stops everything and names GITHUB_TOKEN', () => {
    const error = classifyGitHubError(failure(401, {}, 'Bad credentials'), scope, options);
    expect(error).toBeInstanceOf(FatalSyncError);
    expect(error.message).toMatch(/401 Bad credentials.*GITHUB_TOKEN/);
    expect((error as FatalSyncError).status).toBe('failed');
  });

  it('a missing repository or workflow names its place in the config', () => {
    expect(classifyGitHubError(failure(404), scope, { ...options, call: 'repo-list' }).message).toContain(
      'GitHub has no repository acme/web (teams[1].repos[2] in the config)',
    );
    const workflow = classifyGitHubError(failure(404), scope, { ...options, call: 'workflow-list' });
    expect(workflow).toBeInstanceOf(ScopeSyncError);
    expect(workflow.message).toContain('no workflow "deploy.yml" in acme/web (teams[1].repos[2].workflow.file');
  });

  it('a spent rate limit stops the run as partial with the reset time', () => {
    const error = classifyGitHubError(
      failure(
        403,
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '5000', 'x-ratelimit-reset': '1893456000' },
        'API rate limit exceeded',
      ),
      scope,
      options,
    ) as FatalSyncError;
    expect(error.status).toBe('partial');
    expect(error.message).toContain('0 of 5000 requests left until 00:00 UTC (2030-01-01)');
  });

  it('an unreachable host stops the run naming the base URL; a timeout names the setting', () => {
    const network = new RequestError('connect ECONNREFUSED 10.0.0.1:443', 500, {
      request: { method: 'GET', url: 'https://ghe.example/api/v3/repos/acme/web/pulls', headers: {} },
    });
    const unreachable = classifyGitHubError(network, scope, options);
    expect(unreachable).toBeInstanceOf(FatalSyncError);
    expect(unreachable.message).toContain('Could not reach GitHub at https://ghe.example/api/v3');
    const timeout = new RequestError('timed out', 500, {
      request: { method: 'GET', url: 'https://ghe.example/api/v3/repos/acme/web/pulls', headers: {} },
    });
    timeout.cause = new RequestTimeoutError('https://ghe.example/api/v3/repos/acme/web/pulls', 30_000);
    expect(classifyGitHubError(timeout, scope, options).message).toContain('github.timeoutSeconds');
  });

  it('never repeats the token', () => {
    const error = classifyGitHubError(failure(422, {}, 'token ghp_secret_value is not valid here'), scope, options);
    expect(error.message).not.toContain('ghp_secret_value');
  });
});

describe('workflow runs past the 1,000 results GitHub gives one query', () => {
  it('asks for the older runs with a created date GitHub accepts (no fraction of a second)', () => {
    // The walk's oldest time comes from toISOString (…46.000Z); GitHub (and the stand-in, which
    // follows its search date syntax) answer 422 to a fraction: 29 of the large organisation's
    // 400 repositories stopped there.
    const saved = new Date(Date.parse('2024-03-04T12:41:46Z')).toISOString();
    expect(saved).toBe('2024-03-04T12:41:46.000Z');
    expect(createdRange(`<=${saved}`)).toBeUndefined();
    const sent = searchDate(saved);
    expect(sent).toBe('2024-03-04T12:41:46Z');
    expect(createdRange(`<=${sent}`)).toEqual({ to: Date.parse('2024-03-04T12:41:46Z') });
    expect(searchDate('2024-03-04T12:41:46Z')).toBe('2024-03-04T12:41:46Z');
  });
});
