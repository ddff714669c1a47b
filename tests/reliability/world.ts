// A Vigil on the small simulated organisation, as a user runs it: the GitHub and PagerDuty
// stand-ins over HTTP, a config file pointing at them, a database file synced by the real
// collectors (both sources, metrics refreshed after each), and `vigil serve` started as a child
// process on it, so a test can hit it over real sockets, watch its memory and its output, and
// check that it stays up. The fuzz, load and security tests share it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { RunResult } from '../../collectors/engine/runner.ts';
import { createSyncService } from '../../collectors/index.ts';
import { applyConfig } from '../../server/config/apply.ts';
import { parseConfig } from '../../server/config/load.ts';
import type { VigilConfig } from '../../server/config/schema.ts';
import { openDatabase } from '../../server/db/index.ts';
import { someRepos } from '../collectors/github/support.ts';
import { instantSleep } from '../collectors/pagerduty/support.ts';
import { type GitHubStandIn, startGitHubStandIn } from '../stand-ins/github/index.ts';
import { createOrg, vigilConfigFor } from '../stand-ins/org/index.ts';
import type { OrgSize, OrgStore } from '../stand-ins/org/model.ts';
import { type PagerDutyStandIn, startPagerDutyStandIn } from '../stand-ins/pagerduty/index.ts';
import { startCli, stopChild } from '../support/cli.ts';

export const ANCHOR = '2026-06-01T00:00:00Z';

export interface WorldOptions {
  dir: string;
  seed?: number;
  size?: OrgSize;
  /** How many repositories to map (someRepos: one with a workflow, one with a 'prod' environment, then others); all by default. */
  repos?: number;
  /** PagerDuty history to sync, in days before the organisation's clock (default: all of it). */
  pagerdutyHistoryDays?: number;
  /** GitHub history to sync, in days before the organisation's clock (default: all of it). */
  githubHistoryDays?: number;
  tokens?: { github: string; pagerduty: string };
  /** The organisation's clock (default ANCHOR); the start of today makes the dashboard's default ranges full. */
  anchor?: string;
  /** Wrap the organisation the stand-ins serve (e.g. to plant hostile titles). */
  wrapStore?: (store: OrgStore) => OrgStore;
}

export interface VigilWorld {
  dir: string;
  store: OrgStore;
  gh: GitHubStandIn;
  pd: PagerDutyStandIn;
  tokens: { github: string; pagerduty: string };
  configFile: string;
  dbPath: string;
  config: VigilConfig;
  /** The environment a Vigil process needs to sync (the tokens). */
  env: Record<string, string>;
  /** Sync (both sources by default) into the database file in this process (the file must not be held). */
  syncNow(sources?: readonly ('github' | 'pagerduty')[]): Promise<RunResult[]>;
  close(): Promise<void>;
}

