// On-call shifts, from /oncalls in windows of 90 days: every shift overlapping a window, for every
// escalation policy and level, with permanent (non-schedule) on-calls as shifts without start or
// end. Each run re-reads from an hour before where the last one stopped up to now, which brings
// the shift in progress (its end may move with an override).
//
// A window is read whole before it is loaded: a stored shift that overlaps the window and is no
// longer listed (an override replaced it) is removed, so on-call hours are not counted twice. The
// removal is recorded in raw_pagerduty as its own stream (`oncall_removals`, the shift's id and the
// window that no longer lists it), so a rebuild from raw removes it too. A window with a record
// that failed validation removes nothing (that record might be the one it would remove).
import { BatchBuilder } from '../../engine/batch.ts';
import { rawRecord } from '../../engine/hash.ts';
import { oncallId, oncallRow } from '../normalise.ts';
import { changedOnly, type PdRun, SCOPE, validate } from '../run.ts';
import { oncallSchema } from '../schemas.ts';
import { type WindowPage, WindowWalker } from '../windows.ts';

export const ONCALLS = 'oncalls';
export const ONCALL_REMOVALS = 'oncall_removals';
export const ONCALL_SPAN_MS = 90 * 86_400_000;
export const ONCALL_OVERLAP_MS = 3_600_000;

async function loadWindow(run: PdRun, batch: BatchBuilder, pages: WindowPage[], window: { since: string; until: string }) {
  const listed = new Set<string>();
  let bad = 0;
  for (const { items, page } of pages) {
    const valid = validate(batch, run, {
      stream: ONCALLS,
      items,
      url: page.url,
      fetchedAt: page.fetchedAt,
      schema: oncallSchema,
      key: oncallId,
    });
    bad += items.length - valid.length;
    for (const v of valid) listed.add(v.id);
    for (const record of await changedOnly(run, 'oncall_shifts', valid)) {
      batch.raw([record.raw]);
      batch.rows('oncall_shifts', [oncallRow(record.value, record.raw)]);
    }
  }
  const first = pages[0]?.page;
  if (bad > 0 || !first) return;
  const stored = await run.ctx.db.all<{ id: string }>(
    `SELECT id FROM oncall_shifts
     WHERE start_at IS NULL OR (start_at < CAST($until AS TIMESTAMPTZ) AND (end_at IS NULL OR end_at > CAST($since AS TIMESTAMPTZ)))`,
    { since: window.since, until: window.until },
  );
  const removed = stored.map((r) => r.id).filter((id) => !listed.has(id));
  if (removed.length === 0) return;
  batch.replace({ table: 'oncall_shifts', columns: ['id'], keys: removed.map((id) => [id]) });
  batch.raw(
    removed.map((id) =>
      rawRecord({
        stream: ONCALL_REMOVALS,
        scope: SCOPE,
        recordKey: id,
        requestUrl: first.url,
        fetchedAt: first.fetchedAt,
        payload: { removed: id, since: window.since, until: window.until, reason: 'no longer listed by GET /oncalls' },
      }),
    ),
  );
  run.ctx.log(
    `pagerduty: ${removed.length} on-call shift(s) no longer listed between ${window.since} and ${window.until}; removed`,
  );
}

export async function syncOncalls(run: PdRun): Promise<void> {
  const batch = new BatchBuilder(run.ctx, { scope: SCOPE, stream: ONCALLS }, run.cursors);
  const walker = new WindowWalker(
    run,
    {
      stream: ONCALLS,
      path: '/oncalls',
      listKey: 'oncalls',
      maxSpanMs: ONCALL_SPAN_MS,
      overlapMs: ONCALL_OVERLAP_MS,
      onWindow: (pages, window) => loadWindow(run, batch, pages, window),
    },
    batch,
  );
  await walker.walk();
  await batch.flush();
}
