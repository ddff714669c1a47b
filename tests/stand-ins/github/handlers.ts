// The GitHub endpoints the collectors use, with their filters, defaults and limits as issue 3 and
// the OpenAPI description give them. Each handler gets the resolved repository and returns a JSON
// value plus an optional Link header; the server adds auth, budgets, ETags and headers.

import type { StandInRequest } from '../common/http-harness.ts';
import { Router } from '../common/router.ts';
import type { OrgRepo, OrgWorkflowRun } from '../org/model.ts';
import { type GhContext, GhError, notFound, validationFailed } from './context.ts';
import { linkHeader, readPaging } from './pagination.ts';
import { renderCommit, renderFiles, renderFullRepo, repoApi, repoWeb } from './render-core.ts';
import {
  renderDeployment,
  renderDeploymentStatus,
  renderIssue,
  renderPull,
  renderRelease,
  renderWorkflowRun,
} from './render-items.ts';
import { createdRange } from './search-dates.ts';

export interface GhCall {
  ctx: GhContext;
  req: StandInRequest;
  repo: OrgRepo;
}

export interface GhOk {
  body: unknown;
  link?: string;
}

export interface GhRoute {
  doc: string;
  /** false for routes that are not under a repository (/rate_limit). */
  repoScoped: boolean;
  run(call: GhCall): Promise<GhOk>;
}

const DOCS = 'https://docs.github.com/rest';
const MAX_COMPARE_UNPAGED = 250;
const MAX_PULL_COMMITS = 250;
const MAX_FILTERED_RUNS = 1000;

