// Closed pull requests of one repository, and the commits of each merged one.
//
// The pulls list has no `since`: it is walked sorted by `updated` descending and stops at the first
// pull request updated before the watermark (the newest update seen by the last finished walk), or
// at the history horizon. Page 1's ETag makes a quiet repository cost one request (304). A walk in
// progress is committed with each batch and resumed from the next-page URL GitHub gave.
// Known limit: a pull request updated *while* a walk pages moves to the top of the list and can
// push one unseen item back onto a page already read; the next sync's walk starts above it and
// stops at the watermark, so such an item is caught only if it is updated again. Closed pull
// requests rarely change, so this is rare; a full re-walk (`--renormalize` does not fetch) is the
// remedy if it matters.
//
// Each merged pull request's own commits (GET …/pulls/{n}/commits, at most 250) give its first
// commit time, so a squash merge's lead time starts at the PR's first commit (METRICS.md).
import { RequestError } from '@octokit/request-error';
import type { BatchBuilder } from '../../engine/batch.ts';
import { rawRecord } from '../../engine/hash.ts';
import { redactUrl } from '../../engine/http.ts';
import { mapConcurrent, yieldToLoop } from '../../engine/yield.ts';
import { BadBodyError, type Fetched } from '../client.ts';
import { derivePulls } from '../derive.ts';
import { pullCommitRow, pullRow } from '../normalise.ts';
import { check, fallbackKey, getPage, keepBadBody, keepBadRecord, type RepoRun, storedCursor } from '../repo-run.ts';
import { commitSchema, pullSchema } from '../schemas.ts';
import { fingerprints } from '../scope.ts';
import { REQUESTS_PER_SCOPE } from './deployments.ts';

export const PULLS = 'pulls';
export const PULL_COMMITS = 'pull_commits';
/** Pull requests whose commits are fetched together (a few in flight) before loading in order. */
const CHUNK = 16;

interface PullsWalk {
  next: string;
  /** The watermark when the walk began: pull requests updated before it were covered. */
  floor: string | null;
  /** The newest update seen by this walk. */
  top: string | null;
  etag: string | null;
}

export interface PullsCursor {
  fp: string;
  etag: string | null;
  watermark: string | null;
  walk: PullsWalk | null;
}

export interface PullCommitsCursor {
  fp: string;
  /** Merged pull requests whose commits GitHub does not give (404): not asked again. */
  unavailable: number[];
}

export function pullCommitKey(number: number, sha: string): string {
  return `${number}:${sha}`;
}

class PullsSync {
  private readonly batch: BatchBuilder;
  private readonly fp: string;
  private cursor: PullsCursor;
  private readonly seen = new Set<number>();
  private readonly pending = new Set<number>();

  constructor(private readonly run: RepoRun) {
    this.batch = run.batch;
    this.batch.onFlush(() => {
      if (this.pending.size > 0) this.batch.after(derivePulls(this.repo, [...this.pending]));
      this.pending.clear();
    });
    this.fp = fingerprints.pulls(run.scope);
    this.cursor = storedCursor<PullsCursor>(run, PULLS, this.fp) ?? { fp: this.fp, etag: null, watermark: null, walk: null };
  }

  private get repo(): string {
    return this.run.scope.repo;
  }

  /** Commit when the batch is full; the collector commits the rest before pull commits need it. */
  private async flush(): Promise<void> {
    await this.batch.flushIfFull();
  }

  async sync(): Promise<void> {
    const { scope } = this.run;
    if (this.cursor.walk) {
      const resumed = await getPage(this.run, this.batch, PULLS, this.cursor.walk.next);
      if (!resumed) return;
      if (resumed.kind === 'ok' && !(await this.walk({ ...this.cursor.walk }, resumed))) return;
    }
    const first = await getPage(
      this.run,
      this.batch,
      PULLS,
      '/repos/{owner}/{repo}/pulls',
      { owner: scope.owner, repo: scope.name, state: 'closed', sort: 'updated', direction: 'desc', per_page: 100 },
      this.cursor.etag,
    );
    if (!first) return;
    if (first.kind === 'ok') {
      await this.walk({ next: first.url, floor: this.cursor.watermark, top: null, etag: first.etag }, first);
    }
  }

  private save(walk: PullsWalk | null): void {
    this.batch.cursor(PULLS, this.repo, { ...this.cursor, walk });
  }

