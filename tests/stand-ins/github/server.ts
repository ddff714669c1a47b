// The GitHub REST stand-in (the api.github.com shape): authentication (`token X` or `Bearer X`),
// API-version negotiation, primary and secondary rate limits with GitHub's headers, ETag and
// If-None-Match (a correctly authorised 304 costs nothing), GitHub's error bodies, and the
// endpoints in handlers.ts rendered from the simulated organisation.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { advanceClock } from '../common/clock.ts';
import type { FaultController, FaultRuleInput, FiredFault } from '../common/faults.ts';
import {
  type AnsweringFault,
  type Reply,
  type StandInRequest,
  type StandInServer,
  startHarness,
} from '../common/http-harness.ts';
import { etagOf, fnv1a } from '../common/util.ts';
import type { OrgStore } from '../org/model.ts';
import { createGhContext, type GhContext, GhError } from './context.ts';
import { buildGitHubRouter, type GhRoute, RATE_LIMIT_ROUTE } from './handlers.ts';
import { type GitHubRateLimitOptions, GitHubRateLimits, rateHeaders, rateLimitBody } from './rate-limit.ts';

export interface GitHubStandInOptions {
  store: OrgStore;
  /** The accepted token(s). */
  token: string | string[];
  port?: number;
  host?: string;
  /** Fault rules switched on from the start. */
  faults?: FaultRuleInput[];
  rateLimit?: GitHubRateLimitOptions;
  /** Wall clock for Date and rate-limit headers (default Date.now); inject it for byte-identical replies. */
  now?: () => number;
  /** Base written into `url` fields and Link headers (default: the address the server listens on). */
  publicUrl?: string;
  /** Recent requests kept in `stats.log()` (default 1000; 0 turns it off). */
  logLimit?: number;
}

export interface GitHubStandIn extends StandInServer {
  rateLimits: GitHubRateLimits;
}

export const SUPPORTED_API_VERSIONS = ['2022-11-28', '2026-03-10'];
const DEFAULT_API_VERSION = '2022-11-28';

const STATIC_HEADERS: OutgoingHttpHeaders = {
  'cache-control': 'private, max-age=60, s-maxage=60',
  vary: 'Accept, Authorization, Cookie, X-GitHub-OTP,Accept-Encoding, Accept, X-Requested-With',
  'x-oauth-scopes': 'repo, read:org',
  'x-accepted-oauth-scopes': 'repo',
  'x-github-media-type': 'github.v3; format=json',
  'access-control-expose-headers':
    'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
  'access-control-allow-origin': '*',
  'x-frame-options': 'deny',
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '0',
  'referrer-policy': 'origin-when-cross-origin, strict-origin-when-cross-origin',
  'content-security-policy': "default-src 'none'",
  server: 'github.com',
};

const JSON_TYPE = 'application/json; charset=utf-8';
const RATE_DOC = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';

function extractToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (!auth) return undefined;
  const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(auth);
  return m ? m[1] : undefined;
}

