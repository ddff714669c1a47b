// The Vigil under test, in a process of its own (so its peak memory and CPU are its own): the real
// server (`startVigil`: database, migrations, derived tables, the API and the web app on a free
// loopback port) with the real sync service and collectors pointed at the stand-ins, driven by the
// benchmark over IPC. Besides syncing it can replay the SQL an endpoint sends straight to DuckDB
// (what the API adds to its queries), clear or switch off the response cache (cold answers), and
// report its memory and event-loop delay.
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { RunResult } from '../../collectors/engine/runner.ts';
import { createSyncService, type SyncService } from '../../collectors/index.ts';
import { createApp } from '../../server/api/app.ts';
import { parseConfig } from '../../server/config/load.ts';
import type { VigilConfig } from '../../server/config/schema.ts';
import type { Database, Params } from '../../server/db/index.ts';
import { cacheFor } from '../../server/metrics/cache.ts';
import { warmerFor } from '../../server/metrics/cache-warmer.ts';
import { refreshDerived } from '../../server/metrics/refresh.ts';
import { type RunningVigil, startVigil } from '../../server/runtime.ts';
import { bareQuery } from './bare-sql.ts';
import { memory, resetPeakMemory, serveRpc } from './rpc.ts';
import type { RunFigures, Source, SyncFigures } from './types.ts';
import { measureUpsert } from './upsert.ts';

let vigil: RunningVigil | undefined;
let config: VigilConfig | undefined;
let service: SyncService | undefined;
let refreshMs = 0;
const refreshModes: string[] = [];

function running(): { vigil: RunningVigil; config: VigilConfig; service: SyncService } {
  if (!vigil || !config || !service) throw new Error('open first');
  return { vigil, config, service };
}

function figures(result: RunResult): RunFigures {
  const perStreamScope: RunFigures['requestsPerStreamScope'] = [];
  for (const [stream, byScope] of Object.entries(result.streams)) {
    for (const [scope, counts] of Object.entries(byScope)) {
      if (counts.requests > 0) perStreamScope.push({ stream, scope, requests: counts.requests });
    }
  }
  return {
    source: result.source,
    status: result.status,
    error: result.error,
    durationMs: result.durationMs,
    requests: result.requests,
    recordsWritten: result.recordsWritten,
    loadRows: result.load.rows,
    loadMs: result.load.ms,
    tables: result.tables,
    requestsPerStreamScope: perStreamScope,
  };
}

const percentile = (h: IntervalHistogram, p: number) => Math.round((h.percentile(p) / 1e6) * 10) / 10;

/** A Database that records every query an endpoint sends (to replay them straight on DuckDB). */
function recordingDb(db: Database, log: { method: 'all' | 'one'; sql: string; params?: Params }[]): Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'all' || prop === 'one') {
        return (sql: string, params?: Params) => {
          log.push({ method: prop, sql, ...(params ? { params } : {}) });
          return target[prop](sql, params);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[Math.floor((s.length - 1) / 2)] as number);
};

