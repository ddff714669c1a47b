// Security headers, body-size limits and cross-site write protection for every response.
// The Content-Security-Policy allows only the app's own scripts; inline styles are allowed
// because ECharts positions its tooltips with style attributes.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { isLoopback } from './auth.ts';
import { ApiError } from './errors.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export const contentSecurityPolicy = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy,
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: false,
  });
}

export function limitBody(maxBytes = MAX_BODY_BYTES): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    // The rest of the body is never read; closeAfterRefusedBody closes the connection after this.
    onError: () => {
      throw new ApiError(
        413,
        'payload_too_large',
        `The request body is larger than ${Math.round(maxBytes / 1024)} KB.`,
        'Send less data per request (split bulk writes).',
      );
    },
  });
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Writes must be JSON from this origin. Browsers send credentials (basic auth) with cross-site
 * form posts but cannot send `application/json` cross-site without a preflight we never grant,
 * and they always send Origin on cross-site writes.
 */
export function sameOriginWrites(): MiddlewareHandler {
  return async function checkWriteOrigin(c, next) {
    if (!unsafeMethods.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    if (origin && origin !== 'null') {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      if (originHost !== c.req.header('host')) {
        throw new ApiError(
          403,
          'cross_origin',
          'Writes from another site are refused.',
          'Use the Vigil web app or call the API directly.',
        );
      }
    }
    const type = c.req.header('content-type');
    const length = c.req.header('content-length');
    const hasBody =
      type !== undefined || (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
    if (hasBody && !/^application\/json\b/i.test(type ?? '')) {
      throw new ApiError(415, 'unsupported_media_type', 'Request bodies must be JSON.', 'Send Content-Type: application/json.');
    }
    return next();
  };
}

/**
 * A request refused before its body was read (a 401, 403, 413 or 415 on a write) leaves the rest of
 * the body on the connection; the HTTP server drains it for half a second and then cuts the
 * connection. A client that reuses it for its next request would see that request fail. Saying
 * `Connection: close` on such answers makes the client open a fresh connection instead.
 */
export function closeAfterRefusedBody(): MiddlewareHandler {
  return async function closeAfterRefusal(c, next) {
    await next();
    const length = c.req.header('content-length');
    const hasBody = (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
    if (hasBody && c.res.status >= 400) c.res.headers.set('Connection', 'close');
  };
}

/**
 * Without authentication Vigil answers only to loopback host names. A web page anywhere can point a
 * name of its own at 127.0.0.1 (DNS rebinding) and then read and write through the visitor's
 * browser as if it were that site; the Host header still carries the page's name, so it is refused.
 */
export function loopbackHostsOnly(): MiddlewareHandler {
  return async function checkHost(c, next) {
    const host = new URL(c.req.url).hostname;
    if (isLoopback(host)) return next();
    throw new ApiError(
      403,
      'host_not_allowed',
      `This Vigil runs without authentication, so it answers only at localhost, 127.0.0.1 or [::1], not at ${host.slice(0, 100)}.`,
      'Open it at http://127.0.0.1:<port>, or set VIGIL_AUTH_TOKEN (or VIGIL_USERS) to serve it under other names.',
    );
  };
}
