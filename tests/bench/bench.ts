import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { SCHEMA_VERSION } from '../../server/db/index.ts';
import { DEFAULT_WEB_ROOT } from '../../server/runtime.ts';
import { measureCsv } from './csv-export.ts';
import { measureDemo } from './demo-phase.ts';
import { firstViewAfterChange, measureEndpoint } from './endpoints.ts';
import { createAgent, loadFor, type Probe, startProbe } from './http.ts';
import { budgetMinutes, httpBackfillMode, phases, plan, quick, seed, size, synthetic, values } from './options.ts';
import { type BenchResults, judge, render } from './report.ts';
import type { Child } from './rpc.ts';
import { type SeedFigures, seedDatabase } from './seed/seed.ts';
import { syntheticDatabase, syntheticDataset, syntheticRawConfig } from './synthetic.ts';
import { GITHUB_TOKEN, type MinimumRequests, PAGERDUTY_TOKEN, type StandInsInfo, type SyncFigures } from './types.ts';
import { bundleFigures, openBrowser, type PageTiming, timePage, webBuilt } from './web.ts';
import {
  databaseFor,
  generatorHash,
  gitCommit,
  type HttpBackfill,
  LARGE_PORTS,
  RESULTS_DIR,
  readHttpBackfill,
  readSeeded,
  resetSeeded,
  type SeededMeta,
  startStandIns,
  startVigilProcess,
  todayAnchor,
  writeHttpBackfill,
  writeSeededMeta,
} from './world.ts';

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const started = performance.now();
/** The large organisation: its kept seeded database (or why it must be built again), or its HTTP backfill. */
/** The database is seeded in-process and kept: always for the large organisation, on request for the others. */
const seededMode = size === 'large' ? !httpBackfillMode && !synthetic : Boolean(values.seeded);
if (seededMode && size !== 'large' && phases.has('backfill'))
  throw new Error('--seeded replaces the backfill over HTTP: leave the backfill phase out.');
const kept = seededMode ? (values.fresh ? { stale: '--fresh' } : readSeeded(size, seed)) : null;
const cache = kept && 'meta' in kept ? kept : null;
const httpBackfill: HttpBackfill | null = httpBackfillMode ? readHttpBackfill(size, seed, todayAnchor()) : null;
if (httpBackfill && values.fresh && (httpBackfill.runs.length > 0 || httpBackfill.complete)) {
  throw new Error(
    `--fresh with --size large --phases backfill: delete ${httpBackfill.file.replace(/vigil\.duckdb$/, '')} to start the backfill over HTTP again.`,
  );
}
const anchor = cache?.meta.anchor ?? httpBackfill?.anchor ?? todayAnchor();
const database = synthetic ? syntheticDatabase : (httpBackfill?.file ?? databaseFor(size, seed, seededMode));
const cpuInfo = cpus();
const results: BenchResults = {
  meta: {
    size,
    seed,
    anchor,
    quick,
    startedAt: new Date().toISOString(),
    seconds: 0,
    commit: gitCommit(),
    machine: {
      cpus: cpuInfo.length,
      model: cpuInfo[0]?.model.trim() ?? '?',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverage: loadavg(),
    },
    organisation: { repos: 0, teams: 0, generationMs: 0, records: null },
  },
  targets: [],
};

let standIns: { child: Child; info: StandInsInfo } | undefined;
let vigil: Child | undefined;

type RawTeam = { repos: { name: string }[] };

/**
 * The config Vigil runs with: the organisation's own, or for a quick run its first two teams and
 * the last 30 days of PagerDuty (a smoke run must stay well under 30 s).
 */
function benchConfig(info: StandInsInfo): Record<string, unknown> {
  if (!quick) return info.config;
  const teams = (info.config.teams as RawTeam[]).slice(0, 2);
  return { ...info.config, teams, pagerduty: { ...(info.config.pagerduty as object), historyDays: 30 } };
}

