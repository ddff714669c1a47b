// Lead time for changes: for each change first shipped by a successful production deployment,
// the deployment's time minus the change's first commit time; bucketed by the deployment's time.
//
// A change is a merged pull request (timed from its earliest commit, so squash merges do not
// shorten it) or a commit in no merged pull request (timed from its authored time). It counts
// once, for the deployment that first shipped it; commits rolled back and shipped again are not
// counted twice. The first deployment of a repository and environment has no base and
// contributes nothing. Negative values (clock skew) are clamped to 0.
import { durationResult, durations } from '../shape.ts';
import type { MetricDefinition } from '../types.ts';

const dims = { team: 'team_id', repo: 'repo' } as const;

export const leadTime: MetricDefinition = {
  name: 'lead-time',
  title: 'Lead time for changes',
  unit: 'seconds',
  kind: 'duration',
  definition:
    "For each change (a merged pull request, or a commit in no merged pull request) first shipped by a successful production deployment: the deployment's time minus the change's first commit (a pull request's earliest commit). Counted once, for the first deployment that shipped it; the first deployment of a repository contributes no lead time. Bucketed by deployment time.",
  dimensions: dims,
  groupBy: ['team', 'repo'],
  columns: [
    { name: 'n', description: 'Changes', unit: 'changes' },
    { name: 'median', description: 'Median lead time', unit: 'seconds' },
    { name: 'p90', description: '90th percentile', unit: 'seconds' },
    { name: 'mean', description: 'Mean', unit: 'seconds' },
    { name: 'ci90', description: '90% confidence interval of the median [low, high]', unit: 'seconds' },
    { name: 'smallSample', description: 'n < 10: treat changes as noise' },
    { name: 'pullRequests', description: 'Changes that are pull requests', unit: 'changes' },
  ],
  async compute(ctx, q) {
    const rows = await durations(ctx, q, { from: 'd_changes', time: 'deployed_at', day: 'deployed_day', dims }, 'lead_time_s', {
      columns: { is_pr: "kind = 'pull_request'" },
      aggregates: { prs: 'count(*) FILTER (WHERE is_pr)' },
    });
    return durationResult(q, rows, dims, (r) => ({ pullRequests: Number(r.prs ?? 0) }), { pullRequests: 0 });
  },
};
