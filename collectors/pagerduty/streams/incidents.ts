// Incidents: by creation time in windows of at most 6 months (the /incidents limit), cut further
// where a window would page past offset 10,000 (windows.ts). Then the incidents that are not
// resolved yet are fetched again every run until they are:
// - one list of every open incident (`statuses[]=triggered&statuses[]=acknowledged&date_range=all`,
//   one request for up to 100 of them) brings their current state whatever their age;
// - a stored incident that was open and is no longer in that list was resolved since: it is asked
//   for by id (GET /incidents/{id}), one request per incident that actually changed;
// - the live window re-reads the last 24 hours (TRAIL), which catches edits of recent incidents
//   that leave no log entry; later changes to resolved incidents (a note, a priority raised after
//   the fact) show up as new log entries, and the log-entries stream asks for those incidents again.
// An incident PagerDuty no longer has (404) is remembered in the open-incidents cursor and kept as
// last seen. Their alerts follow in streams/alerts.ts, their log entries in streams/log-entries.ts.
import { BatchBuilder } from '../../engine/batch.ts';
import { mapConcurrent } from '../../engine/yield.ts';
import { PagerDutyHttpError } from '../client.ts';
import { deriveFinal } from '../derive.ts';
import { incidentRow } from '../normalise.ts';
import { changedOnly, getPage, keepBadRecord, listOf, type PdRun, SCOPE, storedCursor, type Valid, validate } from '../run.ts';
import { incidentSchema, type PdIncident } from '../schemas.ts';
import { OFFSET_CAP, PAGE_LIMIT, WindowWalker } from '../windows.ts';

export const INCIDENTS = 'incidents';
/** Requests for the list of open incidents (their records are stored under `incidents`). */
export const OPEN_INCIDENTS = 'open_incidents';
const DAY = 86_400_000;
/** /incidents accepts since/until at most 6 months apart; 180 days is always within that. */
export const INCIDENT_SPAN_MS = 180 * DAY;
export const INCIDENT_TRAIL_MS = DAY;

interface OpenCursor {
  fp: string;
  /** Incidents PagerDuty answered 404 for: not asked again. */
  gone: string[];
}

/** Incidents into a batch, with `final` re-derived for them when the batch is flushed. */
export class IncidentWriter {
  private pending: string[] = [];

  constructor(
    private readonly run: PdRun,
    readonly batch: BatchBuilder,
  ) {}

  /**
   * Add a page of incidents as received: all are noted as seen in this run (the alerts step reads
   * their alert_counts); those whose stored row came from the same payload are not loaded again.
   * Returns the ids of the valid ones.
   */
  addPage(items: readonly unknown[], url: string, fetchedAt: string): Promise<string[]> {
    return this.accept(
      validate(this.batch, this.run, { stream: INCIDENTS, items, url, fetchedAt, schema: incidentSchema, key: (i) => i.id }),
    );
  }

  /** Add incidents fetched one by one (one look-up for all of them). */
  addRecords(records: readonly { incident: unknown; url: string; fetchedAt: string }[]): Promise<string[]> {
    return this.accept(
      records.flatMap((r) =>
        validate(this.batch, this.run, {
          stream: INCIDENTS,
          items: [r.incident],
          url: r.url,
          fetchedAt: r.fetchedAt,
          schema: incidentSchema,
          key: (i) => i.id,
        }),
      ),
    );
  }

  private async accept(valid: Valid<PdIncident>[]): Promise<string[]> {
    for (const { value: incident } of valid) {
      const counts = incident.alert_counts;
      this.run.seen.set(incident.id, {
        status: incident.status,
        all: counts?.all ?? null,
        triggered: counts?.triggered ?? null,
        resolved: counts?.resolved ?? null,
      });
    }
    for (const record of await changedOnly(this.run, 'incidents', valid)) {
      this.batch.raw([record.raw]);
      this.batch.rows('incidents', [incidentRow(record.value, record.raw)]);
      this.pending.push(record.id);
    }
    return valid.map((v) => v.id);
  }

  /** Add the derivation of `final` for the incidents added since the last flush. */
  beforeFlush(): void {
    if (this.pending.length > 0) this.batch.after(deriveFinal(this.pending));
    this.pending = [];
  }

  async flush(): Promise<void> {
    this.beforeFlush();
    await this.batch.flush();
  }

  async flushIfFull(): Promise<void> {
    if (this.batch.full) await this.flush();
  }
}

/**
 * Ask for these incidents one by one (a few at a time) and add them to `writer`. Returns the ids
 * PagerDuty no longer has.
 */