const configuredRepos = (info: StandInsInfo) =>
  quick ? (benchConfig(info).teams as RawTeam[]).flatMap((t) => t.repos.map((r) => r.name)) : null;
const pagerdutyHistoryDays = (info: StandInsInfo) => Number((benchConfig(info).pagerduty as { historyDays: number }).historyDays);

async function openVigil(info: StandInsInfo): Promise<string> {
  vigil ??= await startVigilProcess();
  const { url } = await vigil.call<{ url: string }>('open', {
    database,
    config: benchConfig(info),
    webRoot: DEFAULT_WEB_ROOT,
    tokens: { github: GITHUB_TOKEN, pagerduty: PAGERDUTY_TOKEN },
  });
  return url;
}

async function backfill(info: StandInsInfo, url: string): Promise<void> {
  const v = vigil as Child;
  const resuming = (httpBackfill?.runs.length ?? 0) > 0;
  log(
    `backfill: ${resuming ? `resuming the backfill over HTTP (run ${(httpBackfill?.runs.length ?? 0) + 1})` : 'syncing everything from the stand-ins over HTTP'}` +
      (httpBackfill ? `, for at most ${budgetMinutes} minutes` : ''),
  );
  const probe = startProbe(`${url}/api/health`, 50);
  // The large backfill takes hours: stop it (at the next batch boundary) when the budget is spent;
  // the next run resumes from the collectors' cursors.
  const budget = httpBackfill
    ? setTimeout(() => {
        log(`backfill: ${budgetMinutes} minutes are up; stopping (the next --phases backfill run resumes)`);
        void v.call('stopSync').catch(() => {});
      }, budgetMinutes * 60_000)
    : null;
  const figures = await v.call<SyncFigures>('sync', { sources: ['github', 'pagerduty'], trigger: 'bench-backfill' });
  if (budget) clearTimeout(budget);
  const probed = await probe.stop();
  const complete = figures.runs.every((r) => r.status === 'succeeded');
  log(`backfill: ${complete ? 'done' : 'stopped'} after ${(figures.wallMs / 1000).toFixed(1)} s`);
  let progress: NonNullable<BenchResults['backfill']>['progress'] = null;
  if (httpBackfill) {
    httpBackfill.runs.push(figures);
    httpBackfill.complete = complete;
    writeHttpBackfill(size, seed, httpBackfill);
    const total = (source: 'github' | 'pagerduty') =>
      httpBackfill.runs.reduce((a, f) => a + (f.runs.find((r) => r.source === source)?.requests ?? 0), 0);
    progress = {
      run: httpBackfill.runs.length,
      complete,
      requestsSoFar: { github: total('github'), pagerduty: total('pagerduty') },
      secondsSoFar: Math.round(httpBackfill.runs.reduce((a, f) => a + f.wallMs, 0) / 1000),
    };
  }
  // The fewest requests the data needs: walking the large organisation's store for it takes
  // minutes, so an unfinished large backfill (judged once complete) skips it.
  let minimum: MinimumRequests | null = null;
  if (complete || !httpBackfill) {
    log('backfill: counting the fewest requests the data needs');
    minimum = await (standIns as { child: Child }).child.call<MinimumRequests>('minimum', {
      githubRepos: configuredRepos(info),
      pagerdutyHistoryDays: pagerdutyHistoryDays(info),
    });
    results.meta.organisation.records = minimum.records;
  }
  results.backfill = {
    ...figures,
    fromCache: null,
    minimum,
    probe: probed,
    databaseBytes: statSync(database).size,
    progress,
  };
}

