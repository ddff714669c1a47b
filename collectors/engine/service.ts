// The sync service: what the API, the CLI and the scheduler use to run collectors. It never runs
// two syncs of one source at once (a second request is answered "already running"), reports live
// progress and recent runs, runs each source on its cron, and on stop() aborts in-flight work at a
// batch boundary and waits for it, so shutdown never leaves half a batch behind.
import { Cron } from 'croner';
import type { Database } from '../../server/db/index.ts';
import type { SourceName, SyncController, SyncRunSummary, SyncStatus } from '../../server/lib/sync-controller.ts';
import type { RunProgress } from './progress.ts';
import { type RunResult, renormalizeSource, runSource, type SourceDriver } from './runner.ts';
import { lastRuns, markInterruptedRuns, recentRuns } from './runs.ts';

export interface SyncServiceOptions {
  db: Database;
  /** Builds a source's driver for one run (so the token and config are read when the run starts). */
  drivers: Partial<Record<SourceName, () => SourceDriver>>;
  /** Cron expression per source, for the scheduler. */
  cron?: Partial<Record<SourceName, string>>;
  /** Runs after every run that wrote something (the metrics engine refreshes its derived tables). */
  afterSync?: (result: RunResult) => Promise<void>;
  log?: (line: string) => void;
}

interface ActiveRun {
  kind: 'sync' | 'renormalize';
  trigger: string;
  controller: AbortController;
  progress: RunProgress | null;
  /** Settles once the run is recorded and has progress (or ended before that). */
  started: Promise<void>;
  launchedAt: string;
  promise: Promise<RunResult>;
}

export interface StartResult {
  started: SourceName[];
  alreadyRunning: SourceName[];
  /** Requested sources this Vigil cannot sync (no collector for them). */
  unavailable: SourceName[];
}

export class SyncService implements SyncController {
  private readonly active = new Map<SourceName, ActiveRun>();
  private readonly crons = new Map<SourceName, Cron>();
  private readonly startListeners = new Set<(source: SourceName, progress: RunProgress) => void>();
  private readonly log: (line: string) => void;
  private stopping = false;

  private constructor(private readonly options: SyncServiceOptions) {
    this.log = options.log ?? ((line) => console.error(line));
  }

  /** Create the service; runs a dead process left 'running' are marked 'interrupted' first. */
  static async create(options: SyncServiceOptions): Promise<SyncService> {
    const marked = await markInterruptedRuns(options.db);
    const service = new SyncService(options);
    if (marked > 0) service.log(`vigil: ${marked} sync run(s) left unfinished by a stopped process were marked interrupted.`);
    return service;
  }

  /** Sources this Vigil has a collector for. */
  sources(): SourceName[] {
    return (Object.keys(this.options.drivers) as SourceName[]).filter((s) => this.options.drivers[s]);
  }

  isRunning(source: SourceName): boolean {
    return this.active.has(source);
  }

