// Walking a time-windowed PagerDuty list (incidents by creation, account-wide log entries,
// notifications, on-call shifts) within the API's limits, resumable at any point:
// - windows are at most `maxSpanMs` long (6 months for /incidents, under 3 months for
//   /notifications) and end at the run's fixed "now", so a window's contents cannot move while it
//   is paged (records created later fall after it);
// - PagerDuty pages only up to offset 10,000 (offset + limit over it is a 400), so the first page
//   of each window asks for `total=true`. A window holding more is cut where its 8,000th record
//   lies (counted from the side being walked): one request with `limit=1` at that offset gives
//   the record's time, and the window ends there. The order of the list is read from the first
//   page (incidents are asked for oldest first; log entries come newest first), and when it
//   cannot be read, or the cut still holds too many, the window is cut in proportion instead.
//   The rest of the cut window is walked next, so an alert storm of 25,000 incidents in an hour
//   costs four requests more than its pages, and quiet years one request per window;
// - with the total known, the rest of a window's pages go out a few at a time, and are processed
//   in order;
// - the cursor: `from`…`through` is covered; `walk` is the window in progress and the offset
//   reached, committed with every batch, so a killed run resumes at that page. Each run walks
//   from `through − overlap` to now (the overlap catches records PagerDuty shows late), and back
//   from `from` to the horizon when pagerduty.historyDays was raised (that history only, not
//   everything again). `through` is stored rounded down to the hour: a no-change sync every few
//   minutes then leaves the cursor as it was and writes nothing.
import type { BatchBuilder } from '../engine/batch.ts';
import { mapConcurrent } from '../engine/yield.ts';
import type { PdResponse, Query } from './client.ts';
import { getPage, listOf, type PdRun, SCOPE, storedCursor } from './run.ts';

export const PAGE_LIMIT = 100;
/** PagerDuty returns at most 10,000 records through offset paging (API-NOTES §2). */
export const OFFSET_CAP = 10_000;
/** A window is cut to hold about this many records, leaving room for records that arrive late. */
const TARGET = 8_000;
const MIN_SPAN_MS = 1_000;
const HOUR = 3_600_000;

export interface Walk {
  since: string;
  until: string;
  /** The next offset to ask for. */
  offset: number;
  /** 'back': filling history older than `from`; 'live': from `through` towards now. */
  dir: 'back' | 'live';
}

export interface WindowCursor {
  fp: string;
  from: string;
  through: string;
  walk: Walk | null;
}

export interface WindowPage {
  items: unknown[];
  page: PdResponse;
}

export interface WindowSpec {
  stream: string;
  path: string;
  listKey: string;
  query?: Query;
  maxSpanMs: number;
  overlapMs: number;
  /** One page's records, in order (streaming streams). */
  onPage?: (page: WindowPage, batch: BatchBuilder) => Promise<void>;
  /**
   * The whole window at once (on-call shifts: what a window no longer lists is removed, which can
   * only be known once all of it is read). Such windows restart from their first page on resume.
   */
  onWindow?: (pages: WindowPage[], window: { since: string; until: string }, batch: BatchBuilder) => Promise<void>;
  /** Called before each flush the walker makes (to add the batch's derivation steps). */
  beforeFlush?: () => void;
  /** The time a record is placed in windows by (since/until filter on it); without it windows are cut in proportion. */
  timeOf?: (item: unknown) => string | null | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

function isWindowCursor(value: WindowCursor | null): value is WindowCursor {
  return (
    !!value &&
    !Number.isNaN(Date.parse(value.from)) &&
    !Number.isNaN(Date.parse(value.through)) &&
    (value.walk === null ||
      (typeof value.walk === 'object' &&
        !Number.isNaN(Date.parse(value.walk.since)) &&
        !Number.isNaN(Date.parse(value.walk.until)) &&
        Number.isInteger(value.walk.offset)))
  );
}

export class WindowWalker {
  private readonly cursor: WindowCursor;
  private span: number;
  private readonly whole: boolean;
  /** Where the window that was cut ended: the next window runs up to (or back to) it. */
  private boundary: number | null = null;

  constructor(
    private readonly run: PdRun,
    private readonly spec: WindowSpec,
    private readonly batch: BatchBuilder,
  ) {
    const stored = storedCursor<WindowCursor>(run, spec.stream);
    const horizon = iso(run.horizon);
    this.cursor = isWindowCursor(stored)
      ? { fp: run.fp, from: stored.from, through: stored.through, walk: stored.walk ? { ...stored.walk } : null }
      : { fp: run.fp, from: horizon, through: horizon, walk: null };
    this.span = spec.maxSpanMs;
    this.whole = !!spec.onWindow;
  }