export async function startVigilWorld(options: WorldOptions): Promise<VigilWorld> {
  const tokens = options.tokens ?? { github: 'ghp_vigil_world_test_0001', pagerduty: 'pd_vigil_world_test_0001' };
  const base = await createOrg({ seed: options.seed ?? 7, size: options.size ?? 'small', anchor: options.anchor ?? ANCHOR });
  const store = options.wrapStore ? options.wrapStore(base) : base;
  const gh = await startGitHubStandIn({
    store,
    token: tokens.github,
    logLimit: 0,
    rateLimit: { limit: 1_000_000, pointsPerMinute: 1_000_000 },
  });
  // PagerDuty's Date header is the organisation's clock: a child Vigil ends its windows there.
  const pd = await startPagerDutyStandIn({
    store,
    token: tokens.pagerduty,
    logLimit: 0,
    rateLimit: { perMinute: 1_000_000 },
    now: () => Date.parse(store.clock()),
  });
  mkdirSync(options.dir, { recursive: true });
  const dbPath = join(options.dir, 'vigil.duckdb');
  const raw = vigilConfigFor(store, { githubBaseUrl: gh.url, pagerdutyBaseUrl: pd.url, database: dbPath });
  const only = options.repos === undefined ? () => true : someRepos(store, options.repos);
  const teams = (raw.teams as { repos: { name: string }[] }[]).map((t) => ({ ...t, repos: t.repos.filter((r) => only(r.name)) }));
  const pagerduty = raw.pagerduty as Record<string, unknown>;
  const written = {
    ...raw,
    // The GitHub collector's horizon follows the wall clock, not the organisation's: ten years reach
    // back past the organisation's anchor to all of it; a shorter history adds the days since the anchor.
    github: {
      ...(raw.github as object),
      historyDays:
        options.githubHistoryDays === undefined
          ? 3650
          : options.githubHistoryDays + Math.ceil((Date.now() - Date.parse(store.clock())) / 86_400_000),
      timeoutSeconds: 10,
    },
    pagerduty: { ...pagerduty, ...(options.pagerdutyHistoryDays ? { historyDays: options.pagerdutyHistoryDays } : {}) },
    teams,
  };
  const configFile = join(options.dir, 'vigil.config.yaml');
  writeFileSync(configFile, stringify(written, { lineWidth: 0 }));
  const config = parseConfig(configFile, written);
  const env = { GITHUB_TOKEN: tokens.github, PAGERDUTY_TOKEN: tokens.pagerduty };

  return {
    dir: options.dir,
    store,
    gh,
    pd,
    tokens,
    configFile,
    dbPath,
    config,
    env,
    async syncNow(sources = ['github', 'pagerduty'] as const) {
      const db = await openDatabase(dbPath);
      try {
        await applyConfig(db, config);
        const service = await createSyncService(db, config, {
          env,
          github: { retryAfterBaseValue: 1 },
          pagerduty: { now: () => Date.parse(store.clock()), sleep: instantSleep },
        });
        try {
          const results: RunResult[] = [];
          for (const source of sources) results.push(await service.run(source, 'cli'));
          return results;
        } finally {
          await service.stop();
        }
      } finally {
        await db.close();
      }
    },
    async close() {
      await gh.close();
      await pd.close();
      await base.close();
    },
  };
}

export interface ServedVigil {
  url: string;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  alive(): boolean;
  /** Resident memory of the process, from /proc (Linux), in bytes. */
  rss(): number;
  stop(): Promise<number | null>;
}

/** `vigil serve` on the world's config, in a child process, on a free port. */
export async function serveWorld(world: VigilWorld, env: Record<string, string> = {}): Promise<ServedVigil> {
  const started = await startCli(['serve', '--config', world.configFile, '--port', '0'], /serving (http:\/\/\S+)/, {
    // Auth off unless asked for, whatever the environment running the tests says.
    env: { VIGIL_AUTH_TOKEN: '', VIGIL_USERS: '', ...world.env, ...env },
    timeoutMs: 60_000,
  });
  const { child } = started;
  return {
    url: started.match[1] as string,
    pid: child.pid as number,
    output: started.output,
    alive: () => child.exitCode === null && child.signalCode === null,
    rss: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    stop: () => stopChild(child),
  };
}

interface StatusRun {
  id: number;
  status: string;
  error: string | null;
}

/**
 * Start a sync through the API (POST /api/sync) and wait until every configured source has
 * finished a run that started after it. Returns those runs.
 */
export async function syncThroughApi(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<Record<string, StatusRun>> {
  const status = async () => {
    const res = await fetch(`${url}/api/sync/status`, { headers });
    if (!res.ok) throw new Error(`GET /api/sync/status: ${res.status} ${await res.text()}`);
    return (await res.json()) as { running: unknown[]; lastRuns: Record<string, StatusRun | undefined> };
  };
  const before = (await status()).lastRuns;
  const started = await fetch(`${url}/api/sync`, { method: 'POST', headers });
  if (started.status !== 202) throw new Error(`POST /api/sync: ${started.status} ${await started.text()}`);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const now = await status();
    const fresh = Object.entries(now.lastRuns).filter(([source, run]) => run && run.id !== before[source]?.id);
    if (now.running.length === 0 && fresh.length === 2) return Object.fromEntries(fresh) as Record<string, StatusRun>;
    if (Date.now() > until) throw new Error(`The sync did not finish in ${timeoutMs} ms: ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
