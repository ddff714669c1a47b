// Keeps the dashboard's answers warm across data changes. Every committed write of data (a sync
// that brought new records, the derived refresh after it, a reviewer's label; not a sync that found
// nothing, whose bookkeeping leaves the version alone) starts a new data version and so empties the
// response cache: the next viewer of each chart would wait for a cold computation (seconds for a
// 5-year lead time on a large organisation).
// The warmer remembers the distinct requests viewers made recently (the 60 most recent, asked
// within a day) and, once the data has been quiet for a moment, computes them again in the
// background, one at a time and newest first, through the app itself (same routes, same cache
// keys), so the first viewer after a sync finds them cached. It stops as soon as the data changes
// again, and its own requests are not remembered as viewers' (they would keep every request alive
// forever).
import type { Database } from '../db/index.ts';

/** Marks a request as the warmer's own, in Hono's env (a symbol: no HTTP request can carry it). */
export const WARM_REQUEST = Symbol('vigil.cache-warmer');

export function isWarmRequest(env: unknown): boolean {
  return typeof env === 'object' && env !== null && (env as Record<symbol, unknown>)[WARM_REQUEST] === true;
}

export interface CacheWarmerOptions {
  /** Distinct requests remembered (the most recent ones). */
  maxRequests?: number;
  /** Requests older than this are forgotten. */
  maxAgeMs?: number;
  /** The data must stay unchanged this long before warming starts (a sync commits in bursts). */
  quietMs?: number;
}

export interface WarmRun {
  version: number;
  requested: number;
  warmed: number;
  failed: number;
  /** Stopped early because the data changed again (or the warmer was stopped or switched off). */
  interrupted: boolean;
  ms: number;
}

export class CacheWarmer {
  /** Path with query -> when a viewer last asked for it; Map order is the order of last use. */
  private readonly recent = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<WarmRun> | undefined;
  private readonly unsubscribe: () => void;
  /** Off: nothing is warmed (the benchmark measures cold computations with it off). */
  enabled = true;
  lastRun: WarmRun | undefined;
  runs = 0;
  private readonly maxRequests: number;
  private readonly maxAgeMs: number;
  private readonly quietMs: number;

  constructor(
    private readonly db: Database,
    private readonly fetchOne: (pathWithQuery: string) => Promise<Response>,
    options: CacheWarmerOptions = {},
  ) {
    this.maxRequests = options.maxRequests ?? 60;
    this.maxAgeMs = options.maxAgeMs ?? 24 * 3_600_000;
    this.quietMs = options.quietMs ?? 3_000;
    this.unsubscribe = db.onChange(() => this.schedule());
  }

  /** A viewer asked for this (path and query string of a cached GET). */
  note(pathWithQuery: string): void {
    this.recent.delete(pathWithQuery);
    this.recent.set(pathWithQuery, Date.now());
    while (this.recent.size > this.maxRequests) {
      const oldest = this.recent.keys().next().value as string | undefined;
      if (oldest === undefined) break;
      this.recent.delete(oldest);
    }
  }

  /** The remembered requests, most recently asked first. */
  requests(): string[] {
    const cutoff = Date.now() - this.maxAgeMs;
    return [...this.recent.entries()]
      .filter(([, at]) => at >= cutoff)
      .map(([path]) => path)
      .reverse();
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.warm();
    }, this.quietMs);
    // A pending warm-up must not keep a finished process (a CLI command) alive.
    this.timer.unref();
  }

  /** Warm the remembered requests now (one run at a time; a second call waits for the first). */
  async warm(): Promise<WarmRun> {
    if (this.running) await this.running.catch(() => undefined);
    const run = this.warmOnce();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  private async warmOnce(): Promise<WarmRun> {
    const started = performance.now();
    const version = this.db.dataVersion;
    const requests = this.enabled ? this.requests() : [];
    const result: WarmRun = { version, requested: requests.length, warmed: 0, failed: 0, interrupted: false, ms: 0 };
    for (const path of requests) {
      if (this.stopped || !this.enabled || this.db.dataVersion !== version) {
        result.interrupted = true;
        break;
      }
      try {
        const response = await this.fetchOne(path);
        await response.arrayBuffer();
        if (response.ok) result.warmed++;
        else {
          result.failed++;
          // It no longer answers (a team removed from the config, say): stop asking for it.
          if (response.status >= 400 && response.status < 500) this.recent.delete(path);
        }
      } catch {
        result.failed++;
      }
    }
    result.ms = Math.round(performance.now() - started);
    this.lastRun = result;
    this.runs++;
    return result;
  }

  /** No more warm-ups; waits for one under way to finish its current request. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe();
    await this.running?.catch(() => undefined);
  }
}

const warmers = new WeakMap<Database, CacheWarmer>();

/** The warmer of a serving process's database, when it runs one (`vigil serve` and `vigil demo`). */
export function warmerFor(db: Database): CacheWarmer | undefined {
  return warmers.get(db);
}

export function startCacheWarmer(
  db: Database,
  fetchOne: (pathWithQuery: string) => Promise<Response>,
  options: CacheWarmerOptions = {},
): CacheWarmer {
  const warmer = new CacheWarmer(db, fetchOne, options);
  warmers.set(db, warmer);
  return warmer;
}
