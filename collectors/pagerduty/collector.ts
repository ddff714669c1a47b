// The PagerDuty collector: the whole account as one scope, stream after stream — the directory
// (services, teams, users with their time zones, priorities, escalation policies, schedules),
// incidents (in windows, then every open one again), account-wide log entries, the alerts of
// incidents whose alerts changed, notifications, and on-call shifts. A stream that fails is
// reported and the others go on (the run ends 'partial'); a rejected key, a spent rate limit or an
// unreachable host stops the run. A missing PAGERDUTY_TOKEN is reported before any request.
import type { VigilConfig } from '../../server/config/schema.ts';
import { FatalSyncError, ScopeSyncError } from '../engine/errors.ts';
import type { RawRule } from '../engine/loader.ts';
import type { SourceDriver } from '../engine/runner.ts';
import { runScopes } from '../engine/scopes.ts';
import type { RenormalizeContext, RunContext, SourceCollector } from '../engine/types.ts';
import { PagerDutyClient, type PagerDutyClientOptions, parsePagerDutyRateLimit } from './client.ts';
import { classifyPagerDutyError, MISSING_TOKEN_MESSAGE } from './errors.ts';
import { renormalizePagerDuty } from './renormalize.ts';
import { accountFingerprint, type PdRun, SCOPE } from './run.ts';
import { ALERTS, syncAlerts } from './streams/alerts.ts';
import { PRIORITIES, syncDirectory } from './streams/directory.ts';
import { INCIDENTS, syncIncidents } from './streams/incidents.ts';
import { LOG_ENTRIES, syncLogEntries } from './streams/log-entries.ts';
import { NOTIFICATIONS, syncNotifications } from './streams/notifications.ts';
import { ONCALLS, syncOncalls } from './streams/oncalls.ts';

export { MISSING_TOKEN_MESSAGE };

export interface PagerDutyCollectorOptions {
  config: VigilConfig;
  /** PAGERDUTY_TOKEN; undefined when it is not set. */
  token: string | undefined;
  /**
   * The clock the run's windows end at and the history horizon counts back from. Default:
   * PagerDuty's own (the Date header of its first answer), else this machine's.
   */
  now?: () => number;
  /** Independent requests in flight at once (alerts, single incidents, pages of one window). */
  concurrency?: number;
  /** How the client waits (rate limit, backoff); tests pass one that returns at once or moves a fake clock. */
  sleep?: PagerDutyClientOptions['sleep'];
  maxRetries?: number;
  fetchImpl?: typeof fetch;
}

const byId = (stream: string, table: string): RawRule => ({ stream, table, on: 't.id = r.record_key', hash: true });

/** When a raw payload is already stored: the row built from it carries the same hash. */
export const PAGERDUTY_RAW_RULES: readonly RawRule[] = [
  byId('services', 'pd_services'),
  byId('teams', 'pd_teams'),
  byId('users', 'pd_users'),
  byId('escalation_policies', 'pd_escalation_policies'),
  byId('schedules', 'pd_schedules'),
  // One record holds the whole ordered list; every priority row carries its hash.
  { stream: PRIORITIES, table: 'pd_priorities', on: 'true', hash: true },
  byId(INCIDENTS, 'incidents'),
  byId(LOG_ENTRIES, 'log_entries'),
  byId(ALERTS, 'alerts'),
  byId(NOTIFICATIONS, 'notifications'),
  byId(ONCALLS, 'oncall_shifts'),
];

export const PAGERDUTY_TABLE_STREAMS: Readonly<Record<string, string>> = {
  pd_services: 'services',
  pd_teams: 'teams',
  pd_users: 'users',
  pd_priorities: PRIORITIES,
  pd_escalation_policies: 'escalation_policies',
  pd_schedules: 'schedules',
  incidents: INCIDENTS,
  log_entries: LOG_ENTRIES,
  alerts: ALERTS,
  notifications: NOTIFICATIONS,
  oncall_shifts: ONCALLS,
};

const DAY = 86_400_000;

export class PagerDutyCollector implements SourceCollector {
  readonly source = 'pagerduty' as const;