  private async walk(walk: PullsWalk, page: Extract<Fetched, { kind: 'ok' }>): Promise<boolean> {
    let current: Extract<Fetched, { kind: 'ok' }> | null = page;
    for (;;) {
      if (!current) {
        const fetched = await getPage(this.run, this.batch, PULLS, walk.next);
        if (!fetched) {
          this.save(walk);
          return false;
        }
        current =
          fetched.kind === 'ok' ? fetched : { kind: 'ok', data: [], url: fetched.url, etag: null, next: null, fetchedAt: '' };
      }
      if (!Array.isArray(current.data)) {
        keepBadRecord(this.batch, this.run, {
          stream: PULLS,
          recordKey: `page:${current.url}`,
          url: current.url,
          fetchedAt: current.fetchedAt,
          payload: current.data,
          message: 'expected a JSON array of pull requests',
        });
        this.run.incomplete.push(`pull requests page ${current.url} was not a list (kept in raw_github)`);
        this.save(walk);
        return false;
      }
      const stop = await this.processPage(walk, current);
      if (!stop && current.next) {
        walk.next = current.next;
        this.save(walk);
        await this.flush();
        current = null;
        continue;
      }
      const top = [this.cursor.watermark, walk.top]
        .filter((t): t is string => !!t)
        .sort((a, b) => Date.parse(b) - Date.parse(a))[0];
      this.cursor = { fp: this.fp, etag: walk.etag, watermark: top ?? null, walk: null };
      this.save(null);
      return true;
    }
  }

  private async processPage(walk: PullsWalk, page: Extract<Fetched, { kind: 'ok' }>): Promise<boolean> {
    const items = page.data as unknown[];
    const floor = walk.floor ? Date.parse(walk.floor) : null;
    const horizon = Date.parse(this.run.horizon);
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && i % 200 === 0) await yieldToLoop();
      const item = items[i];
      const checked = check(pullSchema, item);
      if (!checked.ok) {
        keepBadRecord(this.batch, this.run, {
          stream: PULLS,
          recordKey: fallbackKey(item, i, page.fetchedAt),
          url: page.url,
          fetchedAt: page.fetchedAt,
          payload: item,
          message: checked.message,
        });
        continue;
      }
      const p = checked.value;
      const updated = Date.parse(p.updated_at);
      if (updated < horizon) return true;
      // Strictly before the watermark: equal times may hide a pull request not yet seen.
      if (floor !== null && updated < floor) return true;
      if (this.seen.has(p.number)) continue;
      this.seen.add(p.number);
      const raw = rawRecord({
        stream: PULLS,
        scope: this.repo,
        recordKey: String(p.number),
        requestUrl: page.url,
        fetchedAt: page.fetchedAt,
        payload: item,
      });
      this.batch.raw([raw]);
      this.batch.rows('pull_requests', [pullRow(p, this.repo, raw)]);
      this.pending.add(p.number);
      if (!walk.top || updated > Date.parse(walk.top)) walk.top = new Date(updated).toISOString();
    }
    return false;
  }
}

type OkPage = Extract<Fetched, { kind: 'ok' }>;

/** Every commit of one pull request (GitHub lists at most 250). */
async function fetchPullCommits(
  run: RepoRun,
  number: number,
): Promise<
  { kind: 'ok'; pages: OkPage[]; fetchedAt: string } | { kind: 'gone'; url: string | null } | { kind: 'bad'; error: BadBodyError }
> {
  try {
    const first = await run.client.get('/repos/{owner}/{repo}/pulls/{pull_number}/commits', {
      owner: run.scope.owner,
      repo: run.scope.name,
      pull_number: number,
      per_page: 100,
    });
    if (first.kind !== 'ok') return { kind: 'ok', pages: [], fetchedAt: new Date().toISOString() };
    const pages: OkPage[] = [first];
    for (let next = first.next; next; ) {
      const page = await run.client.get(next);
      if (page.kind !== 'ok') break;
      pages.push(page);
      next = page.next;
    }
    return { kind: 'ok', pages, fetchedAt: first.fetchedAt };
  } catch (error) {
    if (error instanceof RequestError && error.status === 404)
      return { kind: 'gone', url: error.request?.url ? redactUrl(error.request.url) : null };
    if (error instanceof BadBodyError) return { kind: 'bad', error };
    throw error;
  }
}