function oneOf<T extends string>(
  call: GhCall,
  name: string,
  allowed: readonly T[],
  fallback: T,
  resource: string,
  doc: string,
): T {
  const raw = call.req.query.get(name);
  if (raw === null || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw validationFailed(resource, name, doc);
}

function isoParam(call: GhCall, name: string, resource: string, doc: string): string | undefined {
  const raw = call.req.query.get(name);
  if (raw === null || raw === '') return undefined;
  if (Number.isNaN(Date.parse(raw))) throw validationFailed(resource, name, doc);
  return new Date(Date.parse(raw)).toISOString();
}

/** The Link path: the request's own path (either shape), or the /repositories/{id} shape for issues. */
function selfPath(call: GhCall): string {
  return call.req.path;
}

const deployments: GhRoute = {
  doc: `${DOCS}/deployments/deployments#list-deployments`,
  repoScoped: true,
  async run(call) {
    const { ctx, req, repo } = call;
    const paging = readPaging(req.query);
    const filter: { environment?: string; sha?: string; ref?: string; task?: string } = {};
    for (const k of ['environment', 'sha', 'ref', 'task'] as const) {
      const v = req.query.get(k);
      if (v !== null && v !== '') filter[k] = v;
    }
    const page = await ctx.store.deployments(repo.fullName, filter, paging.offset, paging.perPage);
    return {
      body: page.items.map((d) => renderDeployment(ctx, repo, d)),
      link: linkHeader(ctx.api, selfPath(call), req.query, paging, page.total),
    };
  },
};

async function findDeployment(call: GhCall, doc: string) {
  const id = Number(call.req.params.deployment_id);
  const d = Number.isSafeInteger(id) ? await call.ctx.store.deployment(call.repo.fullName, id) : undefined;
  if (!d) throw notFound(doc);
  return d;
}

const deployment: GhRoute = {
  doc: `${DOCS}/deployments/deployments#get-a-deployment`,
  repoScoped: true,
  async run(call) {
    return { body: renderDeployment(call.ctx, call.repo, await findDeployment(call, this.doc)) };
  },
};

const deploymentStatuses: GhRoute = {
  doc: `${DOCS}/deployments/statuses#list-deployment-statuses`,
  repoScoped: true,
  async run(call) {
    const { ctx, req, repo } = call;
    const d = await findDeployment(call, this.doc);
    const paging = readPaging(req.query);
    const page = await ctx.store.deploymentStatuses(repo.fullName, d.id, paging.offset, paging.perPage);
    return {
      body: page.items.map((s) => renderDeploymentStatus(ctx, repo, d, s)),
      link: linkHeader(ctx.api, selfPath(call), req.query, paging, page.total),
    };
  },
};

/** The commit a ref (branch, tag, full or abbreviated SHA) names as of the clock. */
async function commitOrBranch(call: GhCall, ref: string) {
  const { ctx, repo } = call;
  const sha = await ctx.store.resolveRef(repo.fullName, ref);
  return sha === undefined ? undefined : ctx.store.commit(repo.fullName, sha);
}

const compare: GhRoute = {
  doc: `${DOCS}/commits/commits#compare-two-commits`,
  repoScoped: true,
  async run(call) {
    const { ctx, req, repo } = call;
    const basehead = req.params.basehead ?? '';
    const sep = basehead.indexOf('...');
    if (sep <= 0 || sep + 3 >= basehead.length) throw notFound(this.doc);
    const base = basehead.slice(0, sep);
    const head = basehead.slice(sep + 3);
    const result = await ctx.store.compare(repo.fullName, base, head);
    if (!result) throw notFound(this.doc);
    const baseCommit = (await commitOrBranch(call, base)) ?? result.mergeBase;
    const paging = readPaging(req.query);
    const all = result.commits;
    // Without paging parameters GitHub sends at most 250 commits, ending with the newest; with them
    // it pages oldest first and sends the changed files on page 1 only.
    const commits = paging.explicit ? all.slice(paging.offset, paging.offset + paging.perPage) : all.slice(-MAX_COMPARE_UNPAGED);
    const api = repoApi(ctx, repo);
    const web = repoWeb(ctx, repo);
    const owner = repo.fullName.split('/')[0];
    const body: Record<string, unknown> = {
      url: `${api}/compare/${basehead}`,
      html_url: `${web}/compare/${basehead}`,
      permalink_url: `${web}/compare/${owner}:${baseCommit.sha}...${owner}:${all.at(-1)?.sha ?? baseCommit.sha}`,
      diff_url: `${web}/compare/${basehead}.diff`,
      patch_url: `${web}/compare/${basehead}.patch`,
      base_commit: renderCommit(ctx, repo, baseCommit),
      merge_base_commit: renderCommit(ctx, repo, result.mergeBase),
      status: result.status,
      ahead_by: result.aheadBy,
      behind_by: result.behindBy,
      total_commits: all.length,
      commits: commits.map((c) => renderCommit(ctx, repo, c)),
    };
    if (!paging.explicit || paging.page === 1) body.files = renderFiles(ctx, repo, all);
    return { body, link: paging.explicit ? linkHeader(ctx.api, selfPath(call), req.query, paging, all.length) : undefined };
  },
};

const commits: GhRoute = {
  doc: `${DOCS}/commits/commits#list-commits`,
  repoScoped: true,
  async run(call) {
    const { ctx, req, repo } = call;
    const paging = readPaging(req.query);
    const sha = req.query.get('sha') || undefined;
    const since = isoParam(call, 'since', 'Commit', this.doc);
    const until = isoParam(call, 'until', 'Commit', this.doc);
    const page = await ctx.store.commits(repo.fullName, { sha, since, until }, paging.offset, paging.perPage);
    if (page.total === 0 && sha && (await ctx.store.resolveRef(repo.fullName, sha)) === undefined) {
      throw new GhError(404, `No commit found for SHA: ${sha}`, this.doc);
    }
    return {
      body: page.items.map((c) => renderCommit(ctx, repo, c)),
      link: linkHeader(ctx.api, selfPath(call), req.query, paging, page.total),
    };
  },
};

const commit: GhRoute = {
  doc: `${DOCS}/commits/commits#get-a-commit`,
  repoScoped: true,
  async run(call) {
    const { ctx, repo } = call;
    const c = await commitOrBranch(call, call.req.params.ref ?? '');
    if (!c) throw new GhError(422, `No commit found for SHA: ${call.req.params.ref}`, this.doc);
    const files = renderFiles(ctx, repo, [c]);
    const additions = files.reduce((n, f) => n + (f.additions as number), 0);
    const deletions = files.reduce((n, f) => n + (f.deletions as number), 0);
    return { body: { ...renderCommit(ctx, repo, c), stats: { total: additions + deletions, additions, deletions }, files } };
  },
};

async function baseShaOf(call: GhCall, firstCommitSha: string | undefined, fallback: string): Promise<string> {
  if (!firstCommitSha) return fallback;
  const first = await call.ctx.store.commit(call.repo.fullName, firstCommitSha);
  return first?.parents[0] ?? fallback;
}

const pulls: GhRoute = {
  doc: `${DOCS}/pulls/pulls#list-pull-requests`,
  repoScoped: true,
  async run(call) {
    const { ctx, req, repo } = call;
    const paging = readPaging(req.query);
    const state = oneOf(call, 'state', ['open', 'closed', 'all'] as const, 'open', 'PullRequest', this.doc);
    const sort = oneOf(
      call,
      'sort',
      ['created', 'updated', 'popularity', 'long-running'] as const,
      'created',
      'PullRequest',
      this.doc,
    );
    // GitHub: direction defaults to desc when sorting by created (or not sorting), else asc.
    const direction = oneOf(
      call,
      'direction',
      ['asc', 'desc'] as const,
      sort === 'created' ? 'desc' : 'asc',
      'PullRequest',
      this.doc,
    );
    const base = req.query.get('base') || undefined;
    const head = req.query.get('head') || undefined;
    const page = await ctx.store.pulls(repo.fullName, { state, sort, direction, base, head }, paging.offset, paging.perPage);
    const body = [];
    for (const p of page.items) body.push(renderPull(ctx, repo, p, await baseShaOf(call, p.commitShas[0], p.headSha)));
    return { body, link: linkHeader(ctx.api, selfPath(call), req.query, paging, page.total) };
  },
};

const pullCommits: GhRoute = {
  doc: `${DOCS}/pulls/pulls#list-commits-on-a-pull-request`,
  repoScoped: true,
  async run(call) {
    const { ctx, req, repo } = call;
    const n = Number(req.params.pull_number);
    const p = Number.isSafeInteger(n) ? await ctx.store.pull(repo.fullName, n) : undefined;
    if (!p) throw notFound(this.doc);
    const paging = readPaging(req.query);
    const shas = p.commitShas.slice(0, MAX_PULL_COMMITS);
    const body = [];
    for (const sha of shas.slice(paging.offset, paging.offset + paging.perPage)) {
      const c = await ctx.store.commit(repo.fullName, sha);
      if (!c) throw new Error(`The organisation lists commit ${sha} in ${repo.fullName}#${n} but has no such commit.`);
      body.push(renderCommit(ctx, repo, c));
    }
    return { body, link: linkHeader(ctx.api, selfPath(call), req.query, paging, shas.length) };
  },
};

const pullsForCommit: GhRoute = {
  doc: `${DOCS}/commits/commits#list-pull-requests-associated-with-a-commit`,
  repoScoped: true,
  async run(call) {
    const { ctx, req, repo } = call;
    const sha = req.params.commit_sha ?? '';
    const all = await ctx.store.pullsForCommit(repo.fullName, sha);
    if (all.length === 0 && !(await commitOrBranch(call, sha))) {
      throw new GhError(422, `No commit found for SHA: ${sha}`, this.doc);
    }
    const paging = readPaging(req.query);
    const body = [];
    for (const p of all.slice(paging.offset, paging.offset + paging.perPage)) {
      body.push(renderPull(ctx, repo, p, await baseShaOf(call, p.commitShas[0], p.headSha)));
    }
    return { body, link: linkHeader(ctx.api, selfPath(call), req.query, paging, all.length) };
  },
};

const issues: GhRoute = {
  doc: `${DOCS}/issues/issues#list-repository-issues`,
  repoScoped: true,
  async run(call) {
    const { ctx, req, repo } = call;
    const paging = readPaging(req.query);
    const state = oneOf(call, 'state', ['open', 'closed', 'all'] as const, 'open', 'Issue', this.doc);
    const sort = oneOf(call, 'sort', ['created', 'updated', 'comments'] as const, 'created', 'Issue', this.doc);
    const direction = oneOf(call, 'direction', ['asc', 'desc'] as const, 'desc', 'Issue', this.doc);
    const since = isoParam(call, 'since', 'Issue', this.doc);
    const rawLabels = req.query.get('labels');
    const labels = rawLabels
      ? rawLabels
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean)
      : undefined;
    const page = await ctx.store.issues(repo.fullName, { state, labels, since, sort, direction }, paging.offset, paging.perPage);
    const body = [];
    for (const i of page.items) {
      const pull = i.pullRequestNumber !== null ? await ctx.store.pull(repo.fullName, i.pullRequestNumber) : undefined;
      body.push(renderIssue(ctx, repo, i, pull));
    }
    // Real GitHub's next links for issues use the repository-id path shape (see API-NOTES); so do ours.
    return { body, link: linkHeader(ctx.api, `/repositories/${repo.id}/issues`, req.query, paging, page.total) };
  },
};

