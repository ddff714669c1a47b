// The organisation the stand-in tests run against, and small helpers to start the stand-ins over
// it and close them when the test file ends.
import { afterAll } from 'vitest';
import { type GitHubStandIn, type GitHubStandInOptions, startGitHubStandIn } from '../../stand-ins/github/index.ts';
import type { OrgStore } from '../../stand-ins/org/model.ts';
import { type PagerDutyStandIn, type PagerDutyStandInOptions, startPagerDutyStandIn } from '../../stand-ins/pagerduty/index.ts';
import { createFixtureStore } from './fixture-store.ts';

export const GH_TOKEN = 'ghp_standin_test_token';
export const PD_TOKEN = 'pd_standin_test_key';

export function testOrg(): OrgStore {
  return createFixtureStore();
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
