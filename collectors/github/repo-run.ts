// What every GitHub stream of one repository shares during a run: the client, the repository's
// config, its stored cursors, and helpers to validate records and keep bad ones.
import type { z } from 'zod';
import type { BatchBuilder } from '../engine/batch.ts';
import { rawRecord } from '../engine/hash.ts';
import { cursorKey, type RunContext } from '../engine/types.ts';
import { BadBodyError, type Fetched, type GitHubClient } from './client.ts';
import { describeZodError } from './schemas.ts';
import type { RepoScope } from './scope.ts';

export interface RepoRun {
  ctx: RunContext;
  client: GitHubClient;
  scope: RepoScope;
  cursors: Map<string, unknown>;
  isProduction(environment: string): boolean;
  /** Records older than this are outside the configured history (github.historyDays). */
  horizon: string;
  /** Problems that leave the repository incomplete this time without stopping its other streams. */
  incomplete: string[];
  /**
   * The repository's batch, shared by its streams: each adds whole units (a page with its
   * statuses and cursor) and the collector commits it where a later stream reads what an earlier
   * one wrote, and when it is full. Fewer, bigger transactions load faster.
   */
  batch: BatchBuilder;
}

/** The stored cursor of a stream, or null when absent or built for another config (fingerprint). */
export function storedCursor<T extends { fp: string }>(run: RepoRun, stream: string, fp: string): T | null {
  const cursor = run.cursors.get(cursorKey(stream, run.scope.repo)) as T | undefined;
  return cursor && cursor.fp === fp ? cursor : null;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export function check<T>(schema: z.ZodType<T>, item: unknown): Checked<T> {
  const result = schema.safeParse(item);
  return result.success ? { ok: true, value: result.data } : { ok: false, message: describeZodError(result.error) };
}

/** Keep a record that failed validation: raw with its error, and a sync_errors row with the URL. */
export function keepBadRecord(
  batch: BatchBuilder,
  run: RepoRun,
  args: { stream: string; recordKey: string; url: string; fetchedAt: string; payload: unknown; message: string },
): void {
  batch.raw([
    rawRecord({
      stream: args.stream,
      scope: run.scope.repo,
      recordKey: args.recordKey,
      requestUrl: args.url,
      fetchedAt: args.fetchedAt,
      payload: args.payload,
      error: args.message,
    }),
  ]);
  batch.error({ stream: args.stream, scope: run.scope.repo, url: args.url, recordKey: args.recordKey, message: args.message });
  run.ctx.log(`github ${run.scope.repo}: bad ${args.stream} record ${args.recordKey} from ${args.url}: ${args.message}`);
}

/** A key for a record whose payload has no usable id. */
export function fallbackKey(item: unknown, index: number, fetchedAt: string): string {
  const id = (item as { id?: unknown; number?: unknown } | null)?.id ?? (item as { number?: unknown } | null)?.number;
  return typeof id === 'number' || typeof id === 'string' ? String(id) : `invalid:${fetchedAt}:${index}`;
}

/** Keep a response body that could not be parsed, even after retries, whole with its error. */
export function keepBadBody(batch: BatchBuilder, run: RepoRun, stream: string, error: BadBodyError): void {
  keepBadRecord(batch, run, {
    stream,
    recordKey: `page:${error.url}`,
    url: error.url,
    fetchedAt: new Date().toISOString(),
    payload: error.body,
    message: error.message,
  });
  run.incomplete.push(`${stream}: ${error.message}; kept in raw_github, retried at the next sync`);
}

/**
 * GET a list page; a body that stays unreadable is kept (raw + sync_errors) and null returned, so
 * the stream stops where it is and the next sync asks again from there.
 */
export async function getPage(
  run: RepoRun,
  batch: BatchBuilder,
  stream: string,
  route: string,
  params?: Record<string, string | number>,
  etag?: string | null,
): Promise<Fetched | null> {
  try {
    return await run.client.get(route, params, etag);
  } catch (error) {
    if (error instanceof BadBodyError) {
      keepBadBody(batch, run, stream, error);
      return null;
    }
    throw error;
  }
}
