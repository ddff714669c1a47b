// The GitHub scopes of a config: one per repository, with where it sits in the config file (so an
// error can name the line to fix), its production-environment pattern and its optional Actions
// workflow, and a fingerprint per stream of the config that decides what the stream fetches. A
// changed fingerprint (a new pattern or workflow, a longer history) re-syncs that stream of that
// repository from the start, and nothing else.
import type { VigilConfig } from '../../server/config/schema.ts';
import { hashParts } from '../engine/hash.ts';

export interface RepoScope {
  /** owner/name, lower-case, as stored. */
  repo: string;
  owner: string;
  name: string;
  /** Where the repository is configured, e.g. teams[0].repos[1]. */
  configPath: string;
  productionPatterns: string[];
  workflow: { file: string; branch: string; configPath: string } | null;
  historyDays: number;
}

export function repoScopes(config: VigilConfig): RepoScope[] {
  const byRepo = new Map<string, RepoScope>();
  config.teams.forEach((team, t) => {
    team.repos.forEach((repo, r) => {
      const [owner = '', name = ''] = repo.name.split('/');
      const path = `teams[${t}].repos[${r}]`;
      let scope = byRepo.get(repo.name);
      if (!scope) {
        scope = {
          repo: repo.name,
          owner,
          name,
          configPath: path,
          productionPatterns: [],
          workflow: null,
          historyDays: config.github.historyDays,
        };
        byRepo.set(repo.name, scope);
      }
      // A repository mapped by two teams: an environment is production if either says so.
      if (!scope.productionPatterns.includes(repo.productionPattern)) scope.productionPatterns.push(repo.productionPattern);
      if (repo.workflow && !scope.workflow) scope.workflow = { ...repo.workflow, configPath: `${path}.workflow` };
    });
  });
  return [...byRepo.values()];
}

/** Production environments match the configured pattern, case-insensitively (METRICS.md). */
export function productionMatcher(scope: RepoScope): (environment: string) => boolean {
  const patterns = scope.productionPatterns.map((p) => new RegExp(p, 'i'));
  return (environment) => patterns.some((p) => p.test(environment));
}

export function historyHorizon(scope: RepoScope, now = Date.now()): string {
  return new Date(now - scope.historyDays * 86_400_000).toISOString();
}

export const fingerprints = {
  deployments: (s: RepoScope) => hashParts(['deployments/1', ...s.productionPatterns, String(s.historyDays)]).slice(0, 16),
  compare: (s: RepoScope) =>
    hashParts(['compare/1', ...s.productionPatterns, s.workflow ? `${s.workflow.file}@${s.workflow.branch}` : '']).slice(0, 16),
  pulls: (s: RepoScope) => hashParts(['pulls/1', String(s.historyDays)]).slice(0, 16),
  workflowRuns: (s: RepoScope) =>
    hashParts(['workflow_runs/1', s.workflow ? `${s.workflow.file}@${s.workflow.branch}` : '', String(s.historyDays)]).slice(
      0,
      16,
    ),
};
