// Upsert throughput into DuckDB, in one process and one run so the figures compare: Vigil's
// loader (collectors/engine/loader.ts: stage, skip unchanged rows, upsert, in one transaction)
// against the bare staging-table upsert DUCKDB-NOTES §1 measured (appender into a TEMP table, one
// INSERT … ON CONFLICT DO UPDATE), on the same 200k-row batch (half changed rows, half new) into a
// 1M-row table, and the loader again with each row's raw payload (what a real sync writes).
import { join } from 'node:path';
import { loadBatch } from '../../collectors/engine/loader.ts';
import { tableSpec } from '../../collectors/engine/tables.ts';
import { emptyBatch, type RawRecord, type Row } from '../../collectors/engine/types.ts';
import { GITHUB_RAW_RULES } from '../../collectors/github/collector.ts';
import { type Database, ident, openDatabase } from '../../server/db/index.ts';

export interface UpsertFigures {
  baseRows: number;
  batchRows: number;
  /** rows/s, median of the runs. */
  vigil: number;
  bare: number;
  /** vigil / bare. */
  ratio: number;
  /** The loader with a ~1 KB raw payload per row (rows/s counting the normalised rows). */
  vigilWithRaw: number;
  runs: { vigil: number[]; bare: number[]; vigilWithRaw: number[] };
}

const COLUMNS = Object.keys(tableSpec('deployments').columns);
const T0 = Date.parse('2024-01-01T00:00:00Z');

function deploymentRow(i: number, version: number): Row {
  const created = new Date(T0 + i * 60_000).toISOString();
  return {
    id: String(1_000_000_000 + i),
    repo: `acme/repo-${i % 400}`,
    source: 'deployments',
    github_id: 1_000_000_000 + i,
    sha: `${(i * 2654435761) % 4294967296}`.padStart(40, '0'),
    ref: 'main',
    task: 'deploy',
    environment: i % 2 === 0 ? 'production' : 'staging',
    creator: `dev${i % 50}`,
    created_at: created,
    updated_at: created,
    status: version === 0 ? 'in_progress' : 'success',
    status_at: created,
    succeeded_at: version === 0 ? null : created,
    final: version !== 0,
    raw_hash: `h${version}-${i}`,
    synced_at: new Date(T0 + 86_400_000 * (1000 + version)).toISOString(),
  };
}

function rawOf(row: Row): RawRecord {
  const payload = JSON.stringify({ id: row.github_id, sha: row.sha, environment: row.environment, padding: 'x'.repeat(900) });
  return {
    stream: 'deployments',
    scope: String(row.repo),
    recordKey: String(row.id),
    requestUrl: `https://api.github.com/repos/${row.repo}/deployments?per_page=100`,
    fetchedAt: String(row.synced_at),
    payloadHash: String(row.raw_hash),
    payload,
    error: null,
  };
}

async function fill(db: Database, baseRows: number): Promise<void> {
  await db.write(async (tx) => {
    await tx.run(`INSERT INTO deployments (${COLUMNS.map(ident).join(', ')})
      SELECT CAST(1000000000 + i AS VARCHAR), 'acme/repo-' || (i % 400), 'deployments', 1000000000 + i,
        lpad(CAST((i * 2654435761) % 4294967296 AS VARCHAR), 40, '0'), 'main', 'deploy',
        CASE WHEN i % 2 = 0 THEN 'production' ELSE 'staging' END, 'dev' || (i % 50),
        TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(i), TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(i),
        'in_progress', TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(i), NULL, false, 'h0-' || i,
        TIMESTAMPTZ '2026-09-27 00:00:00+00'
      FROM range(${baseRows}) r(i)`);
  });
}

/** The bare upsert: appender into a TEMP table, then one INSERT … ON CONFLICT DO UPDATE of every column. */
async function bareUpsert(db: Database, rows: readonly Row[]): Promise<number> {
  const spec = tableSpec('deployments');
  // Timed like the loader's own figure: from the start of the transaction to after its commit.
  const t = performance.now();
  await db.write(async (tx) => {
    await tx.stage(
      'stage_bare',
      COLUMNS,
      rows.map((r) => COLUMNS.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c])))),
    );
    const casts = COLUMNS.map((c) => (spec.columns[c] === 'VARCHAR' ? ident(c) : `CAST(${ident(c)} AS ${spec.columns[c]})`));
    await tx.run(`INSERT INTO deployments (${COLUMNS.map(ident).join(', ')}) SELECT ${casts.join(', ')} FROM stage_bare
      ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'id')
        .map((c) => `${ident(c)} = excluded.${ident(c)}`)
        .join(', ')}`);
  });
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;

export async function measureUpsert(dir: string, options: { baseRows: number; batchRows: number; runs: number }) {
  const db = await openDatabase(join(dir, 'upsert.duckdb'));
  try {
    await fill(db, options.baseRows);
    const half = Math.floor(options.batchRows / 2);
    const step = Math.max(1, Math.floor(options.baseRows / half));
    let nextNew = options.baseRows;
    // Each measurement gets its own keys (no reset between them): half rows of the base table
    // changed (a different stripe each time), half new.
    let stripe = 0;
    const batchRows = (): Row[] => {
      const rows: Row[] = [];
      const offset = stripe++ % step;
      for (let k = 0; k < half; k++) rows.push(deploymentRow(k * step + offset, stripe));
      for (let k = 0; k < options.batchRows - half; k++) rows.push(deploymentRow(nextNew++, stripe));
      return rows;
    };
    const runs = { vigil: [] as number[], bare: [] as number[], vigilWithRaw: [] as number[] };
    const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
    const load = async (rows: Row[], raw: RawRecord[]) => {
      const batch = emptyBatch();
      batch.rows.push({ table: 'deployments', rows });
      batch.raw = raw;
      return (await loadBatch(db, batch, { source: 'github', runId: 1, rawRules: GITHUB_RAW_RULES })).ms;
    };
    // A checkpoint before each (untimed): otherwise whichever commit crosses DuckDB's WAL
    // threshold pays for everyone's checkpoint, and the comparison measures that.
    const checkpoint = () => db.exclusive((x) => x.run('CHECKPOINT'));
    // The table grows by each measurement's new rows: which side goes first alternates, so neither
    // always meets the bigger table.
    const loader = async () => {
      const a = batchRows();
      await checkpoint();
      runs.vigil.push(rate(a.length, await load(a, [])));
    };
    const bareSide = async () => {
      const b = batchRows();
      await checkpoint();
      runs.bare.push(rate(b.length, await bareUpsert(db, b)));
    };
    for (let r = 0; r < options.runs; r++) {
      for (const measure of r % 2 === 0 ? [loader, bareSide] : [bareSide, loader]) await measure();
      const c = batchRows();
      const raw = c.map(rawOf);
      await checkpoint();
      runs.vigilWithRaw.push(rate(c.length, await load(c, raw)));
    }
    const vigil = median(runs.vigil);
    const bare = median(runs.bare);
    return {
      baseRows: options.baseRows,
      batchRows: options.batchRows,
      vigil,
      bare,
      ratio: Math.round((vigil / bare) * 100) / 100,
      vigilWithRaw: median(runs.vigilWithRaw),
      runs,
    } satisfies UpsertFigures;
  } finally {
    await db.close();
  }
}
