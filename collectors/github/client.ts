// The GitHub REST client for the collector: @octokit/rest with the throttling and retry plugins,
// sending through the engine's metered fetch (counts, rate-limit budget, timeouts that really abort).
//
// GitHub behaviours handled here (API-NOTES §1):
// - a 304 answer to If-None-Match is thrown by Octokit as RequestError(304): it means "nothing new";
// - primary limit: 403/429 with x-ratelimit-remaining 0 → wait for x-ratelimit-reset only when it is
//   near (≤ maxWaitSeconds), else stop the run as 'partial'; once the budget is known to be 0 no
//   request is sent before the reset (never burn the budget in a retry loop);
// - secondary limit: "secondary rate limit" in the message → obey retry-after, a couple of times;
// - 5xx and network errors: retried here, 3 times with quadratic backoff (plugin-retry's
//   schedule, without its per-request Bottleneck); 429 is left to the throttling plugin, which
//   honours retry-after;
// - the throttling plugin's queues are our own (limiter.ts): its module-wide Bottleneck group of
//   10 and its timers held a sync near 250 requests a second; at most MAX_IN_FLIGHT requests go out
//   at once (GitHub allows 100 concurrent; rate limits, not concurrency, bound api.github.com);
// - a body that does not parse (cut short) comes back from Octokit as a string: retried here, then
//   reported with the text so the page can be kept in raw;
// - pagination follows the `link` header's absolute URLs as given, never built by hand [GH-BP].
import { throttling } from '@octokit/plugin-throttling';
import { RequestError } from '@octokit/request-error';
import { Octokit } from '@octokit/rest';
import { VERSION } from '../../server/lib/version.ts';
import { FatalSyncError } from '../engine/errors.ts';
import { createMeteredFetch, type HttpMeter, type RateLimitState, redactUrl } from '../engine/http.ts';
import type { RequestTag } from '../engine/types.ts';
import { DirectLimiter } from './limiter.ts';

const VigilOctokit = Octokit.plugin(throttling);

/** Requests of one run in flight at once, across its repositories. */
export const MAX_IN_FLIGHT = 32;
/** Statuses that are not worth asking again (plugin-retry's list, plus 429 for the throttling plugin). */
const DO_NOT_RETRY = new Set([304, 400, 401, 403, 404, 410, 422, 429, 451]);
const RETRIES = 3;

export interface GitHubClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  meter: HttpMeter;
  signal: AbortSignal;
  /** Milliseconds per second of a server-requested wait; 1000 in production, tiny in tests. */
  retryAfterBaseValue?: number;
  /** Waits longer than this (a rate-limit reset far away) stop the run instead. */
  maxWaitSeconds?: number;
  /** Extra attempts for a body that does not parse. */
  badBodyRetries?: number;
  log: (line: string) => void;
  fetchImpl?: typeof fetch;
}

export type Fetched =
  | {
      kind: 'ok';
      data: unknown;
      /** The URL requested, without secrets (stored with the raw records). */
      url: string;
      etag: string | null;
      next: string | null;
      fetchedAt: string;
    }
  | { kind: 'not-modified'; url: string };

/** A body that could not be parsed even after retries; the text is kept in raw with the error. */
export class BadBodyError extends Error {
  constructor(
    readonly url: string,
    readonly body: string,
    readonly status: number,
  ) {
    super(`GitHub sent a body that is not valid JSON for ${url} (status ${status}, ${body.length} characters received)`);
    this.name = 'BadBodyError';
  }
}

/** GitHub's rate-limit headers (API-NOTES §1: x-ratelimit-limit/remaining/reset in epoch seconds). */
export function parseGitHubRateLimit(headers: Headers): RateLimitState | null {
  const remaining = headers.get('x-ratelimit-remaining');
  if (remaining === null) return null;
  // Only the core budget matters to the collector (search and others are separate buckets).
  const resource = headers.get('x-ratelimit-resource');
  if (resource && resource !== 'core') return null;
  const limit = headers.get('x-ratelimit-limit');
  const reset = headers.get('x-ratelimit-reset');
  return {
    limit: limit === null ? null : Number(limit),
    remaining: Number(remaining),
    resetAt: reset === null ? null : new Date(Number(reset) * 1000).toISOString(),
  };
}

