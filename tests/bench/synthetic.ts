// The large synthetic dataset (tests/metrics/perf/synthetic.ts): the normalised tables filled
// straight in SQL at the large organisation's volume (2M deployments, 300k incidents, 3M
// notifications; 20 teams, 400 repositories, 150 services, 600 people, 5 years up to the anchor),
// in minutes. Not the simulated organisation (no stand-ins behind it, so no sync phase can run on
// it), but the same volume and shape for what only reads: endpoints, CSV export and the web
// pages. `--dataset synthetic` uses it where the organisation's seeded database is not built yet.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyConfig } from '../../server/config/apply.ts';
import { openDatabase, SCHEMA_VERSION } from '../../server/db/index.ts';
import { PROJECT_ROOT } from '../../server/lib/version.ts';
import { refreshDerived } from '../../server/metrics/refresh.ts';
import { generate, LARGE, syntheticConfig } from '../metrics/perf/synthetic.ts';
import { RESULTS_DIR } from './world.ts';

export interface SyntheticMeta {
  anchor: string;
  sourceHash: string;
  schemaVersion: number;
  builtAt: string;
  generationMs: number;
  refreshMs: number;
  databaseBytes: number;
  volume: typeof LARGE;
}

const dir = join(RESULTS_DIR, 'cache', 'large-synthetic');
export const syntheticDatabase = join(dir, 'vigil.duckdb');

function sourceHash(): string {
  return createHash('sha1')
    .update(readFileSync(join(PROJECT_ROOT, 'tests/metrics/perf/synthetic.ts')))
    .digest('hex')
    .slice(0, 16);
}

/** The raw config Vigil runs the synthetic dataset with (JSON, as a config file would give it). */
export function syntheticRawConfig(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(syntheticConfig(syntheticDatabase))) as Record<string, unknown>;
}

/** The kept synthetic database for `anchor`, built first when missing or stale. */
export async function syntheticDataset(
  anchor: string,
  log: (line: string) => void,
): Promise<SyntheticMeta & { fromCache: boolean }> {
  const metaFile = join(dir, 'meta.json');
  if (existsSync(metaFile) && existsSync(syntheticDatabase)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as SyntheticMeta;
    if (meta.anchor === anchor && meta.sourceHash === sourceHash() && meta.schemaVersion === SCHEMA_VERSION)
      return { ...meta, fromCache: true };
  }
  log('synthetic dataset: generating it (SQL, large volume) and its derived tables');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const config = syntheticConfig(syntheticDatabase);
  // The full refresh of this volume does not fit in Vigil's default 512 MB, nor in 2 or 4 GB (DuckDB
  // out of memory); with 10 GB it took 321 s and peaked at 5.9 GB RSS (pages 121 s, changes 84 s).
  const db = await openDatabase(syntheticDatabase, { memoryLimit: '10GB' });
  try {
    await applyConfig(db, config);
    let t = performance.now();
    await generate(db, LARGE, anchor, anchor);
    const generationMs = Math.round(performance.now() - t);
    t = performance.now();
    await refreshDerived(db, config, { full: true });
    const refreshMs = Math.round(performance.now() - t);
    await db.close();
    const meta: SyntheticMeta = {
      anchor,
      sourceHash: sourceHash(),
      schemaVersion: SCHEMA_VERSION,
      builtAt: new Date().toISOString(),
      generationMs,
      refreshMs,
      databaseBytes: statSync(syntheticDatabase).size,
      volume: LARGE,
    };
    writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
    log(
      `synthetic dataset: generated in ${(generationMs / 1000).toFixed(0)} s, derived tables in ${(refreshMs / 1000).toFixed(0)} s`,
    );
    return { ...meta, fromCache: false };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}
