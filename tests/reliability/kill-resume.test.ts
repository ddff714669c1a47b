// A large sync killed with SIGKILL at random points, each time started again: `vigil sync` (GitHub
// then PagerDuty, one process, as a user runs it), twenty kills, with VIGIL_LONG_TESTS (the small
// organisation's kill tests per source run in the default suite, tests/collectors/*/kill.test.ts).
// A kill lands after a seeded random number of the stand-ins' answers (counting answers, not
// milliseconds, puts it inside a run however loaded the machine is), so a chain's kills walk
// through the whole sync, GitHub and PagerDuty alike. The database starts with a reviewer's
// restored data. After each chain a last sync finishes: every normalised table equals a clean
// run's by checksum, the raw log has no duplicate and no gap, and the reviewer's rows are as they were.
//
// Sizes (VIGIL_KILL_SIZE): `mid`, what VIGIL_LONG_TESTS (CI) runs: the default organisation on three
// of its repositories (a year of GitHub: ~4k answers, every stream) and half a year of PagerDuty
// (~700 answers, every stream), twenty kills in one chain. Each kill is a process start (~1.5 s of
// CPU) and each chain a restore, a clean sync's worth of work and a final comparison: one chain of
// twenty is the cheapest way to twenty points. `default`: all of the default organisation (24
// repositories, two years: minutes per clean sync), four chains of five, ~15 min, opt-in. `small`:
// one chain of three on the small organisation, a quick check. Kills are split between the sources
// by their share of a clean run's time (at least a quarter each). VIGIL_KILL_SEED=<n> replays them.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { exportUserData, importUserData, type UserData } from '../../server/backup/backup.ts';
import { parseConfig } from '../../server/config/load.ts';
import { openDatabase } from '../../server/db/index.ts';
import * as gh from '../collectors/github/support.ts';
import * as pd from '../collectors/pagerduty/support.ts';
import type { OrgSize } from '../stand-ins/org/model.ts';
import { runCli, VIGIL_BIN } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';
import { LONG, random, type TableSum, userTableSums, writeReviewerData } from './support.ts';
import { startVigilWorld, type VigilWorld } from './world.ts';

interface KillSize {
  org: OrgSize;
  /** Repositories synced (someRepos: one with a workflow, one with a 'prod' environment, then others); all when absent. */
  repos?: number;
  /** Days of history before the organisation's clock; all of it when absent. */
  githubHistoryDays?: number;
  pagerdutyHistoryDays?: number;
  chains: number;
  killsPerChain: number;
}

const SIZES: Record<string, KillSize> = {
  mid: { org: 'default', repos: 3, githubHistoryDays: 365, pagerdutyHistoryDays: 180, chains: 1, killsPerChain: 20 },
  default: { org: 'default', chains: 4, killsPerChain: 5 },
  small: { org: 'small', chains: 1, killsPerChain: 3 },
};
const SIZE_NAME = process.env.VIGIL_KILL_SIZE ?? 'mid';
const SIZE = SIZES[SIZE_NAME] as KillSize;
const RUN = LONG || process.env.VIGIL_KILL_SIZE !== undefined;
const CHAINS = SIZE?.chains ?? 0;
const KILLS_PER_CHAIN = SIZE?.killsPerChain ?? 0;
const SEED = Number(process.env.VIGIL_KILL_SEED ?? 4242);

type Source = 'github' | 'pagerduty';
/** Kill once this source's stand-in has answered this many requests since the chain began. */
interface KillPoint {
  source: Source;
  answers: number;
}

let world: VigilWorld;
// Made here, not in a hook: tempDir removes it when the file ends.
const root = tempDir('vigil-kill-resume-');
let dir: string;
let clean: State;
/** The clean run's answers per source, and the share of its time spent on GitHub. */
let cleanAnswers: Record<Source, number>;
let githubShare: number;
let userData: UserData;

