// The benchmark's processes and files: the stand-ins process (the simulated organisation behind the
// GitHub and PagerDuty stand-ins), the Vigil process under test, and the large organisation's kept
// databases in bench-results/cache/: the one seeded in-process (tests/bench/seed: minutes instead
// of the hours a backfill over HTTP takes), keyed by size, seed and a hash of the generator's and
// stand-ins' sources, which every phase but the backfill uses; and the backfill over HTTP, which
// resumes across runs until it is complete.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_VERSION } from '../../server/db/index.ts';
import { PROJECT_ROOT } from '../../server/lib/version.ts';
import { type Child, forkChild } from './rpc.ts';
import type { SeedFigures } from './seed/seed.ts';
import type { BenchSize, StandInsInfo, SyncFigures } from './types.ts';

export const RESULTS_DIR = join(PROJECT_ROOT, 'bench-results');
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** The organisation's "now": today at 00:00 UTC, or the cached database's anchor while it is recent. */
export function todayAnchor(now = new Date()): string {
  return `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
}

/**
 * The stand-ins' ports for a size: fixed for the large organisation, whose kept database was seeded
 * with these base URLs in its payloads (so a later sync fetches byte-identical JSON and writes
 * nothing it already has); any free port otherwise.
 */
export const LARGE_PORTS = { github: 47_311, pagerduty: 47_312 };

export async function startStandIns(
  seed: number,
  size: BenchSize,
  anchor: string,
  ports: { github: number; pagerduty: number } = { github: 0, pagerduty: 0 },
): Promise<{ child: Child; info: StandInsInfo }> {
  // The large organisation fits in a 1 GB heap; without the cap Node lets garbage grow to ~2.5 GB.
  const args = [String(seed), size, anchor, String(ports.github), String(ports.pagerduty)];
  const child = await forkChild(here('./stand-ins-process.ts'), args, {
    nodeFlags: size === 'large' ? ['--max-old-space-size=1024'] : [],
  });
  const info = await child.call<StandInsInfo>('info');
  return { child, info };
}

export async function startVigilProcess(): Promise<Child> {
  // More libuv threads than DuckDB connections (DUCKDB-NOTES §6: an exhausted pool can hang).
  // VIGIL_BENCH_CPU_PROF=<dir>: a V8 CPU profile of the Vigil under test (Node refuses --cpu-prof in
  // NODE_OPTIONS), to find what blocks its event loop or costs the time.
  const profileDir = process.env.VIGIL_BENCH_CPU_PROF;
  return forkChild(here('./vigil-process.ts'), [], {
    env: { UV_THREADPOOL_SIZE: '8', TZ: 'UTC' },
    nodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
}

/**
 * What the large organisation's kept database was built from: the generator, the stand-ins'
 * renderers (the payloads) and the seeder. A change to any of them (the organisation's volumes,
 * a field of a payload) makes the cache stale; so do the schema version and an anchor over
 * `maxAgeDays` old.
 */
export function generatorHash(): string {
  const hash = createHash('sha1');
  for (const dir of [
    'tests/stand-ins/org',
    'tests/stand-ins/github',
    'tests/stand-ins/pagerduty',
    'tests/stand-ins/common',
    'tests/bench/seed',
  ]) {
    const full = join(PROJECT_ROOT, dir);
    for (const file of readdirSync(full)
      .filter((f) => f.endsWith('.ts'))
      .sort()) {
      hash
        .update(`${dir}/${file}\u0000`)
        .update(readFileSync(join(full, file)))
        .update('\u0000');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** The kept database of an organisation seeded in-process (tests/bench/seed), and how it was built. */
export interface SeededMeta {
  size: BenchSize;
  seed: number;
  anchor: string;
  generatorHash: string;
  schemaVersion: number;
  builtAt: string;
  /** The commit the database was built on. */
  commit: string | null;
  /** The organisation's clock the database is synced to (each run's syncs move it on). */
  clock: string;
  seeded: SeedFigures;
  /** The first sync over HTTP after seeding (it establishes the collectors' cursors). */
  firstSync: SyncFigures;
  databaseBytes: number;
}

export function cacheDir(size: BenchSize, seed: number): string {
  return join(RESULTS_DIR, 'cache', `${size}-seed${seed}`);
}

/**
 * Where a run's database lives. The large one is kept between runs, in place (a copy would double
 * gigabytes on disk): its meta.json says what it holds and up to which clock it is synced, so the
 * stand-ins of a later run start at that clock. The others are built afresh in bench-results/work/.
 */
export function databaseFor(size: BenchSize, seed: number, seeded = size === 'large'): string {
  // A run's own folder (removed when it ends): two runs at once used to share and clobber one.
  return seeded
    ? join(cacheDir(size, seed), 'vigil.duckdb')
    : join(RESULTS_DIR, 'work', `${size}-${process.pid}`, 'vigil.duckdb');
}

/** The kept seeded database if it is usable now, or why not. */
export function readSeeded(
  size: BenchSize,
  seed: number,
  maxAgeDays = 28,
): { meta: SeededMeta; file: string } | { stale: string } {
  const dir = cacheDir(size, seed);
  const metaFile = join(dir, 'meta.json');
  const file = join(dir, 'vigil.duckdb');
  if (!existsSync(file) || !existsSync(metaFile)) return { stale: 'no kept database' };
  try {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as SeededMeta;
    const age = (Date.now() - Date.parse(meta.anchor)) / 86_400_000;
    if (meta.schemaVersion !== SCHEMA_VERSION) return { stale: `schema version ${meta.schemaVersion}, now ${SCHEMA_VERSION}` };
    if (meta.generatorHash !== generatorHash()) return { stale: 'the generator, stand-ins or seeder changed' };
    if (age < 0 || age > maxAgeDays) return { stale: `anchor ${meta.anchor.slice(0, 10)} is ${Math.round(age)} days old` };
    return { meta, file };
  } catch (error) {
    return { stale: `meta.json unreadable (${(error as Error).message})` };
  }
}

/** Start a kept database afresh: an empty folder (the seeder writes the file, then the meta). */
export function resetSeeded(size: BenchSize, seed: number): void {
  const dir = cacheDir(size, seed);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

export function writeSeededMeta(meta: SeededMeta): void {
  writeFileSync(join(cacheDir(meta.size, meta.seed), 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

/**
 * The large organisation's backfill over HTTP, kept apart from the seeded database: hours long,
 * so each `--phases backfill` run goes on where the last one stopped (the collectors resume from
 * their cursors) until it is complete; its anchor is kept so every run serves the same organisation.
 */
export interface HttpBackfill {
  file: string;
  anchor: string;
  /** Runs so far, including this one's, and the figures of each. */
  runs: SyncFigures[];
  complete: boolean;
}

export function httpBackfillDir(size: BenchSize, seed: number): string {
  return join(cacheDir(size, seed), '..', `${size}-seed${seed}-http-backfill`);
}

export function readHttpBackfill(size: BenchSize, seed: number, anchor: string): HttpBackfill {
  const dir = httpBackfillDir(size, seed);
  const file = join(dir, 'vigil.duckdb');
  const stateFile = join(dir, 'state.json');
  if (existsSync(file) && existsSync(stateFile)) {
    try {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Omit<HttpBackfill, 'file'> & { generatorHash: string };
      const age = (Date.now() - Date.parse(state.anchor)) / 86_400_000;
      if (state.generatorHash === generatorHash() && age >= 0 && age <= 28) return { ...state, file };
    } catch {
      // Unreadable: start again below.
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const fresh = { file, anchor, runs: [], complete: false };
  writeHttpBackfill(size, seed, fresh);
  return fresh;
}

export function writeHttpBackfill(size: BenchSize, seed: number, state: HttpBackfill): void {
  const { file: _file, ...rest } = state;
  writeFileSync(
    join(httpBackfillDir(size, seed), 'state.json'),
    `${JSON.stringify({ ...rest, generatorHash: generatorHash() }, null, 2)}\n`,
  );
}

export function gitCommit(): string | null {
  try {
    const head = readFileSync(join(PROJECT_ROOT, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 12);
    const ref = head.slice(5);
    const loose = join(PROJECT_ROOT, '.git', ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim().slice(0, 12);
    const packed = readFileSync(join(PROJECT_ROOT, '.git', 'packed-refs'), 'utf8');
    return (
      packed
        .split('\n')
        .find((l) => l.endsWith(` ${ref}`))
        ?.slice(0, 12) ?? null
    );
  } catch {
    return null;
  }
}
