// The PagerDuty REST API v2 stand-in (the api.pagerduty.com shape): `Authorization: Token token=…`
// (or `Bearer …` for OAuth tokens), a per-token per-minute budget answered with 429 and the
// ratelimit-limit/remaining/reset headers, errors in `{ error: { code, message, errors } }`, and the
// incident and account endpoints rendered from the simulated organisation.
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
import { FixedWindowBudget } from '../common/rate-budget.ts';
import { Router } from '../common/router.ts';
import { fnv1a, isKnownTimeZone } from '../common/util.ts';
import type { OrgStore } from '../org/model.ts';
import { createPdContext, type PdContext, PdError } from './context.ts';
import {
  getEscalationPolicy,
  getSchedule,
  getService,
  getTeam,
  getUser,
  listEscalationPolicies,
  listOncalls,
  listPriorities,
  listSchedules,
  listServices,
  listTeams,
  listUsers,
} from './handlers-account.ts';
import {
  getAlert,
  getIncident,
  getLogEntry,
  listAlerts,
  listIncidentLogEntries,
  listIncidents,
  listLogEntries,
  listNotifications,
  type PdCall,
} from './handlers-incidents.ts';

export interface PagerDutyStandInOptions {
  store: OrgStore;
  /** The accepted API key(s) or OAuth token(s). */
  token: string | string[];
  port?: number;
  host?: string;
  faults?: FaultRuleInput[];
  /** Requests per minute per token (default 960, PagerDuty's documented REST limit). */
  rateLimit?: { perMinute?: number };
  /** Wall clock for Date and ratelimit-reset (default Date.now); inject it for byte-identical replies. */
  now?: () => number;
  /** Base written into `self` fields (default: the address the server listens on). */
  publicUrl?: string;
  /** Fake account subdomain for html_url fields (default `vigil-sim`). */
  subdomain?: string;
  /** The account's time zone: default rendering zone and zone of bare since/until (default UTC). */
  accountTimeZone?: string;
  logLimit?: number;
}

export interface PagerDutyStandIn extends StandInServer {
  rateLimit: FixedWindowBudget;
}

type PdHandler = (call: PdCall) => Promise<unknown>;

function buildRouter(): Router<PdHandler> {
  return new Router<PdHandler>()
    .add('GET', '/incidents', listIncidents)
    .add('GET', '/incidents/{id}', getIncident)
    .add('GET', '/incidents/{id}/log_entries', listIncidentLogEntries)
    .add('GET', '/incidents/{id}/alerts', listAlerts)
    .add('GET', '/incidents/{id}/alerts/{alert_id}', getAlert)
    .add('GET', '/log_entries', listLogEntries)
    .add('GET', '/log_entries/{id}', getLogEntry)
    .add('GET', '/notifications', listNotifications)
    .add('GET', '/oncalls', listOncalls)
    .add('GET', '/schedules', listSchedules)
    .add('GET', '/schedules/{id}', getSchedule)
    .add('GET', '/services', listServices)
    .add('GET', '/services/{id}', getService)
    .add('GET', '/users', listUsers)
    .add('GET', '/users/{id}', getUser)
    .add('GET', '/teams', listTeams)
    .add('GET', '/teams/{id}', getTeam)
    .add('GET', '/priorities', listPriorities)
    .add('GET', '/escalation_policies', listEscalationPolicies)
    .add('GET', '/escalation_policies/{id}', getEscalationPolicy);
}

function extractToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (!auth) return undefined;
  const m = /^Token\s+token="?([^"\s]+)"?\s*$/i.exec(auth) ?? /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m ? m[1] : undefined;
}

const STATIC_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'max-age=0, private, must-revalidate',
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Authorization, Content-Type, AuthorizationOauth, X-Early-Access',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'access-control-expose-headers': '',
  vary: 'Accept, Origin',
};

