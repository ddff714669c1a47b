// The account's directory: services, teams, users (with their time zones: pages are placed in
// the recipient's own zone), priorities, escalation policies and schedules. Each is a short list
// read whole every run (one request each for an account of up to 100 of them); unchanged records
// write nothing. Records PagerDuty no longer lists are kept: past incidents still name them.
import type { z } from 'zod';
import { BatchBuilder } from '../../engine/batch.ts';
import { rawRecord } from '../../engine/hash.ts';
import type { Row } from '../../engine/types.ts';
import { escalationPolicyRow, priorityRow, scheduleRow, serviceRow, teamRow, userRow } from '../normalise.ts';
import {
  changedOnly,
  fallbackKey,
  getPage,
  type HashedTable,
  keepBadRecord,
  listOf,
  type PdRun,
  SCOPE,
  validate,
} from '../run.ts';
import {
  check,
  escalationPolicySchema,
  prioritySchema,
  scheduleSchema,
  serviceSchema,
  teamSchema,
  userSchema,
} from '../schemas.ts';
import { PAGE_LIMIT } from '../windows.ts';

interface DirectoryList<T> {
  stream: string;
  path: string;
  table: HashedTable;
  schema: z.ZodType<T>;
  row: (item: T, raw: { payloadHash: string; fetchedAt: string }) => Row;
}

const LISTS = [
  { stream: 'services', path: '/services', table: 'pd_services', schema: serviceSchema, row: serviceRow },
  { stream: 'teams', path: '/teams', table: 'pd_teams', schema: teamSchema, row: teamRow },
  { stream: 'users', path: '/users', table: 'pd_users', schema: userSchema, row: userRow },
  {
    stream: 'escalation_policies',
    path: '/escalation_policies',
    table: 'pd_escalation_policies',
    schema: escalationPolicySchema,
    row: escalationPolicyRow,
  },
  { stream: 'schedules', path: '/schedules', table: 'pd_schedules', schema: scheduleSchema, row: scheduleRow },
] as const;

export const DIRECTORY_STREAMS = [...LISTS.map((l) => l.stream), 'priorities'] as const;
export const PRIORITIES = 'priorities';
/** The raw record holding the whole ordered list of priorities (its order is the data). */
export const PRIORITY_LIST_KEY = 'list';

/** Every page of a short list, in order; null when a page was unusable (kept as bad). */
async function readAll(
  run: PdRun,
  batch: BatchBuilder,
  stream: string,
  path: string,
): Promise<{ items: unknown[]; url: string; fetchedAt: string }[] | null> {
  const pages: { items: unknown[]; url: string; fetchedAt: string }[] = [];
  for (let offset = 0; ; ) {
    const page = await getPage(run, batch, stream, path, { limit: PAGE_LIMIT, offset });
    if (!page) return null;
    const items = listOf(batch, run, stream, page, path.slice(1));
    if (!items) return null;
    pages.push({ items, url: page.url, fetchedAt: page.fetchedAt });
    offset += items.length;
    if (page.data.more !== true || items.length === 0) return pages;
  }
}

async function syncList<T>(run: PdRun, list: DirectoryList<T>): Promise<void> {
  const batch = new BatchBuilder(run.ctx, { scope: SCOPE, stream: list.stream }, run.cursors);
  const pages = await readAll(run, batch, list.stream, list.path);
  for (const page of pages ?? []) {
    const valid = validate(batch, run, {
      stream: list.stream,
      items: page.items,
      url: page.url,
      fetchedAt: page.fetchedAt,
      schema: list.schema,
      key: (item) => (item as { id: string }).id,
    });
    for (const record of await changedOnly(run, list.table, valid)) {
      batch.raw([record.raw]);
      batch.rows(list.table, [list.row(record.value, record.raw)]);
    }
  }
  await batch.flush();
}

/**
 * Priorities, most severe first. Their order is the data (pd_priorities.position), so the list is
 * kept as one raw record: a rebuild from raw gets the same positions.
 */
async function syncPriorities(run: PdRun): Promise<void> {
  const batch = new BatchBuilder(run.ctx, { scope: SCOPE, stream: PRIORITIES }, run.cursors);
  const pages = await readAll(run, batch, PRIORITIES, '/priorities');
  if (pages?.some((p) => p.items.length > 0)) {
    const first = pages[0] as { url: string; fetchedAt: string };
    const items = pages.flatMap((p) => p.items);
    const raw = rawRecord({
      stream: PRIORITIES,
      scope: SCOPE,
      recordKey: PRIORITY_LIST_KEY,
      requestUrl: first.url,
      fetchedAt: first.fetchedAt,
      payload: items,
    });
    const stored = await run.ctx.db.all<{ raw_hash: string | null }>('SELECT DISTINCT raw_hash FROM pd_priorities');
    if (stored.length === 1 && stored[0]?.raw_hash === raw.payloadHash) {
      await batch.flush();
      return;
    }
    const rows = priorityRows(items, raw);
    if (rows.bad.length > 0) {
      for (const bad of rows.bad) {
        keepBadRecord(batch, run, {
          stream: PRIORITIES,
          recordKey: fallbackKey(bad.item, bad.index, first.fetchedAt),
          url: first.url,
          fetchedAt: first.fetchedAt,
          payload: bad.item,
          message: bad.message,
        });
      }
    }
    batch.raw([raw]);
    batch.rows('pd_priorities', rows.rows);
  }
  await batch.flush();
}

/** Rows of the priority list (valid ones keep their place in the list). */
export function priorityRows(
  items: readonly unknown[],
  raw: { payloadHash: string; fetchedAt: string },
): { rows: Row[]; bad: { item: unknown; index: number; message: string }[] } {
  const rows: Row[] = [];
  const bad: { item: unknown; index: number; message: string }[] = [];
  items.forEach((item, index) => {
    const checked = check(prioritySchema, item);
    if (checked.ok) rows.push(priorityRow(checked.value, index, raw));
    else bad.push({ item, index, message: checked.message });
  });
  return { rows, bad };
}

/** Each directory list in turn; a failing one is reported by `attempt` and the others go on. */
export async function syncDirectory(run: PdRun, attempt: (stream: string, fn: () => Promise<void>) => Promise<void>) {
  for (const list of LISTS) {
    await attempt(list.stream, () => syncList(run, list as unknown as DirectoryList<unknown>));
  }
  await attempt(PRIORITIES, () => syncPriorities(run));
}
