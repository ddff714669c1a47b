// `vigil demo`: a complete Vigil on a simulated organisation, with nothing to configure. It
// generates the organisation (seeded), starts the GitHub and PagerDuty stand-ins on free loopback
// ports, writes a config pointing at them into its own folder, and serves the dashboard while the
// real collectors sync into the demo's own database (never the user's). The simulated clock follows
// the wall clock, so scheduled syncs keep bringing in new deployments and incidents.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startGitHubStandIn } from '../../tests/stand-ins/github/index.ts';
import { vigilConfigFor } from '../../tests/stand-ins/org/config.ts';
import { createOrg } from '../../tests/stand-ins/org/index.ts';
import type { OrgSize, OrgStore } from '../../tests/stand-ins/org/model.ts';
import { startPagerDutyStandIn } from '../../tests/stand-ins/pagerduty/index.ts';
import { parseConfig } from '../config/load.ts';
import { collectorSync, type RunningVigil, startVigil } from '../runtime.ts';

export interface DemoOptions {
  dir: string;
  seed: number;
  size: OrgSize;
  host: string;
  port: number;
  fresh: boolean;
  /** How often the demo's collectors sync (cron). */
  cron: string;
  log: (line: string) => void;
  now?: () => Date;
  /** Days the first sync of a new database fetches before the rest of the history (default 100). */
  recentDays?: number;
}

interface DemoState {
  seed: number;
  size: OrgSize;
  anchor: string;
}

/** The organisation is generated up to its anchor plus a future buffer; keep inside it. */
const ANCHOR_MAX_AGE_DAYS = 28;

function startOfDay(date: Date): string {
  return `${date.toISOString().slice(0, 10)}T00:00:00.000Z`;
}

/** Reuse the previous run's organisation (and so its synced database) while it is fresh enough. */
function chooseAnchor(options: DemoOptions, stateFile: string, now: Date): { anchor: string; reused: boolean } {
  if (!options.fresh && existsSync(stateFile)) {
    try {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState;
      const ageDays = (now.getTime() - Date.parse(state.anchor)) / 86_400_000;
      if (state.seed === options.seed && state.size === options.size && ageDays >= 0 && ageDays < ANCHOR_MAX_AGE_DAYS) {
        return { anchor: state.anchor, reused: true };
      }
    } catch {
      // An unreadable state file means a fresh start.
    }
  }
  return { anchor: startOfDay(now), reused: false };
}

export interface RunningDemo {
  url: string;
  vigil: RunningVigil;
  store: OrgStore;
  /** Settles when the first sync (both steps for a new database) has ended, or the demo stopped. */
  firstSync: Promise<void>;
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const now = options.now ?? (() => new Date());
  mkdirSync(options.dir, { recursive: true });
  const stateFile = join(options.dir, 'demo.json');
  const database = join(options.dir, 'vigil.duckdb');
  const { anchor, reused } = chooseAnchor(options, stateFile, now());
  if (!reused) {
    // A new organisation: the old database describes another one.
    for (const file of [database, `${database}.wal`]) rmSync(file, { force: true });
  }
  writeFileSync(
    stateFile,
    `${JSON.stringify({ seed: options.seed, size: options.size, anchor } satisfies DemoState, null, 2)}\n`,
  );

  const started = Date.now();
  const store = await createOrg({ seed: options.seed, size: options.size, anchor });
  store.setClock(now().toISOString());
  options.log(
    `Simulated organisation ready (seed ${options.seed}, ${options.size}, ${store.teams.length} teams, ${store.repos.length} repositories) in ${Date.now() - started} ms.`,
  );

  // Fresh tokens per run: the stand-ins demand them exactly as the real APIs do.
  const githubToken = `ghp_demo${randomBytes(12).toString('hex')}`;
  const pagerdutyToken = `pd_demo${randomBytes(12).toString('hex')}`;
  // Budgets like a GitHub Enterprise Server with rate limiting off and a generous PagerDuty
  // account: the demo backfills two years at once, which api.github.com's 5,000/h would spread
  // over hours. Tests keep the real limits.
  const github = await startGitHubStandIn({
    store,
    token: githubToken,
    logLimit: 0,
    rateLimit: { limit: 10_000_000, pointsPerMinute: 10_000_000 },
  });
  const pagerduty = await startPagerDutyStandIn({
    store,
    token: pagerdutyToken,
    logLimit: 0,
    rateLimit: { perMinute: 1_000_000 },
  });

