// Columns derived from several GitHub records, computed in SQL right after the records are loaded
// (in the sync's transaction, and the same way when renormalising):
// - a deployment's outcome from its statuses: status = the newest status, status_at its time,
//   succeeded_at = the first 'success' (the deployment's time, METRICS.md), final = the newest
//   status is terminal. A later 'inactive' (GitHub sets it when a newer deployment replaces this
//   one) changes nothing Vigil measures, so a successful deployment is final and is not polled again;
// - a pull request's first commit time and commit count from its own commits (so a squash merge is
//   timed from the PR's first commit), and whether those commits are stored (the head is among
//   them, or GitHub's 250-commit cap was reached).
import type { WriteTx } from '../../server/db/index.ts';

const TERMINAL = `('success', 'failure', 'error', 'inactive')`;

function deploymentSql(filter: string): string {
  return `
    UPDATE deployments AS d
    SET status = s.status, status_at = s.status_at, succeeded_at = s.succeeded_at, final = s.final,
        synced_at = greatest(d.synced_at, s.synced_at)
    FROM (
      SELECT deployment_id,
             arg_max(state, {'t': created_at, 'i': id}) AS status,
             max(created_at) AS status_at,
             min(created_at) FILTER (WHERE state = 'success') AS succeeded_at,
             arg_max(state, {'t': created_at, 'i': id}) IN ${TERMINAL} AS final,
             max(synced_at) AS synced_at
      FROM deployment_statuses
      ${filter}
      GROUP BY deployment_id
    ) s
    WHERE d.id = s.deployment_id
      AND (d.status IS DISTINCT FROM s.status OR d.status_at IS DISTINCT FROM s.status_at
           OR d.succeeded_at IS DISTINCT FROM s.succeeded_at OR d.final IS DISTINCT FROM s.final
           OR d.synced_at < s.synced_at)`;
}

/**
 * Above this many keys they are staged through the appender (which yields to the event loop)
 * rather than bound as one list parameter (built synchronously).
 */
const STAGE_KEYS_ABOVE = 1_000;

/** Re-derive the outcome of these deployments (ids as stored, e.g. '123'). */
export function deriveDeployments(ids: readonly string[]): (tx: WriteTx) => Promise<number> {
  return async (tx) => {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return 0;
    if (unique.length > STAGE_KEYS_ABOVE) {
      await tx.stage(
        'stage_derive_ids',
        ['id'],
        unique.map((id) => [id]),
      );
      return tx.run(deploymentSql('WHERE deployment_id IN (SELECT id FROM stage_derive_ids)'));
    }
    return tx.run(deploymentSql('WHERE deployment_id IN (SELECT unnest($ids))'), { ids: unique });
  };
}

export function deriveAllDeployments(): (tx: WriteTx) => Promise<number> {
  return (tx) => tx.run(deploymentSql(''));
}

function pullSql(filter: string): string {
  return `
    UPDATE pull_requests AS p
    SET first_commit_at = c.first_commit_at, commit_count = c.n, commits_synced = c.synced
    FROM (
      SELECT pr.repo, pr.number, min(prc.authored_at) AS first_commit_at, CAST(count(*) AS INTEGER) AS n,
             (bool_or(prc.sha = pr.head_sha) OR count(*) >= 250) AS synced
      FROM pull_requests pr
      JOIN pull_request_commits prc ON prc.repo = pr.repo AND prc.number = pr.number
      ${filter}
      GROUP BY pr.repo, pr.number
    ) c
    WHERE p.repo = c.repo AND p.number = c.number
      AND (p.first_commit_at IS DISTINCT FROM c.first_commit_at OR p.commit_count IS DISTINCT FROM c.n
           OR p.commits_synced IS DISTINCT FROM c.synced)`;
}

/** Re-derive first commit, count and sync state of these pull requests of one repository. */
export function derivePulls(repo: string, numbers: readonly number[]): (tx: WriteTx) => Promise<number> {
  return async (tx) => {
    const unique = [...new Set(numbers)];
    if (unique.length === 0) return 0;
    if (unique.length > STAGE_KEYS_ABOVE) {
      await tx.stage(
        'stage_derive_numbers',
        ['number'],
        unique.map((n) => [String(n)]),
      );
      return tx.run(
        pullSql('WHERE pr.repo = $repo AND pr.number IN (SELECT CAST(number AS INTEGER) FROM stage_derive_numbers)'),
        { repo },
      );
    }
    return tx.run(pullSql('WHERE pr.repo = $repo AND pr.number IN (SELECT unnest($numbers))'), { repo, numbers: unique });
  };
}

export function deriveAllPulls(): (tx: WriteTx) => Promise<number> {
  return (tx) => tx.run(pullSql(''));
}
