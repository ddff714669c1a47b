// The deployments of one repository, and the statuses of its production deployments.
//
// GitHub's deployment list has no `since` and lists newest first (by id), so the walk goes from the
// top and stops at the first deployment already stored and final (or not production, whose
// statuses Vigil does not track), at the history horizon, or at the end of the list. The cursor:
// - `top`: the highest deployment id fully covered by a finished walk; below it everything is stored;
// - `etag`: page 1's ETag at the start of the last finished walk, sent as If-None-Match, so a
//   repository with nothing new costs one request answered 304;
// - `walk`: a walk in progress (the next page's URL as GitHub gave it, the lowest id processed, the
//   ETag it started with), committed with every batch, so a killed run resumes at that page.
//   New deployments arriving while paging push items down a page: those come back as duplicates
//   (ids ≥ the lowest processed) and are skipped; nothing is skipped over.
// Statuses: fetched for every new production deployment, and again, with If-None-Match, for stored
// production deployments that are not final yet (created within POLL_DAYS of the newest
// deployment), until they are. Their ETags live in the deployment_statuses cursor.
import { RequestError } from '@octokit/request-error';
import { type Database, IN_LIST_MAX, inList } from '../../../server/db/index.ts';
import type { BatchBuilder } from '../../engine/batch.ts';
import { rawRecord } from '../../engine/hash.ts';
import { redactUrl } from '../../engine/http.ts';
import { mapConcurrent, yieldToLoop } from '../../engine/yield.ts';
import { BadBodyError, type Fetched } from '../client.ts';
import { deriveDeployments } from '../derive.ts';
import { deploymentRow, statusDeploymentId, statusRow } from '../normalise.ts';
import { check, fallbackKey, getPage, keepBadBody, keepBadRecord, type RepoRun, storedCursor } from '../repo-run.ts';
import { deploymentSchema, deploymentStatusSchema } from '../schemas.ts';
import { fingerprints } from '../scope.ts';

export const DEPLOYMENTS = 'deployments';
export const STATUSES = 'deployment_statuses';
/** Non-final production deployments older than this (relative to the newest) are no longer polled. */
export const POLL_DAYS = 7;

const TERMINAL = new Set(['success', 'failure', 'error', 'inactive']);
/** Requests of one repository in flight at once (statuses of a page's deployments). */
export const REQUESTS_PER_SCOPE = 4;
const POLL_CHUNK = 50;

type OkPage = Extract<Fetched, { kind: 'ok' }>;
type StatusesFetch =
  | { id: string; kind: 'not-modified' }
  | { id: string; kind: 'gone'; url: string | null }
  | { id: string; kind: 'bad'; error: BadBodyError }
  | { id: string; kind: 'ok'; pages: OkPage[]; etag: string | null; fetchedAt: string };

interface Walk {
  next: string;
  /** `top` of the cursor when the walk began: ids at or below it were stored before. */
  floor: number | null;
  top: number | null;
  /** Lowest deployment id processed by this walk; anything at or above it is a duplicate. */
  low: number | null;
  etag: string | null;
}

export interface DeploymentsCursor {
  fp: string;
  etag: string | null;
  top: number | null;
  walk: Walk | null;
}

export interface StatusesCursor {
  fp: string;
  /** ETag of the statuses list of each production deployment that is not final yet. */
  etags: Record<string, string>;
}

interface Stored {
  final: boolean;
  environment: string;
}

async function storedDeployments(db: Database, repo: string, ids: readonly number[]): Promise<Map<number, Stored>> {
  const out = new Map<number, Stored>();
  for (let i = 0; i < ids.length; i += IN_LIST_MAX) {
    const keys = inList('id', ids.slice(i, i + IN_LIST_MAX).map(String));
    const rows = await db.all<{ id: string; final: boolean; environment: string }>(
      `SELECT id, final, environment FROM deployments WHERE repo = $repo AND id IN ${keys.sql}`,
      { repo, ...keys.params },
    );
    for (const r of rows) out.set(Number(r.id), { final: r.final, environment: r.environment });
  }
  return out;
}

