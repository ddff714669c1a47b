// The large (benchmark) organisation, measured end to end: generated and touched partition by
// partition within a bounded heap. Minutes of work (about 2.5 on two cores), more than CI's
// budget has room for beside the long tests, so it has a switch of its own: VIGIL_LARGE_ORG_TESTS=1
// (VIGIL_LONG_TESTS, which CI sets, does not run it). The figures are printed for the benchmark
// notes (timings are reported, never asserted).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Measurement } from '../stand-ins/org/measure.ts';

const measureScript = fileURLToPath(new URL('../stand-ins/org/measure.ts', import.meta.url));

const LARGE = process.env.VIGIL_LARGE_ORG_TESTS === '1' || process.env.VIGIL_LARGE_ORG_TESTS === 'true';

describe.skipIf(!LARGE)('the large organisation', () => {
  it(
    'generates 5 years of 400 repositories and 150 services within a 1 GB heap',
    () => {
      // A child process, so the heap cap and the peak RSS are the organisation's own.
      const out = execFileSync(process.execPath, ['--max-old-space-size=1024', '--import', 'tsx', measureScript, 'large', '1'], {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        timeout: 20 * 60_000,
      });
      const m = JSON.parse(out) as Measurement;
      console.log(JSON.stringify(m, null, 2));
      expect(m.counts.repos).toBe(400);
      expect(m.counts.services).toBe(150);
      expect(m.counts.engineers).toBe(600);
      expect((m.counts.deployments as number) + (m.counts.workflowRuns as number)).toBeGreaterThan(1_600_000);
      expect(m.counts.incidents).toBeGreaterThan(280_000);
      // Two or three per paging incident, as real notification rules give (README of the generator).
      expect(m.counts.notifications).toBeGreaterThan(700_000);
      expect(m.peakRssMb).toBeLessThan(2_000);
    },
    25 * 60_000,
  );
});
