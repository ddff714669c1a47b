// GitHub list items rendered as api.github.com renders them: deployments and their statuses, pull
// requests (pull-request-simple), issues (with the `pull_request` key for pull requests), workflow
// runs and releases. Each applies "as of the store's clock": a pull request merged after the clock
// is still open, a run that finishes after it is still in progress.

import { base64, isoSeconds, msToIso } from '../common/util.ts';
import type {
  OrgCommit,
  OrgDeployment,
  OrgDeploymentStatus,
  OrgIssue,
  OrgPullRequest,
  OrgRelease,
  OrgRepo,
  OrgWorkflowRun,
} from '../org/model.ts';
import type { GhContext } from './context.ts';
import {
  renderLabel,
  renderMinimalRepo,
  renderOwner,
  renderRepo,
  renderSimpleCommit,
  renderUser,
  repoApi,
  repoWeb,
} from './render-core.ts';

const at = (iso: string | null | undefined, clock: number): string | null =>
  iso != null && Date.parse(iso) <= clock ? isoSeconds(iso) : null;

/** The latest of the given instants that are visible at the clock (for updated_at as of the clock). */
function latestVisible(clock: number, ...candidates: (string | null | undefined)[]): string {
  let best = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    if (c == null) continue;
    const t = Date.parse(c);
    if (t <= clock && t > best) best = t;
  }
  return msToIso(best);
}

export function renderDeployment(ctx: GhContext, repo: OrgRepo, d: OrgDeployment): Record<string, unknown> {
  const clock = ctx.clockMs();
  const a = repoApi(ctx, repo);
  const lastStatus = d.statuses.filter((s) => Date.parse(s.createdAt) <= clock).at(-1);
  const updated = Date.parse(d.updatedAt) <= clock ? d.updatedAt : latestVisible(clock, d.createdAt, lastStatus?.createdAt);
  return {
    url: `${a}/deployments/${d.id}`,
    id: d.id,
    node_id: base64(`010:Deployment${d.id}`),
    task: d.task,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    created_at: isoSeconds(d.createdAt),
    updated_at: isoSeconds(updated),
    statuses_url: `${a}/deployments/${d.id}/statuses`,
    repository_url: a,
    creator: renderUser(ctx, d.creatorLogin),
    sha: d.sha,
    ref: d.ref,
    payload: {},
    transient_environment: d.transient,
    production_environment: d.production,
    performed_via_github_app: null,
  };
}

export function renderDeploymentStatus(
  ctx: GhContext,
  repo: OrgRepo,
  d: OrgDeployment,
  s: OrgDeploymentStatus,
): Record<string, unknown> {
  const a = repoApi(ctx, repo);
  return {
    url: `${a}/deployments/${d.id}/statuses/${s.id}`,
    id: s.id,
    node_id: base64(`016:DeploymentStatus${s.id}`),
    state: s.state,
    creator: renderUser(ctx, s.creatorLogin),
    description: s.description,
    environment: d.environment,
    target_url: s.logUrl,
    created_at: isoSeconds(s.createdAt),
    updated_at: isoSeconds(s.createdAt),
    deployment_url: `${a}/deployments/${d.id}`,
    repository_url: a,
    environment_url: s.environmentUrl,
    log_url: s.logUrl,
    performed_via_github_app: null,
  };
}

