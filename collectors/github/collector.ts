// The GitHub collector: for each configured repository, a few at a time, its deployments (with the
// statuses of production ones), the successful runs of its deploy workflow, the compare of each
// new successful production deployment with the previous one, and its merged pull requests with
// their commits. A missing GITHUB_TOKEN is reported before any request.
import type { VigilConfig } from '../../server/config/schema.ts';
import { BatchBuilder } from '../engine/batch.ts';
import { FatalSyncError, ScopeSyncError } from '../engine/errors.ts';
import type { RawRule } from '../engine/loader.ts';
import type { SourceDriver } from '../engine/runner.ts';
import { runScopes } from '../engine/scopes.ts';
import type { RenormalizeContext, RunContext, SourceCollector } from '../engine/types.ts';
import { GitHubClient, parseGitHubRateLimit } from './client.ts';
import { classifyGitHubError } from './errors.ts';
import { renormalizeGitHub } from './renormalize.ts';
import type { RepoRun } from './repo-run.ts';
import { historyHorizon, productionMatcher, type RepoScope, repoScopes } from './scope.ts';
import { COMPARE, syncCompares } from './streams/compare.ts';
import { DEPLOYMENTS, STATUSES, syncDeployments } from './streams/deployments.ts';
import { PULL_COMMITS, PULLS, syncPulls } from './streams/pulls.ts';
import { syncWorkflowRuns, WORKFLOW_RUNS } from './streams/workflow-runs.ts';

export interface GitHubCollectorOptions {
  config: VigilConfig;
  /** GITHUB_TOKEN; undefined when it is not set. */
  token: string | undefined;
  /** Milliseconds per second of a server-requested wait (tests make it tiny). */
  retryAfterBaseValue?: number;
  /** Longest wait for a rate limit before the run stops as 'partial' instead. */
  maxWaitSeconds?: number;
  /** Repositories synced at once. */
  concurrency?: number;
  fetchImpl?: typeof fetch;
  /** The wall clock, for the history horizon. */
  now?: () => number;
}

/**
 * When a raw payload is already stored: the row built from it has the same hash. Compares and pull
 * request commits are fetched only when needed and replaced wholesale, so they are always kept.
 */
export const GITHUB_RAW_RULES: readonly RawRule[] = [
  { stream: DEPLOYMENTS, table: 'deployments', on: 't.id = r.record_key', hash: true },
  { stream: WORKFLOW_RUNS, table: 'deployments', on: `t.id = 'run:' || r.record_key`, hash: true },
  { stream: STATUSES, table: 'deployment_statuses', on: 't.id = TRY_CAST(r.record_key AS BIGINT)', hash: true },
  { stream: PULLS, table: 'pull_requests', on: 't.repo = r.scope AND t.number = TRY_CAST(r.record_key AS INTEGER)', hash: true },
];

export const GITHUB_TABLE_STREAMS: Readonly<Record<string, string>> = {
  deployments: DEPLOYMENTS,
  deployment_statuses: STATUSES,
  deployment_compares: COMPARE,
  deployment_commits: COMPARE,
  commits: COMPARE,
  pull_requests: PULLS,
  pull_request_commits: PULL_COMMITS,
};

export const MISSING_TOKEN_MESSAGE =
  'GITHUB_TOKEN is not set, so GitHub cannot be synced. Create a token with read access to the configured repositories ' +
  '(fine-grained: Contents, Deployments, Pull requests and Actions read-only; classic: repo for private repositories) ' +
  'and export it as GITHUB_TOKEN in the environment of `vigil serve` or `vigil sync`.';

export class GitHubCollector implements SourceCollector {
  readonly source = 'github' as const;
  private readonly repos: RepoScope[];

  constructor(private readonly options: GitHubCollectorOptions) {
    this.repos = repoScopes(options.config);
  }

  scopes(): string[] {
    return this.repos.map((r) => r.repo);
  }

  preflight(): string | undefined {
    if (this.repos.length === 0) return undefined;
    return this.options.token ? undefined : MISSING_TOKEN_MESSAGE;
  }

  async run(ctx: RunContext): Promise<void> {
    if (this.repos.length === 0) {
      ctx.log('github: no repositories are configured (teams[].repos); nothing to sync.');
      return;
    }
    const { github } = this.options.config;
    const token = this.options.token as string;
    const client = new GitHubClient({
      baseUrl: github.baseUrl,
      token,
      timeoutMs: github.timeoutSeconds * 1000,
      meter: ctx.meter,
      signal: ctx.signal,
      log: ctx.log,
      ...(this.options.retryAfterBaseValue !== undefined ? { retryAfterBaseValue: this.options.retryAfterBaseValue } : {}),
      ...(this.options.maxWaitSeconds !== undefined ? { maxWaitSeconds: this.options.maxWaitSeconds } : {}),
      ...(this.options.fetchImpl ? { fetchImpl: this.options.fetchImpl } : {}),
    });
    const cursors = await ctx.cursors();
    const now = this.options.now?.() ?? Date.now();
    const classify = (error: unknown, scope: RepoScope, call?: 'repo-list' | 'workflow-list') =>
      classifyGitHubError(error, scope, { baseUrl: github.baseUrl, token, ...(call ? { call } : {}) });
    await runScopes(ctx, this.repos, {
      concurrency: this.options.concurrency ?? 4,
      name: (scope) => scope.repo,
      classify: (error, scope) => classify(error, scope, 'repo-list'),
      work: async (scope) => {
        const run: RepoRun = {
          ctx,
          client,
          scope,
          cursors,
          isProduction: productionMatcher(scope),
          horizon: historyHorizon(scope, now),
          incomplete: [],
          batch: new BatchBuilder(ctx, { scope: scope.repo, stream: 'sync' }, cursors),
        };
        // What the streams committed is whole units with their cursors: keep it whatever fails
        // next, so a repository that keeps failing at one place still makes progress elsewhere.
        const commit = async () => {
          await run.batch.flush();
        };
        try {
          // A failure of the deployments list (a missing repository) stops the repository; the
          // other streams each record their failure and let the rest go on.
          await syncDeployments(run);
          const failures: string[] = [];
          const attempt = async (fn: () => Promise<void>, call?: 'workflow-list') => {
            try {
              await fn();
            } catch (error) {
              const classified = classify(error, scope, call);
              if (classified instanceof FatalSyncError || ctx.signal.aborted) {
                throw error instanceof Error && ctx.signal.aborted ? error : classified;
              }
              failures.push(classified.message);
            }
          };
          await attempt(() => syncWorkflowRuns(run), 'workflow-list');
          // Compares are chosen from the stored deployments: commit those first.
          await commit();
          await attempt(() => syncCompares(run));
          await attempt(() => syncPulls(run));
          await commit();
          const problems = [...failures, ...run.incomplete];
          if (problems.length > 0) throw new ScopeSyncError(problems.join(' | '));
        } catch (error) {
          await commit().catch(() => {});
          throw error;
        }
      },
    });
  }

  renormalize(ctx: RenormalizeContext): Promise<void> {
    return renormalizeGitHub(ctx);
  }
}

/** Whether the config gives GitHub anything to sync. */
export function githubConfigured(config: VigilConfig): boolean {
  return config.teams.some((t) => t.repos.length > 0);
}

export function githubDriver(options: GitHubCollectorOptions): SourceDriver {
  return {
    collector: new GitHubCollector(options),
    rateLimit: (headers) => parseGitHubRateLimit(headers),
    rawRules: GITHUB_RAW_RULES,
    tableStreams: GITHUB_TABLE_STREAMS,
  };
}
