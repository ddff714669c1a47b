// The PagerDuty REST API v2 client the collector sends through: one GET per call to a full URL
// built from the configured base (EU accounts use https://api.eu.pagerduty.com), through the
// engine's metered fetch (every request counted per stream, the budget recorded, timeouts that
// really abort, the body included), with PagerDuty's failures handled:
// - 429: wait the `ratelimit-reset` seconds the answer gives (PagerDuty's budget is per minute, so
//   the wait is short), then ask again; once an answer says no budget is left, nothing is sent
//   before the reset (never burn the budget in a retry loop);
// - 5xx, a connection reset, a timeout: retried with exponential backoff, then reported;
// - a body that does not parse (cut short): asked again, then reported with its text so the page
//   is kept in raw_pagerduty;
// - other 4xx: reported at once with PagerDuty's own error message (`{error:{code,message,errors}}`).
//
// Why not @pagerduty/pdjs (tried first; API-NOTES §2 and tests/collectors/pagerduty/pdjs-limits.test.ts
// show each point against the stand-in): it sends through its own bundled node-fetch, so its
// requests cannot be counted or aborted by the engine's fetch; it retries a 429 three times by
// itself at a fixed delay (20 s unless overridden per call), ignoring `ratelimit-reset`, and those
// hidden requests never reach the caller's count; it does not retry 5xx or network errors; its
// `requestTimeout` is a no-op; it consumes the body before the caller sees it, so an unreadable
// page cannot be kept verbatim; and `pd.all()` breaks on hosts without ".com/". What is left of it
// for this job (two headers and a query string) is the part below that needs no library.
import { VERSION } from '../../server/lib/version.ts';
import { FatalSyncError, SyncStoppedError } from '../engine/errors.ts';
import { createMeteredFetch, type HttpMeter, type RateLimitState, RequestTimeoutError, redactUrl } from '../engine/http.ts';
import type { RequestTag } from '../engine/types.ts';

export type QueryValue = string | number | boolean | readonly string[];
export type Query = Record<string, QueryValue | undefined>;

export interface PagerDutyClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  meter: HttpMeter;
  /** The run's stop signal: waits and requests end at once when it fires. */
  signal: AbortSignal;
  log: (line: string) => void;
  /** Retries of a 5xx, a timeout or a dropped connection (exponential backoff from 1 s). */
  maxRetries?: number;
  /** Extra attempts for a body that does not parse. */
  badBodyRetries?: number;
  /** Consecutive 429 answers tolerated for one request before the run stops. */
  maxRateLimited?: number;
  /** A wait for the rate limit longer than this stops the run as 'partial' instead. */
  maxWaitSeconds?: number;
  /** How to wait `ms` (tests pass one that advances a fake clock). Must reject when the signal fires. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  fetchImpl?: typeof fetch;
}

export interface PdResponse {
  data: Record<string, unknown>;
  /** The URL requested, fit to store (no secrets). */
  url: string;
  fetchedAt: string;
}

/** An error answer from PagerDuty, with its own code and messages. */
export class PagerDutyHttpError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly code: number | null,
    readonly detail: string,
    readonly headers: Headers | null,
  ) {
    super(`PagerDuty answered ${status}${code !== null ? ` (code ${code})` : ''} for ${url}: ${detail}`);
    this.name = 'PagerDutyHttpError';
  }
}

/** A request that failed at the network level even after retries. */
export class PagerDutyNetworkError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    /** Refused or unknown host: PagerDuty is not there at all (a wrong base URL, no network). */
    readonly unreachable: boolean,
  ) {
    super(`${unreachable ? 'Could not reach PagerDuty' : 'The connection to PagerDuty failed'} at ${url} (${reason})`);
    this.name = 'PagerDutyNetworkError';
  }
}

/** A body that could not be parsed even after retries; its text is kept in raw with the error. */
export class BadBodyError extends Error {
  constructor(
    readonly url: string,
    readonly body: string,
    readonly status: number,
    readonly problem: string,
  ) {
    super(`PagerDuty sent a body that is ${problem} for ${url} (status ${status}, ${body.length} characters received)`);
    this.name = 'BadBodyError';
  }
}

