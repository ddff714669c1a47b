// Log entries (trigger, acknowledge, escalate, notify, resolve, notes, priority and urgency
// changes…), from the account-wide /log_entries in time windows rather than per incident.
//
// Why account-wide: per-incident calls cost at least one request per incident per run for every
// incident that may still change (the default organisation has ~6,000 incidents and ~48,000 log
// entries over two years: ≥6,000 requests against ~500 pages of 100), and they never see an old
// incident acknowledged or resolved late unless something else says to ask. The account-wide walk
// sees every entry once, whatever the age of its incident, and a no-change sync costs one request.
// Windows follow windows.ts (the 10,000-offset cap applies here too: PagerDuty answers 400
// beyond it), newest first within a window as PagerDuty lists them; each run re-reads the last
// hour (entries PagerDuty shows a little late). A new entry (not a notification) for a stored
// incident not fetched in this run means that incident changed after the fact (a note, a priority
// raised after it was resolved): the incident is asked for again, in the same batch.

import { IN_LIST_MAX, inList } from '../../../server/db/index.ts';
import { BatchBuilder } from '../../engine/batch.ts';
import { logEntryRow } from '../normalise.ts';
import { changedOnly, type PdRun, SCOPE, validate } from '../run.ts';
import { logEntrySchema } from '../schemas.ts';
import { WindowWalker } from '../windows.ts';
import { fetchIncidents, INCIDENT_SPAN_MS, IncidentWriter } from './incidents.ts';

export const LOG_ENTRIES = 'log_entries';
export const LOG_OVERLAP_MS = 3_600_000;

/** Entries that record a change to the incident itself (notifications do not). */
const changes = (type: string) => type !== 'notify_log_entry';

async function storedIds(run: PdRun, table: 'log_entries' | 'incidents', ids: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  const out = new Set<string>();
  for (let i = 0; i < unique.length; i += IN_LIST_MAX) {
    const keys = inList('id', unique.slice(i, i + IN_LIST_MAX));
    const rows = await run.ctx.db.all<{ id: string }>(
      table === 'log_entries'
        ? `SELECT id FROM log_entries WHERE id IN ${keys.sql}`
        : `SELECT id FROM incidents WHERE id IN ${keys.sql}`,
      keys.params,
    );
    for (const r of rows) out.add(r.id);
  }
  return out;
}

export async function syncLogEntries(run: PdRun): Promise<void> {
  const batch = new BatchBuilder(run.ctx, { scope: SCOPE, stream: LOG_ENTRIES }, run.cursors);
  const writer = new IncidentWriter(run, batch);
  const walker = new WindowWalker(
    run,
    {
      stream: LOG_ENTRIES,
      path: '/log_entries',
      listKey: 'log_entries',
      maxSpanMs: INCIDENT_SPAN_MS,
      overlapMs: LOG_OVERLAP_MS,
      timeOf: (item) => (item as { created_at?: string } | null)?.created_at,
      onPage: async ({ items, page }) => {
        const valid = validate(batch, run, {
          stream: LOG_ENTRIES,
          items,
          url: page.url,
          fetchedAt: page.fetchedAt,
          schema: logEntrySchema,
          key: (entry) => entry.id,
        });
        const fresh = await changedOnly(run, 'log_entries', valid);
        for (const record of fresh) {
          batch.raw([record.raw]);
          batch.rows('log_entries', [logEntryRow(record.value, record.raw)]);
        }
        // Late changes: entries new to Vigil for incidents this run has not fetched.
        const candidates = valid
          .map((v) => ({ id: v.id, incidentId: v.value.incident.id, type: v.value.type }))
          .filter((e) => changes(e.type) && !run.seen.has(e.incidentId));
        if (candidates.length === 0) return;
        const known = await storedIds(
          run,
          'log_entries',
          candidates.map((e) => e.id),
        );
        const incidents = [...new Set(candidates.filter((e) => !known.has(e.id)).map((e) => e.incidentId))];
        const stored = await storedIds(run, 'incidents', incidents);
        const due = incidents.filter((id) => stored.has(id) && !run.seen.has(id));
        if (due.length > 0) await fetchIncidents(run, writer, due);
      },
      beforeFlush: () => writer.beforeFlush(),
    },
    batch,
  );
  await walker.walk();
  await writer.flush();
}