  /** Where the covered history starts (the first sync's horizon, or older once back-filled). */
  get from(): string {
    return this.cursor.from;
  }

  /** Walk everything due. Returns false when a page was unusable (kept; the next sync resumes there). */
  async walk(): Promise<boolean> {
    const c = this.cursor;
    if (c.walk) {
      const walk = c.walk;
      if (this.whole) walk.offset = 0;
      if (!(await this.window(walk))) return false;
      await this.complete(walk);
    }
    // pagerduty.historyDays was raised: fill the older history, newest window first.
    while (this.run.horizon < Date.parse(c.from) - 60_000) {
      const until = Date.parse(c.from);
      const boundary = this.boundary !== null && this.boundary < until ? this.boundary : null;
      const since = Math.max(this.run.horizon, boundary ?? until - this.span);
      if (boundary !== null && since <= boundary) this.boundary = null;
      const walk: Walk = { since: iso(since), until: c.from, offset: 0, dir: 'back' };
      c.walk = walk;
      if (!(await this.window(walk))) return false;
      await this.complete(walk);
    }
    this.boundary = null;
    let start = Math.max(Date.parse(c.from), Date.parse(c.through) - this.spec.overlapMs);
    while (start < this.run.now) {
      const boundary = this.boundary !== null && this.boundary > start ? this.boundary : null;
      const until = Math.min(this.run.now, boundary ?? start + this.span);
      if (boundary !== null && until >= boundary) this.boundary = null;
      const walk: Walk = { since: iso(start), until: iso(until), offset: 0, dir: 'live' };
      c.walk = walk;
      if (!(await this.window(walk))) return false;
      await this.complete(walk);
      start = Date.parse(walk.until);
    }
    this.save();
    return true;
  }

  private async complete(walk: Walk): Promise<void> {
    const c = this.cursor;
    if (walk.dir === 'back') c.from = walk.since;
    else if (Date.parse(walk.until) > Date.parse(c.through)) c.through = walk.until;
    c.walk = null;
    this.save();
    await this.flushIfFull();
  }

  private async flushIfFull(): Promise<void> {
    if (!this.batch.full) return;
    this.spec.beforeFlush?.();
    await this.batch.flush();
  }

  /** Put the cursor in the batch (committed with the rows it covers). */
  private save(): void {
    const c = this.cursor;
    const through = Math.max(Date.parse(c.from), Math.floor(Date.parse(c.through) / HOUR) * HOUR);
    const walk = c.walk ? { ...c.walk, offset: this.whole ? 0 : c.walk.offset } : null;
    this.batch.cursor(this.spec.stream, SCOPE, { fp: c.fp, from: c.from, through: iso(through), walk });
  }

  /**
   * Cut a window holding more than the offset cap allows, where its TARGET-th record (from the
   * side being walked) lies, or in proportion; false when it cannot be cut further.
   */
  private async cut(walk: Walk, total: number, first: readonly unknown[], locate: boolean): Promise<boolean> {
    const since = Date.parse(walk.since);
    const until = Date.parse(walk.until);
    if (until - since <= MIN_SPAN_MS) return false;
    const forward = walk.dir === 'live';
    const located = locate ? await this.locate(walk, total, first) : null;
    if (located !== null && located > since && located < until) {
      if (forward) walk.until = iso(located);
      else walk.since = iso(located);
    } else {
      const next = Math.max(MIN_SPAN_MS, Math.floor(((until - since) * TARGET) / total));
      if (forward) walk.until = iso(since + next);
      else walk.since = iso(until - next);
    }
    // The part cut off is walked next, up to where this window ended.
    this.boundary = forward ? until : since;
    this.span = Date.parse(walk.until) - Date.parse(walk.since);
    return true;
  }

