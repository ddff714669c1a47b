// Tests run in forked processes: DuckDB is a native addon and each test file opens its own
// databases. Long variants (a both-source sync killed twenty times, 10k-request fuzzing, 30 s of
// load, more kill points per collector) read VIGIL_LONG_TESTS; the large-organisation generator
// test reads VIGIL_LARGE_ORG_TESTS.
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const LONG = process.env.VIGIL_LONG_TESTS === '1' || process.env.VIGIL_LONG_TESTS === 'true';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on CI's two, so the whole suite ran
    // file after file (wall time = the sum of the files). Most files spend much of their time
    // waiting on child processes (vigil, Chromium), sockets and DuckDB's own threads, so two
    // workers on two cores took the default suite from ~13 to ~9 minutes on the shared machine.
    // VIGIL_TEST_WORKERS=<n> overrides.
    maxWorkers: Number(process.env.VIGIL_TEST_WORKERS) || Math.max(2, availableParallelism() - 1),
    // A safety net for hangs, not a speed limit: the long variants (the 60,000-incident storm)
    // need more than a minute on a loaded two-core machine.
    testTimeout: LONG ? 240_000 : 60_000,
    hookTimeout: LONG ? 240_000 : 120_000,
    reporters: ['default'],
  },
});
