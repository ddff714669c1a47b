// GitHub failures in words a user can act on. A bad token or a spent rate limit stops the run; a
// missing repository, a refused one or a server that keeps failing stops only that repository.
import { RequestError } from '@octokit/request-error';
import { FatalSyncError, ScopeSyncError, SyncStoppedError } from '../engine/errors.ts';
import { RequestTimeoutError, redactUrl, scrubSecret } from '../engine/http.ts';
import { BadBodyError } from './client.ts';
import type { RepoScope } from './scope.ts';

function headerOf(error: RequestError, name: string): string | undefined {
  const value = error.response?.headers?.[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function resetText(epochSeconds: string | undefined): string {
  if (!epochSeconds) return 'the reset time GitHub gives';
  const iso = new Date(Number(epochSeconds) * 1000).toISOString();
  return `${iso.slice(11, 16)} UTC (${iso.slice(0, 10)})`;
}

function isRateLimited(error: RequestError): boolean {
  return (
    (error.status === 403 || error.status === 429) &&
    (headerOf(error, 'x-ratelimit-remaining') === '0' || /rate limit/i.test(error.message) || error.status === 429)
  );
}

/** The repository-level lists whose 404 means the repository (or workflow) is not there. */
export type GitHubCall = 'repo-list' | 'workflow-list' | 'item';

export function classifyGitHubError(
  error: unknown,
  scope: RepoScope,
  options: { baseUrl: string; token?: string; call?: GitHubCall } = { baseUrl: '' },
): FatalSyncError | ScopeSyncError {
  const scrub = (text: string) => scrubSecret(text, options.token);
  if (error instanceof FatalSyncError || error instanceof ScopeSyncError) return error;
  if (error instanceof SyncStoppedError) return new FatalSyncError(error.message, 'partial');
  if (error instanceof BadBodyError) {
    return new ScopeSyncError(`${error.message}; kept in raw_github, retried at the next sync.`, error.url, { cause: error });
  }
  if (error instanceof RequestError) {
    const url = error.request?.url ? redactUrl(error.request.url) : null;
    const where = url ?? scope.repo;
    const detail = scrub(String((error.response?.data as { message?: string } | undefined)?.message ?? error.message));
    if (error.status === 401) {
      return new FatalSyncError(
        `GitHub rejected the token (401 ${detail}). Check that GITHUB_TOKEN holds a valid, unexpired token with read access to the configured repositories; nothing was half-written, the next sync resumes where this one stopped.`,
        'failed',
        { cause: error },
      );
    }
    if (isRateLimited(error)) {
      if (/secondary rate limit/i.test(error.message)) {
        const after = headerOf(error, 'retry-after');
        return new FatalSyncError(
          `GitHub's secondary rate limit stopped the sync${after ? ` (it asked to wait ${after} s)` : ''}. What was fetched is kept and the next sync resumes from there; if it keeps happening, sync less often (github.cron).`,
          'partial',
          { cause: error },
        );
      }
      return new FatalSyncError(
        `GitHub's rate limit is used up (${headerOf(error, 'x-ratelimit-remaining') ?? 0} of ${headerOf(error, 'x-ratelimit-limit') ?? '?'} requests left until ${resetText(headerOf(error, 'x-ratelimit-reset'))}). The sync stopped; it resumes where it left off at the next run after the reset.`,
        'partial',
        { cause: error },
      );
    }
    if (error.status === 404 && options.call === 'workflow-list' && scope.workflow) {
      return new ScopeSyncError(
        `GitHub has no workflow "${scope.workflow.file}" in ${scope.repo} (${scope.workflow.configPath}.file in the config), or the token cannot see it (404). Fix the workflow file name in the config.`,
        url,
        { cause: error },
      );
    }
    if (error.status === 404) {
      return new ScopeSyncError(
        `GitHub has no repository ${scope.repo} (${scope.configPath} in the config), or the token cannot see it (404 at ${where}). Fix the name in the config, or give the token read access to it.`,
        url,
        { cause: error },
      );
    }
    if (error.status === 403) {
      return new ScopeSyncError(
        `GitHub refused access to ${scope.repo} (403 ${detail}). Give the token read access to its deployments, pull requests and Actions, or remove it from ${scope.configPath} in the config.`,
        url,
        { cause: error },
      );
    }
    if (error.status === 500 && !error.response) {
      const cause = error.cause instanceof Error ? error.cause : undefined;
      if (cause instanceof RequestTimeoutError || cause?.name === 'RequestTimeoutError') {
        return new ScopeSyncError(
          `GitHub did not answer ${where} within the timeout (github.timeoutSeconds), even after retries. ${scope.repo} is retried at the next sync; raise github.timeoutSeconds if GitHub is slow.`,
          url,
          { cause: error },
        );
      }
      return new FatalSyncError(
        `Could not reach GitHub at ${options.baseUrl} (${scrub(error.message)}), even after retries. Check github.baseUrl in the config and the network; the next sync resumes where this one stopped.`,
        'failed',
        { cause: error },
      );
    }
    if (error.status >= 500) {
      return new ScopeSyncError(
        `GitHub answered ${error.status} for ${where} even after retries (${detail}). ${scope.repo} is retried at the next sync.`,
        url,
        { cause: error },
      );
    }
    return new ScopeSyncError(`GitHub answered ${error.status} for ${where}: ${detail}.`, url, { cause: error });
  }
  if (error instanceof RequestTimeoutError) {
    return new ScopeSyncError(
      `${error.message} (github.timeoutSeconds). ${scope.repo} is retried at the next sync.`,
      redactUrl(error.url),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ScopeSyncError(`${scope.repo} failed: ${scrub(message)}`, null, { cause: error });
}