interface State {
  tables: Record<string, TableSum>;
  raw: { github: Awaited<ReturnType<typeof gh.rawSummary>>; pagerduty: Awaited<ReturnType<typeof pd.rawSummary>> };
  runs: { source: string; status: string }[];
  user: Record<string, TableSum>;
}

const answered = (): Record<Source, number> => ({ github: world.gh.stats.total, pagerduty: world.pd.stats.total });

let rawConfig: Record<string, unknown>;

/** A config file of its own (the world's, with another database) for one chain. */
function configFor(name: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify({ ...rawConfig, database: join(dir, `${name}.duckdb`) }, { lineWidth: 0 }));
  return file;
}

interface Outcome {
  killed: boolean;
  code: number | null;
  /** Milliseconds from the start to the first PagerDuty answer, and to the exit. */
  firstPagerDutyMs: number | null;
  ms: number;
}

/**
 * Start `vigil sync` and SIGKILL it once the point's source has answered `point.answers` requests
 * counted from `since` (and at least one more than when it started), unless it finished first.
 * Polling every few milliseconds lands the kill anywhere between answers: while batches are
 * built, committed or read back.
 */
function syncKilledAt(config: string, point: KillPoint | null, since: Record<Source, number>): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const base = answered();
    const target = point ? Math.max(point.answers + since[point.source], base[point.source] + 1) : 0;
    const child: ChildProcess = spawn(process.execPath, [VIGIL_BIN, 'sync', '--config', config], {
      env: { ...process.env, ...world.env, VIGIL_DEBUG: '' },
      stdio: 'ignore',
    });
    let killed = false;
    let firstPagerDutyMs: number | null = null;
    const poll = setInterval(() => {
      const now = answered();
      if (firstPagerDutyMs === null && now.pagerduty > base.pagerduty) firstPagerDutyMs = performance.now() - started;
      if (point && now[point.source] >= target && child.exitCode === null) {
        killed = child.kill('SIGKILL');
        clearInterval(poll);
      }
    }, 3);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ killed, code, firstPagerDutyMs, ms: performance.now() - started });
    });
  });
}

/**
 * A chain's kill points: each source gets kills in proportion to its share of a clean run's time
 * (at least a quarter each, so both are always hit), spread over its answers by stratified random
 * draws (one in each equal slice), in the order a sync meets them: GitHub first, then PagerDuty.
 */
function killPlan(seed: number): KillPoint[] {
  const next = random(seed);
  const share = Math.min(0.75, Math.max(0.25, githubShare));
  const githubKills = Math.max(1, Math.min(KILLS_PER_CHAIN - 1, Math.round(KILLS_PER_CHAIN * share)));
  const spread = (source: Source, n: number): KillPoint[] =>
    Array.from({ length: n }, (_, j) => ({
      source,
      answers: Math.max(1, Math.floor(((j + next()) / n) * cleanAnswers[source])),
    }));
  return [...spread('github', githubKills), ...spread('pagerduty', KILLS_PER_CHAIN - githubKills)];
}

