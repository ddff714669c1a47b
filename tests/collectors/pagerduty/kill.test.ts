// `vigil sync --source pagerduty` in a child process, killed with SIGKILL at random points and
// started again: the run left behind is marked interrupted, and the finished database has exactly
// the tables and raw log of a clean, uninterrupted sync (no duplicate, no gap). The child runs on
// its own clock: its windows end at the stand-in's (the Date header, here the organisation's
// clock). Kills come after a random number of the stand-in's answers, so they land inside a run
// however loaded the machine is. Also the command's own output and --renormalize (a missing
// PAGERDUTY_TOKEN is in faults.test.ts).
// VIGIL_COLLECTOR_KILL_TESTS=1 runs four chains of five kills instead of one of three.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/index.ts';
import { createOrg } from '../../stand-ins/org/index.ts';
import { runCli, VIGIL_BIN } from '../../support/cli.ts';
import { tempDir } from '../../support/tmp.ts';
import { ANCHOR, checksums, rawSummary, startWorld, type TableSum, TOKEN, type World, writeConfigFile } from './support.ts';

// Twenty kills (four chains of five) with VIGIL_COLLECTOR_KILL_TESTS=1. CI's long run (VIGIL_LONG_TESTS)
// has its twenty in tests/reliability/kill-resume.test.ts, both collectors in one `vigil sync` on a
// bigger sync; twenty here as well took ~3 min per collector on two cores, a third of CI's budget.
const MANY = process.env.VIGIL_COLLECTOR_KILL_TESTS === '1' || process.env.VIGIL_COLLECTOR_KILL_TESTS === 'true';
const CHAINS = MANY ? 4 : 1;
const KILLS_PER_CHAIN = MANY ? 5 : 3;

let world: World;
let dir: string;
let clean: { tables: Record<string, TableSum>; raw: Awaited<ReturnType<typeof rawSummary>>; requests: number };
const env = { PAGERDUTY_TOKEN: TOKEN, VIGIL_DEBUG: '' };

/** A seeded PRNG (mulberry32), so a failing kill point can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function configPath(name: string): string {
  const file = join(dir, `${name}.yaml`);
  writeConfigFile(file, world, join(dir, `${name}.duckdb`));
  return file;
}

/**
 * Start `vigil sync --source pagerduty` and SIGKILL it once the stand-in has answered
 * `afterRequests` of its requests (unless it finished first). Counting requests, not
 * milliseconds, puts the kill inside the run however loaded the machine is; polling every few
 * milliseconds lands it anywhere between them, while batches are built, committed or read back.
 */
function syncKilledAfter(
  config: string,
  afterRequests: number,
): Promise<{ killed: boolean; code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const base = world.pd.stats.total;
    const child: ChildProcess = spawn(process.execPath, [VIGIL_BIN, 'sync', '--source', 'pagerduty', '--config', config], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let killed = false;
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    const poll = setInterval(() => {
      if (world.pd.stats.total - base >= afterRequests && child.exitCode === null) {
        killed = child.kill('SIGKILL');
        clearInterval(poll);
      }
    }, 3);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ killed, code, stdout: out });
    });
  });
}

async function readState(name: string) {
  const db = await openDatabase(join(dir, `${name}.duckdb`));
  try {
    const runs = await db.all<{ status: string }>('SELECT status FROM sync_runs ORDER BY id');
    const cursors = await db.all<{ stream: string; cursor: string }>('SELECT stream, cursor FROM sync_cursors');
    return { tables: await checksums(db), raw: await rawSummary(db), runs: runs.map((r) => r.status), cursors };
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  const store = await createOrg({ seed: 7, size: 'small', anchor: ANCHOR });
  // The stand-in's Date header is the organisation's clock: the child process ends its windows there.
  world = await startWorld({ store, now: () => Date.parse(store.clock()) });
  dir = tempDir('vigil-pd-kill-');
  // The clean run: kill points are spread over the requests it needed.
  const before = world.pd.stats.total;
  const result = await syncKilledAfter(configPath('clean'), Number.POSITIVE_INFINITY);
  expect(result.code, result.stdout).toBe(0);
  const state = await readState('clean');
  clean = { tables: state.tables, raw: state.raw, requests: world.pd.stats.total - before };
  expect(clean.tables.incidents?.rows).toBeGreaterThan(100);
  // The windows ended at the stand-in's clock, not this machine's.
  for (const { stream, cursor } of state.cursors) {
    const through = (JSON.parse(cursor) as { through?: string }).through;
    if (through) expect(Date.parse(through), stream).toBeLessThanOrEqual(Date.parse(world.store.clock()));
  }
  // What the clean run printed, not being on a terminal: plain lines, then the summary.
  expect(result.stdout).toMatch(/^pagerduty: sync started \(run 1\), 1 scope\(s\)$/m);
  expect(result.stdout).toMatch(/^pagerduty: +account +done .*records/m);
  expect(result.stdout).toMatch(
    /PagerDuty sync finished in [\d.]+ s: 1 scope, [\d,]+ requests, rate limit [\d,]+ of 1,000,000 left/,
  );
  expect(result.stdout).toMatch(
    /Wrote [\d,]+ services?,.* [\d,]+ incidents,.* [\d,]+ on-call shifts, [\d,]+ rows\/s into DuckDB\./,
  );
  expect(result.stdout).not.toContain('\x1b[');
});

afterAll(async () => {
  await world?.close();
});

describe('vigil sync --source pagerduty killed with SIGKILL and started again', () => {
  for (let chain = 0; chain < CHAINS; chain++) {
    it(`ends with the tables of a clean sync (chain ${chain + 1}, ${KILLS_PER_CHAIN} kills)`, async () => {
      const name = `killed-${chain}`;
      const config = configPath(name);
      const next = random(2000 + chain);
      let interrupted = 0;
      for (let k = 0; k < KILLS_PER_CHAIN; k++) {
        // Anywhere within the requests of a whole run.
        const outcome = await syncKilledAfter(config, 1 + Math.floor(next() * clean.requests));
        if (outcome.killed) interrupted++;
      }
      const finish = await runCli(['sync', '--source', 'pagerduty', '--config', config], { env, timeoutMs: 120_000 });
      expect(finish.code, finish.stdout + finish.stderr).toBe(0);
      const state = await readState(name);
      expect(interrupted).toBeGreaterThan(0);
      expect(state.runs.filter((s) => s === 'interrupted').length, state.runs.join(', ')).toBeGreaterThanOrEqual(1);
      expect(state.runs.at(-1)).toBe('succeeded');
      expect(state.tables).toEqual(clean.tables);
      expect(state.raw).toEqual(clean.raw);
      expect(state.raw.rows).toBe(state.raw.distinct);
    });
  }
});

describe('vigil sync --source pagerduty from the command line', () => {
  it('rebuilds the tables from raw with --renormalize, with no request, identical to what the sync wrote', async () => {
    const db = await openDatabase(join(dir, 'clean.duckdb'));
    const before = await checksums(db, { withSyncedAt: true });
    await db.close();
    const requests = world.pd.stats.total;
    const result = await runCli(['sync', '--source', 'pagerduty', '--renormalize', '--config', join(dir, 'clean.yaml')], {
      env: { PAGERDUTY_TOKEN: '' },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/PagerDuty rebuild from raw finished in [\d.]+ (ms|s): .*0 requests/);
    expect(world.pd.stats.total).toBe(requests);
    const after = await openDatabase(join(dir, 'clean.duckdb'));
    try {
      expect(await checksums(after, { withSyncedAt: true })).toEqual(before);
    } finally {
      await after.close();
    }
  });
});
