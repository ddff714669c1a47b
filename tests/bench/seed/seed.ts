// Drives the in-process seeder (seed-process.ts) from the benchmark: a child process of its own,
// so the organisation it generates (about 1 GB for the large one) is not counted against Vigil.
import { fileURLToPath } from 'node:url';
import type { OrgSize } from '../../stand-ins/org/model.ts';
import { forkChild } from '../rpc.ts';
import type { GitHubSeedFigures } from './github.ts';
import type { PagerDutySeedFigures } from './pagerduty.ts';
import type { SeedArgs } from './seed-process.ts';

export interface SeedFigures {
  /** The organisation's clock the database holds everything up to. */
  clock: string;
  generationMs: number;
  github: GitHubSeedFigures;
  pagerduty: PagerDutySeedFigures;
  /** The full refresh of the derived tables after loading. */
  refreshMs: number;
  refreshSteps: Record<string, number> | null;
  wallMs: number;
  peakRss: number;
}

export async function seedDatabase(args: SeedArgs & { size: OrgSize }): Promise<SeedFigures> {
  const child = await forkChild(fileURLToPath(new URL('./seed-process.ts', import.meta.url)), [], {
    // VIGIL_SEED_PROFILE=<dir>: a CPU profile of the seeder (where its time goes).
    nodeFlags: [
      '--max-old-space-size=1536',
      ...(process.env.VIGIL_SEED_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.VIGIL_SEED_PROFILE}`] : []),
    ],
    env: { TZ: 'UTC', UV_THREADPOOL_SIZE: '8' },
  });
  try {
    return await child.call<SeedFigures>('seed', args);
  } finally {
    await child.stop();
  }
}
