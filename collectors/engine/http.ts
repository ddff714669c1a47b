// The HTTP layer every collector sends through: a fetch that really aborts on its timeout (the
// body read included) and on the run's stop signal, counts every request actually sent (retries
// included) per scope and stream, and records the rate-limit budget the server reports, so GitHub
// and PagerDuty runs report requests and budget the same way. URLs are stored and shown only after
// redactUrl(): tokens travel in headers and never reach logs, errors or the database.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestTag } from './types.ts';

export interface RateLimitState {
  limit: number | null;
  remaining: number | null;
  /** ISO time at which the budget refills. */
  resetAt: string | null;
}

export type RateLimitParser = (headers: Headers, now: number) => RateLimitState | null;

const UNTAGGED: RequestTag = { scope: '*', stream: 'other' };

/** Counts requests and tracks the server's rate-limit budget for one run of one source. */
export class HttpMeter {
  private total = 0;
  private readonly perTag = new Map<string, number>();
  private readonly storage = new AsyncLocalStorage<RequestTag>();
  private budget: RateLimitState | null = null;
  private readonly listeners = new Set<(tag: RequestTag) => void>();

  constructor(private readonly parseRateLimit: RateLimitParser) {}

  get requests(): number {
    return this.total;
  }

  get rateLimit(): RateLimitState | null {
    return this.budget;
  }

  /** Run `fn` with every request it sends attributed to `tag`. */
  within<T>(tag: RequestTag, fn: () => Promise<T>): Promise<T> {
    return this.storage.run(tag, fn);
  }

  currentTag(): RequestTag {
    return this.storage.getStore() ?? UNTAGGED;
  }

  requestsFor(tag: RequestTag): number {
    return this.perTag.get(`${tag.stream}\u0000${tag.scope}`) ?? 0;
  }

  /** Requests per stream and scope. */
  breakdown(): { stream: string; scope: string; requests: number }[] {
    return [...this.perTag].map(([key, requests]) => {
      const [stream = '', scope = ''] = key.split('\u0000');
      return { stream, scope, requests };
    });
  }

  onRequest(listener: (tag: RequestTag) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called once per request actually sent. Pass the tag captured where the request was made:
   * client libraries queue requests (Bottleneck) and send them from another async context.
   */
  count(tag: RequestTag = this.currentTag()): RequestTag {
    this.total++;
    const key = `${tag.stream}\u0000${tag.scope}`;
    this.perTag.set(key, (this.perTag.get(key) ?? 0) + 1);
    for (const listener of this.listeners) listener(tag);
    return tag;
  }

  observe(headers: Headers, now = Date.now()): void {
    const state = this.parseRateLimit(headers, now);
    if (!state) return;
    // Answers to requests in flight arrive in any order, and within one window the budget only
    // goes down: an answer saying more is left than one already seen for the same reset is older
    // news (taking it let a client send past a spent budget).
    const known = this.budget;
    const sameWindow = known?.resetAt != null && known.resetAt === state.resetAt;
    if (sameWindow && known?.remaining != null && state.remaining != null && state.remaining > known.remaining) return;
    this.budget = state;
  }
}

export interface MeteredFetchOptions {
  meter: HttpMeter;
  /** Per request, from sending to the last byte of the body. */
  timeoutMs: number;
  /** The run's stop signal. */
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
  /** The scope and stream to count the request under (default: the async context's). */
  tag?: RequestTag;
}

/** A request that ran past its timeout. Named so clients can tell it from a stop. */
export class RequestTimeoutError extends Error {
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`No complete answer from ${redactUrl(url)} within ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * A fetch for API clients (Octokit's `request.fetch`, the PagerDuty client) that counts each
 * request, reads the rate-limit headers and aborts on timeout or stop. The timeout signal is passed
 * to fetch itself, so it also aborts a body that arrives too slowly (a slow-drip response).
 */
export function createMeteredFetch(options: MeteredFetchOptions): typeof fetch {
  const base = options.fetchImpl ?? globalThis.fetch;
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signals = [timeout];
    if (options.signal) signals.push(options.signal);
    if (init?.signal) signals.push(init.signal);
    options.meter.count(options.tag);
    try {
      const response = await base(input, { ...init, signal: AbortSignal.any(signals) });
      options.meter.observe(response.headers);
      return response;
    } catch (error) {
      if (timeout.aborted && !options.signal?.aborted) throw new RequestTimeoutError(url, options.timeoutMs);
      throw error;
    }
  };
}

const SECRET_PARAMS = /^(access_token|token|api_key|apikey|key|client_secret|secret|password|auth|sig|signature)$/i;

/** A URL fit to store or show: no user info, no secret-looking query parameters. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.test(name)) parsed.searchParams.set(name, 'REDACTED');
  }
  return parsed.href;
}

/** Remove a token from any text (error messages from libraries), in case one ever echoes it. */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[REDACTED]');
}
