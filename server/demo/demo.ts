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
  await vigil.sync?.start({ trigger: 'demo' });

  let stopping: Promise<void> | undefined;
  return {
    url: vigil.url,
    vigil,
    store,
    stop: () => {
      stopping ??= (async () => {
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