  /** The time to cut a window at so it holds at most TARGET records, from one record's time; null when unknown. */
  private async locate(walk: Walk, total: number, first: readonly unknown[]): Promise<number | null> {
    const timeOf = this.spec.timeOf;
    if (!timeOf) return null;
    const times = first.map((item) => Date.parse(String(timeOf(item) ?? ''))).filter((t) => !Number.isNaN(t));
    const a = times[0];
    const b = times[times.length - 1];
    if (a === undefined || b === undefined || a === b) return null;
    const ascending = a < b;
    const forward = walk.dir === 'live';
    // Walking forward, keep the TARGET oldest records; walking back, the TARGET newest.
    const fromStart = forward === ascending;
    const position = fromStart ? TARGET : Math.min(total - TARGET, OFFSET_CAP - 1);
    if (position <= 0) return null;
    const page = await getPage(this.run, this.batch, this.spec.stream, this.spec.path, {
      ...this.spec.query,
      since: walk.since,
      until: walk.until,
      limit: 1,
      offset: position,
    });
    const list = page?.data[this.spec.listKey];
    const item = Array.isArray(list) ? list[0] : undefined;
    const at = item === undefined ? Number.NaN : Date.parse(String(timeOf(item) ?? ''));
    if (Number.isNaN(at)) return null;
    // Forward: records older than `at` (at most TARGET of them). Back: records newer than `at`.
    return forward ? at : at + 1;
  }

  /** The next window's length, from the density of this one. */
  private adapt(walk: Walk, total: number): void {
    const span = Date.parse(walk.until) - Date.parse(walk.since);
    if (total <= 0) this.span = this.spec.maxSpanMs;
    else this.span = Math.min(this.spec.maxSpanMs, Math.max(MIN_SPAN_MS, Math.floor((span * TARGET) / total)));
  }

  private fetch(walk: Walk, offset: number, probe: boolean): Promise<PdResponse | null> {
    return getPage(this.run, this.batch, this.spec.stream, this.spec.path, {
      ...this.spec.query,
      since: walk.since,
      until: walk.until,
      limit: PAGE_LIMIT,
      offset,
      ...(probe ? { total: true } : {}),
    });
  }

  /** Page through one window. Returns false when a page was unusable. */
  private async window(walk: Walk): Promise<boolean> {
    let collected: WindowPage[] = [];
    let total: number | null = null;
    let capped = false;
    let cuts = 0;
    for (;;) {
      const probe: boolean = walk.offset === 0 && total === null;
      const offsets = [walk.offset];
      if (!probe && total !== null) {
        for (let o = walk.offset + PAGE_LIMIT; offsets.length < this.run.concurrency && o < total; o += PAGE_LIMIT) {
          if (o + PAGE_LIMIT > OFFSET_CAP) break;
          offsets.push(o);
        }
      }
      const pages: (PdResponse | null)[] = await mapConcurrent(offsets, this.run.concurrency, (offset) =>
        this.fetch(walk, offset, probe),
      );
      let more = false;
      let restart = false;
      for (const [i, page] of pages.entries()) {
        // A page that did not start where the previous one ended (a short page) is asked again.
        if (offsets[i] !== walk.offset) break;
        if (!page) {
          this.save();
          return false;
        }
        const items = listOf(this.batch, this.run, this.spec.stream, page, this.spec.listKey);
        if (!items) {
          this.save();
          return false;
        }
        if (probe) {
          total = typeof page.data.total === 'number' ? page.data.total : null;
          if (total !== null && total > OFFSET_CAP) {
            // Cut where the records are (a few times at most), then in proportion.
            if (await this.cut(walk, total, items, cuts++ < 6)) {
              restart = true;
              break;
            }
            if (!capped) {
              capped = true;
              this.run.incomplete.push(
                `${this.spec.stream}: more than ${OFFSET_CAP.toLocaleString('en-US')} records between ${walk.since} and ${walk.until}; PagerDuty lists only the first ${OFFSET_CAP.toLocaleString('en-US')}`,
              );
            }
          }
          if (total !== null) this.adapt(walk, total);
        }
        if (this.whole) collected.push({ items, page });
        else await this.spec.onPage?.({ items, page }, this.batch);
        walk.offset += items.length;
        more = page.data.more === true && items.length > 0;
        if (!more) break;
      }
      if (restart) {
        walk.offset = 0;
        total = null;
        collected = [];
        continue;
      }
      if (!more) break;
      if (walk.offset + PAGE_LIMIT > OFFSET_CAP) {
        if (!capped) {
          this.run.incomplete.push(
            `${this.spec.stream}: stopped at PagerDuty's ${OFFSET_CAP.toLocaleString('en-US')}-record paging limit between ${walk.since} and ${walk.until}`,
          );
        }
        break;
      }
      if (!this.whole) {
        this.save();
        await this.flushIfFull();
      }
    }
    if (this.whole) await this.spec.onWindow?.(collected, { since: walk.since, until: walk.until }, this.batch);
    return true;
  }
}
