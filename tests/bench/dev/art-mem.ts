// Development aid: how much memory DuckDB's primary-key indexes take in a big database under a memory limit.
import { openDatabase } from '../../../server/db/index.ts';

const db = await openDatabase(process.argv[2] as string, { memoryLimit: process.argv[3] ?? '512MB' });
const show = async (label: string) => {
  const rows = await db.all<{ tag: string; mb: number }>(
    'SELECT tag, memory_usage_bytes // 1048576 AS mb FROM duckdb_memory() WHERE memory_usage_bytes > 1048576 ORDER BY 2 DESC',
  );
  console.log(label, 'rss', Math.round(process.memoryUsage().rss / 2 ** 20), JSON.stringify(rows));
};
await show('open');
for (const t of ['deployments', 'commits', 'deployment_commits', 'log_entries', 'notifications']) {
  const t0 = performance.now();
  await db.write((tx) => tx.run(`INSERT INTO ${t} SELECT * FROM ${t} LIMIT 1000 ON CONFLICT DO NOTHING`));
  await show(`${t} (${(performance.now() - t0).toFixed(0)} ms)`);
}
await db.close();
