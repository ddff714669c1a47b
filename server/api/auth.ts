// Optional authentication and the identity of whoever writes. Off by default on loopback; when
// VIGIL_AUTH_TOKEN (a bearer token) or VIGIL_USERS (basic-auth users) is set, every /api request
// except GET /api/health needs credentials. Binding to anything but loopback without them is
// refused at start-up (server/runtime.ts), since the database holds a team's incident history.
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { UserFacingError } from '../lib/errors.ts';
import { isWarmRequest } from '../metrics/cache-warmer.ts';
import { ApiError } from './errors.ts';

export interface AuthSettings {
  token?: string;
  users: Map<string, string>;
}

export const ACTOR_HEADER = 'x-vigil-actor';

/** Read auth settings from the environment; malformed settings stop start-up with a clear message. */
export function readAuthSettings(env: NodeJS.ProcessEnv = process.env): AuthSettings | undefined {
  const token = env.VIGIL_AUTH_TOKEN?.trim();
  const usersText = env.VIGIL_USERS?.trim();
  if (!token && !usersText) return undefined;
  if (token !== undefined && token.length > 0 && token.length < 16) {
    throw new UserFacingError(
      'VIGIL_AUTH_TOKEN is too short: use at least 16 random characters (e.g. `openssl rand -hex 24`).',
      2,
    );
  }
  const users = new Map<string, string>();
  for (const entry of (usersText ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon).trim() : '';
    const password = colon > 0 ? entry.slice(colon + 1) : '';
    if (!name || password.length < 8 || !/^[\w.@-]{1,64}$/.test(name)) {
      throw new UserFacingError(
        'VIGIL_USERS must be a comma-separated list of name:password pairs (names of letters, digits, . @ - _; passwords of 8+ characters).',
        2,
      );
    }
    users.set(name, password);
  }
  return { ...(token ? { token } : {}), users };
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Refuse to expose Vigil beyond this machine without authentication. */
export function assertSafeBinding(host: string, auth: AuthSettings | undefined): void {
  if (!isLoopback(host) && !auth) {
    throw new UserFacingError(
      `Refusing to listen on ${host} without authentication: anyone who can reach it could read your incident history. ` +
        'Set VIGIL_AUTH_TOKEN to a long random string (e.g. `export VIGIL_AUTH_TOKEN=$(openssl rand -hex 24)`) ' +
        'or VIGIL_USERS=name:password,…, or bind to 127.0.0.1.',
      2,
    );
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The authenticated user, or undefined when the credentials are missing or wrong. */
export function authenticate(header: string | undefined, auth: AuthSettings): string | undefined {
  // Exactly "<scheme> <credentials>": anything after the credentials makes the header malformed.
  const match = header ? /^\s*(\S+) +(\S+)\s*$/.exec(header) : null;
  const [, scheme, value] = match ?? [];
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer' && auth.token && safeEqual(value, auth.token)) return 'api-token';
  if (scheme.toLowerCase() === 'basic') {
    let decoded: string;
    try {
      decoded = Buffer.from(value, 'base64').toString('utf8');
    } catch {
      return undefined;
    }
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    const name = decoded.slice(0, colon);
    const expected = auth.users.get(name);
    if (expected !== undefined && safeEqual(decoded.slice(colon + 1), expected)) return name;
  }
  return undefined;
}

export function authMiddleware(auth: AuthSettings | undefined): MiddlewareHandler {
  return async function requireAuth(c, next) {
    // The cache warmer's own requests (server/metrics/cache-warmer.ts) come from inside the process.
    if (!auth || isWarmRequest(c.env)) return next();
    const user = authenticate(c.req.header('authorization'), auth);
    // Health answers everyone (monitors, load balancers); it says more to who is signed in.
    if (c.req.method === 'GET' && c.req.path === '/api/health') {
      if (user) c.set('user' as never, user as never);
      return next();
    }
    if (!user) {
      const error = new ApiError(
        401,
        'unauthorized',
        'This Vigil requires authentication.',
        auth.users.size > 0
          ? 'Sign in with your Vigil user name and password.'
          : 'Send Authorization: Bearer <VIGIL_AUTH_TOKEN>.',
      );
      const response = c.json({ error: { code: error.code, message: error.message, hint: error.hint } }, 401);
      response.headers.set(
        'WWW-Authenticate',
        auth.users.size > 0 ? 'Basic realm="Vigil", charset="UTF-8"' : 'Bearer realm="Vigil"',
      );
      return response;
    }
    c.set('user' as never, user as never);
    return next();
  };
}

/**
 * Who is writing: the authenticated user when auth is on, else the name the reviewer gave once
 * (the web app remembers it and sends it in X-Vigil-Actor). Write endpoints call this.
 */
export function requireActor(c: Context): string {
  const user = c.get('user' as never) as string | undefined;
  if (user) return user;
  const raw = c.req.header(ACTOR_HEADER);
  let name = '';
  try {
    name = raw ? decodeURIComponent(raw).trim() : '';
  } catch {
    name = '';
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (!name || name.length > 80 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new ApiError(
      400,
      'actor_required',
      'Say who is making this change: send your name in the X-Vigil-Actor header (URL-encoded, 1-80 characters).',
      'The web app asks for your name once and remembers it.',
    );
  }
  return name;
}