async function listRuns(call: GhCall, workflowId: number | undefined, doc: string): Promise<GhOk> {
  const { ctx, req, repo } = call;
  const paging = readPaging(req.query);
  const q = (k: string) => req.query.get(k) || undefined;
  const created = q('created');
  if (created !== undefined && !createdRange(created)) throw validationFailed('WorkflowRun', 'created', doc);
  const filter = { workflowId, branch: q('branch'), event: q('event'), status: q('status'), headSha: q('head_sha'), created };
  const actor = q('actor');
  const searching = ['actor', 'branch', 'check_suite_id', 'created', 'event', 'head_sha', 'status'].some(
    (k) => q(k) !== undefined,
  );
  let items: OrgWorkflowRun[];
  let total: number;
  if (actor === undefined) {
    const page = await ctx.store.workflowRuns(repo.fullName, filter, paging.offset, paging.perPage);
    items = page.items;
    total = page.total;
  } else {
    // The store has no actor filter: scan the (at most 1,000) searchable results and filter here.
    const matched: OrgWorkflowRun[] = [];
    for (let offset = 0; offset < MAX_FILTERED_RUNS; offset += 100) {
      const page = await ctx.store.workflowRuns(repo.fullName, filter, offset, 100);
      matched.push(...page.items.filter((r) => r.actorLogin.toLowerCase() === actor.toLowerCase()));
      if (offset + 100 >= page.total) break;
    }
    total = matched.length;
    items = matched.slice(paging.offset, paging.offset + paging.perPage);
  }
  // GitHub returns at most 1,000 results for a filtered search; total_count still reports all.
  const reachable = searching ? Math.min(total, MAX_FILTERED_RUNS) : total;
  if (searching && paging.offset >= MAX_FILTERED_RUNS) items = [];
  else if (searching) items = items.slice(0, Math.max(0, MAX_FILTERED_RUNS - paging.offset));
  const runs = [];
  for (const r of items) runs.push(renderWorkflowRun(ctx, repo, r, await ctx.store.commit(repo.fullName, r.headSha)));
  return {
    body: { total_count: total, workflow_runs: runs },
    link: linkHeader(ctx.api, selfPath(call), req.query, paging, reachable),
  };
}

