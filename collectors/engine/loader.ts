// The bulk loader: one batch (normalised rows, raw payloads, errors, cursors) committed in one
// transaction, never row by row (DUCKDB-NOTES §1 and "Recommended design" 3):
//   stage each table's rows through the appender into a TEMP table (all VARCHAR, cast on the way
//   out) → keep the newest copy of each key within the batch (QUALIFY-style row_number) → drop rows
//   whose content equals the stored row (same raw_hash and columns) → one INSERT … ON CONFLICT DO
//   UPDATE per table → append raw payloads that are new or changed → advance the cursors.
// A kill at any point leaves either the whole batch or none of it (DuckDB rolls back an
// uncommitted transaction on reopen), and replaying a batch changes nothing, so a resumed sync has
// no duplicate and no gap.
import { type Database, ident, type WriteTx } from '../../server/db/index.ts';
import { RAW_TABLES, type SqlType, type TableSpec, tableSpec } from './tables.ts';
import type { Cell, LoadBatch, LoadResult, RawRecord, Replacement, RowSet, SourceName } from './types.ts';
import { yieldToLoop } from './yield.ts';

/**
 * When a raw payload counts as already stored: the normalised row built from it carries the same
 * hash (or, with hash false, simply exists: immutable records such as a pull request's commits).
 * `on` joins `t` (the table) to `r` (the staged raw row); it is code, never input.
 */
export interface RawRule {
  stream: string;
  table: string;
  on: string;
  hash: boolean;
}

export interface LoaderOptions {
  source: SourceName;
  runId: number | null;
  rawRules: readonly RawRule[];
}

function cellText(value: Cell | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

function castExpr(column: string, type: SqlType, alias = 's'): string {
  const ref = `${alias}.${ident(column)}`;
  if (type === 'VARCHAR') return ref;
  if (type === 'VARCHAR[]') return `from_json(${ref}, '["VARCHAR"]')`;
  return `CAST(${ref} AS ${type})`;
}

function columnsOf(set: RowSet, spec: TableSpec): string[] {
  const first = set.rows[0];
  if (!first) return [];
  const columns = Object.keys(first);
  for (const column of columns) {
    if (!(column in spec.columns)) throw new Error(`${spec.name} has no column "${column}"`);
  }
  for (const key of spec.key) {
    if (!columns.includes(key)) throw new Error(`Rows for ${spec.name} lack the key column "${key}"`);
  }
  return columns;
}

const upsertCache = new Map<string, string>();

/** The one statement that upserts a staged row set, skipping unchanged rows. Cached per shape. */
function upsertSql(spec: TableSpec, columns: readonly string[], stage: string, unique: boolean): string {
  const cacheKey = `${spec.name}|${columns.join(',')}|${unique}`;
  const cached = upsertCache.get(cacheKey);
  if (cached) return cached;
  const type = (c: string) => spec.columns[c] as SqlType;
  const keyCasts = spec.key.map((k) => castExpr(k, type(k)));
  const firstSeen = spec.keepFirstSeen && columns.includes('synced_at') && columns.includes('raw_hash');
  const selectCols = columns.map((c) => {
    if (firstSeen && !unique && c === 'synced_at') {
      // The first time this content was seen within the batch (see TableSpec.keepFirstSeen).
      return `min(${castExpr(c, type(c))}) OVER (PARTITION BY ${[...keyCasts, 's.raw_hash'].join(', ')}) AS ${ident(c)}`;
    }
    return `${castExpr(c, type(c))} AS ${ident(c)}`;
  });
  const compared = columns.filter((c) => c !== 'synced_at' && !spec.key.includes(c));
  const sameKey = spec.key.map((k) => `t.${ident(k)} = n.${ident(k)}`);
  const sameContent = compared.map((c) => `t.${ident(c)} IS NOT DISTINCT FROM n.${ident(c)}`);
  // First-seen tables: the same content seen earlier still updates synced_at (to the earlier
  // time), so the result does not depend on the order payloads were loaded in.
  if (firstSeen) sameContent.push('t.synced_at <= n.synced_at');
  const table = ident(spec.name);
  const updates = columns
    .filter((c) => !spec.key.includes(c))
    .map((c) =>
      firstSeen && c === 'synced_at'
        ? `synced_at = CASE WHEN ${table}.raw_hash IS NOT DISTINCT FROM excluded.raw_hash THEN least(${table}.synced_at, excluded.synced_at) ELSE excluded.synced_at END`
        : `${ident(c)} = excluded.${ident(c)}`,
    );
  const list = columns.map(ident).join(', ');
  const sql = `
    INSERT INTO ${ident(spec.name)} (${list})
    SELECT ${list} FROM (
      SELECT ${selectCols.join(', ')},
             ${unique ? '1' : `row_number() OVER (PARTITION BY ${keyCasts.join(', ')} ORDER BY CAST(s.seq_ AS INTEGER) DESC)`} AS rn_
      FROM ${ident(stage)} s
    ) n
    WHERE n.rn_ = 1
      AND NOT EXISTS (SELECT 1 FROM ${ident(spec.name)} t WHERE ${[...sameKey, ...sameContent].join(' AND ')})
    ON CONFLICT (${spec.key.map(ident).join(', ')}) ${updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`;
  upsertCache.set(cacheKey, sql);
  return sql;
}

/**
 * Whether no two rows share a key: then the in-batch dedupe (a window over the stage) is skipped.
 * Yields to the event loop on big batches.
 */
async function keysUnique(count: number, keyOf: (i: number) => string): Promise<boolean> {
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % 5_000 === 0) await yieldToLoop();
    const k = keyOf(i);
    if (seen.has(k)) return false;
    seen.add(k);
  }
  return true;
}

