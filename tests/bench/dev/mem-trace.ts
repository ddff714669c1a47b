// Development aid: a sync of an organisation with the memory of this process sampled every second
// (RSS, V8 heap, DuckDB's own accounting) and the event loop's longest stalls.
//   node --import tsx tests/bench/dev/mem-trace.ts [small|default] [github|pagerduty|both] [memory_limit]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createSyncService } from '../../../collectors/index.ts';
import { parseConfig } from '../../../server/config/load.ts';
import { openDatabase } from '../../../server/db/index.ts';
import { GITHUB_TOKEN, PAGERDUTY_TOKEN } from '../types.ts';
import { startStandIns } from '../world.ts';

const size = (process.argv[2] ?? 'small') as 'small' | 'default';
const which = process.argv[3] ?? 'both';
const limit = process.argv[4];
const { child, info } = await startStandIns(1, size, `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
const dir = mkdtempSync(join(tmpdir(), 'memtrace-'));
const config = parseConfig('x.yaml', { ...info.config, database: join(dir, 'v.duckdb') });
const db = await openDatabase(config.database, limit ? { memoryLimit: limit } : {});
const service = await createSyncService(db, config, { env: { GITHUB_TOKEN, PAGERDUTY_TOKEN }, afterSync: null, log: () => {} });
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let peakRss = 0;
let peakHeap = 0;
let peakDuck = 0;
const timer = setInterval(async () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  const d = await db.one<{ b: number }>('SELECT sum(memory_usage_bytes) AS b FROM duckdb_memory()').catch(() => undefined);
  peakDuck = Math.max(peakDuck, Number(d?.b ?? 0));
  process.stderr.write(
    `rss ${(m.rss / 2 ** 20).toFixed(0)} heap ${(m.heapUsed / 2 ** 20).toFixed(0)} duckdb ${(Number(d?.b ?? 0) / 2 ** 20).toFixed(0)} MB\n`,
  );
}, 2000);
const t = performance.now();
const sources = which === 'both' ? (['github', 'pagerduty'] as const) : [which as 'github' | 'pagerduty'];
const results = await Promise.all(sources.map((s) => service.run(s, 'trace')));
clearInterval(timer);
loop.disable();
for (const r of results)
  console.log(r.source, r.status, r.requests, 'requests', (r.durationMs / 1000).toFixed(1), 's', 'load', r.load);
console.log(
  'wall',
  ((performance.now() - t) / 1000).toFixed(1),
  's; peak rss',
  (peakRss / 2 ** 20).toFixed(0),
  'heap',
  (peakHeap / 2 ** 20).toFixed(0),
  'duckdb',
  (peakDuck / 2 ** 20).toFixed(0),
  'MB; loop p99',
  (loop.percentile(99) / 1e6).toFixed(0),
  'max',
  (loop.max / 1e6).toFixed(0),
  'ms',
);
const mem = await db.all(
  'SELECT tag, memory_usage_bytes // 1048576 AS mb FROM duckdb_memory() WHERE memory_usage_bytes > 1048576 ORDER BY 2 DESC',
);
console.log(JSON.stringify(mem));
await db.close();
await child.stop();
