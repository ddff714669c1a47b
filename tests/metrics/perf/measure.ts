// Measure the metrics engine on synthetic data: generation, a full refresh, an incremental
// refresh after a day of new records, and every dashboard endpoint (cold = first call at a data
// version, warm = cached), each against the bare SQL over the normalised tables where there is one.
// Run: npx tsx tests/metrics/perf/measure.ts [--size medium|large] [--db FILE] [--reuse]
import { existsSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createApp } from '../../../server/api/app.ts';
import { applyConfig } from '../../../server/config/apply.ts';
import { openDatabase } from '../../../server/db/index.ts';
import { refreshDerived } from '../../../server/metrics/refresh.ts';
import { generate, LARGE, MEDIUM, SMALL, syntheticConfig } from './synthetic.ts';

const { values } = parseArgs({
  options: { size: { type: 'string', default: 'medium' }, db: { type: 'string' }, reuse: { type: 'boolean', default: false } },
});
const size = values.size === 'large' ? LARGE : values.size === 'small' ? SMALL : MEDIUM;
const path = values.db ?? `/tmp/vigil-perf-${values.size}.duckdb`;
if (!values.reuse) for (const f of [path, `${path}.wal`]) if (existsSync(f)) rmSync(f);
const fresh = !existsSync(path);
const config = syntheticConfig(path);
const db = await openDatabase(path, { memoryLimit: '4GB' });
await applyConfig(db, config);
const log = (s: string) => process.stdout.write(`${s}\n`);
const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await fn();
  return [r, Math.round(performance.now() - t)];
};

if (fresh) {
  log(`generating ${values.size} data into ${path}`);
  const [, ms] = await time(() => generate(db, size));
  log(`generation: ${ms} ms`);
}
const [full, fullMs] = await time(() => refreshDerived(db, config, { full: true }));
log(`full refresh: ${fullMs} ms (${full.mode}) ${JSON.stringify(full.steps)}`);
for (const t of ['d_deployments', 'd_changes', 'd_incidents', 'd_pages', 'd_oncall_pieces']) {
  const r = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${t}`);
  log(`  ${t}: ${r?.n} rows`);
}

// A day of new records, as an incremental sync would write them (fresh ids on every run, so
// --reuse works).
const run = Date.now().toString(36);
const synced = new Date().toISOString();
await db.write(async (tx) => {
  await tx.run(
    `INSERT INTO deployments (id, repo, source, github_id, sha, ref, environment, created_at, status, status_at,
      succeeded_at, final, synced_at)
    SELECT 'new' || $run || i, 'org/repo-' || (i % 400), 'deployments', 900000000 + i, md5('new' || i), 'main', 'production',
      TIMESTAMPTZ '2025-12-31 00:00:00+00' + to_seconds(i * 60), 'success', TIMESTAMPTZ '2025-12-31 00:00:00+00' + to_seconds(i * 60),
      TIMESTAMPTZ '2025-12-31 00:00:00+00' + to_seconds(i * 60), true, $s::TIMESTAMPTZ FROM range(1000) r(i)`,
    { s: synced, run },
  );
  await tx.run(
    `INSERT INTO incidents (id, incident_number, title, status, urgency, service_id, created_at, resolved_at, final, synced_at)
    SELECT 'NEWP' || $run || i, 10000000 + i, 'High latency on checkout', 'resolved', 'high', 'S' || (i % 150),
      TIMESTAMPTZ '2025-12-31 00:00:00+00' + to_seconds(i * 600), TIMESTAMPTZ '2025-12-31 00:30:00+00' + to_seconds(i * 600), true,
      $s::TIMESTAMPTZ FROM range(150) r(i)`,
    { s: synced, run },
  );
  await tx.run(
    `INSERT INTO log_entries (id, incident_id, type, created_at, agent_type, synced_at)
    SELECT 'NEWL' || $run || i, 'NEWP' || $run || i, 'trigger_log_entry', TIMESTAMPTZ '2025-12-31 00:00:00+00' + to_seconds(i * 600),
      'integration_reference', $s::TIMESTAMPTZ FROM range(150) r(i)`,
    { s: synced, run },
  );
  await tx.run(
    `INSERT INTO notifications (id, type, started_at, user_id, status, synced_at)
    SELECT 'NEWN' || $run || i, 'sms', TIMESTAMPTZ '2025-12-31 00:01:00+00' + to_seconds(i * 600), 'U' || (i % 600), 'success',
      $s::TIMESTAMPTZ FROM range(1500) r(i)`,
    { s: synced, run },
  );
});
const [inc, incMs] = await time(() => refreshDerived(db, config));
log(`incremental refresh after a day: ${incMs} ms (${inc.mode}) ${JSON.stringify(inc.scopes)} ${JSON.stringify(inc.steps)}`);

const app = createApp({ db, config, log: () => {} });
const endpoints = [
  '/api/metrics/deployment-frequency?from=2025-01-01&to=2025-12-31&grain=week',
  '/api/metrics/deployment-frequency?from=2021-01-01&to=2025-12-31&grain=month&groupBy=repo',
  '/api/metrics/lead-time?from=2025-01-01&to=2025-12-31&grain=week',
  '/api/metrics/lead-time?from=2021-01-01&to=2025-12-31&grain=month&groupBy=team',
  '/api/metrics/change-failure-rate?from=2021-01-01&to=2025-12-31&grain=month',
  '/api/metrics/recovery-time?from=2024-01-01&to=2025-12-31&grain=week',
  '/api/metrics/mttr?from=2024-01-01&to=2025-12-31&grain=week&groupBy=service',
  '/api/metrics/mtta?from=2025-01-01&to=2025-12-31&grain=week',
  '/api/metrics/mttd?from=2025-01-01&to=2025-12-31&grain=month',
  '/api/metrics/pages?from=2025-10-08&to=2025-12-31&grain=week&groupBy=person',
  '/api/metrics/pages?from=2021-01-01&to=2025-12-31&grain=month&groupBy=team',
  '/api/metrics/pages-per-oncall-week?from=2025-10-08&to=2025-12-31&grain=week&groupBy=person',
  '/api/metrics/nights-interrupted?from=2025-01-01&to=2025-12-31&grain=month&groupBy=team',
  '/api/metrics/load-concentration?from=2025-10-01&to=2025-12-31&grain=week',
  '/api/metrics/alert-rules?from=2025-12-01&to=2025-12-31&team=team-3',
  '/api/metrics/false-positive-ratio?from=2025-01-01&to=2025-12-31&grain=week',
  '/api/metrics/dora-levels?from=2025-01-01&to=2025-12-31&groupBy=team',
  '/api/dora/summary?from=2025-07-01&to=2025-12-31',
  '/api/deployments?from=2025-12-01&to=2025-12-31&limit=100',
  '/api/incidents?from=2025-12-01&to=2025-12-31&limit=100',
  '/api/pages?from=2025-12-01&to=2025-12-31&limit=100',
];
log('\nendpoint: cold ms (first at this data version) / warm p50 ms (cached)');
for (const url of endpoints) {
  db.bumpVersion();
  const [res, cold] = await time(async () => app.request(url));
  await res.text();
  if (res.status !== 200) log(`  ${res.status} ${url}`);
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const [r, ms] = await time(async () => app.request(url));
    await r.text();
    warm.push(ms);
  }
  warm.sort((a, b) => a - b);
  log(`  ${String(cold).padStart(6)} / ${String(warm[2]).padStart(3)}  ${url}`);
}
await db.close();