export async function fetchIncidents(run: PdRun, writer: IncidentWriter, ids: readonly string[]): Promise<string[]> {
  const gone: string[] = [];
  const results = await mapConcurrent(ids, run.concurrency, (id) =>
    run.ctx.within({ scope: SCOPE, stream: INCIDENTS }, async () => {
      try {
        return { id, page: await getPage(run, writer.batch, INCIDENTS, `/incidents/${encodeURIComponent(id)}`) };
      } catch (error) {
        if (error instanceof PagerDutyHttpError && error.status === 404) return { id, page: null, gone: error.url };
        throw error;
      }
    }),
  );
  const found: { incident: object; url: string; fetchedAt: string }[] = [];
  for (const result of results) {
    if ('gone' in result) {
      gone.push(result.id);
      writer.batch.error({
        stream: INCIDENTS,
        scope: SCOPE,
        url: result.gone ?? null,
        recordKey: result.id,
        message: `PagerDuty no longer has incident ${result.id} (404); it is kept as last seen and not asked for again`,
      });
      continue;
    }
    const page = result.page;
    if (!page) continue;
    const incident = page.data.incident;
    if (incident && typeof incident === 'object') found.push({ incident, url: page.url, fetchedAt: page.fetchedAt });
    else
      keepBadRecord(writer.batch, run, {
        stream: INCIDENTS,
        recordKey: result.id,
        url: page.url,
        fetchedAt: page.fetchedAt,
        payload: page.data,
        message: 'expected an "incident" object in the answer',
      });
  }
  await writer.addRecords(found);
  return gone;
}

/** Incidents created in the synced history, window by window. Returns where the covered history starts. */
async function syncWindows(run: PdRun): Promise<string> {
  const batch = new BatchBuilder(run.ctx, { scope: SCOPE, stream: INCIDENTS }, run.cursors);
  const writer = new IncidentWriter(run, batch);
  const walker = new WindowWalker(
    run,
    {
      stream: INCIDENTS,
      path: '/incidents',
      listKey: 'incidents',
      // Oldest first, in a unique order: offset paging neither skips nor repeats, and a window
      // too big to page is cut at the time of one of its records.
      query: { sort_by: 'created_at:asc,incident_number:asc' },
      timeOf: (item) => (item as { created_at?: string } | null)?.created_at,
      maxSpanMs: INCIDENT_SPAN_MS,
      overlapMs: INCIDENT_TRAIL_MS,
      onPage: async ({ items, page }) => {
        await writer.addPage(items, page.url, page.fetchedAt);
      },
      beforeFlush: () => writer.beforeFlush(),
    },
    batch,
  );
  await walker.walk();
  await writer.flush();
  return walker.from;
}

/** Every open incident, then the stored open ones that left that list (resolved since). */
async function syncOpen(run: PdRun, from: string): Promise<void> {
  const batch = new BatchBuilder(run.ctx, { scope: SCOPE, stream: OPEN_INCIDENTS }, run.cursors);
  const writer = new IncidentWriter(run, batch);
  const cursor = storedCursor<OpenCursor>(run, OPEN_INCIDENTS) ?? { fp: run.fp, gone: [] };
  const gone = new Set(Array.isArray(cursor.gone) ? cursor.gone : []);
  const open = new Set<string>();
  let complete = false;
  for (let offset = 0; ; ) {
    const page = await getPage(run, batch, INCIDENTS, '/incidents', {
      date_range: 'all',
      'statuses[]': ['triggered', 'acknowledged'],
      sort_by: 'incident_number:asc',
      limit: PAGE_LIMIT,
      offset,
      ...(offset === 0 ? { total: true } : {}),
    });
    if (!page) break;
    const items = listOf(batch, run, INCIDENTS, page, 'incidents');
    if (!items) break;
    // Open incidents older than the synced history stay out of it, like their log entries.
    const inHistory = items.filter((item) => {
      const created = Date.parse(String((item as { created_at?: unknown } | null)?.created_at));
      if (Number.isNaN(created) || created >= Date.parse(from)) return true;
      const id = (item as { id?: unknown }).id;
      if (typeof id === 'string') open.add(id);
      return false;
    });
    for (const id of await writer.addPage(inHistory, page.url, page.fetchedAt)) open.add(id);
    offset += items.length;
    if (page.data.more !== true || items.length === 0) {
      complete = true;
      break;
    }
    if (offset + PAGE_LIMIT > OFFSET_CAP) {
      run.incomplete.push(`open incidents: more than ${OFFSET_CAP} are open; PagerDuty lists only the first ${OFFSET_CAP}`);
      break;
    }
  }
  if (complete) {
    const stored = await run.ctx.db.all<{ id: string }>(
      `SELECT id FROM incidents WHERE status <> 'resolved' ORDER BY created_at, id`,
    );
    const due = stored.map((r) => r.id).filter((id) => !open.has(id) && !run.seen.has(id) && !gone.has(id));
    for (let i = 0; i < due.length; i += 200) {
      for (const id of await fetchIncidents(run, writer, due.slice(i, i + 200))) gone.add(id);
      batch.cursor(OPEN_INCIDENTS, SCOPE, { fp: run.fp, gone: [...gone].sort() });
      await writer.flushIfFull();
    }
  }
  batch.cursor(OPEN_INCIDENTS, SCOPE, { fp: run.fp, gone: [...gone].sort() });
  await writer.flush();
}

export async function syncIncidents(run: PdRun, attempt: (stream: string, fn: () => Promise<void>) => Promise<void>) {
  let from = new Date(run.horizon).toISOString();
  await attempt(INCIDENTS, async () => {
    from = await syncWindows(run);
  });
  await attempt(OPEN_INCIDENTS, () => syncOpen(run, from));
}