  onRunStart(listener: (source: SourceName, progress: RunProgress) => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  private launch(source: SourceName, kind: ActiveRun['kind'], trigger: string): ActiveRun {
    const factory = this.options.drivers[source];
    if (!factory) throw new Error(`No collector for ${source}.`);
    const controller = new AbortController();
    let markStarted!: () => void;
    const active: ActiveRun = {
      kind,
      trigger,
      controller,
      progress: null,
      started: new Promise<void>((resolve) => (markStarted = resolve)),
      launchedAt: new Date().toISOString(),
      promise: Promise.resolve() as unknown as Promise<RunResult>,
    };
    const onStart = (progress: RunProgress) => {
      active.progress = progress;
      markStarted();
      for (const listener of this.startListeners) listener(source, progress);
    };
    active.promise = (async () => {
      try {
        const driver = factory();
        const result =
          kind === 'renormalize'
            ? await renormalizeSource(this.options.db, driver, { log: this.log, onStart })
            : await runSource(this.options.db, driver, { trigger, signal: controller.signal, log: this.log, onStart });
        const changed = result.recordsWritten > 0 || kind === 'renormalize';
        if (changed && result.status !== 'failed' && this.options.afterSync && !controller.signal.aborted) {
          try {
            await this.options.afterSync(result);
          } catch (error) {
            this.log(`vigil: refreshing the metrics after the ${source} sync failed: ${(error as Error).message}`);
          }
        }
        // The last run to end writes the WAL into the file (commits leave it to grow during syncs;
        // server/db/database.ts DEFAULT_CHECKPOINT_THRESHOLD says why).
        if (changed && [...this.active.keys()].every((s) => s === source)) await this.options.db.checkpoint();
        return result;
      } finally {
        markStarted();
        this.active.delete(source);
      }
    })();
    this.active.set(source, active);
    return active;
  }

  /** Start syncs in the background (the API and the scheduler); never two of one source at once. */
  async start(options: { sources?: SourceName[]; trigger?: string } = {}): Promise<StartResult> {
    const requested = options.sources && options.sources.length > 0 ? [...new Set(options.sources)] : this.sources();
    const result: StartResult = { started: [], alreadyRunning: [], unavailable: [] };
    for (const source of requested) {
      if (!this.options.drivers[source]) result.unavailable.push(source);
      else if (this.active.has(source) || this.stopping) result.alreadyRunning.push(source);
      else {
        const active = this.launch(source, 'sync', options.trigger ?? 'api');
        // Background runs report their own outcome in sync_runs; never an unhandled rejection.
        active.promise.catch((error: unknown) => this.log(`vigil: ${source} sync crashed: ${(error as Error).message}`));
        result.started.push(source);
      }
    }
    return result;
  }

  /** Run one source's sync and wait for it (the CLI). Joins a run already in progress. */
  run(source: SourceName, trigger = 'cli'): Promise<RunResult> {
    const existing = this.active.get(source);
    if (existing) return existing.promise;
    return this.launch(source, 'sync', trigger).promise;
  }

  /** Rebuild a source's normalised tables from raw and wait for it. */
  renormalize(source: SourceName): Promise<RunResult> {
    const existing = this.active.get(source);
    if (existing) return existing.promise.then(() => this.renormalize(source));
    return this.launch(source, 'renormalize', 'renormalize').promise;
  }

  /** The run in progress for a source, if any. */
  current(source: SourceName): Promise<RunResult> | undefined {
    return this.active.get(source)?.promise;
  }

  /** Run each source on its cron. Overlapping ticks are skipped (a run of that source is still going). */
  startSchedule(): void {
    for (const source of this.sources()) {
      const pattern = this.options.cron?.[source];
      if (!pattern || this.crons.has(source)) continue;
      const job = new Cron(pattern, { protect: true, catch: true, name: `vigil-sync-${source}` }, () => {
        void this.start({ sources: [source], trigger: 'schedule' });
      });
      this.crons.set(source, job);
    }
  }

  async status(): Promise<SyncStatus> {
    const running: SyncRunSummary[] = [];
    const progress: SyncStatus['progress'] = {};
    // A run just started is being recorded: wait for it (briefly: its record waits for the write
    // lock, which a rebuild from raw can hold for long) rather than report nothing.
    const brief = new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref());
    await Promise.race([Promise.all([...this.active.values()].map((a) => a.started)), brief]);
    for (const [source, active] of this.active) {
      const snapshot = active.progress?.snapshot();
      if (!snapshot) {
        running.push({
          id: 0,
          source,
          trigger: active.trigger,
          status: 'running',
          startedAt: active.launchedAt,
          endedAt: null,
          requests: 0,
          recordsWritten: 0,
          badRecords: 0,
          rateLimitRemaining: null,
          rateLimitResetAt: null,
          error: null,
          streams: {},
        });
        continue;
      }
      progress[source] = snapshot;
      running.push({
        id: snapshot.runId,
        source,
        trigger: snapshot.trigger,
        status: 'running',
        startedAt: snapshot.startedAt,
        endedAt: null,
        requests: snapshot.requests,
        recordsWritten: snapshot.recordsWritten,
        badRecords: snapshot.badRecords,
        rateLimitRemaining: snapshot.rateLimit?.remaining ?? null,
        rateLimitResetAt: snapshot.rateLimit?.resetAt ?? null,
        error: null,
        streams: {},
      });
    }
    const schedule: SyncStatus['schedule'] = {};
    for (const source of this.sources()) {
      const pattern = this.options.cron?.[source];
      if (!pattern) continue;
      const next = this.crons.get(source)?.nextRun() ?? null;
      schedule[source] = { cron: pattern, nextRunAt: next ? next.toISOString() : null };
    }
    return {
      running,
      lastRuns: await lastRuns(this.options.db),
      recent: await recentRuns(this.options.db, 20),
      progress,
      schedule,
    };
  }

  /** Stop the scheduler, abort running syncs at their next batch boundary and wait for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const job of this.crons.values()) job.stop();
    this.crons.clear();
    const pending = [...this.active.values()];
    for (const active of pending) active.controller.abort();
    await Promise.allSettled(pending.map((a) => a.promise));
  }
}
