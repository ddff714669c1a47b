// GitHub's building blocks, rendered as api.github.com renders them: users (simple-user),
// repositories (minimal-repository, repository, full-repository), commits and labels. Field order
// and URL shapes follow the examples in @octokit/openapi; ids are deterministic and injective
// within the organisation (collectors key records by them).

import type { JsonFragment } from '../common/json-fragments.ts';
import { base64, fnv1a, isoSeconds, sha1Hex } from '../common/util.ts';
import type { OrgCommit, OrgRepo } from '../org/model.ts';
import { cached, type GhContext } from './context.ts';

export interface SimpleUser {
  login: string;
  id: number;
  node_id: string;
  avatar_url: string;
  gravatar_id: string;
  url: string;
  html_url: string;
  followers_url: string;
  following_url: string;
  gists_url: string;
  starred_url: string;
  subscriptions_url: string;
  organizations_url: string;
  repos_url: string;
  events_url: string;
  received_events_url: string;
  type: string;
  user_view_type: string;
  site_admin: boolean;
}

/** Numeric user id: store users by position, anyone else (bots, outside authors) by hash. */
export function userId(ctx: GhContext, login: string): number {
  const index = ctx.userIndex.get(login.toLowerCase());
  return index !== undefined ? 5_000_001 + index : 90_000_000 + (fnv1a(login.toLowerCase()) % 9_000_000);
}

/** A user as embedded in list items: a pre-serialised fragment (see json-fragments.ts). */
export function renderUser(ctx: GhContext, login: string): JsonFragment {
  return ctx.fragments.get(`u:${login}`, () => userObject(ctx, login));
}