export async function startPagerDutyStandIn(options: PagerDutyStandInOptions): Promise<PagerDutyStandIn> {
  const now = options.now ?? Date.now;
  const tokens = new Set(Array.isArray(options.token) ? options.token : [options.token]);
  if (tokens.size === 0 || [...tokens].some((t) => !t))
    throw new Error('startPagerDutyStandIn needs at least one non-empty token.');
  const accountTimeZone = options.accountTimeZone ?? 'UTC';
  if (!isKnownTimeZone(accountTimeZone))
    throw new Error(`accountTimeZone '${accountTimeZone}' is not a time zone this runtime knows.`);
  const budget = new FixedWindowBudget(options.rateLimit?.perMinute ?? 960, 60_000, now);
  const web = `https://${options.subdomain ?? 'vigil-sim'}.pagerduty.com`;
  const salt = fnv1a(`pagerduty:${options.store.options.seed}`);
  let ctx: PdContext = createPdContext(options.store, 'http://127.0.0.1', web, accountTimeZone);
  let faults: FaultController;

  const headers = (req: StandInRequest, token: string | undefined): OutgoingHttpHeaders => {
    const h: OutgoingHttpHeaders = {
      ...STATIC_HEADERS,
      'x-request-id': `${fnv1a(String(req.seq), salt).toString(16)}${fnv1a(req.url, salt).toString(16)}`,
    };
    if (token && tokens.has(token)) {
      const s = budget.state(token);
      h['ratelimit-limit'] = String(s.limit);
      h['ratelimit-remaining'] = String(s.remaining);
      h['ratelimit-reset'] = String(Math.max(0, Math.ceil((s.resetAt - now()) / 1000)));
    }
    return h;
  };

  const error = (req: StandInRequest, e: PdError, extra: OutgoingHttpHeaders = {}): Reply => ({
    status: e.status,
    headers: { ...headers(req, req.token), ...extra },
    body: JSON.stringify({ error: { message: e.message, code: e.code, errors: e.errors } }),
  });

  const rateLimited = (req: StandInRequest, resetSeconds: number): Reply =>
    error(
      req,
      new PdError(429, 2020, 'Rate Limit Exceeded', ['Too many requests have been made, the rate limit has been reached.']),
      {
        'ratelimit-limit': String(budget.limit),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(resetSeconds),
      },
    );

  async function handle(req: StandInRequest, handler: PdHandler): Promise<Reply> {
    const token = req.token;
    if (!token)
      return error(req, new PdError(401, 2006, 'Authentication required', ['Send Authorization: Token token=<API key>.']));
    if (!tokens.has(token) || faults.isRevoked(token))
      return error(req, new PdError(401, 2006, 'Authentication failed', ['The API key is invalid or has been revoked.']));
    if (!budget.consume(token)) {
      const s = budget.state(token);
      return rateLimited(req, Math.max(1, Math.ceil((s.resetAt - now()) / 1000)));
    }
    try {
      const body = await handler({ ctx, q: req.query, params: req.params });
      return { status: 200, headers: headers(req, token), body: ctx.fragments.stringify(body) };
    } catch (e) {
      if (e instanceof PdError) return error(req, e);
      throw e;
    }
  }

  function faultReply(kind: AnsweringFault, fired: FiredFault, req: StandInRequest): Reply {
    if (kind === 'rate-limit' || kind === 'secondary-rate-limit') return rateLimited(req, fired.rule.retryAfter ?? 60);
    const status = fired.status ?? 500;
    const message =
      status === 503
        ? 'Service Unavailable'
        : status === 502
          ? 'Bad Gateway'
          : status === 429
            ? 'Rate Limit Exceeded'
            : 'Internal Server Error';
    return error(req, new PdError(status, status === 429 ? 2020 : 2000, message));
  }

  const server = await startHarness<PdHandler>(
    {
      router: buildRouter(),
      extractToken,
      handle,
      faultReply,
      notFound: (req) => error(req, new PdError(404, 2100, 'Not Found')),
      internalError: (req, e) =>
        error(req, new PdError(500, 2000, `Stand-in error: ${e instanceof Error ? e.message : String(e)}`)),
      advanceClock: (change) => advanceClock(options.store, change),
      clock: () => options.store.clock(),
    },
    { host: options.host, port: options.port, now, initialFaults: options.faults, logLimit: options.logLimit },
  );
  faults = server.faults;
  ctx = createPdContext(options.store, options.publicUrl ?? server.url, web, accountTimeZone);
  return { ...server, rateLimit: budget };
}
