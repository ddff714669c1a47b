// Development aid: EXPLAIN ANALYZE of the loader's statements on a 200k-row batch into a 1M-row table.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBatch } from '../../../collectors/engine/loader.ts';
import { emptyBatch } from '../../../collectors/engine/types.ts';
import { GITHUB_RAW_RULES } from '../../../collectors/github/collector.ts';
import { Database, openDatabase, type WriteTx } from '../../../server/db/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'lx-'));
const db = await openDatabase(join(dir, 'x.duckdb'));
await db.write((tx) =>
  tx.run(`INSERT INTO deployments (id, repo, source, github_id, sha, ref, environment, created_at, raw_hash, synced_at)
  SELECT CAST(1000000000 + i AS VARCHAR), 'acme/repo-' || (i % 400), 'deployments', 1000000000 + i, md5(i::VARCHAR), 'main', 'production',
  TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(i), 'h0-' || i, TIMESTAMPTZ '2026-01-01 00:00:00+00' FROM range(1000000) r(i)`),
);
await db.exclusive((r) => r.run('CHECKPOINT'));
const rows = [];
for (let k = 0; k < 200000; k++) {
  const i = k < 100000 ? k * 10 : 1000000 + k;
  rows.push({
    id: String(1000000000 + i),
    repo: `acme/repo-${i % 400}`,
    source: 'deployments',
    github_id: 1000000000 + i,
    sha: 'x' + i,
    ref: 'main',
    task: 'deploy',
    environment: 'production',
    creator: 'a',
    created_at: new Date(Date.parse('2024-01-01T00:00:00Z') + i * 60000).toISOString(),
    updated_at: null,
    raw_hash: 'h1-' + i,
    synced_at: '2026-02-01T00:00:00.000Z',
  });
}
const orig = Database.prototype.write;
const explain = process.argv.includes('--plan');
Database.prototype.write = function <T>(this: Database, fn: (tx: WriteTx) => Promise<T>): Promise<T> {
  return orig.call(this, (tx: WriteTx) => {
    const run = tx.run.bind(tx);
    tx.run = async (sql, params) => {
      const t = performance.now();
      if (explain && /^\s*(INSERT|SELECT)/.test(sql)) {
        const r = await tx.all(`EXPLAIN ANALYZE ${sql}`, params);
        console.log(r.map((x) => Object.values(x).join('\n')).join('\n'));
        return 0;
      }
      const n = await run(sql, params);
      console.log(`${(performance.now() - t).toFixed(0).padStart(6)} ms ${sql.replace(/\s+/g, ' ').slice(0, 120)}`);
      return n;
    };
    const all = tx.all.bind(tx);
    tx.all = (async (sql: string, params?: never) => {
      const t = performance.now();
      if (explain) {
        const r = await all(`EXPLAIN ANALYZE ${sql}`, params);
        console.log(r.map((x) => Object.values(x).join('\n')).join('\n'));
      }
      const out = await all(sql, params);
      console.log(`${(performance.now() - t).toFixed(0).padStart(6)} ms ALL ${sql.replace(/\s+/g, ' ').slice(0, 100)}`);
      return out;
    }) as typeof tx.all;
    const append = tx.append.bind(tx);
    tx.append = async (a, b, c) => {
      const t = performance.now();
      const n = await append(a, b, c);
      console.log(`${(performance.now() - t).toFixed(0).padStart(6)} ms APPEND ${a}`);
      return n;
    };
    const stage = tx.stage.bind(tx);
    tx.stage = async (a, b, c) => {
      const t = performance.now();
      const n = await stage(a, b, c);
      console.log(`${(performance.now() - t).toFixed(0).padStart(6)} ms STAGE ${a}`);
      return n;
    };
    return fn(tx);
  }) as Promise<T>;
};
const batch = emptyBatch();
batch.rows.push({ table: 'deployments', rows });
if (process.argv.includes('--raw')) {
  batch.raw = rows.map((r) => ({
    stream: 'deployments',
    scope: String(r.repo),
    recordKey: String(r.id),
    requestUrl: 'https://api.github.com/repos/x/y/deployments?per_page=100',
    fetchedAt: String(r.synced_at),
    payloadHash: String(r.raw_hash),
    payload: JSON.stringify({ ...r, padding: 'x'.repeat(900) }),
    error: null,
  }));
}
const t = performance.now();
const res = await loadBatch(db, batch, { source: 'github', runId: 1, rawRules: GITHUB_RAW_RULES });
console.log('load', res.ms.toFixed(0), 'ms total', (performance.now() - t).toFixed(0), 'written', res.written);
await db.close();