  constructor(private readonly options: PagerDutyCollectorOptions) {}

  scopes(): string[] {
    return [SCOPE];
  }

  preflight(): string | undefined {
    return this.options.token ? undefined : MISSING_TOKEN_MESSAGE;
  }

  async run(ctx: RunContext): Promise<void> {
    const { pagerduty } = this.options.config;
    const token = this.options.token as string;
    const client = new PagerDutyClient({
      baseUrl: pagerduty.baseUrl,
      token,
      timeoutMs: pagerduty.timeoutSeconds * 1000,
      meter: ctx.meter,
      signal: ctx.signal,
      log: ctx.log,
      ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
      ...(this.options.maxRetries !== undefined ? { maxRetries: this.options.maxRetries } : {}),
      ...(this.options.fetchImpl ? { fetchImpl: this.options.fetchImpl } : {}),
    });
    const now = this.options.now?.() ?? Date.now();
    const historyMs = pagerduty.historyDays * DAY;
    const run: PdRun = {
      ctx,
      client,
      cursors: await ctx.cursors(),
      fp: accountFingerprint(pagerduty.baseUrl),
      now,
      horizon: now - historyMs,
      concurrency: Math.max(1, this.options.concurrency ?? 4),
      seen: new Map(),
      incomplete: [],
    };
    const classify = (error: unknown, stream: string) =>
      classifyPagerDutyError(error, { baseUrl: pagerduty.baseUrl, token, stream });
    await runScopes(ctx, [SCOPE], {
      concurrency: 1,
      name: (scope) => scope,
      classify: (error) => classify(error, 'the sync'),
      work: async () => {
        const failures: string[] = [];
        // Each stream on its own: a failure is noted and the next stream goes on, unless it is fatal.
        const attempt = async (stream: string, fn: () => Promise<void>) => {
          try {
            await ctx.within({ scope: SCOPE, stream }, fn);
          } catch (error) {
            if (ctx.signal.aborted) throw error;
            const classified = classify(error, stream);
            if (classified instanceof FatalSyncError) throw classified;
            failures.push(`${stream}: ${classified.message}`);
          }
        };
        await syncDirectory(run, attempt);
        if (!this.options.now) setServerNow(run, client.serverNow(), historyMs);
        await syncIncidents(run, attempt);
        await attempt(LOG_ENTRIES, () => syncLogEntries(run));
        // After log entries: they may have brought incidents changed after the fact.
        await attempt(ALERTS, () => syncAlerts(run));
        await attempt(NOTIFICATIONS, () => syncNotifications(run));
        await attempt(ONCALLS, () => syncOncalls(run));
        const problems = [...failures, ...run.incomplete];
        if (problems.length > 0) throw new ScopeSyncError(problems.join(' | '));
      },
    });
  }

  renormalize(ctx: RenormalizeContext): Promise<void> {
    return renormalizePagerDuty(ctx);
  }
}

/**
 * Windows end at PagerDuty's own "now" (the Date header of its answers) rather than this
 * machine's: a host whose clock runs ahead would otherwise mark as covered minutes PagerDuty has
 * not reached yet, and /oncalls refuses an `until` too far ahead. A server clock ahead of this one
 * is believed by ten minutes at most (a proxy's wrong header must not open a gap; the windows'
 * overlap covers ten minutes).
 */
function setServerNow(run: PdRun, server: number | null, historyMs: number): void {
  if (server === null) return;
  run.now = Math.min(server, run.now + 10 * 60_000);
  run.horizon = run.now - historyMs;
}

/** Whether the config gives PagerDuty anything to sync: a team maps a service or a schedule. */
export function pagerdutyConfigured(config: VigilConfig): boolean {
  return config.teams.some((t) => t.services.length > 0 || t.schedules.length > 0);
}

export function pagerdutyDriver(options: PagerDutyCollectorOptions): SourceDriver {
  return {
    collector: new PagerDutyCollector(options),
    rateLimit: (headers, now) => parsePagerDutyRateLimit(headers, now),
    rawRules: PAGERDUTY_RAW_RULES,
    tableStreams: PAGERDUTY_TABLE_STREAMS,
  };
}