/** pull-request-simple. `baseSha` is the base branch's commit the pull request started from. */
export function renderPull(ctx: GhContext, repo: OrgRepo, p: OrgPullRequest, baseSha: string): Record<string, unknown> {
  const clock = ctx.clockMs();
  const a = repoApi(ctx, repo);
  const w = repoWeb(ctx, repo);
  const owner = repo.fullName.split('/')[0]!;
  const closedAt = at(p.closedAt, clock);
  const mergedAt = at(p.mergedAt, clock);
  const updated = Date.parse(p.updatedAt) <= clock ? p.updatedAt : latestVisible(clock, p.createdAt, closedAt, mergedAt);
  const url = `${a}/pulls/${p.number}`;
  const id = p.id;
  const author = renderUser(ctx, p.authorLogin);
  const full = renderRepo(ctx, repo);
  const ownerUser = renderOwner(ctx, owner);
  return {
    url,
    id,
    node_id: base64(`011:PullRequest${id}`),
    html_url: `${w}/pull/${p.number}`,
    diff_url: `${w}/pull/${p.number}.diff`,
    patch_url: `${w}/pull/${p.number}.patch`,
    issue_url: `${a}/issues/${p.number}`,
    number: p.number,
    state: closedAt ? 'closed' : 'open',
    locked: false,
    title: p.title,
    user: author,
    body: p.body,
    created_at: isoSeconds(p.createdAt),
    updated_at: isoSeconds(updated),
    closed_at: closedAt,
    merged_at: mergedAt,
    // GitHub shows the test-merge commit of an open pull request; merged ones show the real one.
    merge_commit_sha: mergedAt ? p.mergeCommitSha : closedAt ? null : p.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: p.labels.map((l) => renderLabel(ctx, repo, l)),
    milestone: null,
    draft: p.draft,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${a}/pulls/comments{/number}`,
    comments_url: `${a}/issues/${p.number}/comments`,
    statuses_url: `${a}/statuses/${p.headSha}`,
    head: { label: `${owner}:${p.headRef}`, ref: p.headRef, sha: p.headSha, user: ownerUser, repo: full },
    base: { label: `${owner}:${p.baseRef}`, ref: p.baseRef, sha: baseSha, user: ownerUser, repo: full },
    _links: {
      self: { href: url },
      html: { href: `${w}/pull/${p.number}` },
      issue: { href: `${a}/issues/${p.number}` },
      comments: { href: `${a}/issues/${p.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${a}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${a}/statuses/${p.headSha}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
    active_lock_reason: null,
  };
}

export function renderIssue(
  ctx: GhContext,
  repo: OrgRepo,
  i: OrgIssue,
  pull: OrgPullRequest | undefined,
): Record<string, unknown> {
  const clock = ctx.clockMs();
  const a = repoApi(ctx, repo);
  const w = repoWeb(ctx, repo);
  const closedAt = at(i.closedAt, clock);
  const updated = Date.parse(i.updatedAt) <= clock ? i.updatedAt : latestVisible(clock, i.createdAt, closedAt);
  const id = i.id;
  const url = `${a}/issues/${i.number}`;
  const out: Record<string, unknown> = {
    url,
    repository_url: a,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${w}/${i.pullRequestNumber !== null ? 'pull' : 'issues'}/${i.number}`,
    id,
    node_id: base64(`05:Issue${id}`),
    number: i.number,
    title: i.title,
    user: renderUser(ctx, i.authorLogin),
    labels: i.labels.map((l) => renderLabel(ctx, repo, l)),
    state: closedAt ? 'closed' : 'open',
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: i.comments,
    created_at: isoSeconds(i.createdAt),
    updated_at: isoSeconds(updated),
    closed_at: closedAt,
    author_association: 'MEMBER',
    active_lock_reason: null,
    body: i.body,
    closed_by: null,
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: closedAt ? i.stateReason : null,
  };
  if (i.pullRequestNumber !== null) {
    const n = i.pullRequestNumber;
    out.draft = pull?.draft ?? false;
    out.pull_request = {
      url: `${a}/pulls/${n}`,
      html_url: `${w}/pull/${n}`,
      diff_url: `${w}/pull/${n}.diff`,
      patch_url: `${w}/pull/${n}.patch`,
      merged_at: pull ? at(pull.mergedAt, clock) : null,
    };
    // Pull requests have no state_reason on GitHub's issue listing.
    out.state_reason = null;
  }
  return out;
}

export function renderWorkflowRun(
  ctx: GhContext,
  repo: OrgRepo,
  r: OrgWorkflowRun,
  head: OrgCommit | undefined,
): Record<string, unknown> {
  const clock = ctx.clockMs();
  const a = repoApi(ctx, repo);
  const w = repoWeb(ctx, repo);
  const finished = Date.parse(r.updatedAt) <= clock;
  const started = Date.parse(r.runStartedAt) <= clock;
  const status = r.status === 'completed' && !finished ? (started ? 'in_progress' : 'queued') : r.status;
  const conclusion = status === 'completed' ? r.conclusion : null;
  const updated = finished ? r.updatedAt : started ? r.runStartedAt : r.createdAt;
  const runUrl = `${a}/actions/runs/${r.id}`;
  const checkSuiteId = 20_000_000_000 + r.id;
  const actor = renderUser(ctx, r.actorLogin);
  return {
    id: r.id,
    name: r.name,
    node_id: base64(`011:WorkflowRun${r.id}`),
    head_branch: r.headBranch,
    head_sha: r.headSha,
    path: r.path,
    display_title: r.displayTitle,
    run_number: r.runNumber,
    event: r.event,
    status,
    conclusion,
    workflow_id: r.workflowId,
    check_suite_id: checkSuiteId,
    check_suite_node_id: base64(`010:CheckSuite${checkSuiteId}`),
    url: runUrl,
    html_url: `${w}/actions/runs/${r.id}`,
    pull_requests: [],
    created_at: isoSeconds(r.createdAt),
    updated_at: isoSeconds(updated),
    actor,
    run_attempt: r.runAttempt,
    referenced_workflows: [],
    run_started_at: isoSeconds(r.runStartedAt),
    triggering_actor: actor,
    jobs_url: `${runUrl}/jobs`,
    logs_url: `${runUrl}/logs`,
    check_suite_url: `${a}/check-suites/${checkSuiteId}`,
    artifacts_url: `${runUrl}/artifacts`,
    cancel_url: `${runUrl}/cancel`,
    rerun_url: `${runUrl}/rerun`,
    previous_attempt_url: r.runAttempt > 1 ? `${runUrl}/attempts/${r.runAttempt - 1}` : null,
    workflow_url: `${a}/actions/workflows/${r.workflowId}`,
    head_commit: head ? renderSimpleCommit(head) : null,
    repository: renderMinimalRepo(ctx, repo),
    head_repository: renderMinimalRepo(ctx, repo),
  };
}

export function renderRelease(ctx: GhContext, repo: OrgRepo, r: OrgRelease): Record<string, unknown> {
  const clock = ctx.clockMs();
  const a = repoApi(ctx, repo);
  const w = repoWeb(ctx, repo);
  const published = at(r.publishedAt, clock);
  const draft = r.draft || !published;
  return {
    url: `${a}/releases/${r.id}`,
    assets_url: `${a}/releases/${r.id}/assets`,
    upload_url: `https://uploads.github.com/repos/${repo.fullName}/releases/${r.id}/assets{?name,label}`,
    html_url: draft ? `${w}/releases/tag/untagged-${r.id}` : `${w}/releases/tag/${encodeURIComponent(r.tagName)}`,
    id: r.id,
    author: renderUser(ctx, r.authorLogin),
    node_id: base64(`07:Release${r.id}`),
    tag_name: r.tagName,
    target_commitish: r.targetCommitish,
    name: r.name,
    draft,
    immutable: false,
    prerelease: r.prerelease,
    created_at: isoSeconds(r.createdAt),
    updated_at: isoSeconds(published ?? r.createdAt),
    published_at: draft ? null : published,
    assets: [],
    tarball_url: draft ? null : `${a}/tarball/${encodeURIComponent(r.tagName)}`,
    zipball_url: draft ? null : `${a}/zipball/${encodeURIComponent(r.tagName)}`,
    body: r.body,
  };
}
