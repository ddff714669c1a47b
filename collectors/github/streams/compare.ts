// The commits each successful production deployment shipped: GitHub's compare of the previous
// successful production deployment of the same repository and environment (the base) with this
// one. Needed once per deployment, and again only if its base changes (a deployment that succeeded
// late slots in between); the first deployment of a repository has no base and no compare
// (METRICS.md). State-driven: the work is what the tables lack, so no position cursor is needed.
//
// Compare without paging parameters returns at most 250 commits, the newest last; when
// total_commits is larger the compare is fetched again page by page (per_page=100, following the
// link header) and the pages are stored, in order, as the record (API-NOTES §1).
import { RequestError } from '@octokit/request-error';
import type { BatchBuilder } from '../../engine/batch.ts';
import { rawRecord } from '../../engine/hash.ts';
import { redactUrl } from '../../engine/http.ts';
import type { RawRecord } from '../../engine/types.ts';
import { mapConcurrent, yieldToLoop } from '../../engine/yield.ts';
import { BadBodyError, type Fetched } from '../client.ts';
import { compareRows } from '../normalise.ts';
import { check, keepBadBody, keepBadRecord, type RepoRun, storedCursor } from '../repo-run.ts';
import { compareSchema, type GhCompare } from '../schemas.ts';
import { fingerprints } from '../scope.ts';
import { REQUESTS_PER_SCOPE } from './deployments.ts';

export const COMPARE = 'compare';
/** Compares fetched together (a few in flight) before they are loaded in order. */
const CHUNK = 16;
/** 100 pages of 100: beyond this a deployment's commits are recorded as incomplete (commits_stored < total). */
const MAX_PAGES = 100;

export interface CompareCursor {
  fp: string;
  /** Compares GitHub cannot give (a SHA gone after a force-push): deployment id → base deployment id. */
  unavailable: Record<string, string>;
}

export interface CompareWork {
  id: string;
  sha: string;
  baseId: string;
  baseSha: string;
  /** A compare with another base is stored: its commits are replaced. */
  replaces: boolean;
}

/** The raw record key of one compare page: head deployment, base deployment, page (0 = unpaged). Ids may contain ':' ('run:…'). */
export function compareKey(deploymentId: string, baseId: string, page: number): string {
  return `${deploymentId}|${baseId}|${page}`;
}

export function parseCompareKey(key: string): { deploymentId: string; baseId: string; page: number } | null {
  const match = /^([^|]+)\|([^|]+)\|(\d+)$/.exec(key);
  if (!match) return null;
  return { deploymentId: match[1] as string, baseId: match[2] as string, page: Number(match[3]) };
}

/** Successful production deployments whose compare is missing or was made against another base. */
export async function compareWork(run: RepoRun): Promise<CompareWork[]> {
  const { db } = run.ctx;
  const envs = await db.all<{ environment: string }>('SELECT DISTINCT environment FROM deployments WHERE repo = $repo', {
    repo: run.scope.repo,
  });
  const production = envs.map((e) => e.environment).filter((e) => run.isProduction(e));
  return db.all<CompareWork>(
    `WITH prod AS (
       SELECT id, sha, environment, succeeded_at FROM deployments
       WHERE repo = $repo AND succeeded_at IS NOT NULL AND (source = 'actions' OR list_contains($envs, environment))
     ), ordered AS (
       SELECT id, sha, succeeded_at,
              lag(id) OVER (PARTITION BY environment ORDER BY succeeded_at, id) AS base_id,
              lag(sha) OVER (PARTITION BY environment ORDER BY succeeded_at, id) AS base_sha
       FROM prod
     )
     SELECT o.id, o.sha, o.base_id AS "baseId", o.base_sha AS "baseSha", c.deployment_id IS NOT NULL AS replaces
     FROM ordered o LEFT JOIN deployment_compares c ON c.deployment_id = o.id
     WHERE o.base_id IS NOT NULL AND (c.deployment_id IS NULL OR c.base_deployment_id IS DISTINCT FROM o.base_id)
     ORDER BY o.succeeded_at, o.id`,
    { repo: run.scope.repo, envs: production.length > 0 ? production : [''] },
  );
}

export async function fetchCompare(
  run: RepoRun,
  work: CompareWork,
): Promise<
  { pages: { fetched: Extract<Fetched, { kind: 'ok' }>; page: number }[] } | { unavailable: RequestError } | { bad: BadBodyError }
