// `vigil sync` in a child process, killed with SIGKILL at random points and started again: the
// run left behind is marked interrupted, and the finished database has exactly the tables and raw
// log of a clean, uninterrupted sync (no duplicate, no gap). Also the command's own behaviour:
// plain lines and a summary when not on a terminal, exit codes, and the one-line message when a
// server holds the database. VIGIL_COLLECTOR_KILL_TESTS=1 runs twenty kill points instead of three.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../server/db/index.ts';
import { runCli, startCli, stopChild, VIGIL_BIN } from '../../support/cli.ts';
import { tempDir } from '../../support/tmp.ts';
import { checksums, rawSummary, someRepos, startWorld, type TableSum, TOKEN, type World, writeConfigFile } from './support.ts';

// Twenty kills (four chains of five) with VIGIL_COLLECTOR_KILL_TESTS=1. CI's long run (VIGIL_LONG_TESTS)
// has its twenty in tests/reliability/kill-resume.test.ts, both collectors in one `vigil sync` on a
// bigger sync; twenty here as well took ~3 min per collector on two cores, a third of CI's budget.
const MANY = process.env.VIGIL_COLLECTOR_KILL_TESTS === '1' || process.env.VIGIL_COLLECTOR_KILL_TESTS === 'true';
const CHAINS = MANY ? 4 : 1;
const KILLS_PER_CHAIN = MANY ? 5 : 3;

let world: World;
let dir: string;
let only: (repo: string) => boolean;
let clean: { tables: Record<string, TableSum>; raw: Awaited<ReturnType<typeof rawSummary>>; requests: number };
const env = { GITHUB_TOKEN: TOKEN, VIGIL_DEBUG: '' };

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
  writeConfigFile(file, world, join(dir, `${name}.duckdb`), only);
  return file;
}

/**
 * Start `vigil sync` and SIGKILL it once the stand-in has answered `afterRequests` of its requests
 * (unless it finished first). Counting requests, not milliseconds, puts the kill inside the run
 * however loaded the machine is; polling every few milliseconds lands it anywhere between them,
 * while batches are being built, committed or read back.
 */
function syncKilledAfter(
  config: string,
  afterRequests: number,
): Promise<{ killed: boolean; code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const base = world.gh.stats.total;
    const child: ChildProcess = spawn(process.execPath, [VIGIL_BIN, 'sync', '--config', config], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let killed = false;
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    const poll = setInterval(() => {
      if (world.gh.stats.total - base >= afterRequests && child.exitCode === null) {
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
    return { tables: await checksums(db), raw: await rawSummary(db), runs: runs.map((r) => r.status) };
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  world = await startWorld();
  dir = tempDir('vigil-kill-');
  only = someRepos(world.store, 2);
  // The clean run: kill points are spread over the requests it needed.
  const before = world.gh.stats.total;
  const result = await syncKilledAfter(configPath('clean'), Number.POSITIVE_INFINITY);
  expect(result.code, result.stdout).toBe(0);
  const state = await readState('clean');
  clean = { tables: state.tables, raw: state.raw, requests: world.gh.stats.total - before };
  // What the clean run printed, not being on a terminal: plain lines, then the summary.
  expect(result.stdout).toMatch(/^github: sync started \(run 1\), 2 scope\(s\)$/m);
  expect(result.stdout).toMatch(/^github: +acme\/\S+ +done .*records/m);
  expect(result.stdout).toMatch(
    /GitHub sync finished in [\d.]+ s: 2 repositories, [\d,]+ requests, rate limit [\d,]+ of 5,000 left/,
  );
  expect(result.stdout).toMatch(/Wrote [\d,]+ deployments?,.* rows\/s into DuckDB\./);
  expect(result.stdout).not.toContain('\x1b[');
});

afterAll(async () => {
  await world?.close();
});

describe('vigil sync killed with SIGKILL and started again', () => {
  for (let chain = 0; chain < CHAINS; chain++) {
    it(`ends with the tables of a clean sync (chain ${chain + 1}, ${KILLS_PER_CHAIN} kills)`, async () => {
      const name = `killed-${chain}`;
      const config = configPath(name);
      const next = random(1000 + chain);
      let interrupted = 0;
      for (let k = 0; k < KILLS_PER_CHAIN; k++) {
        // Anywhere within the requests of a whole run.
        const outcome = await syncKilledAfter(config, 1 + Math.floor(next() * clean.requests));
        if (outcome.killed) interrupted++;
      }
      const finish = await runCli(['sync', '--config', config], { env, timeoutMs: 120_000 });
      expect(finish.code, finish.stdout + finish.stderr).toBe(0);
      const state = await readState(name);
      expect(interrupted).toBeGreaterThan(0);
      expect(state.runs.filter((s) => s === 'interrupted').length).toBeGreaterThanOrEqual(1);
      expect(state.runs.at(-1)).toBe('succeeded');
      expect(state.tables).toEqual(clean.tables);
      expect(state.raw).toEqual(clean.raw);
      expect(state.raw.rows).toBe(state.raw.distinct);
    });
  }
});

describe('vigil sync --renormalize', () => {
  it('rebuilds the tables from raw with no request, identical to what the sync wrote', async () => {
    const db = await openDatabase(join(dir, 'clean.duckdb'));
    const before = await checksums(db, { withSyncedAt: true });
    await db.close();
    const requests = world.gh.stats.total;
    const result = await runCli(['sync', '--renormalize', '--config', join(dir, 'clean.yaml')], { env: { GITHUB_TOKEN: '' } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/GitHub rebuild from raw finished in [\d.]+ (ms|s): .*0 requests/);
    expect(world.gh.stats.total).toBe(requests);
    const after = await openDatabase(join(dir, 'clean.duckdb'));
    try {
      expect(await checksums(after, { withSyncedAt: true })).toEqual(before);
      expect(
        await after.one<{ trigger: string; status: string }>('SELECT trigger, status FROM sync_runs ORDER BY id DESC LIMIT 1'),
      ).toEqual({
        trigger: 'renormalize',
        status: 'succeeded',
      });
    } finally {
      await after.close();
    }
  });
});

describe('vigil sync beside a running server', () => {
  it('says in one line that the server holds the database, and exits 1', async () => {
    const config = configPath('held');
    const server = await startCli(['serve', '--config', config, '--port', '0'], /serving (http:\/\/\S+)/, { env });
    try {
      const sync = await runCli(['sync', '--config', config], { env });
      expect(sync.code).toBe(1);
      const lines = sync.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`in use by process ${server.child.pid}`);
      expect(lines[0]).toContain(`${server.match[1]}/api/sync`);
    } finally {
      expect(await stopChild(server.child)).toBe(0);
    }
  });

  it('refuses an unknown source and says which ones exist', async () => {
    const result = await runCli(['sync', '--source', 'jira', '--config', configPath('usage')], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--source must be one of github, pagerduty, not "jira"');
  });

  it('fails before any request when GITHUB_TOKEN is missing, saying what to do', async () => {
    const before = world.gh.stats.total;
    const result = await runCli(['sync', '--config', configPath('no-token')], { env: { GITHUB_TOKEN: '' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('GITHUB_TOKEN is not set');
    expect(world.gh.stats.total).toBe(before);
  });
});