const workflowRuns: GhRoute = {
  doc: `${DOCS}/actions/workflow-runs#list-workflow-runs-for-a-repository`,
  repoScoped: true,
  run(call) {
    return listRuns(call, undefined, this.doc);
  },
};

/**
 * A workflow is named by id or by its file name (`deploy.yml`). The store lists no workflows, so a
 * file name is resolved from the repository's deploy workflow or from the runs it has made.
 */
async function workflowIdOf(call: GhCall, ref: string): Promise<number | undefined> {
  if (/^\d+$/.test(ref)) return Number(ref);
  const base = (path: string) => path.split('/').at(-1);
  const wf = call.repo.workflow;
  if (wf && (ref === wf.file || ref === base(wf.file))) return wf.id;
  const key = `wf:${call.repo.fullName}:${ref}`;
  if (call.ctx.cache.has(key)) return call.ctx.cache.get(key) as number | undefined;
  let found: number | undefined;
  for (let offset = 0; found === undefined; offset += 100) {
    const page = await call.ctx.store.workflowRuns(call.repo.fullName, {}, offset, 100);
    found = page.items.find((r) => r.path === ref || base(r.path) === ref)?.workflowId;
    if (offset + 100 >= page.total) break;
  }
  call.ctx.cache.set(key, found);
  return found;
}