async function webPhase(url: string, apiUrls: Set<string>, info: StandInsInfo): Promise<void> {
  if (!webBuilt()) {
    log(`web: ${DEFAULT_WEB_ROOT} has no index.html; run \`npm run build\` (npm run bench does)`);
    return;
  }
  const bundle = bundleFigures();
  const browsing = await openBrowser();
  const pages: (PageTiming & { cache: 'cold' | 'warm' })[] = [];
  try {
    const from = info.historyStart.slice(0, 10);
    const to = info.clock.slice(0, 10);
    for (const path of ['/', '/review']) {
      await (vigil as Child).call('bump');
      const jsBytes = { before: null as number | null };
      const cold = await timePage(browsing, url, path, apiUrls, { jsBytes });
      if (path === '/') bundle.toFirstChartGzip = jsBytes.before;
      pages.push({ ...cold, cache: 'cold' });
      if (!quick) pages.push({ ...(await timePage(browsing, url, path, apiUrls)), cache: 'warm' });
    }
    // The other pages, and the overview over the whole history (leadership reviews look back years):
    // for the endpoints they use.
    for (const path of quick ? ['/on-call'] : ['/deployments', '/incidents', '/on-call', '/sync', `/?from=${from}&to=${to}`]) {
      const timing = await timePage(browsing, url, path, apiUrls);
      if (timing.errors.length > 0) log(`web: ${path}: ${timing.errors.slice(0, 3).join('; ')}`);
    }
  } finally {
    await browsing.close();
  }
  results.web = { bundle, pages };
}

/** Keep syncing (the clock moving an hour each time) until stopped; returns how many ran. */
function syncLoop(info: StandInsInfo): { stop(): Promise<{ syncs: number; requests: number }> } {
  let stopped = false;
  let syncs = 0;
  let requests = 0;
  const done = (async () => {
    while (!stopped) {
      await (standIns as { child: Child }).child.call('advance', { ms: 3_600_000 });
      const figures = await (vigil as Child).call<SyncFigures>('sync', {
        sources: ['github', 'pagerduty'],
        trigger: 'bench-load',
      });
      syncs++;
      requests += figures.runs.reduce((a, r) => a + r.requests, 0);
    }
  })();
  void info;
  return {
    async stop() {
      stopped = true;
      await done;
      return { syncs, requests };
    },
  };
}

/** The phases that only read the database: web pages, every endpoint they used, CSV export. */
async function readingPhases(url: string, info: StandInsInfo): Promise<{ endpointPaths: string[] }> {
  const v = vigil as Child;
  const apiUrls = new Set<string>();
  if (phases.has('web')) {
    log('web: bundle and headless Chromium');
    await webPhase(url, apiUrls, info);
  }
  // Without the browser (or with nothing captured), the endpoints the overview uses at least.
  if (apiUrls.size === 0) apiUrls.add('/api/dora/summary').add('/api/metrics/deployment-frequency?grain=month');
  let endpointPaths = [...apiUrls].filter((p) => !p.startsWith('/api/sync/status') && !p.startsWith('/api/health')).sort();
  // A quick run measures a few endpoints of each kind, to show the machinery works.
  if (quick)
    endpointPaths = endpointPaths
      .filter((p) => /\/api\/(dora\/summary|metrics\/lead-time|review\?|pages\?|people)/.test(p))
      .slice(0, 5);
  if (phases.has('endpoints')) {
    log(`endpoints: ${endpointPaths.length}`);
    const agent = createAgent(8);
    results.endpoints = [];
    // Cold means computed: the warmer would recompute answers behind the measurements.
    await v.call('warmer', { enabled: false });
    for (const [i, path] of endpointPaths.entries()) {
      const e = await measureEndpoint(v, agent, url, path, plan);
      results.endpoints.push(e);
      // Progress: a large run spends minutes here.
      log(
        `endpoints: ${i + 1}/${endpointPaths.length} ${path.slice(0, 80)}: cold p50 ${e.cold1.p50} ms, warm p50 ${e.warm1.p50} ms, 8x cold p95 ${e.cold8.p95} ms, bare ${e.bareSqlMs ?? '-'} ms`,
      );
    }
    await v.call('warmer', { enabled: true });
    results.afterChange = await firstViewAfterChange(v, agent, url, endpointPaths);
    log(
      `endpoints: after a data change the warmer recomputed ${results.afterChange.warmed} answers in ${results.afterChange.warmMs} ms; then first answers p50 ${results.afterChange.p50} ms, worst ${results.afterChange.worst} ms`,
    );
    agent.destroy();
  }
  if (phases.has('csv')) {
    const counts = await v.call<Record<string, number>>('tableCounts');
    const [kind] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0] ?? ['deployments'];
    log(`csv: ${kind} (${counts[kind]} rows)`);
    const csv = await measureCsv(
      v,
      url,
      kind,
      info.historyStart.slice(0, 10),
      info.clock.slice(0, 10),
      kind === 'deployments' ? '&environment=all' : '',
    );
    results.csv = { ...csv, kind };
  }
  return { endpointPaths };
}