async function readState(name: string): Promise<State> {
  const db = await openDatabase(join(dir, `${name}.duckdb`));
  try {
    const runs = await db.all<{ source: string; status: string }>('SELECT source, status FROM sync_runs ORDER BY id');
    return {
      tables: { ...(await gh.checksums(db)), ...(await pd.checksums(db)) },
      raw: { github: await gh.rawSummary(db), pagerduty: await pd.rawSummary(db) },
      runs,
      user: await userTableSums(db),
    };
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  if (!RUN) return;
  if (!SIZES[SIZE_NAME]) throw new Error(`VIGIL_KILL_SIZE=${SIZE_NAME}: use one of ${Object.keys(SIZES).join(', ')}`);
  dir = root;
  world = await startVigilWorld({
    dir: join(dir, 'world'),
    size: SIZE.org,
    ...(SIZE.repos ? { repos: SIZE.repos } : {}),
    ...(SIZE.githubHistoryDays ? { githubHistoryDays: SIZE.githubHistoryDays } : {}),
    ...(SIZE.pagerdutyHistoryDays ? { pagerdutyHistoryDays: SIZE.pagerdutyHistoryDays } : {}),
  });
  rawConfig = parse(readFileSync(world.configFile, 'utf8')) as Record<string, unknown>;
  // The clean run, in a child process like the killed ones; kill points spread over its answers.
  const before = answered();
  const result = await syncKilledAt(configFor('clean'), null, before);
  expect(result.code).toBe(0);
  const after = answered();
  cleanAnswers = { github: after.github - before.github, pagerduty: after.pagerduty - before.pagerduty };
  githubShare = (result.firstPagerDutyMs ?? result.ms) / result.ms;
  clean = await readState('clean');
  console.log(
    `kill-resume: clean ${SIZE_NAME} sync in ${(result.ms / 1000).toFixed(1)} s (GitHub ${Math.round(githubShare * 100)}% of it), ` +
      `${cleanAnswers.github} GitHub and ${cleanAnswers.pagerduty} PagerDuty answers; ` +
      `${clean.tables.deployments?.rows} deployments, ${clean.tables.incidents?.rows} incidents`,
  );
  // A reviewer's work on the clean data, backed up; every chain starts from its restore.
  const db = await openDatabase(join(dir, 'clean.duckdb'));
  try {
    await writeReviewerData(db, parseConfig(world.configFile, { ...rawConfig, database: join(dir, 'clean.duckdb') }));
    userData = await exportUserData(db);
  } finally {
    await db.close();
  }
}, 1_200_000);

afterAll(async () => {
  await world?.close();
});

describe.skipIf(!RUN)(
  `vigil sync (${SIZE_NAME} size) of the ${SIZE.org} organisation, both sources, killed with SIGKILL and resumed`,
  () => {
    for (let chain = 0; chain < CHAINS; chain++) {
      it(`ends equal to a clean sync (chain ${chain + 1} of ${CHAINS}, ${KILLS_PER_CHAIN} kills, seed ${SEED + chain})`, async () => {
        const name = `chain-${chain}`;
        const config = configFor(name);
        const db = await openDatabase(join(dir, `${name}.duckdb`));
        await importUserData(db, userData);
        const userBefore = await userTableSums(db);
        await db.close();

        // Kill points counted from the chain's start, per source, so the kills walk from GitHub's first
        // repository to PagerDuty's last stream (what a resumed run fetches again counts too, so a late
        // GitHub kill lands a little earlier in its sync than its number says, never past it).
        const plan = killPlan(SEED + chain);
        const chainStart = answered();
        const points: string[] = [];
        for (const point of plan) {
          const outcome = await syncKilledAt(config, point, chainStart);
          const now = answered();
          if (outcome.killed) points.push(`${point.source} ${now[point.source] - chainStart[point.source]}`);
        }
        const finish = await runCli(['sync', '--config', config], { env: world.env, timeoutMs: 900_000 });
        expect(finish.code, finish.stdout + finish.stderr).toBe(0);
        const state = await readState(name);
        console.log(
          `kill-resume: chain ${chain + 1} killed after ${points.join(', ')} answers of its source; runs ${state.runs.map((r) => `${r.source}:${r.status}`).join(' ')}`,
        );
        expect(points.length, 'kills that landed inside a run').toBeGreaterThanOrEqual(KILLS_PER_CHAIN - 1);
        for (const source of ['github', 'pagerduty']) {
          expect(
            state.runs.some((r) => r.source === source && r.status === 'interrupted'),
            `a ${source} run killed`,
          ).toBe(true);
        }
        expect(state.runs.filter((r) => r.status === 'interrupted').length).toBeGreaterThanOrEqual(points.length);
        expect(state.runs.slice(-2).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
        expect(state.tables).toEqual(clean.tables);
        expect(state.raw).toEqual(clean.raw);
        expect(state.raw.github.rows).toBe(state.raw.github.distinct);
        expect(state.raw.pagerduty.rows).toBe(state.raw.pagerduty.distinct);
        expect(state.user).toEqual(userBefore);
      }, 1_800_000);
    }
  },
);