function nextLink(link: string | undefined): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) return match[1];
  }
  return null;
}

function formatReset(iso: string | null): string {
  if (!iso) return 'an unknown time';
  return `${iso.slice(11, 16)} UTC${iso.slice(0, 10) === new Date().toISOString().slice(0, 10) ? '' : ` on ${iso.slice(0, 10)}`}`;
}

export class GitHubClient {
  private readonly octokit: InstanceType<typeof VigilOctokit>;
  private readonly maxWaitSeconds: number;
  private readonly badBodyRetries: number;
  private readonly baseValue: number;
  private readonly fetchers = new Map<string, typeof fetch>();
  /** Requests sent and not answered yet: they will use budget the last answer did not count. */
  private inFlight = 0;
  /** Requests cleared by checkBudget that have not been sent yet. */
  private reserved = 0;

  constructor(private readonly options: GitHubClientOptions) {
    this.maxWaitSeconds = options.maxWaitSeconds ?? 60;
    this.badBodyRetries = options.badBodyRetries ?? 2;
    this.baseValue = options.retryAfterBaseValue ?? 1000;
    const log = options.log;
    this.octokit = new VigilOctokit({
      auth: options.token,
      baseUrl: options.baseUrl,
      userAgent: `vigil/${VERSION}`,
      // Octokit's request log reports every failed request (304s included) at error level; the
      // collector reports failures itself, in words a user can act on.
      log: {
        debug: () => {},
        info: () => {},
        warn: (m: string) => log(`github: ${m}`),
        error: () => {},
      },
      throttle: {
        // Our queues instead of the plugin's Bottleneck ones (limiter.ts says why). Not in the
        // plugin's types: it reads them from its options (state.global, state.retryLimiter).
        ...({ global: new DirectLimiter(MAX_IN_FLIGHT), retryLimiter: new DirectLimiter() } as object),
        retryAfterBaseValue: this.baseValue,
        onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
          if (retryCount < 1 && retryAfter <= this.maxWaitSeconds && !options.signal.aborted) {
            log(
              `github: rate limit reached; waiting ${retryAfter} s for the reset before ${request.method} ${redactUrl(request.url)}`,
            );
            return true;
          }
          return false;
        },
        onSecondaryRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
          _octokit: unknown,
          retryCount: number,
        ) => {
          if (retryCount < 3 && retryAfter <= this.maxWaitSeconds && !options.signal.aborted) {
            log(`github: secondary rate limit; waiting ${retryAfter} s before ${request.method} ${redactUrl(request.url)}`);
            return true;
          }
          return false;
        },
      },
    });
  }

  /**
   * A fetch that counts its requests under the scope and stream that made them. Chosen per call,
   * because Octokit's throttling queue sends requests from another async context.
   */
  private fetchFor(tag: RequestTag): typeof fetch {
    const key = `${tag.stream}\u0000${tag.scope}`;
    let fetcher = this.fetchers.get(key);
    if (!fetcher) {
      fetcher = createMeteredFetch({
        meter: this.options.meter,
        timeoutMs: this.options.timeoutMs,
        signal: this.options.signal,
        tag,
        ...(this.options.fetchImpl ? { fetchImpl: this.options.fetchImpl } : {}),
      });
      this.fetchers.set(key, fetcher);
    }
    return fetcher;
  }

  /**
   * Never send while the primary budget is known to be spent: wait for a reset that is near
   * (≤ maxWaitSeconds), else stop the run; what was committed stays and the next run resumes.
   */
  private async checkBudget(): Promise<void> {
    for (;;) {
      const budget = this.options.meter.rateLimit;
      if (budget?.remaining === null || budget?.remaining === undefined || !budget.resetAt) return this.reserve();
      // Requests in flight, and those cleared to go that have not left yet, will spend part of
      // what the last answer said was left.
      if (budget.remaining > this.inFlight + this.reserved) return this.reserve();
      const wait = (Date.parse(budget.resetAt) - Date.now()) / 1000;
      if (wait <= 0) return this.reserve();
      if (budget.remaining > 0) {
        // Let the requests in flight answer: they tell what is really left.
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      if (wait <= this.maxWaitSeconds) {
        this.options.log(`github: rate limit used up; waiting ${Math.ceil(wait)} s for the reset`);
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait) * this.baseValue));
        return this.reserve();
      }
      throw new FatalSyncError(
        `GitHub's rate limit is used up (0 of ${budget.limit ?? '?'} requests left until ${formatReset(budget.resetAt)}). ` +
          'The sync stopped and resumes where it left off at the next run after the reset.',
        'partial',
      );
    }
  }

  /**
   * Send one request, again after a server error or a network failure (Octokit reports both as a
   * RequestError, a network failure with status 500): up to RETRIES times, waiting 1, 4, 9 s.
   */
  /**
   * Cleared to send: counted at once, in the same turn as the check, so callers checking in the
   * turns before this one's request leaves do not all see the same room (they did, and several
   * requests went past a spent budget when many waited at once).
   */
  private reserve(): void {
    this.reserved++;
  }

  private async send<T>(request: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      // Every send follows a checkBudget that reserved its place.
      this.reserved = Math.max(0, this.reserved - 1);
      this.inFlight++;
      try {
        return await request();
      } catch (error) {
        const status = error instanceof RequestError ? error.status : 0;
        const retryable = error instanceof RequestError && status >= 500 && !DO_NOT_RETRY.has(status);
        if (!retryable || attempt >= RETRIES || this.options.signal.aborted) throw error;
      } finally {
        this.inFlight--;
      }
      await new Promise((resolve) => setTimeout(resolve, (attempt + 1) ** 2 * this.baseValue));
      await this.checkBudget();
    }
  }

  /**
   * GET a route (`/repos/{owner}/{repo}/deployments` with params) or an absolute next-page URL.
   * With an etag, a 304 answer is reported as not-modified.
   */
  async get(route: string, params: Record<string, string | number> = {}, etag?: string | null): Promise<Fetched> {
    for (let attempt = 0; ; attempt++) {
      await this.checkBudget();
      const isUrl = /^https?:\/\//.test(route);
      const headers: Record<string, string> = { 'x-github-api-version': '2022-11-28' };
      if (etag) headers['if-none-match'] = etag;
      const fetchedAt = new Date().toISOString();
      // The body is read and parsed here, not by Octokit: JSON.parse is several times faster than
      // Octokit's BigInt-safe parser, and a body cut short is then seen as such, with its text.
      const request = { fetch: this.fetchFor(this.options.meter.currentTag()), parseSuccessResponseBody: false };
      let response: Awaited<ReturnType<typeof this.octokit.request>>;
      try {
        response = await this.send(() =>
          isUrl
            ? this.octokit.request({ method: 'GET', url: route, headers, request })
            : this.octokit.request(`GET ${route}`, { ...params, headers, request }),
        );
      } catch (error) {
        if (error instanceof RequestError && error.status === 304) {
          return { kind: 'not-modified', url: redactUrl(error.request.url) };
        }
        throw error;
      }
      const url = redactUrl(response.url || route);
      let text = '';
      let data: unknown;
      let problem: string | null = null;
      try {
        text = response.data ? await new Response(response.data as ReadableStream).text() : '';
        data = JSON.parse(text);
      } catch (error) {
        if (this.options.signal.aborted) throw error;
        problem = error instanceof SyntaxError ? 'not valid JSON' : `cut off (${(error as Error).message})`;
      }
      if (problem !== null || data === null || typeof data !== 'object') {
        if (attempt < this.badBodyRetries && !this.options.signal.aborted) {
          this.options.log(`github: unreadable body from ${url} (${problem ?? 'not a JSON object or array'}); asking again`);
          await new Promise((r) => setTimeout(r, (attempt + 1) ** 2 * this.baseValue));
          continue;
        }
        throw new BadBodyError(url, text, response.status);
      }
      const headerEtag = response.headers.etag;
      return {
        kind: 'ok',
        data,
        url,
        etag: typeof headerEtag === 'string' ? headerEtag : null,
        next: nextLink(response.headers.link),
        fetchedAt,
      };
    }
  }
}