/** Normalise a pull request's commits into the batch. Returns false when a page was unusable. */
function applyPullCommits(
  run: RepoRun,
  batch: BatchBuilder,
  pr: { number: number; commit_count: number | null },
  pages: OkPage[],
  fetchedAt: string,
): boolean {
  const raws = [];
  const rows = [];
  for (const page of pages) {
    if (!Array.isArray(page.data)) {
      keepBadRecord(batch, run, {
        stream: PULL_COMMITS,
        recordKey: `page:${page.url}`,
        url: page.url,
        fetchedAt,
        payload: page.data,
        message: 'expected a JSON array of commits',
      });
      run.incomplete.push(`commits of pull request #${pr.number} were not a list (kept in raw_github)`);
      return false;
    }
    for (const [i, item] of page.data.entries()) {
      const checked = check(commitSchema, item);
      if (!checked.ok) {
        keepBadRecord(batch, run, {
          stream: PULL_COMMITS,
          recordKey: `${pr.number}:${fallbackKey(item, i, fetchedAt)}`,
          url: page.url,
          fetchedAt,
          payload: item,
          message: checked.message,
        });
        continue;
      }
      const c = checked.value;
      raws.push(
        rawRecord({
          stream: PULL_COMMITS,
          scope: run.scope.repo,
          recordKey: pullCommitKey(pr.number, c.sha),
          requestUrl: page.url,
          fetchedAt,
          payload: item,
        }),
      );
      rows.push(pullCommitRow(c, run.scope.repo, pr.number));
    }
  }
  batch.raw(raws);
  if (pr.commit_count !== null) {
    batch.replace({ table: 'pull_request_commits', columns: ['repo', 'number'], keys: [[run.scope.repo, String(pr.number)]] });
  }
  batch.rows('pull_request_commits', rows);
  return true;
}

/** The commits of merged pull requests whose commits are not stored yet. */
async function syncPullCommits(run: RepoRun): Promise<void> {
  const tag = { scope: run.scope.repo, stream: PULL_COMMITS };
  await run.ctx.within(tag, async () => {
    const fp = fingerprints.pulls(run.scope);
    const cursor = storedCursor<PullCommitsCursor>(run, PULL_COMMITS, fp) ?? { fp, unavailable: [] };
    const unavailable = new Set(cursor.unavailable);
    const batch = run.batch;
    const pending: number[] = [];
    batch.onFlush(() => {
      if (pending.length > 0) batch.after(derivePulls(run.scope.repo, pending.splice(0)));
    });
    const flush = async (force: boolean) => {
      if (force) await batch.flush();
      else await batch.flushIfFull();
    };
    const work = await run.ctx.db.all<{ number: number; commit_count: number | null }>(
      `SELECT number, commit_count FROM pull_requests
       WHERE repo = $repo AND merged_at IS NOT NULL AND NOT commits_synced ORDER BY merged_at, number`,
      { repo: run.scope.repo },
    );
    const due = work.filter((pr) => !unavailable.has(pr.number));
    for (let start = 0; start < due.length; start += CHUNK) {
      const chunk = due.slice(start, start + CHUNK);
      const results = await mapConcurrent(chunk, REQUESTS_PER_SCOPE, (pr) => fetchPullCommits(run, pr.number));
      for (const [i, result] of results.entries()) {
        const pr = chunk[i] as { number: number; commit_count: number | null };
        if (result.kind === 'bad') {
          keepBadBody(batch, run, PULL_COMMITS, result.error);
          continue;
        }
        if (result.kind === 'gone') {
          batch.error({
            stream: PULL_COMMITS,
            scope: run.scope.repo,
            url: result.url,
            recordKey: String(pr.number),
            message: `GitHub has no commits for pull request #${pr.number} (404); its lead time uses the merge commit`,
          });
          unavailable.add(pr.number);
          batch.cursor(PULL_COMMITS, run.scope.repo, { fp, unavailable: [...unavailable].sort((a, b) => a - b) });
          continue;
        }
        if (applyPullCommits(run, batch, pr, result.pages, result.fetchedAt)) pending.push(pr.number);
      }
      await flush(false);
    }
    await flush(true);
  });
}

/** Closed pull requests, then (once they are committed) the commits of the merged ones. */
export async function syncPulls(run: RepoRun): Promise<void> {
  await run.ctx.within({ scope: run.scope.repo, stream: PULLS }, () => new PullsSync(run).sync());
  await run.batch.flush();
  await syncPullCommits(run);
}
