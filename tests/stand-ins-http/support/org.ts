// The organisation the stand-in tests run against, and small helpers to start the stand-ins over
// it and close them when the test file ends.
import { afterAll } from 'vitest';
import { type GitHubStandIn, type GitHubStandInOptions, startGitHubStandIn } from '../../stand-ins/github/index.ts';
import { createOrg } from '../../stand-ins/org/index.ts';
import type { OrgPullRequest, OrgStore } from '../../stand-ins/org/model.ts';
import { type PagerDutyStandIn, type PagerDutyStandInOptions, startPagerDutyStandIn } from '../../stand-ins/pagerduty/index.ts';

export const GH_TOKEN = 'ghp_standin_test_token';
export const PD_TOKEN = 'pd_standin_test_key';

/** The anchor ("now") of the test organisation: fixed, so every run sees the same records. */
export const ANCHOR = '2024-06-30T00:00:00Z';

/** The seeded small organisation (what the collectors' tests and the demo use too). */
export function testOrg(seed = 7): Promise<OrgStore> {
  return createOrg({ seed, size: 'small', anchor: ANCHOR });
}

/**
 * The seeded organisation plus one open pull request of 300 commits (GitHub lists at most 250 of a
 * pull request's commits), which the seeded one does not have. Every other query goes to the store.
 */
export async function orgWithGiantPull(): Promise<{ store: OrgStore; repo: string; number: number }> {
  const base = await testOrg();
  const { long } = await pickRepos(base);
  const commits = (await base.commits(long.fullName, {}, 0, 300)).items.reverse();
  if (commits.length < 300) throw new Error(`${long.fullName} has fewer than 300 commits.`);
  const template = (await base.pulls(long.fullName, { state: 'all', sort: 'created', direction: 'desc' }, 0, 1)).items[0]!;
  const number = 99_999;
  const giant: OrgPullRequest = {
    ...template,
    id: template.id + 1_000_000,
    number,
    title: 'Giant refactor',
    createdAt: commits[0]!.authoredAt,
    updatedAt: commits.at(-1)!.committedAt,
    closedAt: null,
    mergedAt: null,
    mergeMethod: null,
    mergeCommitSha: null,
    mergedByLogin: null,
    headRef: 'giant-refactor',
    headSha: commits.at(-1)!.sha,
    commitShas: commits.map((c) => c.sha),
  };
  const store = new Proxy(base, {
    get(target, key) {
      if (key === 'pull')
        return async (repo: string, n: number) => (repo === long.fullName && n === number ? giant : target.pull(repo, n));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, repo: long.fullName, number };
}

export async function github(store: OrgStore, options: Partial<GitHubStandInOptions> = {}): Promise<GitHubStandIn> {
  const server = await startGitHubStandIn({ store, token: GH_TOKEN, ...options });
  afterAll(() => server.close());
  return server;
}

export async function pagerduty(store: OrgStore, options: Partial<PagerDutyStandInOptions> = {}): Promise<PagerDutyStandIn> {
  const server = await startPagerDutyStandIn({ store, token: PD_TOKEN, ...options });
  afterAll(() => server.close());
  return server;
}

export function ghGet(server: { url: string }, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(path.startsWith('http') ? path : server.url + path, {
    headers: { authorization: `token ${GH_TOKEN}`, ...headers },
  });
}

export function pdGet(server: { url: string }, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(path.startsWith('http') ? path : server.url + path, {
    headers: { authorization: `Token token=${PD_TOKEN}`, ...headers },
  });
}

/** The `rel="next"` URL of a Link header, if any. */
export function nextLink(res: Response): string | undefined {
  const link = res.headers.get('link');
  return link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
}

/** Repositories with the shapes tests need, chosen from the organisation rather than by name. */
export async function pickRepos(store: OrgStore) {
  const counts = await Promise.all(
    store.repos.map(async (r) => ({
      repo: r,
      deployments: (await store.deployments(r.fullName, {}, 0, 1)).total,
      commits: (await store.commits(r.fullName, {}, 0, 1)).total,
    })),
  );
  const most = (key: 'deployments' | 'commits') => [...counts].sort((a, b) => b[key] - a[key])[0]!.repo;
  const actions = store.repos.find((r) => r.workflow);
  if (!actions) throw new Error('The test organisation has no repository that deploys from Actions.');
  return { deploys: most('deployments'), long: most('commits'), actions };
}
