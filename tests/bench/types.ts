// What the benchmark's processes share: the stand-ins' tokens and the shapes of their answers.
// (Kept apart from the child entry points, which start serving as soon as they are imported.)

export const GITHUB_TOKEN = 'ghp_vigil_bench_0000000000000000000000';
export const PAGERDUTY_TOKEN = 'pd_vigil_bench_000000000000';

export type BenchSize = 'small' | 'default' | 'large';
export type Source = 'github' | 'pagerduty';

export interface StandInsInfo {
  githubUrl: string;
  pagerdutyUrl: string;
  /** The Vigil config for the organisation (its `database` is filled in by the caller). */
  config: Record<string, unknown>;
  clock: string;
  historyStart: string;
  generationMs: number;
  repos: number;
  teams: number;
}

export interface MinimumRequests {
  github: Record<string, number>;
  pagerduty: Record<string, number>;
  /** Records the organisation holds, per kind. */
  records: Record<string, number>;
}

/** One source's run, as the Vigil process reports it. */
export interface RunFigures {
  source: Source;
  status: string;
  error: string | null;
  durationMs: number;
  requests: number;
  recordsWritten: number;
  /** Normalised rows and raw payloads offered to DuckDB, and the time the loads took. */
  loadRows: number;
  loadMs: number;
  tables: Record<string, number>;
  /** Requests per stream and scope (no-change sync: at most one each). */
  requestsPerStreamScope: { stream: string; scope: string; requests: number }[];
}

export interface SyncFigures {
  runs: RunFigures[];
  /** Wall time from the start until every source's run and the metrics refresh after it ended. */
  wallMs: number;
  /** Time spent refreshing the derived tables after the runs. */
  refreshMs: number;
  refreshModes: string[];
  peakRss: number;
  /** The most JS heap in use, sampled every 250 ms (0 in figures from before it was recorded). */
  peakHeapUsed?: number;
  /** Event-loop delay while syncing (monitorEventLoopDelay), ms. */
  eventLoop: { p50: number; p99: number; max: number };
  /** CPU time of the Vigil process during the sync, ms. */
  cpuMs: number;
}