export function userObject(ctx: GhContext, login: string): SimpleUser {
  return cached(ctx, `u:${login}`, () => {
    const id = userId(ctx, login);
    const isBot = login.endsWith('[bot]');
    const u = `${ctx.api}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id,
      node_id: base64(`04:${isBot ? 'Bot' : 'User'}${id}`),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url: u,
      html_url: `${ctx.web}/${isBot ? 'apps/' + login.replace('[bot]', '') : login}`,
      followers_url: `${u}/followers`,
      following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`,
      organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`,
      received_events_url: `${u}/received_events`,
      type: isBot ? 'Bot' : 'User',
      user_view_type: 'public',
      site_admin: false,
    };
  });
}

/** The organisation account that owns the repositories. */
export function renderOwner(ctx: GhContext, owner: string): JsonFragment {
  return ctx.fragments.get(`o:${owner}`, () => ownerObject(ctx, owner));
}

function ownerObject(ctx: GhContext, owner: string): SimpleUser {
  return cached(ctx, `o:${owner}`, () => {
    const id = 3_000_000 + (fnv1a(owner.toLowerCase()) % 1_000_000);
    const u = `${ctx.api}/users/${owner}`;
    return {
      login: owner,
      id,
      node_id: base64(`012:Organization${id}`),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url: u,
      html_url: `${ctx.web}/${owner}`,
      followers_url: `${u}/followers`,
      following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`,
      organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`,
      received_events_url: `${u}/received_events`,
      type: 'Organization',
      user_view_type: 'public',
      site_admin: false,
    };
  });
}

export function repoApi(ctx: GhContext, repo: OrgRepo): string {
  return `${ctx.api}/repos/${repo.fullName}`;
}

export function repoWeb(ctx: GhContext, repo: OrgRepo): string {
  return `${ctx.web}/${repo.fullName}`;
}

/** minimal-repository: what workflow runs embed. */
export function renderMinimalRepo(ctx: GhContext, repo: OrgRepo): JsonFragment {
  return ctx.fragments.get(`rm:${repo.fullName}`, () => minimalRepoObject(ctx, repo));
}

function minimalRepoObject(ctx: GhContext, repo: OrgRepo): Record<string, unknown> {
  return cached(ctx, `rm:${repo.fullName}`, () => {
    const [owner, name] = repo.fullName.split('/') as [string, string];
    const a = repoApi(ctx, repo);
    return {
      id: repo.id,
      node_id: base64(`010:Repository${repo.id}`),
      name,
      full_name: repo.fullName,
      private: true,
      owner: renderOwner(ctx, owner),
      html_url: repoWeb(ctx, repo),
      description: repo.description,
      fork: false,
      url: a,
      forks_url: `${a}/forks`,
      keys_url: `${a}/keys{/key_id}`,
      collaborators_url: `${a}/collaborators{/collaborator}`,
      teams_url: `${a}/teams`,
      hooks_url: `${a}/hooks`,
      issue_events_url: `${a}/issues/events{/number}`,
      events_url: `${a}/events`,
      assignees_url: `${a}/assignees{/user}`,
      branches_url: `${a}/branches{/branch}`,
      tags_url: `${a}/tags`,
      blobs_url: `${a}/git/blobs{/sha}`,
      git_tags_url: `${a}/git/tags{/sha}`,
      git_refs_url: `${a}/git/refs{/sha}`,
      trees_url: `${a}/git/trees{/sha}`,
      statuses_url: `${a}/statuses/{sha}`,
      languages_url: `${a}/languages`,
      stargazers_url: `${a}/stargazers`,
      contributors_url: `${a}/contributors`,
      subscribers_url: `${a}/subscribers`,
      subscription_url: `${a}/subscription`,
      commits_url: `${a}/commits{/sha}`,
      git_commits_url: `${a}/git/commits{/sha}`,
      comments_url: `${a}/comments{/number}`,
      issue_comment_url: `${a}/issues/comments{/number}`,
      contents_url: `${a}/contents/{+path}`,
      compare_url: `${a}/compare/{base}...{head}`,
      merges_url: `${a}/merges`,
      archive_url: `${a}/{archive_format}{/ref}`,
      downloads_url: `${a}/downloads`,
      issues_url: `${a}/issues{/number}`,
      pulls_url: `${a}/pulls{/number}`,
      milestones_url: `${a}/milestones{/number}`,
      notifications_url: `${a}/notifications{?since,all,participating}`,
      labels_url: `${a}/labels{/name}`,
      releases_url: `${a}/releases{/id}`,
      deployments_url: `${a}/deployments`,
    };
  });
}

/** repository: what pull requests embed in head.repo and base.repo. */
export function renderRepo(ctx: GhContext, repo: OrgRepo): JsonFragment {
  return ctx.fragments.get(`r:${repo.fullName}`, () => repoObject(ctx, repo));
}

function repoObject(ctx: GhContext, repo: OrgRepo): Record<string, unknown> {
  return cached(ctx, `r:${repo.fullName}`, () => {
    const name = repo.fullName.split('/')[1]!;
    const created = isoSeconds(repo.createdAt);
    return {
      ...minimalRepoObject(ctx, repo),
      git_url: `git://github.com/${repo.fullName}.git`,
      ssh_url: `git@github.com:${repo.fullName}.git`,
      clone_url: `${repoWeb(ctx, repo)}.git`,
      svn_url: repoWeb(ctx, repo),
      homepage: null,
      mirror_url: null,
      size: 1000 + (fnv1a(name) % 90_000),
      stargazers_count: 0,
      watchers_count: 0,
      language: 'TypeScript',
      has_issues: true,
      has_projects: false,
      has_downloads: true,
      has_wiki: false,
      has_pages: false,
      has_discussions: false,
      forks_count: 0,
      archived: false,
      disabled: false,
      open_issues_count: 0,
      license: null,
      allow_forking: false,
      is_template: false,
      web_commit_signoff_required: false,
      topics: [],
      visibility: 'private',
      forks: 0,
      open_issues: 0,
      watchers: 0,
      default_branch: repo.defaultBranch,
      created_at: created,
      // Stable rather than live: a repository's pushed_at would make every PR page change with the clock.
      updated_at: created,
      pushed_at: created,
    };
  });
}

/** full-repository: GET /repos/{owner}/{repo}. */
export function renderFullRepo(ctx: GhContext, repo: OrgRepo): Record<string, unknown> {
  return {
    ...repoObject(ctx, repo),
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_rebase_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: true,
    network_count: 0,
    subscribers_count: 0,
  };
}

export function commitUrl(ctx: GhContext, repo: OrgRepo, sha: string): string {
  return `${repoApi(ctx, repo)}/commits/${sha}`;
}