async function upsertRows(tx: WriteTx, set: RowSet): Promise<number> {
  if (set.rows.length === 0) return 0;
  const spec = tableSpec(set.table);
  const columns = columnsOf(set, spec);
  const stage = `stage_${spec.name}`;
  const rows = set.rows;
  const staged = (function* () {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as Record<string, Cell>;
      const out: (string | null)[] = columns.map((c) => cellText(row[c]));
      out.push(String(i));
      yield out;
    }
  })();
  await tx.stage(stage, [...columns, 'seq_'], staged);
  const [first, ...rest] = spec.key as [string, ...string[]];
  const unique = await keysUnique(rows.length, (i) => {
    const row = rows[i] as Record<string, Cell>;
    return rest.length === 0 ? String(row[first]) : spec.key.map((c) => String(row[c])).join('\u0000');
  });
  return tx.run(upsertSql(spec, columns, stage, unique));
}

async function deleteChildren(tx: WriteTx, replacement: Replacement): Promise<number> {
  if (replacement.keys.length === 0) return 0;
  const spec = tableSpec(replacement.table);
  const stage = `stage_del_${spec.name}`;
  await tx.stage(stage, replacement.columns, replacement.keys);
  const match = replacement.columns
    .map((c) => `${ident(spec.name)}.${ident(c)} = ${castExpr(c, spec.columns[c] as SqlType, 'd')}`)
    .join(' AND ');
  return tx.run(`DELETE FROM ${ident(spec.name)} WHERE EXISTS (SELECT 1 FROM ${ident(stage)} d WHERE ${match})`);
}

const RAW_COLUMNS = ['stream', 'scope', 'record_key', 'request_url', 'fetched_at', 'payload_hash', 'payload', 'error', 'seq_'];

