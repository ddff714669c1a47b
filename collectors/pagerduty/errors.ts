// PagerDuty failures in words a user can act on. A rejected key, a spent rate limit or an account
// that is not there (wrong base URL) stops the whole run; anything else stops only the stream it
// happened in, which is retried at the next sync while the other streams go on.
import { FatalSyncError, ScopeSyncError, SyncStoppedError } from '../engine/errors.ts';
import { RequestTimeoutError, redactUrl, scrubSecret } from '../engine/http.ts';
import { BadBodyError, PagerDutyHttpError, PagerDutyNetworkError } from './client.ts';

export const MISSING_TOKEN_MESSAGE =
  'PAGERDUTY_TOKEN is not set, so PagerDuty cannot be synced. Create a REST API key in PagerDuty ' +
  '(Integrations → API Access Keys; a read-only key is enough) and export it as PAGERDUTY_TOKEN in the environment ' +
  'of `vigil serve` or `vigil sync`.';

const BASE_URL_HINT =
  'Check pagerduty.baseUrl in the config (https://api.pagerduty.com, or https://api.eu.pagerduty.com for an EU account)';

export function classifyPagerDutyError(
  error: unknown,
  options: { baseUrl: string; token?: string | undefined; stream: string },
): FatalSyncError | ScopeSyncError {
  const scrub = (text: string) => scrubSecret(text, options.token);
  if (error instanceof FatalSyncError || error instanceof ScopeSyncError) return error;
  if (error instanceof SyncStoppedError) return new FatalSyncError(error.message, 'partial');
  if (error instanceof BadBodyError) {
    return new ScopeSyncError(`${error.message}; kept in raw_pagerduty, asked again at the next sync.`, error.url, {
      cause: error,
    });
  }
  if (error instanceof PagerDutyHttpError) {
    const detail = scrub(error.detail);
    if (error.status === 401) {
      return new FatalSyncError(
        `PagerDuty rejected the API key (401 ${detail}). Check that PAGERDUTY_TOKEN holds a valid, current REST API key ` +
          '(a read-only account key is enough); nothing was half-written, and the next sync resumes where this one stopped.',
        'failed',
        { cause: error },
      );
    }
    if (error.status === 429) {
      return new FatalSyncError(
        `PagerDuty kept answering 429 (rate limit) for ${error.url} even after waiting as it asked. The sync stopped; ` +
          'what was fetched is kept and the next sync resumes from there. If other tools share this API key, give Vigil its own.',
        'partial',
        { cause: error },
      );
    }
    if (error.status === 404 && !/\/incidents\/[^/?]+/.test(error.url)) {
      return new FatalSyncError(
        `PagerDuty has nothing at ${error.url} (404 ${detail}). ${BASE_URL_HINT}; the next sync resumes where this one stopped.`,
        'failed',
        { cause: error },
      );
    }
    if (error.status === 403) {
      return new ScopeSyncError(
        `PagerDuty refused ${options.stream} (403 ${detail} at ${error.url}). Use an account-level read-only REST API key, ` +
          'or give the key’s user access to it; the other streams were synced.',
        error.url,
        { cause: error },
      );
    }
    if (error.status >= 500) {
      return new ScopeSyncError(
        `PagerDuty answered ${error.status} for ${error.url} even after retries (${detail}). ${options.stream} is retried at the next sync.`,
        error.url,
        { cause: error },
      );
    }
    return new ScopeSyncError(`PagerDuty refused ${error.url} (${error.status} ${detail}).`, error.url, { cause: error });
  }
  if (error instanceof PagerDutyNetworkError) {
    if (error.unreachable) {
      return new FatalSyncError(
        `Could not reach PagerDuty at ${options.baseUrl} (${error.reason}), even after retries. ${BASE_URL_HINT} and the network; ` +
          'the next sync resumes where this one stopped.',
        'failed',
        { cause: error },
      );
    }
    return new ScopeSyncError(`${error.message}, even after retries. ${options.stream} is retried at the next sync.`, error.url, {
      cause: error,
    });
  }
  if (error instanceof RequestTimeoutError) {
    return new ScopeSyncError(
      `${error.message}, even after retries (pagerduty.timeoutSeconds). ${options.stream} is retried at the next sync; raise pagerduty.timeoutSeconds if PagerDuty is slow.`,
      redactUrl(error.url),
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ScopeSyncError(`${options.stream} failed: ${scrub(message)}`, null, { cause: error });
}