const workflowRunsForWorkflow: GhRoute = {
  doc: `${DOCS}/actions/workflow-runs#list-workflow-runs-for-a-workflow`,
  repoScoped: true,
  async run(call) {
    const id = await workflowIdOf(call, call.req.params.workflow_id ?? '');
    if (id === undefined) throw notFound(this.doc);
    return listRuns(call, id, this.doc);
  },
};

const releases: GhRoute = {
  doc: `${DOCS}/releases/releases#list-releases`,
  repoScoped: true,
  async run(call) {
    const { ctx, req, repo } = call;
    const paging = readPaging(req.query);
    const page = await ctx.store.releases(repo.fullName, paging.offset, paging.perPage);
    return {
      body: page.items.map((r) => renderRelease(ctx, repo, r)),
      link: linkHeader(ctx.api, selfPath(call), req.query, paging, page.total),
    };
  },
};

const repository: GhRoute = {
  doc: `${DOCS}/repos/repos#get-a-repository`,
  repoScoped: true,
  async run(call) {
    return { body: renderFullRepo(call.ctx, call.repo) };
  },
};

/** Routes under a repository, registered in both path shapes with one endpoint key. */
const REPO_ROUTES: [string, GhRoute][] = [
  ['', repository],
  ['/deployments', deployments],
  ['/deployments/{deployment_id}', deployment],
  ['/deployments/{deployment_id}/statuses', deploymentStatuses],
  ['/compare/{basehead}', compare],
  ['/commits', commits],
  ['/commits/{commit_sha}/pulls', pullsForCommit],
  ['/commits/{ref}', commit],
  ['/pulls', pulls],
  ['/pulls/{pull_number}/commits', pullCommits],
  ['/issues', issues],
  ['/actions/runs', workflowRuns],
  ['/actions/workflows/{workflow_id}/runs', workflowRunsForWorkflow],
  ['/releases', releases],
];

export const RATE_LIMIT_ROUTE: GhRoute = {
  doc: `${DOCS}/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user`,
  repoScoped: false,
  run: () => Promise.reject(new Error('answered by the server')),
};

export function buildGitHubRouter(): Router<GhRoute> {
  const router = new Router<GhRoute>();
  router.add('GET', '/rate_limit', RATE_LIMIT_ROUTE);
  for (const [suffix, route] of REPO_ROUTES) {
    const template = `/repos/{owner}/{repo}${suffix}`;
    router.add('GET', template, route);
    router.add('GET', `/repositories/{repository_id}${suffix}`, route, `GET ${template}`);
  }
  return router;
}
