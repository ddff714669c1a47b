// Successful runs of a repository's configured Actions workflow on its branch, counted as
// production deployments (id 'run:<id>', source 'actions'), for teams that deploy from Actions
// without the Deployments API.
//
// GET …/actions/workflows/{file}/runs?branch=…&status=success lists completed successful runs,
// newest first, wrapped as { total_count, workflow_runs }. Such a run is final, so the walk stops
// at the first stored one (ids at or below the cursor's `top`), with page 1's ETag for a quiet
// repository. With filters GitHub returns at most 1,000 runs per query (API-NOTES §1): when a walk
// reaches that cap, it goes on with a new query for runs created up to the oldest one seen.
import type { BatchBuilder } from '../../engine/batch.ts';
import { rawRecord } from '../../engine/hash.ts';
import { yieldToLoop } from '../../engine/yield.ts';
import type { Fetched } from '../client.ts';
import { workflowRunRow } from '../normalise.ts';
import { check, fallbackKey, getPage, keepBadRecord, type RepoRun, storedCursor } from '../repo-run.ts';
import { workflowRunSchema, workflowRunsPageSchema } from '../schemas.ts';
import { fingerprints } from '../scope.ts';

export const WORKFLOW_RUNS = 'workflow_runs';
const QUERY_CAP = 1000;

/**
 * An instant in GitHub's search date syntax (YYYY-MM-DDTHH:MM:SSZ): no fraction of a second, which
 * GitHub refuses with a 422 (toISOString writes .000; GitHub's own times are whole seconds). Walk
 * states saved before this was fixed hold the fraction, so it is taken off here, at the query.
 */
