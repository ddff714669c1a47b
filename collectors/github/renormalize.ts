// `vigil sync --renormalize` for GitHub: rebuild every GitHub normalised table from raw_github
// with no HTTP at all, in one transaction (readers see the old tables until it commits, and a
// failure leaves them untouched). It replays the newest valid payload of each record, in the order
// they were fetched, through the same normalise functions, loader and derivations the sync uses,
// so the tables come out identical, synced_at included. Lists replaced wholesale (a compare's
// pages, a pull request's commits) use only their newest fetch.
import { type Row as DbRow, ident, type WriteTx } from '../../server/db/index.ts';
import { type LoaderOptions, loadInto } from '../engine/loader.ts';
import { SOURCE_TABLES } from '../engine/tables.ts';
import { emptyBatch, type LoadBatch, type RenormalizeContext, type RowSet } from '../engine/types.ts';
import { yieldToLoop } from '../engine/yield.ts';
import { deriveAllDeployments, deriveAllPulls } from './derive.ts';
import {
  compareRows,
  deploymentRow,
  pullCommitRow,
  pullRow,
  statusDeploymentId,
  statusRow,
  workflowRunRow,
} from './normalise.ts';
import {
  commitSchema,
  compareSchema,
  deploymentSchema,
  deploymentStatusSchema,
  pullSchema,
  workflowRunSchema,
} from './schemas.ts';
import { COMPARE, parseCompareKey } from './streams/compare.ts';
import { DEPLOYMENTS, STATUSES } from './streams/deployments.ts';
import { PULL_COMMITS, PULLS } from './streams/pulls.ts';
import { WORKFLOW_RUNS } from './streams/workflow-runs.ts';

const CHUNK = 5_000;

interface RawRow {
  scope: string;
  record_key: string;
  request_url: string;
  fetched_at: string;
  payload_hash: string;
  payload: string;
}

/** Newest valid payload per record of a stream, oldest fetch first. */
const NEWEST = `
  SELECT scope, record_key, request_url, fetched_at, payload_hash, payload FROM raw_github
  WHERE stream = $stream AND error IS NULL
  QUALIFY row_number() OVER (PARTITION BY scope, record_key ORDER BY fetched_at DESC, payload_hash DESC) = 1
  ORDER BY fetched_at, scope, record_key`;

/** For lists replaced wholesale: every row of the newest fetch of each parent. */
function newestGroup(parentExpr: string): string {
  return `
    SELECT scope, record_key, request_url, fetched_at, payload_hash, payload FROM raw_github
    WHERE stream = $stream AND error IS NULL
    QUALIFY fetched_at = max(fetched_at) OVER (PARTITION BY scope, ${parentExpr})
    ORDER BY fetched_at, scope, record_key`;
}

class Rebuild {
  private batch: LoadBatch = emptyBatch();
  private readonly sets = new Map<string, RowSet>();
  private size = 0;

  constructor(
    private readonly tx: WriteTx,
    private readonly ctx: RenormalizeContext,
    private readonly options: LoaderOptions,
  ) {}

  add(table: string, rows: readonly DbRow[] | readonly Record<string, unknown>[], shape = 'default'): void {
    const key = `${table}\u0000${shape}`;
    let set = this.sets.get(key);
    if (!set) {
      set = { table, rows: [] };
      this.sets.set(key, set);
      this.batch.rows.push(set);
    }
    for (const row of rows) set.rows.push(row as RowSet['rows'][number]);
    this.size += rows.length;
  }