serveRpc(
  {
    async open(args: { database: string; config: Record<string, unknown>; webRoot: string; tokens: Record<string, string> }) {
      config = parseConfig('bench.yaml', { ...args.config, database: args.database });
      const cfg = config;
      vigil = await startVigil({
        config: cfg,
        host: '127.0.0.1',
        port: 0,
        webRoot: args.webRoot,
        auth: null,
        log: (line) => process.stderr.write(`vigil: ${line}\n`),
        createSync: async (db) => {
          service = await createSyncService(db, cfg, {
            env: { GITHUB_TOKEN: args.tokens.github, PAGERDUTY_TOKEN: args.tokens.pagerduty },
            log: (line) => {
              if (process.env.VIGIL_BENCH_VERBOSE) process.stderr.write(`sync: ${line}\n`);
            },
            // The default after-sync step (refresh the metrics), timed.
            afterSync: async (result) => {
              const t = performance.now();
              const refreshed = await refreshDerived(db, cfg, { full: result.trigger === 'renormalize' });
              refreshMs += performance.now() - t;
              refreshModes.push(`${result.source}: ${refreshed.mode}`);
            },
          });
          return service;
        },
      });
      return { url: vigil.url };
    },

    /** Sync the given sources at once (as the scheduler does) and wait for them and their refreshes. */
    async sync(args: { sources: Source[]; trigger?: string }): Promise<SyncFigures> {
      const { service: sync } = running();
      refreshMs = 0;
      refreshModes.length = 0;
      resetPeakMemory();
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const cpu0 = process.cpuUsage();
      // The JS heap's share of the peak (the rest is DuckDB's buffers and Node's own).
      let peakHeapUsed = 0;
      const heapSampler = setInterval(() => {
        peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
      }, 250);
      const started = performance.now();
      const results = await Promise.all(args.sources.map((s) => sync.run(s, args.trigger ?? 'bench')));
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpu0);
      clearInterval(heapSampler);
      loop.disable();
      return {
        runs: results.map(figures),
        wallMs: Math.round(wallMs),
        refreshMs: Math.round(refreshMs),
        refreshModes: [...refreshModes],
        peakRss: memory().peakRss,
        peakHeapUsed,
        eventLoop: { p50: percentile(loop, 50), p99: percentile(loop, 99), max: Math.round(loop.max / 1e6) },
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      };
    },

    /** Stop the running syncs at their next batch boundary (a budgeted backfill; resumed later). */
    async stopSync() {
      await running().service.stop();
      return true;
    },

    memory: () => ({ ...memory(), heapUsed: process.memoryUsage().heapUsed }),
    resetPeak: () => resetPeakMemory(),
    cpu: () => process.cpuUsage(),

    /** A new data version: every cached answer is gone, the next request computes afresh. */
    bump: () => {
      const { vigil: v } = running();
      v.db.bumpVersion();
      return v.db.dataVersion;
    },

    /**
     * The SQL one request sends, replayed straight on DuckDB (no HTTP, no JSON, no cache): the
     * statements run one after another `repeats` times; the median total is returned.
     */
    async replay(args: { path: string; repeats: number }) {
      const { vigil: v, config: cfg } = running();
      const log: { method: 'all' | 'one'; sql: string; params?: Params }[] = [];
      const db = recordingDb(v.db, log);
      const app = createApp({ db, config: cfg, log: () => {} });
      // Once to warm up (one-time checks such as the derived tables existing), then recorded.
      for (let i = 0; i < 2; i++) {
        log.length = 0;
        cacheFor(db).clear();
        const response = await app.request(args.path);
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${args.path} answered ${response.status}`);
      }
      const times: number[] = [];
      for (let i = 0; i < args.repeats; i++) {
        const t = performance.now();
        for (const q of log) await v.db[q.method](q.sql, q.params);
        times.push(performance.now() - t);
      }
      return { statements: log.length, ms: median(times), times };
    },

    /** The endpoint's bare counterpart (tests/bench/bare-sql.ts) run straight on DuckDB, median of repeats; null when none. */
    async bare(args: { path: string; repeats: number }) {
      const { vigil: v } = running();
      const query = bareQuery(args.path);
      if (!query) return null;
      const run = async () => {
        const t = performance.now();
        for (const s of query.statements) await v.db.all(s.sql, s.params);
        return performance.now() - t;
      };
      await run();
      const times: number[] = [];
      for (let i = 0; i < args.repeats; i++) times.push(await run());
      return { statements: query.statements.length, ms: median(times) };
    },

    /** Switch the cache warmer off (the endpoint phase measures cold computations) or back on. */
    warmer: (args: { enabled: boolean }) => {
      const warmer = warmerFor(running().vigil.db);
      if (warmer) warmer.enabled = args.enabled;
      return Boolean(warmer);
    },

    /** A data change, then the warm-up the warmer would run after it (without its quiet wait). */
    async changeAndWarm() {
      const { vigil: v } = running();
      const warmer = warmerFor(v.db);
      if (!warmer) return null;
      v.db.bumpVersion();
      return warmer.warm();
    },

    /** Switch the response cache off (every request computes) or back on. */
    cache: (args: { enabled: boolean }) => {
      const { vigil: v } = running();
      cacheFor(v.db).enabled = args.enabled;
      return args.enabled;
    },

    /** Rows in the derived record tables (the CSV phase exports the largest). */
    async tableCounts() {
      const { vigil: v } = running();
      const row = await v.db.one<Record<string, number>>(
        `SELECT (SELECT count(*) FROM d_deployments) AS deployments, (SELECT count(*) FROM d_incidents) AS incidents,
           (SELECT count(*) FROM d_pages) AS pages, (SELECT count(*) FROM d_shifts) AS "oncall-shifts"`,
      );
      return row ?? {};
    },

    upsert: (args: { dir: string; baseRows: number; batchRows: number; runs: number }) => measureUpsert(args.dir, args),

    async close() {
      await vigil?.stop();
      vigil = undefined;
    },
  },
  async () => {
    await vigil?.stop();
  },
);