/** PagerDuty's rate-limit headers: ratelimit-limit, ratelimit-remaining, ratelimit-reset (seconds to wait). */
export function parsePagerDutyRateLimit(headers: Headers, now: number): RateLimitState | null {
  const remaining = headers.get('ratelimit-remaining');
  if (remaining === null || remaining.trim() === '' || Number.isNaN(Number(remaining))) return null;
  const limit = headers.get('ratelimit-limit');
  const reset = headers.get('ratelimit-reset');
  return {
    limit: limit === null || Number.isNaN(Number(limit)) ? null : Number(limit),
    remaining: Number(remaining),
    resetAt: reset === null || Number.isNaN(Number(reset)) ? null : new Date(now + Number(reset) * 1000).toISOString(),
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new SyncStoppedError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new SyncStoppedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `key[]` values repeat the key, as PagerDuty reads arrays (`statuses[]=a&statuses[]=b`). */
export function buildUrl(baseUrl: string, path: string, query: Query = {}): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
    else url.searchParams.append(key, String(value));
  }
  return url.href;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Refused connections and unknown hosts: retrying quickly will not help much; the base URL may be wrong. */
function isUnreachable(error: unknown): boolean {
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|bad port|Invalid URL/i.test(networkReason(error));
}

function errorDetail(text: string): { code: number | null; detail: string } {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; errors?: unknown } };
    const error = body.error;
    if (error && typeof error === 'object') {
      const errors = Array.isArray(error.errors) ? error.errors.filter((e) => typeof e === 'string') : [];
      const message = typeof error.message === 'string' ? error.message : 'error';
      return {
        code: typeof error.code === 'number' ? error.code : null,
        detail: errors.length > 0 ? `${message}: ${errors.join('; ')}` : message,
      };
    }
  } catch {
    // Not PagerDuty's error shape (a proxy's HTML page): show the start of it.
  }
  return { code: null, detail: text.slice(0, 200).replace(/\s+/g, ' ').trim() || '(empty body)' };
}

export class PagerDutyClient {
  private readonly fetchers = new Map<string, typeof fetch>();
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly maxRetries: number;
  private readonly badBodyRetries: number;
  private readonly maxRateLimited: number;
  private readonly maxWaitSeconds: number;
  /** Requests sent and not answered yet: they spend budget the last answer did not count. */
  private inFlight = 0;
  /**
   * What is left of PagerDuty's per-minute budget as far as this client can tell, erring low:
   * each answer's ratelimit-remaining less the requests still in flight (answers to concurrent
   * requests arrive in any order), counted down as requests go out. Null when unknown.
   */
  private budget: { remaining: number; resetAt: number } | null = null;
  /** A wait for the reset in progress: every request waits for it. */
  private pause: Promise<void> | null = null;
  /** PagerDuty's clock (the Date header of the last answer) and ours when it came. */
  private serverDate: { server: number; local: number } | null = null;