  async flushIfFull(): Promise<void> {
    if (this.size >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const result = await loadInto(this.tx, this.batch, this.options);
    const written = Object.values(result.written).reduce((a, b) => a + b, 0);
    this.ctx.progress.loaded(result.rowsOffered, result.ms, result.written);
    this.ctx.progress.records({ scope: '*', stream: 'renormalize' }, result.rowsOffered, written);
    this.batch = emptyBatch();
    this.sets.clear();
    this.size = 0;
    await yieldToLoop();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function forEachRaw(
  ctx: RenormalizeContext,
  sql: string,
  stream: string,
  fn: (row: RawRow) => Promise<void> | void,
): Promise<void> {
  await ctx.db.stream(sql, { stream }, async (rows) => {
    for (const row of rows) await fn(row as unknown as RawRow);
    return true;
  });
}

function baseHead(url: string): { base: string; head: string } | null {
  const match = /\/compare\/([^/?#]+?)\.\.\.([^/?#]+)/.exec(url);
  return match ? { base: decodeURIComponent(match[1] as string), head: decodeURIComponent(match[2] as string) } : null;
}

export async function renormalizeGitHub(ctx: RenormalizeContext): Promise<void> {
  const options: LoaderOptions = { source: 'github', runId: null, rawRules: [] };
  await ctx.db.write(async (tx) => {
    for (const table of SOURCE_TABLES.github) await tx.run(`DELETE FROM ${ident(table)}`);
    const rebuild = new Rebuild(tx, ctx, options);
    const raw = (row: RawRow) => ({ payloadHash: row.payload_hash, fetchedAt: new Date(row.fetched_at).toISOString() });

    await forEachRaw(ctx, NEWEST, DEPLOYMENTS, async (row) => {
      const parsed = deploymentSchema.safeParse(parseJson(row.payload));
      if (parsed.success) rebuild.add('deployments', [deploymentRow(parsed.data, row.scope, raw(row))]);
      await rebuild.flushIfFull();
    });
    await forEachRaw(ctx, NEWEST, WORKFLOW_RUNS, async (row) => {
      const parsed = workflowRunSchema.safeParse(parseJson(row.payload));
      if (parsed.success) rebuild.add('deployments', [workflowRunRow(parsed.data, row.scope, raw(row))], 'actions');
      await rebuild.flushIfFull();
    });
    await forEachRaw(ctx, NEWEST, STATUSES, async (row) => {
      const parsed = deploymentStatusSchema.safeParse(parseJson(row.payload));
      const deploymentId = parsed.success ? statusDeploymentId(parsed.data) : null;
      if (parsed.success && deploymentId)
        rebuild.add('deployment_statuses', [statusRow(parsed.data, deploymentId, row.scope, raw(row))]);
      await rebuild.flushIfFull();
    });
    await forEachRaw(ctx, NEWEST, PULLS, async (row) => {
      const parsed = pullSchema.safeParse(parseJson(row.payload));
      if (parsed.success) rebuild.add('pull_requests', [pullRow(parsed.data, row.scope, raw(row))]);
      await rebuild.flushIfFull();
    });
    await forEachRaw(ctx, newestGroup(`split_part(record_key, ':', 1)`), PULL_COMMITS, async (row) => {
      const parsed = commitSchema.safeParse(parseJson(row.payload));
      const number = Number(row.record_key.split(':')[0]);
      if (parsed.success && Number.isInteger(number))
        rebuild.add('pull_request_commits', [pullCommitRow(parsed.data, row.scope, number)]);
      await rebuild.flushIfFull();
    });
    // Compares: the pages of a deployment's newest compare, together and in page order.
    let group: { id: string; rows: RawRow[] } | null = null;
    const emitCompare = async () => {
      if (!group) return;
      const rows = group.rows.sort(
        (a, b) => (parseCompareKey(a.record_key)?.page ?? 0) - (parseCompareKey(b.record_key)?.page ?? 0),
      );
      const key = parseCompareKey(rows[0]?.record_key ?? '');
      const ends = baseHead(rows[0]?.request_url ?? '');
      const pages = [];
      for (const row of rows) {
        const original = parseJson(row.payload);
        const parsed = compareSchema.safeParse(original);
        if (!parsed.success) return;
        pages.push({ compare: parsed.data, original: original as { commits: unknown[] }, raw: raw(row) });
      }
      if (!key || !ends || pages.length === 0) return;
      const out = compareRows({
        deploymentId: key.deploymentId,
        baseDeploymentId: key.baseId,
        baseSha: ends.base,
        headSha: ends.head,
        repo: rows[0]?.scope ?? '',
        pages,
      });
      rebuild.add('deployment_compares', [out.compare]);
      rebuild.add('deployment_commits', out.deploymentCommits);
      rebuild.add('commits', out.commits);
      await rebuild.flushIfFull();
    };
    await forEachRaw(ctx, newestGroup(`split_part(record_key, '|', 1)`), COMPARE, async (row) => {
      const id = `${row.scope}\u0000${parseCompareKey(row.record_key)?.deploymentId ?? row.record_key}`;
      if (group && group.id !== id) {
        await emitCompare();
        group = null;
      }
      group ??= { id, rows: [] };
      group.rows.push(row);
    });
    await emitCompare();
    await rebuild.flush();
    await deriveAllDeployments()(tx);
    await deriveAllPulls()(tx);
  });
}