class DeploymentsSync {
  private readonly batch: BatchBuilder;
  private readonly fp: string;
  private cursor: DeploymentsCursor;
  private readonly statuses: StatusesCursor;
  /** Deployments loaded into the current batch, whose outcome is re-derived when it is flushed. */
  private readonly pending = new Set<string>();
  private readonly statusesFetched = new Set<string>();
  private hadData = false;

  constructor(private readonly run: RepoRun) {
    this.batch = run.batch;
    this.batch.onFlush(() => {
      if (this.pending.size > 0) this.batch.after(deriveDeployments([...this.pending]));
      this.pending.clear();
    });
    this.fp = fingerprints.deployments(run.scope);
    this.cursor = storedCursor<DeploymentsCursor>(run, DEPLOYMENTS, this.fp) ?? {
      fp: this.fp,
      etag: null,
      top: null,
      walk: null,
    };
    this.statuses = storedCursor<StatusesCursor>(run, STATUSES, this.fp) ?? { fp: this.fp, etags: {} };
  }

  private get repo(): string {
    return this.run.scope.repo;
  }

  private saveCursors(walk: Walk | null): void {
    this.batch.cursor(DEPLOYMENTS, this.repo, { ...this.cursor, walk });
    this.batch.cursor(STATUSES, this.repo, { fp: this.fp, etags: { ...this.statuses.etags } });
  }

  /** Commit when the batch is full; the collector commits the rest when the next stream needs it. */
  private async flush(): Promise<void> {
    await this.batch.flushIfFull();
  }

  async sync(): Promise<void> {
    const { scope } = this.run;
    const one = await this.run.ctx.db.one<{ n: number }>('SELECT count(*) AS n FROM deployments WHERE repo = $repo', {
      repo: this.repo,
    });
    this.hadData = (one?.n ?? 0) > 0;
    if (this.cursor.walk) {
      const resumed = await getPage(this.run, this.batch, DEPLOYMENTS, this.cursor.walk.next);
      if (!resumed) return;
      if (resumed.kind === 'ok' && !(await this.walk({ ...this.cursor.walk }, resumed))) return;
    }
    const first = await getPage(
      this.run,
      this.batch,
      DEPLOYMENTS,
      '/repos/{owner}/{repo}/deployments',
      { owner: scope.owner, repo: scope.name, per_page: 100 },
      this.cursor.etag,
    );
    if (!first) return;
    if (first.kind === 'ok') {
      const walk: Walk = { next: first.url, floor: this.cursor.top, top: null, low: null, etag: first.etag };
      if (!(await this.walk(walk, first))) return;
    }
    await this.pollStatuses();
  }

  /** Walk pages from `page` until a stop. Returns false when a page was unusable (kept, retried next run). */
  private async walk(walk: Walk, page: Extract<Fetched, { kind: 'ok' }>): Promise<boolean> {
    let current: Extract<Fetched, { kind: 'ok' }> | null = page;
    for (;;) {
      if (!current) {
        const fetched = await getPage(this.run, this.batch, DEPLOYMENTS, walk.next);
        if (!fetched) {
          this.saveCursors(walk);
          return false;
        }
        // No ETag is sent for later pages, so 304 cannot happen; treat it as an empty page.
        current =
          fetched.kind === 'ok' ? fetched : { kind: 'ok', data: [], url: fetched.url, etag: null, next: null, fetchedAt: '' };
      }
      if (!Array.isArray(current.data)) {
        keepBadRecord(this.batch, this.run, {
          stream: DEPLOYMENTS,
          recordKey: `page:${current.url}`,
          url: current.url,
          fetchedAt: current.fetchedAt,
          payload: current.data,
          message: 'expected a JSON array of deployments',
        });
        this.run.incomplete.push(`deployments page ${current.url} was not a list (kept in raw_github)`);
        this.saveCursors(walk);
        return false;
      }
      const stop = await this.processPage(walk, current);
      const next = stop ? null : current.next;
      if (next) {
        walk.next = next;
        this.saveCursors(walk);
        await this.flush();
        current = null;
        continue;
      }
      this.cursor = {
        fp: this.fp,
        etag: walk.etag,
        top: Math.max(this.cursor.top ?? 0, walk.top ?? 0) || null,
        walk: null,
      };
      this.saveCursors(null);
      return true;
    }
  }