> {
  const { client, scope } = run;
  const basehead = `${work.baseSha}...${work.sha}`;
  try {
    const unpaged = await client.get('/repos/{owner}/{repo}/compare/{basehead}', {
      owner: scope.owner,
      repo: scope.name,
      basehead,
    });
    if (unpaged.kind !== 'ok') throw new Error('unexpected 304 from compare');
    const total = (unpaged.data as { total_commits?: unknown })?.total_commits;
    const listed = (unpaged.data as { commits?: unknown[] })?.commits?.length ?? 0;
    // Without paging GitHub lists at most 250 commits; when it says there are more, page.
    if (typeof total !== 'number' || total <= listed) {
      return { pages: [{ fetched: unpaged, page: 0 }] };
    }
    // More than 250 commits: only paging returns them all.
    const pages: { fetched: Extract<Fetched, { kind: 'ok' }>; page: number }[] = [];
    let next: string | null = null;
    for (let n = 1; n <= MAX_PAGES; n++) {
      const fetched: Fetched =
        n === 1
          ? await client.get('/repos/{owner}/{repo}/compare/{basehead}', {
              owner: scope.owner,
              repo: scope.name,
              basehead,
              per_page: 100,
              page: 1,
            })
          : await client.get(next as string);
      if (fetched.kind !== 'ok') break;
      pages.push({ fetched, page: n });
      next = fetched.next;
      if (!next) break;
    }
    return { pages };
  } catch (error) {
    // 404: a SHA no longer exists (force-push, deleted branch); 422: no common history.
    if (error instanceof RequestError && (error.status === 404 || error.status === 422)) return { unavailable: error };
    if (error instanceof BadBodyError) return { bad: error };
    throw error;
  }
}

export async function syncCompares(run: RepoRun): Promise<void> {
  const tag = { scope: run.scope.repo, stream: COMPARE };
  await run.ctx.within(tag, async () => {
    const fp = fingerprints.compare(run.scope);
    const cursor = storedCursor<CompareCursor>(run, COMPARE, fp) ?? { fp, unavailable: {} };
    const batch = run.batch;
    const work = (await compareWork(run)).filter((w) => cursor.unavailable[w.id] !== w.baseId);
    for (let start = 0; start < work.length; start += CHUNK) {
      const chunk = work.slice(start, start + CHUNK);
      const results = await mapConcurrent(chunk, REQUESTS_PER_SCOPE, (item) => fetchCompare(run, item));
      for (const [i, result] of results.entries()) {
        await applyCompare(run, batch, cursor, chunk[i] as CompareWork, result);
      }
      await batch.flushIfFull();
    }
  });
}

/** Normalise one fetched compare into the batch (or record that GitHub cannot give it). */
async function applyCompare(
  run: RepoRun,
  batch: BatchBuilder,
  cursor: CompareCursor,
  item: CompareWork,
  result: Awaited<ReturnType<typeof fetchCompare>>,
): Promise<void> {
  if ('bad' in result) {
    keepBadBody(batch, run, COMPARE, result.bad);
    return;
  }
  if ('unavailable' in result) {
    const url = redactUrl(result.unavailable.request?.url ?? '');
    keepBadRecord(batch, run, {
      stream: COMPARE,
      recordKey: compareKey(item.id, item.baseId, 0),
      url,
      fetchedAt: new Date().toISOString(),
      payload: result.unavailable.response?.data ?? { message: result.unavailable.message },
      message: `GitHub cannot compare ${item.baseSha.slice(0, 12)}...${item.sha.slice(0, 12)} (${result.unavailable.status}); deployment ${item.id} gets no commits`,
    });
    cursor.unavailable[item.id] = item.baseId;
    batch.cursor(COMPARE, run.scope.repo, { ...cursor, unavailable: { ...cursor.unavailable } });
    return;
  }
  const fetchedAt = result.pages[0]?.fetched.fetchedAt ?? new Date().toISOString();
  const raws: RawRecord[] = [];
  const pages: { compare: GhCompare; original: { commits: unknown[] }; raw: RawRecord }[] = [];
  let bad = false;
  for (const { fetched, page } of result.pages) {
    const raw = rawRecord({
      stream: COMPARE,
      scope: run.scope.repo,
      recordKey: compareKey(item.id, item.baseId, page),
      requestUrl: fetched.url,
      fetchedAt,
      payload: fetched.data,
    });
    const checked = check(compareSchema, fetched.data);
    if (!checked.ok) {
      keepBadRecord(batch, run, {
        stream: COMPARE,
        recordKey: raw.recordKey,
        url: fetched.url,
        fetchedAt,
        payload: fetched.data,
        message: checked.message,
      });
      bad = true;
      break;
    }
    raws.push(raw);
    pages.push({ compare: checked.value, original: fetched.data as { commits: unknown[] }, raw });
  }
  if (bad) {
    run.incomplete.push(`compare for deployment ${item.id} was malformed (kept in raw_github)`);
    return;
  }
  const rows = compareRows({
    deploymentId: item.id,
    baseDeploymentId: item.baseId,
    baseSha: item.baseSha,
    headSha: item.sha,
    repo: run.scope.repo,
    pages,
  });
  batch.raw(raws);
  if (item.replaces) batch.replace({ table: 'deployment_commits', columns: ['deployment_id'], keys: [[item.id]] });
  batch.rows('deployment_compares', [rows.compare]);
  batch.rows('deployment_commits', rows.deploymentCommits);
  batch.rows('commits', rows.commits);
  await yieldToLoop();
}
