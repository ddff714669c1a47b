// The alerts of each incident (GET /incidents/{id}/alerts: PagerDuty has no account-wide alert
// list). An incident's alerts are asked for only when they can have changed: when its alert_counts
// ({all, triggered, resolved}, in every incident record) differ from the alerts stored for it.
// Adding an alert or resolving one is all that happens to alerts, and each changes those counts,
// so an open incident whose counts did not move costs nothing, and a no-change sync sends no
// request here. The comparison is made against the stored alerts, so a run killed between an
// incident and its alerts asks for them at the next run. When PagerDuty's counts and its alert list
// disagree for good, the incident is remembered with its counts in the cursor (`mismatch`) and
// asked for again only when they change, not every run.
import { BatchBuilder } from '../../engine/batch.ts';
import { mapConcurrent } from '../../engine/yield.ts';
import { PagerDutyHttpError, type PdResponse } from '../client.ts';
import { deriveFinal } from '../derive.ts';
import { alertRow } from '../normalise.ts';
import { changedOnly, getPage, listOf, type PdRun, SCOPE, storedCursor, type Valid, validate } from '../run.ts';
import { alertSchema, type PdAlert } from '../schemas.ts';
import { OFFSET_CAP, PAGE_LIMIT } from '../windows.ts';

export const ALERTS = 'alerts';
/** Incidents whose alerts are fetched before the batch is checked for flushing. */
const CHUNK = 100;

interface AlertsCursor {
  fp: string;
  /** Incident id → the expectation its alerts did not meet when last fetched. */
  mismatch: Record<string, string>;
}

interface Expectation {
  id: string;
  signature: string;
  all: number;
  triggered: number | null;
  resolved: boolean;
}

interface StoredCounts {
  incident_id: string;
  n: number;
  t: number;
}

async function storedCounts(run: PdRun, ids: readonly string[]): Promise<Map<string, StoredCounts>> {
  const out = new Map<string, StoredCounts>();
  for (let i = 0; i < ids.length; i += 5_000) {
    const rows = await run.ctx.db.all<StoredCounts>(
      `SELECT incident_id, count(*)::INTEGER AS n, (count(*) FILTER (WHERE status = 'triggered'))::INTEGER AS t
       FROM alerts WHERE incident_id IN (SELECT unnest($ids)) GROUP BY incident_id`,
      { ids: ids.slice(i, i + 5_000) },
    );
    for (const row of rows) out.set(row.incident_id, row);
  }
  return out;
}

function meets(expect: Expectation, n: number, triggered: number): boolean {
  if (n !== expect.all) return false;
  if (expect.resolved && triggered > 0) return false;
  return expect.triggered === null || expect.triggered === triggered;
}

/** Incidents whose stored alerts do not match what PagerDuty says they are. */
async function dueIncidents(run: PdRun, mismatch: Record<string, string>): Promise<Expectation[]> {
  const due: Expectation[] = [];
  // Seen in this run: their alert_counts say exactly what should be stored.
  const seen = [...run.seen.entries()];
  const stored = await storedCounts(
    run,
    seen.map(([id]) => id),
  );
  for (const [id, s] of seen) {
    const expect: Expectation = {
      id,
      signature: `${s.status}:${s.all}/${s.triggered}/${s.resolved}`,
      all: s.all ?? 0,
      triggered: s.triggered,
      resolved: s.status === 'resolved',
    };
    const have = stored.get(id);
    if (!meets(expect, have?.n ?? 0, have?.t ?? 0)) due.push(expect);
  }
  // Not seen in this run: what was stored of the incident (a run killed before its alerts).
  const rows = await run.ctx.db.all<{ id: string; status: string; all: number }>(
    `SELECT i.id, i.status, coalesce(i.alert_count, 0)::INTEGER AS "all"
     FROM incidents i
     LEFT JOIN (
       SELECT incident_id, count(*) AS n, count(*) FILTER (WHERE status = 'triggered') AS t FROM alerts GROUP BY incident_id
     ) a ON a.incident_id = i.id
     WHERE coalesce(i.alert_count, 0) <> coalesce(a.n, 0) OR (i.status = 'resolved' AND coalesce(a.t, 0) > 0)
     ORDER BY i.created_at, i.id`,
  );
  for (const row of rows) {
    if (run.seen.has(row.id)) continue;
    due.push({
      id: row.id,
      signature: `${row.status}:${row.all}`,
      all: row.all,
      triggered: null,
      resolved: row.status === 'resolved',
    });
  }
  return due.filter((e) => mismatch[e.id] !== e.signature);
}

