// Tests run in forked processes: DuckDB is a native addon and each test file opens its own
// databases. Long variants (large kill-and-resume runs, 10k-request fuzzing) read VIGIL_LONG_TESTS.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