/** The `commit` schema (list commits, compare, pull commits). */
export function renderCommit(ctx: GhContext, repo: OrgRepo, c: OrgCommit): Record<string, unknown> {
  const a = repoApi(ctx, repo);
  const tree = c.treeSha;
  const author = renderUser(ctx, c.authorLogin);
  // Merges made on github.com are committed by web-flow; a commit without a GitHub account shows null.
  const committer = c.committerLogin ? renderUser(ctx, c.committerLogin) : null;
  return {
    sha: c.sha,
    node_id: base64(`06:Commit${repo.id}:${c.sha}`),
    commit: {
      author: { name: c.authorName, email: c.authorEmail, date: isoSeconds(c.authoredAt) },
      committer: { name: c.committerName, email: c.committerEmail, date: isoSeconds(c.committedAt) },
      message: c.message,
      tree: { sha: tree, url: `${a}/git/trees/${tree}` },
      url: `${a}/git/commits/${c.sha}`,
      comment_count: 0,
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    url: `${a}/commits/${c.sha}`,
    html_url: `${repoWeb(ctx, repo)}/commit/${c.sha}`,
    comments_url: `${a}/commits/${c.sha}/comments`,
    author,
    committer,
    parents: c.parents.map((p) => ({ sha: p, url: `${a}/commits/${p}`, html_url: `${repoWeb(ctx, repo)}/commit/${p}` })),
  };
}

/** nullable-simple-commit: a workflow run's head_commit. */
export function renderSimpleCommit(c: OrgCommit): Record<string, unknown> {
  return {
    id: c.sha,
    tree_id: c.treeSha,
    message: c.message,
    timestamp: isoSeconds(c.committedAt),
    author: { name: c.authorName, email: c.authorEmail },
    committer: { name: c.committerName, email: c.committerEmail },
  };
}

/** Changed files for a compare: derived from the commits, at most 300 as GitHub sends. */
export function renderFiles(ctx: GhContext, repo: OrgRepo, commits: OrgCommit[]): Record<string, unknown>[] {
  const files = new Map<string, Record<string, unknown>>();
  const modules = ['api', 'core', 'db', 'jobs', 'web', 'lib'];
  for (const c of commits) {
    const h = fnv1a(c.sha);
    const filename = `src/${modules[h % modules.length]}/${(h >>> 8).toString(36)}.ts`;
    const prev = files.get(filename);
    const additions = (h % 60) + 1;
    const deletions = (h >>> 6) % 25;
    if (prev) {
      prev.additions = (prev.additions as number) + additions;
      prev.deletions = (prev.deletions as number) + deletions;
      prev.changes = (prev.additions as number) + (prev.deletions as number);
      continue;
    }
    if (files.size >= 300) continue;
    const blob = sha1Hex(`blob:${c.sha}:${filename}`);
    files.set(filename, {
      sha: blob,
      filename,
      status: h % 7 === 0 ? 'added' : 'modified',
      additions,
      deletions,
      changes: additions + deletions,
      blob_url: `${repoWeb(ctx, repo)}/blob/${c.sha}/${filename}`,
      raw_url: `${repoWeb(ctx, repo)}/raw/${c.sha}/${filename}`,
      contents_url: `${repoApi(ctx, repo)}/contents/${filename}?ref=${c.sha}`,
      patch: `@@ -1,${deletions} +1,${additions} @@`,
    });
  }
  return [...files.values()];
}

const LABEL_COLORS = ['d73a4a', 'a2eeef', '7057ff', '008672', 'e4e669', 'd876e3', '0075ca', 'cfd3d7'];

export function renderLabel(ctx: GhContext, repo: OrgRepo, name: string): Record<string, unknown> {
  return cached(ctx, `l:${repo.fullName}:${name}`, () => {
    const h = fnv1a(`${repo.fullName}:${name}`);
    const id = 1_000_000_000 + (h % 1_000_000_000);
    return {
      id,
      node_id: base64(`05:Label${id}`),
      url: `${repoApi(ctx, repo)}/labels/${encodeURIComponent(name)}`,
      name,
      color: LABEL_COLORS[h % LABEL_COLORS.length],
      default: name === 'bug' || name === 'enhancement',
      description: `${name} label`,
    };
  });
}