type Fetched = { id: string; pages: PdResponse[] } | { id: string; gone: string } | { id: string; bad: true };

async function fetchAlerts(run: PdRun, batch: BatchBuilder, id: string): Promise<Fetched> {
  const pages: PdResponse[] = [];
  for (let offset = 0; ; ) {
    let page: PdResponse | null;
    try {
      page = await getPage(run, batch, ALERTS, `/incidents/${encodeURIComponent(id)}/alerts`, { limit: PAGE_LIMIT, offset });
    } catch (error) {
      if (error instanceof PagerDutyHttpError && error.status === 404) return { id, gone: error.url };
      throw error;
    }
    if (!page) return { id, bad: true };
    const items = listOf(batch, run, ALERTS, page, 'alerts');
    if (!items) return { id, bad: true };
    pages.push(page);
    offset += items.length;
    if (page.data.more !== true || items.length === 0 || offset + PAGE_LIMIT > OFFSET_CAP) return { id, pages };
  }
}

export async function syncAlerts(run: PdRun): Promise<void> {
  const batch = new BatchBuilder(run.ctx, { scope: SCOPE, stream: ALERTS }, run.cursors);
  const cursor = storedCursor<AlertsCursor>(run, ALERTS);
  const mismatch: Record<string, string> = { ...(cursor?.mismatch ?? {}) };
  const due = await dueIncidents(run, mismatch);
  const dueIds = new Set(due.map((e) => e.id));
  // Forget mismatches that were fixed or whose incident is no longer in doubt.
  for (const id of Object.keys(mismatch)) if (!dueIds.has(id) && run.seen.has(id)) delete mismatch[id];
  for (let i = 0; i < due.length; i += CHUNK) {
    const chunk = due.slice(i, i + CHUNK);
    const results = await mapConcurrent(chunk, run.concurrency, (e) => fetchAlerts(run, batch, e.id));
    const touched: string[] = [];
    const fresh: (Valid<PdAlert> & { incidentId: string })[] = [];
    for (const [k, result] of results.entries()) {
      const expect = chunk[k] as Expectation;
      if ('gone' in result) {
        batch.error({
          stream: ALERTS,
          scope: SCOPE,
          url: result.gone,
          recordKey: result.id,
          message: `PagerDuty no longer has incident ${result.id} (404 on its alerts)`,
        });
        mismatch[result.id] = expect.signature;
        continue;
      }
      if ('bad' in result) continue;
      let n = 0;
      let triggered = 0;
      for (const page of result.pages) {
        const valid = validate(batch, run, {
          stream: ALERTS,
          items: page.data.alerts as unknown[],
          url: page.url,
          fetchedAt: page.fetchedAt,
          schema: alertSchema,
          key: (alert) => alert.id,
        });
        n += valid.length;
        triggered += valid.filter((v) => v.value.status === 'triggered').length;
        for (const v of valid) fresh.push({ ...v, incidentId: result.id });
      }
      touched.push(result.id);
      if (meets(expect, n, triggered)) delete mismatch[result.id];
      else mismatch[result.id] = expect.signature;
    }
    // One look-up for the whole chunk: which alerts are new or changed.
    for (const record of await changedOnly(run, 'alerts', fresh)) {
      batch.raw([record.raw]);
      batch.rows('alerts', [alertRow(record.value, record.incidentId, record.raw)]);
    }
    if (touched.length > 0) batch.after(deriveFinal(touched));
    batch.cursor(ALERTS, SCOPE, { fp: run.fp, mismatch: { ...mismatch } });
    await batch.flushIfFull();
  }
  batch.cursor(ALERTS, SCOPE, { fp: run.fp, mismatch: { ...mismatch } });
  await batch.flush();
}
