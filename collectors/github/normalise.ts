// GitHub records → rows of the normalised tables. Pure functions of a validated record and the raw
// record it came from, so `vigil sync --renormalize` rebuilds exactly the rows the sync wrote:
// raw_hash is the payload's hash and synced_at the time it was fetched. Columns derived from
// several records (a deployment's outcome from its statuses, a pull request's first commit) are
// computed in SQL after loading, by derive.ts, in both paths alike.
import { hashParts, hashText } from '../engine/hash.ts';
import type { RawRecord, Row } from '../engine/types.ts';
import type { GhCommit, GhCompare, GhDeployment, GhDeploymentStatus, GhPull, GhWorkflowRun } from './schemas.ts';

function iso(text: string | null | undefined): string | null {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}

/** The deployment itself; status, status_at, succeeded_at and final are derived from its statuses. */
export function deploymentRow(d: GhDeployment, repo: string, raw: Pick<RawRecord, 'payloadHash' | 'fetchedAt'>): Row {
  return {
    id: String(d.id),
    repo,
    source: 'deployments',
    github_id: d.id,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    environment: d.environment,
    creator: d.creator?.login ?? null,
    created_at: iso(d.created_at),
    updated_at: iso(d.updated_at),
    raw_hash: raw.payloadHash,
    synced_at: raw.fetchedAt,
  };
}

/** The deployment a status belongs to, from its deployment_url (…/deployments/{id}). */
export function statusDeploymentId(status: Pick<GhDeploymentStatus, 'deployment_url'>): string | null {
  const match = /\/deployments\/(\d+)(?:[/?#]|$)/.exec(status.deployment_url);
  return match?.[1] ?? null;
}

export function statusRow(
  s: GhDeploymentStatus,
  deploymentId: string,
  repo: string,
  raw: Pick<RawRecord, 'payloadHash' | 'fetchedAt'>,
): Row {
  return {
    id: s.id,
    deployment_id: deploymentId,
    repo,
    state: s.state.toLowerCase(),
    environment: s.environment ?? null,
    description: s.description ?? null,
    creator: s.creator?.login ?? null,
    log_url: s.log_url ?? s.target_url ?? null,
    created_at: iso(s.created_at),
    raw_hash: raw.payloadHash,
    synced_at: raw.fetchedAt,
  };
}

/** The environment recorded for workflow runs counted as deployments: the config says they are production. */
export const ACTIONS_ENVIRONMENT = 'production';

/**
 * A successful run of the configured Actions workflow, counted as a production deployment
 * (id 'run:<id>', source 'actions'). Only completed successful runs are listed, so it is final and
 * its time is the run's completion (updated_at as of completion).
 */
export function workflowRunRow(r: GhWorkflowRun, repo: string, raw: Pick<RawRecord, 'payloadHash' | 'fetchedAt'>): Row {
  const succeeded = r.conclusion === 'success';
  const completedAt = iso(r.updated_at);
  return {
    id: `run:${r.id}`,
    repo,
    source: 'actions',
    github_id: r.id,
    sha: r.head_sha,
    ref: r.head_branch,
    task: r.name ?? null,
    environment: ACTIONS_ENVIRONMENT,
    creator: r.actor?.login ?? null,
    created_at: iso(r.created_at),
    updated_at: completedAt,
    status: succeeded ? 'success' : (r.conclusion ?? r.status),
    status_at: completedAt,
    succeeded_at: succeeded ? completedAt : null,
    final: r.status === 'completed',
    raw_hash: raw.payloadHash,
    synced_at: raw.fetchedAt,
  };
}

/** The pull request; first_commit_at, commit_count and commits_synced come from its commits. */
export function pullRow(p: GhPull, repo: string, raw: Pick<RawRecord, 'payloadHash' | 'fetchedAt'>): Row {
  return {
    repo,
    number: p.number,
    title: p.title,
    author: p.user?.login ?? null,
    state: p.state,
    draft: p.draft ?? null,
    created_at: iso(p.created_at),
    updated_at: iso(p.updated_at),
    closed_at: iso(p.closed_at),
    merged_at: iso(p.merged_at),
    merge_commit_sha: p.merge_commit_sha,
    head_sha: p.head.sha,
    head_ref: p.head.ref,
    base_ref: p.base.ref,
    raw_hash: raw.payloadHash,
    synced_at: raw.fetchedAt,
  };
}

export function pullCommitRow(c: GhCommit, repo: string, number: number): Row {
  return {
    repo,
    number,
    sha: c.sha,
    authored_at: iso(c.commit.author?.date),
    committed_at: iso(c.commit.committer?.date),
  };
}

/** A commit listed by a compare; its raw_hash is the hash of the commit object as received. */
export function commitRow(c: GhCommit, original: unknown, repo: string, fetchedAt: string): Row {
  return {
    repo,
    sha: c.sha,
    authored_at: iso(c.commit.author?.date),
    committed_at: iso(c.commit.committer?.date),
    author: c.author?.login ?? c.commit.author?.name ?? null,
    message: firstLine(c.commit.message),
    parent_count: c.parents.length,
    raw_hash: hashText(JSON.stringify(original)),
    synced_at: fetchedAt,
  };
}

export interface CompareInput {
  deploymentId: string;
  baseDeploymentId: string;
  baseSha: string;
  headSha: string;
  repo: string;
  /** The compare's pages in order (one when it was not paged), validated and as received. */
  pages: { compare: GhCompare; original: { commits: unknown[] }; raw: Pick<RawRecord, 'payloadHash' | 'fetchedAt'> }[];
}

/** A deployment's compare with its base: the compare row, the commits it shipped in order, and the commits. */
export function compareRows(input: CompareInput): { compare: Row; deploymentCommits: Row[]; commits: Row[] } {
  const first = input.pages[0];
  if (!first) throw new Error('compareRows needs at least one page');
  const deploymentCommits: Row[] = [];
  const commits: Row[] = [];
  const seen = new Set<string>();
  for (const page of input.pages) {
    page.compare.commits.forEach((commit, i) => {
      // A paged compare can repeat a commit at a page boundary if the range moved; keep its first position.
      if (seen.has(commit.sha)) return;
      seen.add(commit.sha);
      deploymentCommits.push({
        deployment_id: input.deploymentId,
        repo: input.repo,
        sha: commit.sha,
        position: deploymentCommits.length,
      });
      commits.push(commitRow(commit, page.original.commits[i], input.repo, page.raw.fetchedAt));
    });
  }
  const compare: Row = {
    deployment_id: input.deploymentId,
    repo: input.repo,
    base_deployment_id: input.baseDeploymentId,
    base_sha: input.baseSha,
    head_sha: input.headSha,
    status: first.compare.status,
    ahead_by: first.compare.ahead_by,
    behind_by: first.compare.behind_by,
    total_commits: first.compare.total_commits,
    commits_stored: deploymentCommits.length,
    raw_hash: input.pages.length === 1 ? first.raw.payloadHash : hashParts(input.pages.map((p) => p.raw.payloadHash)),
    synced_at: first.raw.fetchedAt,
  };
  return { compare, deploymentCommits, commits };
}