/** The phases that only read, on the synthetic dataset (no stand-ins, no syncs). */
async function mainSynthetic(): Promise<void> {
  log(`large synthetic dataset, anchor ${anchor.slice(0, 10)}; phases: ${[...phases].join(', ')}`);
  const meta = await syntheticDataset(anchor, log);
  results.synthetic = meta;
  const historyStart = new Date(Date.parse(anchor) - meta.volume.years * 365 * 86_400_000).toISOString();
  const info: StandInsInfo = {
    githubUrl: '',
    pagerdutyUrl: '',
    config: syntheticRawConfig(),
    clock: anchor,
    historyStart,
    generationMs: meta.generationMs,
    repos: 400,
    teams: 20,
  };
  results.meta.organisation = { repos: 400, teams: 20, generationMs: meta.generationMs, records: null };
  const url = await openVigil(info);
  await readingPhases(url, info);
}

async function main(): Promise<void> {
  if (synthetic) return mainSynthetic();
  log(`${size} organisation, seed ${seed}, anchor ${anchor.slice(0, 10)}; phases: ${[...phases].join(', ')}`);
  // The large organisation's database for every phase but the backfill: seeded in-process, not
  // synced over HTTP (tests/bench/seed), once per generator version, then kept.
  let seededMeta: SeededMeta | null = cache?.meta ?? null;
  let seeded: SeedFigures | null = null;
  if (kept && 'stale' in kept) {
    log(`${size} database: seeding it in-process, not over HTTP (${kept.stale}); once, then kept`);
    resetSeeded(size, seed);
    seeded = await seedDatabase({
      database,
      seed,
      size,
      anchor,
      githubUrl: `http://127.0.0.1:${LARGE_PORTS.github}`,
      pagerdutyUrl: `http://127.0.0.1:${LARGE_PORTS.pagerduty}`,
    });
    log(`${size} database: seeded in ${(seeded.wallMs / 60_000).toFixed(1)} minutes`);
  }
  // The large organisation's stand-ins listen on fixed ports: the seeded payloads and a resumed
  // backfill's next-page links carry their URLs.
  standIns = await startStandIns(seed, size, anchor, size === 'large' || seededMode ? LARGE_PORTS : undefined);
  // The kept database was synced up to this clock: the organisation starts there.
  if (cache) standIns.info.clock = await standIns.child.call<string>('setClock', { iso: cache.meta.clock });
  const info = standIns.info;
  results.meta.organisation = { repos: info.repos, teams: info.teams, generationMs: info.generationMs, records: null };
  log(`stand-ins ready (organisation generated in ${(info.generationMs / 1000).toFixed(1)} s)`);
  if (size !== 'large' && !seededMode) {
    mkdirSync(dirname(database), { recursive: true });
    for (const f of [database, `${database}.wal`]) rmSync(f, { force: true });
  }
  const url = await openVigil(info);
  const v = vigil as Child;
  if (seeded) {
    // The collectors' cursors come from a sync: this first one over HTTP fetches little (the walks
    // stop at stored records) and, the payloads being identical, should write nothing.
    log(`${size} database: first sync over HTTP after seeding (it sets the collectors' cursors)`);
    const firstSync = await v.call<SyncFigures>('sync', { sources: ['github', 'pagerduty'], trigger: 'bench-first-sync' });
    seededMeta = {
      size,
      seed,
      anchor,
      generatorHash: generatorHash(),
      schemaVersion: SCHEMA_VERSION,
      builtAt: new Date().toISOString(),
      commit: results.meta.commit,
      clock: info.clock,
      seeded,
      firstSync,
      databaseBytes: statSync(database).size,
    };
    if (firstSync.runs.every((r) => r.status === 'succeeded')) writeSeededMeta(seededMeta);
    else
      log(
        `${size} database: the first sync did not succeed (${firstSync.runs.map((r) => `${r.source} ${r.status}: ${r.error}`).join('; ')}); it will be built again next time`,
      );
  }
  if (seededMeta) {
    results.seeded = { ...seededMeta, fromCache: seeded === null, databaseBytes: statSync(database).size };
    results.meta.organisation.records = { ...seededMeta.seeded.github.written, ...seededMeta.seeded.pagerduty.written };
  }

  if (phases.has('backfill')) await backfill(info, url);
  if (phases.has('nochange')) {
    log('no-change sync');
    results.noChange = await v.call<SyncFigures>('sync', { sources: ['github', 'pagerduty'], trigger: 'bench-nochange' });
  }
  const { endpointPaths } = await readingPhases(url, info);
  if (phases.has('load')) {
    log(`load: ${plan.loadClients} clients for ${plan.loadSeconds} s while syncs run`);
    const agent = createAgent(plan.loadClients);
    const probe: Probe = startProbe(`${url}/api/health`, 50);
    const syncing = syncLoop(info);
    const paths = endpointPaths.length > 0 ? endpointPaths : ['/api/dora/summary'];
    const load = await loadFor(
      agent,
      (client, i) => `${url}${paths[(client * 7 + i) % paths.length]}`,
      plan.loadClients,
      plan.loadSeconds,
    );
    const probed = await probe.stop();
    const synced = await syncing.stop();
    agent.destroy();
    results.load = {
      ...load,
      clients: plan.loadClients,
      syncs: synced.syncs,
      syncRequests: synced.requests,
      probe: probed,
      endpoints: paths.length,
    };
    // The kept database now holds the organisation up to the moved clock.
    if (seededMeta) {
      seededMeta = { ...seededMeta, clock: await standIns.child.call<string>('clock') };
      writeSeededMeta(seededMeta);
    }
  }
  if (phases.has('upsert')) {
    log(`upsert: ${plan.batchRows} rows into ${plan.baseRows}`);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-upsert-'));
    try {
      results.upsert = await v.call('upsert', { dir, baseRows: plan.baseRows, batchRows: plan.batchRows, runs: plan.upsertRuns });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await v.stop();
  vigil = undefined;
  await standIns.child.stop();
  standIns = undefined;
  if (phases.has('demo')) {
    log('demo: vigil demo --fresh until its first sync is complete');
    results.demo = await measureDemo();
  }
}

try {
  await main();
} finally {
  await vigil?.stop().catch(() => {});
  await standIns?.child.stop().catch(() => {});
  // A backfilled (not kept) database lives only as long as its run.
  if (!seededMode && !synthetic && !httpBackfill) rmSync(dirname(database), { recursive: true, force: true });
  results.meta.seconds = Math.round((performance.now() - started) / 1000);
  results.targets = judge(results);
  const text = render(results);
  process.stdout.write(`\n${text}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = results.meta.startedAt.replace(/[:.]/g, '-');
  const file = values.out ?? join(RESULTS_DIR, `bench-${size}${quick ? '-quick' : ''}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, `latest-${size}${quick ? '-quick' : ''}.json`), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nFigures written to ${file}\n`);
  if (!existsSync(file)) process.exitCode = 1;
}
