// Requests and time of a full and a no-change PagerDuty sync of a simulated organisation, into a
// DuckDB file, with the stand-in in a child process (so its CPU is not the collector's). Not a
// test (no timing assertions in tests); run it by hand:
//   npx tsx tests/collectors/pagerduty/bench-pagerduty.ts [small|default] [seed=7]
// The stand-in's budget is lifted; against PagerDuty's 960 requests a minute the full sync's
// request count sets a floor on its length, printed too.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyncService } from '../../../collectors/index.ts';
import { parseConfig } from '../../../server/config/load.ts';
import { openDatabase } from '../../../server/db/index.ts';
import { createOrg } from '../../stand-ins/org/index.ts';
import type { OrgSize } from '../../stand-ins/org/model.ts';
import { requestsPerStream } from './support.ts';

const ANCHOR = '2026-06-01T00:00:00Z';
const TOKEN = 'pd_bench_token';

async function serve(size: OrgSize, seed: number): Promise<void> {
  const { startPagerDutyStandIn } = await import('../../stand-ins/pagerduty/index.ts');
  const store = await createOrg({ seed, size, anchor: ANCHOR });
  const pd = await startPagerDutyStandIn({
    store,
    token: TOKEN,
    rateLimit: { perMinute: 1_000_000_000 },
    logLimit: 0,
    // Its Date header is the organisation's clock: the collector's windows end there.
    now: () => Date.parse(store.clock()),
  });
  process.on('message', (m: string) => {
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (m === 'stop') void pd.close().then(() => process.exit(0));
  });
  process.send!({
    url: pd.url,
    historyDays: Math.ceil((Date.parse(store.clock()) - Date.parse(store.historyStart)) / 86_400_000) + 2,
    teams: store.teams.map((t) => ({
      id: t.id,
      name: t.name,
      timeZone: t.timeZone,
      services: t.serviceIds,
      schedules: t.scheduleIds,
    })),
  });
}

async function main(): Promise<void> {
  const size = (process.argv[2] ?? 'small') as OrgSize;
  const seed = Number(process.argv[3] ?? 7);
  const child = fork(fileURLToPath(import.meta.url), ['--serve', size, String(seed)], { stdio: 'inherit' });
  const next = <T>() => new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  const world = await next<{ url: string; historyDays: number; teams: unknown[] }>();
  const serverCpu = async () => {
    child.send('cpu');
    const { cpu } = await next<{ cpu: NodeJS.CpuUsage }>();
    return (cpu.user + cpu.system) / 1000;
  };
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pd-bench-'));
  const file = join(dir, 'bench.duckdb');
  const config = parseConfig('bench.yaml', {
    database: file,
    pagerduty: { baseUrl: world.url, historyDays: world.historyDays },
    teams: world.teams,
  });
  const db = await openDatabase(file);
  const service = await createSyncService(db, config, { env: { PAGERDUTY_TOKEN: TOKEN }, afterSync: null, log: () => {} });
  try {
    for (const label of ['full', 'no-change']) {
      const cpu0 = process.cpuUsage();
      const server0 = await serverCpu();
      const started = performance.now();
      const result = await service.run('pagerduty', 'bench');
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpu0);
      const server = (await serverCpu()) - server0;
      const rows = Object.values(result.tables).reduce((a, b) => a + b, 0);
      console.log(
        `${size} ${label}: ${result.status}, ${result.requests} requests in ${(ms / 1000).toFixed(1)} s ` +
          `(collector CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, stand-in CPU ${(server / 1000).toFixed(1)} s), ` +
          `${rows.toLocaleString('en-US')} rows written, load ${result.load.rows.toLocaleString('en-US')} rows in ${(result.load.ms / 1000).toFixed(1)} s; ` +
          `at 960 requests/min at least ${(result.requests / 960).toFixed(1)} min`,
      );
      console.log(`  requests per stream: ${JSON.stringify(requestsPerStream(result))}`);
      if (label === 'full') console.log(`  rows: ${JSON.stringify(result.tables)}`);
      if (result.error) console.log(`  error: ${result.error}`);
    }
  } finally {
    await service.stop();
    await db.close();
    console.log(`  database file: ${(statSync(file).size / 1e6).toFixed(1)} MB`);
    child.send('stop');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3] as OrgSize, Number(process.argv[4]));
else await main();