export function searchDate(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface RunsWalk {
  /** The next page's URL as GitHub gave it, or null to start a new query at `createdUpTo`. */
  next: string | null;
  floor: number | null;
  top: number | null;
  low: number | null;
  /** Runs seen by the current query (GitHub's cap applies per query). */
  inQuery: number;
  /** Oldest creation time seen, where a continuation query starts. */
  oldestCreated: string | null;
  etag: string | null;
}

export interface WorkflowRunsCursor {
  fp: string;
  etag: string | null;
  top: number | null;
  walk: RunsWalk | null;
}

class WorkflowRunsSync {
  private readonly batch: BatchBuilder;
  private readonly fp: string;
  private cursor: WorkflowRunsCursor;

  constructor(
    private readonly run: RepoRun,
    private readonly workflow: { file: string; branch: string },
  ) {
    this.batch = run.batch;
    this.fp = fingerprints.workflowRuns(run.scope);
    this.cursor = storedCursor<WorkflowRunsCursor>(run, WORKFLOW_RUNS, this.fp) ?? {
      fp: this.fp,
      etag: null,
      top: null,
      walk: null,
    };
  }

  private query(createdUpTo: string | null, etag: string | null): Promise<Fetched | null> {
    const { scope } = this.run;
    return getPage(
      this.run,
      this.batch,
      WORKFLOW_RUNS,
      '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      {
        owner: scope.owner,
        repo: scope.name,
        workflow_id: this.workflow.file,
        branch: this.workflow.branch,
        status: 'success',
        per_page: 100,
        ...(createdUpTo ? { created: `<=${searchDate(createdUpTo)}` } : {}),
      },
      etag,
    );
  }

  async sync(): Promise<void> {
    if (this.cursor.walk) {
      const w = this.cursor.walk;
      const resumed = w.next
        ? await getPage(this.run, this.batch, WORKFLOW_RUNS, w.next)
        : await this.query(w.oldestCreated, null);
      if (!resumed) return;
      if (resumed.kind === 'ok' && !(await this.walk({ ...w }, resumed))) return;
    }
    const first = await this.query(null, this.cursor.etag);
    if (!first) return;
    if (first.kind === 'ok') {
      await this.walk(
        { next: null, floor: this.cursor.top, top: null, low: null, inQuery: 0, oldestCreated: null, etag: first.etag },
        first,
      );
    }
  }

  private save(walk: RunsWalk | null): void {
    this.batch.cursor(WORKFLOW_RUNS, this.run.scope.repo, { ...this.cursor, walk });
  }

  private async walk(walk: RunsWalk, page: Extract<Fetched, { kind: 'ok' }>): Promise<boolean> {
    let current: Extract<Fetched, { kind: 'ok' }> | null = page;
    for (;;) {
      if (!current) {
        const fetched = walk.next
          ? await getPage(this.run, this.batch, WORKFLOW_RUNS, walk.next)
          : await this.query(walk.oldestCreated, null);
        if (!fetched) {
          this.save(walk);
          return false;
        }
        current =
          fetched.kind === 'ok'
            ? fetched
            : {
                kind: 'ok',
                data: { total_count: 0, workflow_runs: [] },
                url: fetched.url,
                etag: null,
                next: null,
                fetchedAt: '',
              };
      }
      const wrapper = workflowRunsPageSchema.safeParse(current.data);
      if (!wrapper.success) {
        keepBadRecord(this.batch, this.run, {
          stream: WORKFLOW_RUNS,
          recordKey: `page:${current.url}`,
          url: current.url,
          fetchedAt: current.fetchedAt,
          payload: current.data,
          message: 'expected { total_count, workflow_runs: [...] }',
        });
        this.run.incomplete.push(`workflow runs page ${current.url} was malformed (kept in raw_github)`);
        this.save(walk);
        return false;
      }
      const items = wrapper.data.workflow_runs;
      const stop = await this.processPage(walk, current, items);
      walk.inQuery += items.length;
      if (!stop && current.next) {
        walk.next = current.next;
        this.save(walk);
        await this.batch.flushIfFull();
        current = null;
        continue;
      }
      if (!stop && walk.inQuery >= QUERY_CAP && items.length > 0 && walk.oldestCreated) {
        // The query hit GitHub's 1,000-result cap: continue with runs created up to the oldest seen.
        walk.next = null;
        walk.inQuery = 0;
        this.save(walk);
        await this.batch.flushIfFull();
        current = null;
        continue;
      }
      this.cursor = { fp: this.fp, etag: walk.etag, top: Math.max(this.cursor.top ?? 0, walk.top ?? 0) || null, walk: null };
      this.save(null);
      return true;
    }
  }

  private async processPage(walk: RunsWalk, page: Extract<Fetched, { kind: 'ok' }>, items: unknown[]): Promise<boolean> {
    const horizon = Date.parse(this.run.horizon);
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && i % 200 === 0) await yieldToLoop();
      const item = items[i];
      const checked = check(workflowRunSchema, item);
      if (!checked.ok) {
        keepBadRecord(this.batch, this.run, {
          stream: WORKFLOW_RUNS,
          recordKey: fallbackKey(item, i, page.fetchedAt),
          url: page.url,
          fetchedAt: page.fetchedAt,
          payload: item,
          message: checked.message,
        });
        continue;
      }
      const r = checked.value;
      if (Date.parse(r.created_at) < horizon) return true;
      if (walk.floor !== null && r.id <= walk.floor) return true;
      if (walk.low !== null && r.id >= walk.low) continue;
      // Only completed successful runs on the branch count (the query asks for them; check anyway).
      if (r.conclusion !== 'success' || (r.head_branch !== null && r.head_branch !== this.workflow.branch)) continue;
      const raw = rawRecord({
        stream: WORKFLOW_RUNS,
        scope: this.run.scope.repo,
        recordKey: String(r.id),
        requestUrl: page.url,
        fetchedAt: page.fetchedAt,
        payload: item,
      });
      this.batch.raw([raw]);
      this.batch.rows('deployments', [workflowRunRow(r, this.run.scope.repo, raw)], 'actions');
      walk.low = r.id;
      walk.top = Math.max(walk.top ?? 0, r.id);
      if (!walk.oldestCreated || Date.parse(r.created_at) < Date.parse(walk.oldestCreated))
        walk.oldestCreated = new Date(Date.parse(r.created_at)).toISOString();
    }
    return false;
  }
}

export async function syncWorkflowRuns(run: RepoRun): Promise<void> {
  const workflow = run.scope.workflow;
  if (!workflow) return;
  await run.ctx.within({ scope: run.scope.repo, stream: WORKFLOW_RUNS }, () => new WorkflowRunsSync(run, workflow).sync());
}