  const configFile = join(options.dir, 'vigil.config.yaml');
  const raw = vigilConfigFor(store, { githubBaseUrl: github.url, pagerdutyBaseUrl: pagerduty.url, database });
  Object.assign(raw.github as object, { cron: options.cron });
  Object.assign(raw.pagerduty as object, { cron: options.cron });
  writeFileSync(
    configFile,
    `# Written by \`vigil demo\` for the simulated organisation; stand-in URLs change on every start.\n${stringify(raw, { lineWidth: 0 })}`,
  );
  const config = parseConfig(configFile, raw);
  const newDatabase = !existsSync(database);

  // The simulated world moves with the wall clock, so each scheduled sync finds new records.
  const ticker = setInterval(() => store.setClock(now().toISOString()), 15_000);
  ticker.unref();

  let vigil: RunningVigil;
  try {
    vigil = await startVigil({
      config,
      host: options.host,
      port: options.port,
      log: options.log,
      createSync: collectorSync(config, {
        env: { ...process.env, GITHUB_TOKEN: githubToken, PAGERDUTY_TOKEN: pagerdutyToken },
        log: options.log,
      }),
    });
  } catch (error) {
    clearInterval(ticker);
    await github.close();
    await pagerduty.close();
    await store.close();
    throw error;
  }
  // Sync at once rather than waiting for the first cron tick; the dashboard shows the progress.
  // A new database syncs the recent weeks first, so the default views (the last 90 days) are
  // complete in seconds; the rest of the two years follows in a second sync.
  let stopped = false;
  const firstSync = (
    newDatabase
      ? syncRecentFirst(vigil, config, options.recentDays ?? RECENT_DAYS, options.log, () => stopped)
      : syncOnce(vigil, () => stopped)
  ).catch((error: unknown) =>
    options.log(`The demo's first sync stopped: ${error instanceof Error ? error.message : String(error)}`),
  );

  let stopping: Promise<void> | undefined;
  return {
    url: vigil.url,
    vigil,
    store,
    firstSync,
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        clearInterval(ticker);
        await vigil.stop();
        await github.close();
        await pagerduty.close();
        await store.close();
      })();
      return stopping;
    },
  };
}

/** Days the demo's first sync reaches back first: the default 90-day views and a little more. */
const RECENT_DAYS = 100;

/**
 * The first sync of a new demo database, in two steps: the last `recentDays` days, then the whole
 * configured history. The collectors read the history setting when a run starts, and a wider one
 * fetches only what is older (what the first step stored and finished is not fetched again).
 */
async function syncRecentFirst(
  vigil: RunningVigil,
  config: ReturnType<typeof parseConfig>,
  recentDays: number,
  log: (line: string) => void,
  stopped: () => boolean,
): Promise<void> {
  if (!vigil.sync) return;
  const full = { github: config.github.historyDays, pagerduty: config.pagerduty.historyDays };
  if (Math.max(full.github, full.pagerduty) <= recentDays) return syncOnce(vigil, stopped);
  config.github.historyDays = Math.min(recentDays, full.github);
  config.pagerduty.historyDays = Math.min(recentDays, full.pagerduty);
  const started = Date.now();
  try {
    await syncOnce(vigil, stopped);
  } finally {
    config.github.historyDays = full.github;
    config.pagerduty.historyDays = full.pagerduty;
  }
  if (stopped()) return;
  log(
    `The last ${recentDays} days are in (${((Date.now() - started) / 1000).toFixed(0)} s): the dashboard's default views are complete. Syncing the rest of the history now.`,
  );
  const history = Date.now();
  await syncOnce(vigil, stopped);
  if (!stopped()) log(`The whole history is in (${((Date.now() - history) / 1000).toFixed(0)} s more).`);
}

/** One sync of every source, to its end. */
async function syncOnce(vigil: RunningVigil, stopped: () => boolean): Promise<void> {
  if (!vigil.sync) return;
  await vigil.sync.start({ trigger: 'demo' });
  await idle(vigil.sync, stopped);
}

/** Resolves when no sync runs (a scheduled one included), or when the demo stops. */
async function idle(sync: NonNullable<RunningVigil['sync']>, stopped: () => boolean): Promise<void> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500).unref());
    if (stopped()) return;
    if ((await sync.status()).running.length === 0) return;
  }
}