  constructor(private readonly options: PagerDutyClientOptions) {
    this.sleep = options.sleep ?? abortableSleep;
    this.maxRetries = options.maxRetries ?? 4;
    this.badBodyRetries = options.badBodyRetries ?? 2;
    this.maxRateLimited = options.maxRateLimited ?? 8;
    this.maxWaitSeconds = options.maxWaitSeconds ?? 300;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** PagerDuty's "now" from the Date header of its last answer (to the second); null before any answer. */
  serverNow(): number | null {
    return this.serverDate ? this.serverDate.server + (Date.now() - this.serverDate.local) : null;
  }

  /** A fetch counting its requests under the scope and stream that made them. */
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

  private async wait(seconds: number, why: string): Promise<void> {
    if (seconds > this.maxWaitSeconds) {
      throw new FatalSyncError(
        `PagerDuty's rate limit asks for a wait of ${Math.ceil(seconds)} s (${why}), longer than Vigil waits within a run. ` +
          'The sync stopped; what was committed is kept and the next sync resumes from there.',
        'partial',
      );
    }
    await this.sleep(Math.max(0, seconds) * 1000, this.options.signal);
  }

  /** Never send a request the budget cannot pay for: wait for the reset the last answer announced. */
  private async checkBudget(): Promise<void> {
    for (;;) {
      if (this.pause) {
        await this.pause;
        continue;
      }
      const budget = this.budget;
      if (!budget) return;
      if (budget.remaining > 0) {
        budget.remaining--;
        return;
      }
      const wait = (budget.resetAt - Date.now()) / 1000;
      if (wait <= 0) {
        this.budget = null;
        return;
      }
      this.pause = (async () => {
        try {
          this.options.log(`pagerduty: rate limit used up; waiting ${Math.ceil(wait)} s for the reset PagerDuty announced`);
          await this.wait(wait, 'budget used up');
        } finally {
          // The first answer after the reset says what the new minute holds.
          this.budget = null;
          this.pause = null;
        }
      })();
    }
  }

  /** Note the budget an answer reports (any answer, a 429 included). */
  private observeBudget(headers: Headers): void {
    const remaining = Number(headers.get('ratelimit-remaining') ?? Number.NaN);
    const reset = Number(headers.get('ratelimit-reset') ?? Number.NaN);
    if (!Number.isFinite(remaining) || !Number.isFinite(reset) || headers.get('ratelimit-remaining') === null) return;
    const resetAt = Date.now() + reset * 1000;
    const estimate = Math.max(0, remaining - this.inFlight);
    // A reset later than the one known (by more than the header's one-second rounding): a new minute.
    if (!this.budget || resetAt > this.budget.resetAt + 1500) this.budget = { remaining: estimate, resetAt };
    else this.budget.remaining = Math.min(this.budget.remaining, estimate);
  }

  private async backoff(attempt: number, url: string, why: string): Promise<void> {
    const seconds = 2 ** attempt;
    this.options.log(`pagerduty: ${why} from ${url}; asking again in ${seconds} s`);
    await this.sleep(seconds * 1000, this.options.signal);
  }

  /** GET `path` (e.g. `/incidents`) with `query`; resolves with the parsed JSON object. */
  async get(path: string, query: Query = {}): Promise<PdResponse> {
    const href = buildUrl(this.options.baseUrl, path, query);
    const url = redactUrl(href);
    const headers = {
      accept: 'application/vnd.pagerduty+json;version=2',
      authorization: `Token token=${this.options.token}`,
      'user-agent': `vigil/${VERSION}`,
    };
    let failures = 0;
    let limited = 0;
    let badBodies = 0;
    for (;;) {
      if (this.options.signal.aborted) throw new SyncStoppedError();
      await this.checkBudget();
      const fetchedAt = new Date().toISOString();
      let status: number;
      let text: string;
      let responseHeaders: Headers;
      this.inFlight++;
      try {
        const response = await this.fetchFor(this.options.meter.currentTag())(href, { headers });
        status = response.status;
        responseHeaders = response.headers;
        const date = Date.parse(response.headers.get('date') ?? '');
        if (!Number.isNaN(date)) this.serverDate = { server: date, local: Date.now() };
        // The timeout covers the body too (the metered fetch passes its signal to fetch).
        text = await response.text();
      } catch (error) {
        if (this.options.signal.aborted) throw new SyncStoppedError();
        const timedOut = error instanceof RequestTimeoutError || (error as Error)?.name === 'TimeoutError';
        const reason = timedOut
          ? `no complete answer within ${Math.round(this.options.timeoutMs / 1000)} s`
          : `connection failed: ${networkReason(error)}`;
        if (failures < this.maxRetries) {
          await this.backoff(failures++, url, reason);
          continue;
        }
        if (timedOut) throw new RequestTimeoutError(href, this.options.timeoutMs);
        throw new PagerDutyNetworkError(url, networkReason(error), isUnreachable(error));
      } finally {
        this.inFlight--;
      }
      this.observeBudget(responseHeaders);
      if (status === 429) {
        if (limited++ >= this.maxRateLimited) {
          throw new PagerDutyHttpError(429, url, errorDetail(text).code, errorDetail(text).detail, responseHeaders);
        }
        const reset = Number(responseHeaders.get('ratelimit-reset'));
        this.options.log(
          `pagerduty: rate limit reached (429) at ${url}; waiting as ratelimit-reset asks (${responseHeaders.get('ratelimit-reset') ?? 'no reset given'})`,
        );
        if (Number.isFinite(reset) && reset > 0 && responseHeaders.get('ratelimit-reset') !== null) {
          // The answer said the budget is spent until the reset: the next attempt waits for it.
          this.budget = { remaining: 0, resetAt: Date.now() + reset * 1000 };
        } else {
          await this.wait(2 ** Math.min(limited, 6), '429 without ratelimit-reset');
        }
        continue;
      }
      if (status >= 500) {
        if (failures < this.maxRetries) {
          await this.backoff(failures++, url, `${status}`);
          continue;
        }
        const { code, detail } = errorDetail(text);
        throw new PagerDutyHttpError(status, url, code, detail, responseHeaders);
      }
      if (status < 200 || status >= 300) {
        const { code, detail } = errorDetail(text);
        throw new PagerDutyHttpError(status, url, code, detail, responseHeaders);
      }
      let data: unknown;
      let problem: string | null = null;
      try {
        data = JSON.parse(text);
        if (data === null || typeof data !== 'object' || Array.isArray(data)) problem = 'not a JSON object';
      } catch {
        problem = 'not valid JSON';
      }
      if (problem !== null) {
        if (badBodies < this.badBodyRetries) {
          await this.backoff(badBodies++, url, `an unreadable body (${problem})`);
          continue;
        }
        throw new BadBodyError(url, text, status, problem);
      }
      return { data: data as Record<string, unknown>, url, fetchedAt };
    }
  }
}
