// What every PagerDuty stream shares during a run: the client, the stored cursors, the run's fixed
// "now" and history horizon, what was fetched so far (so later streams do not ask again), and
// helpers to keep records and pages that fail validation without stopping the rest.

import type { z } from 'zod';
import { IN_LIST_MAX, ident, inList } from '../../server/db/index.ts';
import type { BatchBuilder } from '../engine/batch.ts';
import { hashText, rawRecord } from '../engine/hash.ts';
import { cursorKey, type RawRecord, type RunContext } from '../engine/types.ts';
import { BadBodyError, type PagerDutyClient, type PdResponse, type Query } from './client.ts';
import { check } from './schemas.ts';

/** Every PagerDuty stream is account-wide: one scope. */
export const SCOPE = 'account';

/** An incident seen in this run, with what its alerts should look like (alert_counts). */
export interface SeenIncident {
  status: string;
  all: number | null;
  triggered: number | null;
  resolved: number | null;
}

export interface PdRun {
  ctx: RunContext;
  client: PagerDutyClient;
  cursors: Map<string, unknown>;
  /** The account the cursors belong to (its base URL): another account's cursors are not reused. */
  fp: string;
  /** The run's "now" (ms), fixed when it starts: windows end here, so their contents cannot move. */
  now: number;
  /** The oldest time synced (ms): now − pagerduty.historyDays. */
  horizon: number;
  /** Requests in flight at once for independent requests (alerts, single incidents, pages of a window). */
  concurrency: number;
  /** Incidents fetched in this run. */
  seen: Map<string, SeenIncident>;
  /** Problems that leave the account incomplete this time without stopping the other streams. */
  incomplete: string[];
}

export function accountFingerprint(baseUrl: string): string {
  return hashText(`pagerduty:${baseUrl.replace(/\/+$/, '').toLowerCase()}`).slice(0, 12);
}

/** The stored cursor of a stream, or null when absent or written for another account. */
export function storedCursor<T extends { fp: string }>(run: PdRun, stream: string): T | null {
  const cursor = run.cursors.get(cursorKey(stream, SCOPE)) as T | undefined;
  return cursor && typeof cursor === 'object' && cursor.fp === run.fp ? cursor : null;
}

/** The normalised tables whose rows carry the hash of the payload they were built from. */
export type HashedTable =
  | 'pd_services'
  | 'pd_teams'
  | 'pd_users'
  | 'pd_escalation_policies'
  | 'pd_schedules'
  | 'incidents'
  | 'log_entries'
  | 'alerts'
  | 'notifications'
  | 'oncall_shifts';

/**
 * The records whose stored row was not built from this very payload. PagerDuty has no conditional
 * requests, so every run gets records it already holds (the overlap of a window, the directory,
 * open incidents); they are left out before the batch, so a run with nothing new opens no write
 * transaction at all (no data-version bump, no response cache thrown away).
 */
export async function changedOnly<T extends { id: string; raw: RawRecord }>(
  run: PdRun,
  table: HashedTable,
  records: readonly T[],
): Promise<T[]> {
  if (records.length === 0) return [];
  const ids = [...new Set(records.map((r) => r.id))];
  const stored = new Map<string, string | null>();
  for (let i = 0; i < ids.length; i += IN_LIST_MAX) {
    const keys = inList('id', ids.slice(i, i + IN_LIST_MAX));
    const rows = await run.ctx.db.all<{ id: string; raw_hash: string | null }>(
      `SELECT id, raw_hash FROM ${ident(table)} WHERE id IN ${keys.sql}`,
      keys.params,
    );
    for (const r of rows) stored.set(r.id, r.raw_hash);
  }
  return records.filter((r) => stored.get(r.id) !== r.raw.payloadHash);
}

/** Keep a record that failed validation: raw with its error, and a sync_errors row with the URL. */
export function keepBadRecord(
  batch: BatchBuilder,
  run: PdRun,
  args: { stream: string; recordKey: string; url: string; fetchedAt: string; payload: unknown; message: string },
): void {
  batch.raw([
    rawRecord({
      stream: args.stream,
      scope: SCOPE,
      recordKey: args.recordKey,
      requestUrl: args.url,
      fetchedAt: args.fetchedAt,
      payload: args.payload,
      error: args.message,
    }),
  ]);
  batch.error({ stream: args.stream, scope: SCOPE, url: args.url, recordKey: args.recordKey, message: args.message });
  run.ctx.log(`pagerduty: bad ${args.stream} record ${args.recordKey} from ${args.url}: ${args.message}`);
}

export interface Valid<T> {
  id: string;
  value: T;
  raw: RawRecord;
}

/**
 * Check each record of a page: a valid one comes back with its raw record (its JSON as received),
 * one that fails is kept in raw with its error and logged, and the others go on.
 */
export function validate<T>(
  batch: BatchBuilder,
  run: PdRun,
  args: {
    stream: string;
    items: readonly unknown[];
    url: string;
    fetchedAt: string;
    schema: z.ZodType<T>;
    key: (value: T) => string;
  },
): Valid<T>[] {
  const out: Valid<T>[] = [];
  args.items.forEach((item, index) => {
    const checked = check(args.schema, item);
    if (!checked.ok) {
      keepBadRecord(batch, run, {
        stream: args.stream,
        recordKey: fallbackKey(item, index, args.fetchedAt),
        url: args.url,
        fetchedAt: args.fetchedAt,
        payload: item,
        message: checked.message,
      });
      return;
    }
    const id = args.key(checked.value);
    const raw = rawRecord({
      stream: args.stream,
      scope: SCOPE,
      recordKey: id,
      requestUrl: args.url,
      fetchedAt: args.fetchedAt,
      payload: item,
    });
    out.push({ id, value: checked.value, raw });
  });
  return out;
}

/** A key for a record whose payload has no usable id. */
export function fallbackKey(item: unknown, index: number, fetchedAt: string): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id !== '' ? id : `invalid:${fetchedAt}:${index}`;
}

/** Keep a page that cannot be used (unparseable, or without its list), whole, with its error. */
export function keepBadPage(
  batch: BatchBuilder,
  run: PdRun,
  args: { stream: string; url: string; fetchedAt: string; payload: unknown; message: string },
): void {
  keepBadRecord(batch, run, { ...args, recordKey: `page:${args.url}` });
  run.incomplete.push(`${args.stream}: ${args.message} at ${args.url}; kept in raw_pagerduty, asked again at the next sync`);
}

/**
 * GET a page; a body that stays unreadable after retries is kept (raw + sync_errors) and null is
 * returned, so the stream stops where it is and the next sync asks again from there.
 */
export async function getPage(run: PdRun, batch: BatchBuilder, stream: string, path: string, query?: Query) {
  try {
    return await run.client.get(path, query);
  } catch (error) {
    if (error instanceof BadBodyError) {
      keepBadPage(batch, run, {
        stream,
        url: error.url,
        fetchedAt: new Date().toISOString(),
        payload: error.body,
        message: error.message,
      });
      return null;
    }
    throw error;
  }
}

/** The list a page holds under `key`, or null (the page is kept as bad) when it has none. */
export function listOf(batch: BatchBuilder, run: PdRun, stream: string, page: PdResponse, key: string): unknown[] | null {
  const list = page.data[key];
  if (Array.isArray(list)) return list;
  keepBadPage(batch, run, {
    stream,
    url: page.url,
    fetchedAt: page.fetchedAt,
    payload: page.data,
    message: `expected a "${key}" list in the answer`,
  });
  return null;
}
