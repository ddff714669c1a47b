// What the review's end-to-end tests add to the shared end-to-end fixture (a real Vigil on the
// small simulated organisation, tests/support/simulated-vigil.ts): the team to review (the one with
// the most alert rules in its last full week), and a full resync from nothing through the running
// server: every PagerDuty table, the raw log and the cursors emptied, then POST /api/sync and wait.
import { SOURCE_TABLES } from '../../collectors/engine/tables.ts';
import { ident } from '../../server/db/index.ts';
import { type SimulatedVigil, startSimulatedVigil } from '../support/simulated-vigil.ts';

export interface ReviewWorld {
  vigil: SimulatedVigil;
  url: string;
  /** The team with the most rules paged in its default (last full) week. */
  team: string;
  close(): Promise<void>;
}

async function waitForSync(vigil: SimulatedVigil, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = await vigil.demo.vigil.sync?.status();
    if (status && status.running.length === 0) return;
    if (Date.now() > until) throw new Error('The PagerDuty sync did not finish in time.');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startReviewWorld(dir: string): Promise<ReviewWorld> {
  const vigil = await startSimulatedVigil({ dir });
  try {
    const options = await vigil.json<{ teams: { id: string }[] }>('/api/review/options');
    let best = { team: '', rules: -1 };
    for (const t of options.teams) {
      const view = await vigil.json<{ rules: unknown[] }>(`/api/review?team=${t.id}`);
      if (view.rules.length > best.rules) best = { team: t.id, rules: view.rules.length };
    }
    if (best.rules < 4) throw new Error(`No team has four alert rules in last week (best: ${best.team}, ${best.rules}).`);
    return { vigil, url: vigil.url, team: best.team, close: () => vigil.stop() };
  } catch (error) {
    await vigil.stop();
    throw error;
  }
}

/** Empty every PagerDuty table, the raw log and the cursors, then sync again through the server. */
export async function fullResync(w: ReviewWorld): Promise<void> {
  await w.vigil.demo.vigil.db.write(async (tx) => {
    for (const table of SOURCE_TABLES.pagerduty) await tx.run(`DELETE FROM ${ident(table)}`);
    await tx.run('DELETE FROM raw_pagerduty');
    await tx.run("DELETE FROM sync_cursors WHERE source = 'pagerduty'");
  });
  const res = await fetch(`${w.url}/api/sync`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sources: ['pagerduty'] }),
  });
  if (res.status !== 202) throw new Error(`POST /api/sync answered ${res.status}: ${await res.text()}`);
  await waitForSync(w.vigil);
}