  /**
   * Load one page's new deployments and their statuses, as one unit: nothing of the page reaches
   * the batch unless all its statuses were fetched. Returns true when the walk must stop here.
   */
  private async processPage(walk: Walk, page: Extract<Fetched, { kind: 'ok' }>): Promise<boolean> {
    const items = page.data as unknown[];
    const parsed = items.map((item) => check(deploymentSchema, item));
    const ids = parsed.flatMap((p) => (p.ok ? [p.value.id] : []));
    const lookup = ids.filter((id) => this.hadData && (walk.floor === null || id <= walk.floor));
    const stored = await storedDeployments(this.run.ctx.db, this.repo, lookup);
    const needStatuses: string[] = [];
    const apply: (() => void)[] = [];
    let low = walk.low;
    let top = walk.top;
    let stop = false;
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && i % 200 === 0) await yieldToLoop();
      const item = items[i];
      const checked = parsed[i];
      if (!checked) continue;
      if (!checked.ok) {
        const message = checked.message;
        apply.push(() =>
          keepBadRecord(this.batch, this.run, {
            stream: DEPLOYMENTS,
            recordKey: fallbackKey(item, i, page.fetchedAt),
            url: page.url,
            fetchedAt: page.fetchedAt,
            payload: item,
            message,
          }),
        );
        continue;
      }
      const d = checked.value;
      if (Date.parse(d.created_at) < Date.parse(this.run.horizon)) {
        stop = true;
        break;
      }
      if (walk.low !== null && d.id >= walk.low) continue;
      const known = stored.get(d.id);
      if (walk.floor !== null && d.id <= walk.floor && known && (known.final || !this.run.isProduction(known.environment))) {
        stop = true;
        break;
      }
      const raw = rawRecord({
        stream: DEPLOYMENTS,
        scope: this.repo,
        recordKey: String(d.id),
        requestUrl: page.url,
        fetchedAt: page.fetchedAt,
        payload: item,
      });
      const row = deploymentRow(d, this.repo, raw);
      apply.push(() => {
        this.batch.raw([raw]);
        this.batch.rows('deployments', [row]);
        this.pending.add(String(d.id));
      });
      if (this.run.isProduction(d.environment) && !known?.final) needStatuses.push(String(d.id));
      low = d.id;
      top = Math.max(top ?? 0, d.id);
    }
    const statuses = await this.fetchAllStatuses(needStatuses);
    for (const step of apply) step();
    for (const result of statuses) this.applyStatuses(result);
    walk.low = low;
    walk.top = top;
    return stop;
  }

  private fetchAllStatuses(ids: readonly string[]): Promise<StatusesFetch[]> {
    for (const id of ids) this.statusesFetched.add(id);
    return mapConcurrent(ids, REQUESTS_PER_SCOPE, (id) =>
      this.run.ctx.within({ scope: this.repo, stream: STATUSES }, () => this.fetchStatuses(id)),
    );
  }

  /** Fetch (a few at a time) and load the statuses of these deployments, in order. */
  private async statusesFor(ids: readonly string[]): Promise<void> {
    for (const result of await this.fetchAllStatuses(ids)) this.applyStatuses(result);
  }

  /** Every status of one deployment (If-None-Match when it was polled before). */
  private async fetchStatuses(id: string): Promise<StatusesFetch> {
    const { client, scope } = this.run;
    let first: Fetched;
    try {
      first = await client.get(
        '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
        { owner: scope.owner, repo: scope.name, deployment_id: id, per_page: 100 },
        this.statuses.etags[id] ?? null,
      );
      if (first.kind === 'not-modified') return { id, kind: 'not-modified' };
      const pages: OkPage[] = [first];
      for (let next = first.next; next; ) {
        const page = await client.get(next);
        if (page.kind !== 'ok') break;
        pages.push(page);
        next = page.next;
      }
      return { id, kind: 'ok', pages, etag: first.etag, fetchedAt: first.fetchedAt };
    } catch (error) {
      // The deployment was deleted between the list and this request: nothing to keep.
      if (error instanceof RequestError && error.status === 404)
        return { id, kind: 'gone', url: error.request?.url ? redactUrl(error.request.url) : null };
      if (error instanceof BadBodyError) return { id, kind: 'bad', error };
      throw error;
    }
  }

  /** Normalise fetched statuses into the batch and keep polling state. */
  private applyStatuses(result: StatusesFetch): void {
    const { id } = result;
    if (result.kind === 'not-modified') return;
    if (result.kind === 'bad') {
      keepBadBody(this.batch, this.run, STATUSES, result.error);
      return;
    }
    if (result.kind === 'gone') {
      this.batch.error({
        stream: STATUSES,
        scope: this.repo,
        url: result.url,
        recordKey: id,
        message: `GitHub no longer has deployment ${id} (404 on its statuses)`,
      });
      delete this.statuses.etags[id];
      return;
    }
    const { fetchedAt } = result;
    let newest: { state: string; at: number; id: number } | null = null;
    for (const page of result.pages) {
      if (!Array.isArray(page.data)) {
        keepBadRecord(this.batch, this.run, {
          stream: STATUSES,
          recordKey: `page:${page.url}`,
          url: page.url,
          fetchedAt,
          payload: page.data,
          message: 'expected a JSON array of deployment statuses',
        });
        this.run.incomplete.push(`statuses of deployment ${id} were not a list (kept in raw_github)`);
        return;
      }
      page.data.forEach((item, i) => {
        const checked = check(deploymentStatusSchema, item);
        if (!checked.ok || statusDeploymentId(checked.value) !== id) {
          keepBadRecord(this.batch, this.run, {
            stream: STATUSES,
            recordKey: fallbackKey(item, i, fetchedAt),
            url: page.url,
            fetchedAt,
            payload: item,
            message: checked.ok ? `deployment_url does not name deployment ${id}` : checked.message,
          });
          return;
        }
        const s = checked.value;
        const raw = rawRecord({
          stream: STATUSES,
          scope: this.repo,
          recordKey: String(s.id),
          requestUrl: page.url,
          fetchedAt,
          payload: item,
        });
        this.batch.raw([raw]);
        this.batch.rows('deployment_statuses', [statusRow(s, id, this.repo, raw)]);
        const at = Date.parse(s.created_at);
        if (!newest || at > newest.at || (at === newest.at && s.id > newest.id))
          newest = { state: s.state.toLowerCase(), at, id: s.id };
      });
    }
    this.pending.add(id);
    const outcome = newest as { state: string } | null;
    if (outcome && TERMINAL.has(outcome.state)) delete this.statuses.etags[id];
    else if (result.etag) this.statuses.etags[id] = result.etag;
  }

  /** Statuses of stored production deployments that are not final yet. */
  private async pollStatuses(): Promise<void> {
    const rows = await this.run.ctx.db.all<{ id: string; environment: string }>(
      `SELECT id, environment FROM deployments
       WHERE repo = $repo AND source = 'deployments' AND NOT final
         AND created_at >= (SELECT max(created_at) FROM deployments WHERE repo = $repo) - INTERVAL ${POLL_DAYS} DAY
       ORDER BY created_at DESC`,
      { repo: this.repo },
    );
    const stillPolled = new Set<string>();
    const due: string[] = [];
    for (const row of rows) {
      if (!this.run.isProduction(row.environment)) continue;
      stillPolled.add(row.id);
      if (!this.statusesFetched.has(row.id)) due.push(row.id);
    }
    for (let i = 0; i < due.length; i += POLL_CHUNK) {
      await this.statusesFor(due.slice(i, i + POLL_CHUNK));
      this.saveCursors(this.cursor.walk);
      await this.flush();
    }
    // Forget ETags of deployments that are final now or no longer polled.
    for (const id of Object.keys(this.statuses.etags)) {
      if (!stillPolled.has(id) && !this.statusesFetched.has(id)) delete this.statuses.etags[id];
    }
    this.saveCursors(this.cursor.walk);
  }
}

export async function syncDeployments(run: RepoRun): Promise<void> {
  await run.ctx.within({ scope: run.scope.repo, stream: DEPLOYMENTS }, () => new DeploymentsSync(run).sync());
}
