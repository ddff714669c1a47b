// Plumbing shared by the reporting routes (metrics, records, catalogue): request parameters as a
// multi-map, QueryError -> 400 with the parameter and allowed values, the derived tables made to
// exist, and the response cache keyed by data version.
import type { Context, TypedResponse } from 'hono';
import { cacheFor, computeSlotsFor, requestKey } from '../../metrics/cache.ts';
import { isWarmRequest, warmerFor } from '../../metrics/cache-warmer.ts';
import { QueryError, type RawParams } from '../../metrics/query.ts';
import { ensureDerivedTables } from '../../metrics/refresh.ts';
import type { MetricContext } from '../../metrics/types.ts';
import type { AppEnv } from '../app.ts';
import { ApiError } from '../errors.ts';

export type Ctx = Context<AppEnv>;

export function rawParams(c: Ctx): RawParams {
  return c.req.queries() ?? {};
}

export async function metricContext(c: Ctx): Promise<MetricContext> {
  const { db, config } = c.get('deps');
  await ensureDerivedTables(db);
  return { db, config };
}

/** Run `fn`, turning a QueryError into the 400 the issue asks for. */
export async function withQueryErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof QueryError) {
      throw new ApiError(
        400,
        'bad_request',
        error.message,
        error.hint ?? (error.allowed ? `Allowed values for ${error.parameter}: ${error.allowed.join(', ')}.` : undefined),
        { parameter: error.parameter, ...(error.allowed ? { allowed: error.allowed } : {}) },
      );
    }
    throw error;
  }
}

function today(zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
}

/**
 * Answer from the cache when the same request was answered at the same data version, else
 * compute, store and answer. Only successful answers are cached.
 */
export async function cached(
  c: Ctx,
  contentType: 'application/json' | 'text/csv',
  compute: () => Promise<string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const { db, config } = c.get('deps');
  const cache = cacheFor(db);
  const key = requestKey(db, c.req.path, rawParams(c), today(config.timeZone));
  // Remembered for the warmer, which computes it again after the next data change (not its own).
  if (!isWarmRequest(c.env)) {
    const url = new URL(c.req.url);
    warmerFor(db)?.note(`${url.pathname}${url.search}`);
  }
  const hit = cache.get(key);
  // Identical requests arriving while the first is computed wait for its answer instead of
  // computing it again (the dashboard's viewers all ask the same questions after a sync).
  const body =
    hit?.body ??
    (await cache.once(key, async () => {
      // In turn with the other answers being computed (computeSlotsFor: DuckDB's memory is shared).
      const computed = await computeSlotsFor(db).run(compute);
      cache.set(key, computed, contentType);
      return computed;
    }));
  const type = contentType === 'text/csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': type,
      'X-Vigil-Cache': hit ? 'hit' : 'miss',
      'X-Vigil-Data-Version': String(db.dataVersion),
      ...headers,
    },
  });
}

/**
 * `cached` for JSON answers, typed for the web app's hono/client (the body is the JSON of T).
 */
export async function cachedJson<T>(c: Ctx, compute: () => Promise<T>): Promise<Response & TypedResponse<T, 200, 'json'>> {
  const response = await cached(c, 'application/json', async () => JSON.stringify(await compute()));
  return response as Response & TypedResponse<T, 200, 'json'>;
}
