// Wiring the collectors into a SyncService for a config: which sources can be synced (a
// collector exists and the config maps something for it), their crons, their tokens (read from the
// environment when a run starts) and the hook that refreshes derived data after each sync.
import { readTokens } from '../server/config/load.ts';
import type { VigilConfig } from '../server/config/schema.ts';
import type { Database } from '../server/db/index.ts';
import type { SourceName } from '../server/lib/sync-controller.ts';
import { refreshDerived } from '../server/metrics/refresh.ts';
import type { RunResult, SourceDriver } from './engine/runner.ts';
import { SyncService } from './engine/service.ts';
import { type GitHubCollectorOptions, githubConfigured, githubDriver } from './github/collector.ts';
import { type PagerDutyCollectorOptions, pagerdutyConfigured, pagerdutyDriver } from './pagerduty/collector.ts';

export type { RunResult } from './engine/runner.ts';
export { SyncService } from './engine/service.ts';

export interface SyncSetupOptions {
  /** Where tokens come from (GITHUB_TOKEN, PAGERDUTY_TOKEN). */
  env?: NodeJS.ProcessEnv;
  /** Run each source on its cron from the config. */
  schedule?: boolean;
  log?: (line: string) => void;
  /**
   * After every sync that wrote something. Default: the metrics engine refreshes its derived
   * tables (all of them after a rebuild from raw); `null` turns it off.
   */
  afterSync?: ((result: RunResult) => Promise<void>) | null;
  /** Overrides for the GitHub collector (tests: tiny retry waits, a fake clock). */
  github?: Partial<Omit<GitHubCollectorOptions, 'config' | 'token'>>;
  /** Overrides for the PagerDuty collector (tests: instant waits, the simulated clock). */
  pagerduty?: Partial<Omit<PagerDutyCollectorOptions, 'config' | 'token'>>;
}

/** The drivers for the sources this config can sync. */
export function sourceDrivers(
  config: VigilConfig,
  options: SyncSetupOptions = {},
): Partial<Record<SourceName, () => SourceDriver>> {
  const drivers: Partial<Record<SourceName, () => SourceDriver>> = {};
  if (githubConfigured(config)) {
    drivers.github = () => githubDriver({ ...options.github, config, token: readTokens(options.env ?? process.env).github });
  }
  if (pagerdutyConfigured(config)) {
    drivers.pagerduty = () =>
      pagerdutyDriver({ ...options.pagerduty, config, token: readTokens(options.env ?? process.env).pagerduty });
  }
  return drivers;
}

/** The default after-sync step: bring the metrics' derived tables up to date with what was written. */
export function refreshMetricsAfter(db: Database, config: VigilConfig): (result: RunResult) => Promise<void> {
  return async (result) => {
    await refreshDerived(db, config, { full: result.trigger === 'renormalize' });
  };
}

export async function createSyncService(db: Database, config: VigilConfig, options: SyncSetupOptions = {}): Promise<SyncService> {
  const afterSync = options.afterSync === undefined ? refreshMetricsAfter(db, config) : options.afterSync;
  const service = await SyncService.create({
    db,
    drivers: sourceDrivers(config, options),
    cron: { github: config.github.cron, pagerduty: config.pagerduty.cron },
    ...(afterSync ? { afterSync } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  if (options.schedule) service.startSchedule();
  return service;
}
