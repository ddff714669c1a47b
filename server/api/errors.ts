// The one error type request handlers throw, and the one envelope every error is answered with:
// { "error": { "code", "message", "hint" } } (STYLE.md §6).
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; [extra: string]: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly hint?: string,
    /** Extra fields for the envelope, e.g. the current value on a 409. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, hint?: string, extra?: Record<string, unknown>) =>
  new ApiError(400, 'bad_request', message, hint, extra);
export const notFound = (message: string, hint?: string, extra?: Record<string, unknown>) =>
  new ApiError(404, 'not_found', message, hint, extra);
export const conflict = (message: string, hint?: string, extra?: Record<string, unknown>) =>
  new ApiError(409, 'conflict', message, hint, extra);

export function errorBody(code: string, message: string, hint?: string, extra?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(hint ? { hint } : {}), ...(extra ?? {}) } };
}

/** Render any thrown value as the JSON error envelope. Unknown errors are logged, never leaked. */
export function renderError(error: unknown, c: Context, log: (message: string) => void = console.error): Response {
  if (error instanceof ApiError) {
    return c.json(errorBody(error.code, error.message, error.hint, error.extra), error.status);
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const code =
      status === 413
        ? 'payload_too_large'
        : status === 401
          ? 'unauthorized'
          : status === 403
            ? 'forbidden'
            : status >= 500
              ? 'internal'
              : 'bad_request';
    const hint =
      status === 413
        ? 'Send a smaller request body.'
        : status === 401
          ? 'Send the Authorization header (Bearer VIGIL_AUTH_TOKEN, or basic auth for a user in VIGIL_USERS).'
          : undefined;
    const response = c.json(errorBody(code, error.message || 'Request failed', hint), status as ContentfulStatusCode);
    const original = error.getResponse();
    const authenticate = original.headers.get('WWW-Authenticate');
    if (authenticate) response.headers.set('WWW-Authenticate', authenticate);
    return response;
  }
  if (error instanceof SyntaxError) {
    return c.json(errorBody('bad_request', `Malformed JSON body: ${error.message}`, 'Send a valid JSON document.'), 400);
  }
  const storage = storageProblem(error);
  if (storage) {
    log(`Storage failure on ${c.req.method} ${c.req.path}: ${error instanceof Error ? error.message : String(error)}`);
    return c.json(errorBody(storage.code, storage.message, storage.hint), storage.status);
  }
  log(
    `Unhandled error on ${c.req.method} ${c.req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return c.json(
    errorBody('internal', 'Vigil failed to answer this request.', 'Try again; if it persists, the server log has the details.'),
    500,
  );
}

/**
 * Disk problems are the operator's to fix, not bugs: say so. DuckDB rolls the transaction back,
 * so nothing was half-written (checked in tests/reliability/disk.test.ts).
 */
export function storageProblem(error: unknown): { status: 503 | 507; code: string; message: string; hint: string } | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (/No space left on device|ENOSPC/i.test(message)) {
    return {
      status: 507,
      code: 'disk_full',
      message: 'The disk holding the database is full; nothing was written.',
      hint: 'Free space on that volume (or move the database), then retry.',
    };
  }
  if (/Read-only file system|EROFS/i.test(message)) {
    return {
      status: 503,
      code: 'read_only',
      message: 'The database is on a read-only file system; nothing was written.',
      hint: 'Remount the volume read-write, or move the database to a writable one.',
    };
  }
  return undefined;
}