/** Append raw payloads that are new or changed: one row per record and content, ever. */
async function appendRaw(tx: WriteTx, raw: readonly RawRecord[], options: LoaderOptions): Promise<number> {
  if (raw.length === 0) return 0;
  const table = ident(RAW_TABLES[options.source]);
  await tx.stage(
    'stage_raw',
    RAW_COLUMNS,
    // A generator: rows are built as the appender takes them, between its yields to the event loop.
    (function* () {
      for (let i = 0; i < raw.length; i++) {
        const r = raw[i] as RawRecord;
        yield [r.stream, r.scope, r.recordKey, r.requestUrl, r.fetchedAt, r.payloadHash, r.payload, r.error ?? null, String(i)];
      }
    })(),
  );

  const unique = await keysUnique(raw.length, (i) => {
    const r = raw[i] as RawRecord;
    return `${r.stream}\u0000${r.scope}\u0000${r.recordKey}`;
  });
  const newest = unique
    ? '(SELECT *, 1 AS rn_ FROM stage_raw) r'
    : `(SELECT *, row_number() OVER (PARTITION BY stream, scope, record_key ORDER BY CAST(seq_ AS INTEGER) DESC) AS rn_ FROM stage_raw) r`;
  const insert = `INSERT INTO ${table} (stream, scope, record_key, request_url, fetched_at, run_id, payload_hash, payload, error)
    SELECT r.stream, r.scope, r.record_key, r.request_url, CAST(r.fetched_at AS TIMESTAMPTZ), $run, r.payload_hash, r.payload, r.error
    FROM ${newest}`;
  let appended = 0;
  const streams = new Set(raw.filter((r) => !r.error).map((r) => r.stream));
  for (const stream of streams) {
    const rule = options.rawRules.find((x) => x.stream === stream);
    const known = rule
      ? `AND NOT EXISTS (SELECT 1 FROM ${ident(tableSpec(rule.table).name)} t WHERE ${rule.on}${rule.hash ? ' AND t.raw_hash = r.payload_hash' : ''})`
      : '';
    appended += await tx.run(`${insert} WHERE r.rn_ = 1 AND r.error IS NULL AND r.stream = $stream ${known}`, {
      run: options.runId,
      stream,
    });
  }
  if (raw.some((r) => r.error)) {
    // Bad payloads have no normalised row to compare with: compare with the raw log itself, so a
    // record that stays broken is kept once, not once per sync.
    appended += await tx.run(
      `${insert} WHERE r.rn_ = 1 AND r.error IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM ${table} x WHERE x.stream = r.stream AND x.scope = r.scope AND x.record_key = r.record_key
           AND x.payload_hash = r.payload_hash)`,
      { run: options.runId },
    );
  }
  return appended;
}

/** Load a batch inside an open transaction (used by the sync, and by renormalise's one big transaction). */
export async function loadInto(tx: WriteTx, batch: LoadBatch, options: LoaderOptions): Promise<LoadResult> {
  const started = performance.now();
  const written: Record<string, number> = {};
  // Raw first: "already stored" is judged against the rows as they were before this batch.
  const rawAppended = await appendRaw(tx, batch.raw, options);
  for (const replacement of batch.replace) await deleteChildren(tx, replacement);
  let rowsOffered = 0;
  for (const set of batch.rows) {
    rowsOffered += set.rows.length;
    written[set.table] = (written[set.table] ?? 0) + (await upsertRows(tx, set));
  }
  for (const derive of batch.after) await derive(tx);
  for (const error of batch.errors) {
    await tx.run(
      `INSERT INTO sync_errors (run_id, source, stream, scope, url, record_key, message, occurred_at)
       VALUES ($run, $source, $stream, $scope, $url, $key, $message, now())`,
      {
        run: options.runId ?? 0,
        source: options.source,
        stream: error.stream,
        scope: error.scope,
        url: error.url,
        key: error.recordKey,
        message: error.message,
      },
    );
  }
  for (const cursor of batch.cursors) {
    await tx.run(
      `INSERT INTO sync_cursors (source, stream, scope, cursor, updated_at, run_id) VALUES ($source, $stream, $scope, $cursor, now(), $run)
       ON CONFLICT (source, stream, scope) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at, run_id = excluded.run_id`,
      {
        source: options.source,
        stream: cursor.stream,
        scope: cursor.scope,
        cursor: JSON.stringify(cursor.cursor),
        run: options.runId,
      },
    );
  }
  return { rawAppended, rawOffered: batch.raw.length, written, rowsOffered, ms: performance.now() - started };
}

export function isEmptyBatch(batch: LoadBatch): boolean {
  return (
    batch.raw.length === 0 &&
    batch.rows.every((s) => s.rows.length === 0) &&
    batch.replace.every((r) => r.keys.length === 0) &&
    batch.cursors.length === 0 &&
    batch.errors.length === 0
  );
}

/** Commit one batch in its own transaction. An empty batch writes nothing (and bumps no data version). */
export async function loadBatch(db: Database, batch: LoadBatch, options: LoaderOptions): Promise<LoadResult> {
  if (isEmptyBatch(batch)) return { rawAppended: 0, rawOffered: 0, written: {}, rowsOffered: 0, ms: 0 };
  // Timed from when the write lock is held (not while waiting for it) to after the commit.
  let started = 0;
  const result = await db.write((tx) => {
    started = performance.now();
    return loadInto(tx, batch, options);
  });
  return { ...result, ms: performance.now() - started };
}