export async function startGitHubStandIn(options: GitHubStandInOptions): Promise<GitHubStandIn> {
  const now = options.now ?? Date.now;
  const tokens = new Set(Array.isArray(options.token) ? options.token : [options.token]);
  if (tokens.size === 0 || [...tokens].some((t) => !t)) throw new Error('startGitHubStandIn needs at least one non-empty token.');
  const limits = new GitHubRateLimits(options.rateLimit ?? {}, now);
  const router = buildGitHubRouter();
  const seedSalt = fnv1a(`github:${options.store.options.seed}`);
  // Filled in once the port is known; no request can arrive before that.
  let ctx: GhContext = createGhContext(options.store, 'http://127.0.0.1');
  let faults: FaultController;

  const requestId = (req: StandInRequest) => {
    const h = fnv1a(String(req.seq), seedSalt);
    const h2 = fnv1a(req.url, h);
    return `${(h >>> 16).toString(16).toUpperCase().padStart(4, '0')}:${(h & 0xffff).toString(16).toUpperCase()}:${h2.toString(16).toUpperCase()}:${(req.seq * 7919).toString(16).toUpperCase()}:${((h ^ h2) >>> 0).toString(16).toUpperCase()}`;
  };

  const baseHeaders = (req: StandInRequest, version: string): OutgoingHttpHeaders => ({
    ...STATIC_HEADERS,
    'content-type': JSON_TYPE,
    'x-github-api-version-selected': version,
    'x-github-request-id': requestId(req),
  });

  const errorBody = (status: number, message: string, doc: string, errors?: unknown[]) =>
    JSON.stringify(
      errors
        ? { message, errors, documentation_url: doc, status: String(status) }
        : { message, documentation_url: doc, status: String(status) },
    );

  const badCredentials = (req: StandInRequest, version: string): Reply => {
    limits.anonymous.consume('anonymous');
    return {
      status: 401,
      headers: { ...baseHeaders(req, version), ...rateHeaders(limits.anonymous.state('anonymous')) },
      body: errorBody(401, 'Bad credentials', 'https://docs.github.com/rest'),
    };
  };

  const primaryExceeded = (
    req: StandInRequest,
    version: string,
    status: 403 | 429,
    resetAt: number,
    state = limits.state(req.token ?? ''),
  ): Reply => ({
    status,
    headers: { ...baseHeaders(req, version), ...rateHeaders({ ...state, remaining: 0, used: state.limit, resetAt }) },
    body: errorBody(
      status,
      `API rate limit exceeded for user ID ${5_000_001 + (fnv1a(req.token ?? '') % 1000)}. If you reach out to GitHub Support for help, please include the request ID ${requestId(req)}.`,
      `${RATE_DOC}#about-the-primary-rate-limit`,
    ),
  });

  const secondaryExceeded = (req: StandInRequest, version: string, status: 403 | 429, retryAfter: number): Reply => ({
    status,
    headers: { ...baseHeaders(req, version), ...rateHeaders(limits.state(req.token ?? '')), 'retry-after': String(retryAfter) },
    body: errorBody(
      status,
      `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId(req)}.`,
      `${RATE_DOC}#about-secondary-rate-limits`,
    ),
  });

  const selectVersion = (req: StandInRequest): string | Reply => {
    const asked = req.headers['x-github-api-version'];
    if (asked === undefined) return DEFAULT_API_VERSION;
    const v = Array.isArray(asked) ? asked[0]! : asked;
    if (SUPPORTED_API_VERSIONS.includes(v)) return v;
    return {
      status: 400,
      headers: baseHeaders(req, DEFAULT_API_VERSION),
      body: errorBody(
        400,
        `API version '${v}' is not supported. Supported versions are: ${SUPPORTED_API_VERSIONS.join(', ')}.`,
        'https://docs.github.com/rest/about-the-rest-api/api-versions',
      ),
    };
  };

  async function handle(req: StandInRequest, route: GhRoute): Promise<Reply> {
    const version = selectVersion(req);
    if (typeof version !== 'string') return version;
    const token = req.token;
    if (!token || !tokens.has(token) || faults.isRevoked(token)) return badCredentials(req, version);

    if (route === RATE_LIMIT_ROUTE) {
      // GET /rate_limit never counts against the primary limit.
      const state = limits.state(token);
      return {
        status: 200,
        headers: { ...baseHeaders(req, version), ...rateHeaders(state) },
        body: JSON.stringify(rateLimitBody(state, now())),
      };
    }

    // Secondary limits first: GitHub answers them even while primary budget remains.
    if (!limits.secondary.consume(`${token} ${req.endpoint}`)) {
      const reset = limits.secondary.state(`${token} ${req.endpoint}`).resetAt;
      return secondaryExceeded(req, version, 403, Math.max(1, Math.ceil((reset - now()) / 1000)));
    }
    if (!limits.enter(token)) return secondaryExceeded(req, version, 403, 60);
    try {
      const before = limits.state(token);
      if (before.remaining <= 0) return primaryExceeded(req, version, limits.exhaustedStatus, before.resetAt, before);

      let status = 200;
      let body: string;
      let link: string | undefined;
      try {
        const repo = resolveRepo(req, route);
        const ok = await route.run({ ctx, req, repo });
        body = ctx.fragments.stringify(ok.body);
        link = ok.link;
      } catch (error) {
        if (!(error instanceof GhError)) throw error;
        status = error.status;
        body = errorBody(error.status, error.message, error.documentationUrl, error.errors);
      }

      const headers = baseHeaders(req, version);
      if (status === 200) {
        const etag = etagOf(body, token);
        headers.etag = etag;
        if (link) headers.link = link;
        const inm = req.headers['if-none-match'];
        if (inm?.split(',').some((t) => t.trim() === etag)) {
          // A correctly authorised conditional request that matches costs nothing.
          delete headers['content-type'];
          return { status: 304, headers: { ...headers, ...rateHeaders(limits.state(token)) } };
        }
      }
      limits.primary.consume(token);
      return { status, headers: { ...headers, ...rateHeaders(limits.state(token)) }, body };
    } finally {
      limits.leave(token);
    }
  }

  function resolveRepo(req: StandInRequest, route: GhRoute) {
    if (!route.repoScoped) return undefined as never;
    const { owner, repo, repository_id } = req.params;
    const found =
      repository_id !== undefined
        ? ctx.repoById.get(Number(repository_id))
        : ctx.repoByName.get(`${owner}/${repo}`.toLowerCase());
    if (!found || faults.isRepositoryRemoved(found.fullName)) throw new GhError(404, 'Not Found', route.doc);
    return found;
  }

  function faultReply(kind: AnsweringFault, fired: FiredFault, req: StandInRequest): Reply {
    const version = DEFAULT_API_VERSION;
    if (kind === 'secondary-rate-limit')
      return secondaryExceeded(req, version, fired.rule.limitStatus ?? 403, fired.rule.retryAfter ?? 60);
    if (kind === 'rate-limit') {
      const resetAt = now() + (fired.rule.retryAfter ?? 60) * 1000;
      return primaryExceeded(req, version, fired.rule.limitStatus ?? limits.exhaustedStatus, resetAt);
    }
    const status = fired.status ?? 500;
    const message =
      status === 503
        ? 'Service Unavailable'
        : status === 502
          ? 'Server Error'
          : status === 429
            ? 'Too Many Requests'
            : 'Server Error';
    return { status, headers: baseHeaders(req, version), body: errorBody(status, message, 'https://docs.github.com/rest') };
  }

  const server = await startHarness<GhRoute>(
    {
      router,
      extractToken,
      handle,
      faultReply,
      notFound: (req) => ({
        status: 404,
        headers: baseHeaders(req, DEFAULT_API_VERSION),
        body: errorBody(404, 'Not Found', 'https://docs.github.com/rest'),
      }),
      internalError: (req, error) => ({
        status: 500,
        headers: baseHeaders(req, DEFAULT_API_VERSION),
        body: errorBody(
          500,
          `Stand-in error: ${error instanceof Error ? error.message : String(error)}`,
          'https://docs.github.com/rest',
        ),
      }),
      advanceClock: (change) => advanceClock(options.store, change),
      clock: () => options.store.clock(),
    },
    { host: options.host, port: options.port, now, initialFaults: options.faults, logLimit: options.logLimit },
  );
  faults = server.faults;
  ctx = createGhContext(options.store, options.publicUrl ?? server.url);
  return { ...server, rateLimits: limits };
}
