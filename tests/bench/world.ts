// The benchmark's processes and files: the stand-ins process (the simulated organisation behind the
// GitHub and PagerDuty stand-ins), the Vigil process under test, and the database cache. A large
// backfill takes the better part of an hour, so its database is kept in bench-results/cache/,
// keyed by size, seed, anchor and the schema and derivation versions, with the figures measured
// when it was built; a later run works on a copy of it unless --fresh asks for a new backfill.
import { constants, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_VERSION } from '../../server/db/index.ts';
import { PROJECT_ROOT } from '../../server/lib/version.ts';
import { DERIVE_VERSION } from '../../server/metrics/derive/schema.ts';
import { type Child, forkChild } from './rpc.ts';
import type { BenchSize, MinimumRequests, StandInsInfo, SyncFigures } from './types.ts';

export const RESULTS_DIR = join(PROJECT_ROOT, 'bench-results');
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** The organisation's "now": today at 00:00 UTC, or the cached database's anchor while it is recent. */
export function todayAnchor(now = new Date()): string {
  return `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
}

export async function startStandIns(
  seed: number,
  size: BenchSize,
  anchor: string,
): Promise<{ child: Child; info: StandInsInfo }> {
  // The large organisation fits in a 1 GB heap; without the cap Node lets garbage grow to ~2.5 GB.
  const child = await forkChild(here('./stand-ins-process.ts'), [String(seed), size, anchor], {
    nodeFlags: size === 'large' ? ['--max-old-space-size=1024'] : [],
  });
  const info = await child.call<StandInsInfo>('info');
  return { child, info };
}

export async function startVigilProcess(): Promise<Child> {
  // More libuv threads than DuckDB connections (DUCKDB-NOTES §6: an exhausted pool can hang).
  return forkChild(here('./vigil-process.ts'), [], { env: { UV_THREADPOOL_SIZE: '8', TZ: 'UTC' } });
}

export interface CacheMeta {
  size: BenchSize;
  seed: number;
  anchor: string;
  schemaVersion: number;
  deriveVersion: string;
  builtAt: string;
  /** The commit the backfill ran on (figures below are that code's). */
  commit: string | null;
  backfill: SyncFigures;
  minimum: MinimumRequests | null;
  probe: { samples: number; p50: number; p99: number; max: number; errors: number } | null;
}

export function cacheDir(size: BenchSize, seed: number): string {
  return join(RESULTS_DIR, 'cache', `${size}-seed${seed}`);
}

/** A cached backfill usable now: same schema and derivation code, anchor within `maxAgeDays` of today. */
export function readCache(size: BenchSize, seed: number, maxAgeDays = 28): { meta: CacheMeta; file: string } | null {
  const dir = cacheDir(size, seed);
  const metaFile = join(dir, 'meta.json');
  const file = join(dir, 'vigil.duckdb');
  if (!existsSync(metaFile) || !existsSync(file)) return null;
  try {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as CacheMeta;
    const age = (Date.now() - Date.parse(meta.anchor)) / 86_400_000;
    if (meta.schemaVersion !== SCHEMA_VERSION || meta.deriveVersion !== DERIVE_VERSION || age < 0 || age > maxAgeDays)
      return null;
    return { meta, file };
  } catch {
    return null;
  }
}

/** Keep a finished backfill's database (closed, so checkpointed) and its figures for later runs. */
export function writeCache(meta: CacheMeta, database: string): void {
  const dir = cacheDir(meta.size, meta.seed);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(database, join(dir, 'vigil.duckdb'), constants.COPYFILE_FICLONE);
  writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

/** A working copy of a cached database (the benchmark's later syncs change it). */
export function copyDatabase(from: string, to: string): void {
  for (const f of [to, `${to}.wal`]) rmSync(f, { force: true });
  copyFileSync(from, to, constants.COPYFILE_FICLONE);
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
