// A crash in the middle of a bulk label write: a child process writes labels for 3,000 incidents
// in a loop (crash-child.ts), one all-or-nothing write per batch, and is killed with SIGKILL at a
// random moment while a write is in flight. After each kill the database holds exactly one whole
// batch for every incident (never a mix of two), its audit rows are complete, and the derived label
// columns agree with the labels. VIGIL_LONG_TESTS kills it eight times instead of three.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyConfig } from '../../server/config/apply.ts';
import { parseConfig } from '../../server/config/load.ts';
import { openDatabase } from '../../server/db/index.ts';
import { refreshDerived } from '../../server/metrics/refresh.ts';
import { tempDir } from '../support/tmp.ts';

const LONG = process.env.VIGIL_LONG_TESTS === '1' || process.env.VIGIL_LONG_TESTS === 'true';
const KILLS = LONG ? 8 : 3;
const INCIDENTS = 3000;
const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

const dir = tempDir('vigil-review-crash-');
const path = join(dir, 'vigil.duckdb');
const configFile = join(dir, 'config.json');
const rawConfig = { database: path, teams: [{ id: 'ops', name: 'Ops', services: ['PSVC'] }] };

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

beforeAll(async () => {
  writeFileSync(configFile, JSON.stringify(rawConfig));
  const config = parseConfig(configFile, rawConfig);
  const db = await openDatabase(path);
  await applyConfig(db, config);
  await db.run(
    `INSERT INTO incidents (id, incident_number, title, status, urgency, service_id, html_url, created_at, resolved_at, final, synced_at)
     SELECT 'PX' || lpad(CAST(i AS VARCHAR), 5, '0'), i, 'Disk usage ' || (i % 100) || '% on db-' || (i % 7), 'resolved', 'high',
       'PSVC', 'https://example.pagerduty.com/incidents/PX' || i,
       TIMESTAMPTZ '2024-03-04 00:00:00+00' + to_minutes(i * 10), TIMESTAMPTZ '2024-03-04 00:30:00+00' + to_minutes(i * 10), true, now()
     FROM range($n) t(i)`,
    { n: INCIDENTS },
  );
  await refreshDerived(db, config);
  await db.close();
}, 60_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

const children: ChildProcess[] = [];

/**
 * Run the child until `delayMs` after its first write committed, then SIGKILL it: the child starts
 * its next write at once, so the kill falls on a write in flight, and every round has something
 * stored to check (a kill before the first commit, on a loaded machine, left nothing to compare).
 */
function runAndKill(delayMs: number): Promise<{ writing: number; committed: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stderr?.on('data', (d: Buffer) => (stderr += d));
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      if (!timer && /committed \d+/.test(out)) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', () => {
      if (timer) clearTimeout(timer);
      const last = (word: string) =>
        Math.max(0, ...[...out.matchAll(new RegExp(`${word} (\\d+)`, 'g'))].map((m) => Number(m[1])));
      resolve({ writing: last('writing'), committed: last('committed'), stderr });
    });
  });
}

describe('a crash during a bulk label write', () => {
  it('leaves each write whole or absent, with its audit rows and derived columns', async () => {
    const rand = random(20240311);
    let stored = 0;
    let inFlight = 0;
    for (let round = 0; round < KILLS; round++) {
      const delay = 200 + Math.floor(rand() * 2300);
      const run = await runAndKill(delay);
      expect(run.stderr, `round ${round}`).not.toMatch(/failed/);
      const db = await openDatabase(path);
      try {
        const batches = await db.all<{ note: string; version: number; label: string; n: number }>(
          'SELECT note, version, label, count(*) AS n FROM review_labels GROUP BY ALL',
        );
        // One batch for every incident, never a mix: the write is all-or-nothing.
        expect(batches, `round ${round} (killed ${delay} ms in)`).toHaveLength(1);
        const batch = batches[0] as { note: string; version: number; label: string; n: number };
        expect(batch.n).toBe(INCIDENTS);
        expect(batch.note).toBe(`batch ${batch.version}`);
        // The kill fell during write `writing`: it committed (== writing) or left nothing (== writing - 1).
        expect(batch.version).toBeGreaterThanOrEqual(Math.max(run.committed, stored));
        expect(batch.version).toBeLessThanOrEqual(run.writing);
        if (run.writing > run.committed) inFlight++;
        stored = batch.version;
        const audit = await db.one<{ n: number }>("SELECT count(*) AS n FROM user_audit WHERE entity = 'review_labels'");
        expect(audit?.n).toBe(INCIDENTS * batch.version);
        const drift = await db.one<{ n: number }>(
          `SELECT count(*) AS n FROM d_incidents i LEFT JOIN review_labels r ON r.incident_id = i.id
           WHERE i.human_label IS DISTINCT FROM r.label OR i.label IS DISTINCT FROM r.label`,
        );
        expect(drift?.n).toBe(0);
      } finally {
        await db.close();
      }
    }
    // The kills fell while a write was on its way (its "writing" line printed, no "committed").
    expect(inFlight).toBeGreaterThan(0);
    expect(stored).toBeGreaterThan(0);
  }, 180_000);
});
