// Load: 50 concurrent clients on the dashboard's endpoints (every metric, the DORA summary, the
// distributions, the first page of every record list, the organisation and settings, per team
// too) of a real `vigil serve`, while syncs run back to back against an organisation whose clock
// keeps moving, so every sync writes, refreshes the metrics and empties the response cache. Zero
// errors allowed; the latency percentiles are printed (not asserted: the machine is shared; the
// benchmark tracks them). 5 s in the default suite, 30 s with VIGIL_LONG_TESTS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, send } from '../fuzz/send.ts';
import { tempDir } from '../support/tmp.ts';
import { appRoutes, type Era, eraOf, getUrls, knownValues } from './endpoints.ts';
import { LONG } from './support.ts';
import { type ServedVigil, serveWorld, startVigilWorld, type VigilWorld } from './world.ts';

const CLIENTS = 50;
const SECONDS = Number(process.env.VIGIL_LOAD_SECONDS ?? (LONG ? 30 : 5));

const root = tempDir('vigil-load-');
let world: VigilWorld;
let served: ServedVigil;
let era: Era;
let urls: string[];

beforeAll(async () => {
  const today = `${new Date().toISOString().slice(0, 10)}T00:00:00Z`;
  era = eraOf(today);
  world = await startVigilWorld({ dir: root, repos: 3, anchor: today });
  for (const result of await world.syncNow()) expect(result.status, result.error ?? '').toBe('succeeded');
  served = await serveWorld(world);
  const known = await knownValues(served.url, {}, era);
  // What the pages ask for: JSON answers, overall and per team (no CSV downloads, no writes).
  const base = getUrls(await appRoutes(), known, era).filter((u) => !u.includes('.csv') && !u.startsWith('/api/admin'));
  const perTeam = base
    .filter((u) => /^\/api\/(metrics\/|dora|distributions|incidents\?|deployments\?|pages\?)/.test(u))
    .flatMap((u) => known.teams.slice(0, 3).map((t) => `${u}${u.includes('?') ? '&' : '?'}team=${encodeURIComponent(t)}`));
  urls = [...base, ...perTeam];
}, 240_000);

afterAll(async () => {
  await served?.stop();
  await world?.close();
});

interface SyncLoop {
  runs: { status: string; error: string | null }[];
  /** Milliseconds of the window during which a sync was running. */
  busyMs: number;
}

/** Syncs back to back until `until`, the organisation's clock two hours on before each. */
async function syncContinuously(until: number): Promise<SyncLoop> {
  const loop: SyncLoop = { runs: [], busyMs: 0 };
  const status = async () =>
    (await (await fetch(`${served.url}/api/sync/status`)).json()) as {
      running: unknown[];
      lastRuns: Record<string, { id: number; status: string; error: string | null }>;
    };
  while (Date.now() < until) {
    world.store.setClock(new Date(Date.parse(world.store.clock()) + 2 * 3_600_000).toISOString());
    const before = (await status()).lastRuns;
    const started = Date.now();
    const res = await fetch(`${served.url}/api/sync`, { method: 'POST' });
    expect(res.status).toBe(202);
    for (;;) {
      const now = await status();
      if (now.running.length === 0) {
        for (const [source, run] of Object.entries(now.lastRuns)) {
          if (run.id !== before[source]?.id) loop.runs.push({ status: run.status, error: run.error });
        }
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    loop.busyMs += Math.min(Date.now(), until) - started;
  }
  return loop;
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

describe('the dashboard under load while syncs run', () => {
  it(`answers ${CLIENTS} concurrent clients for ${SECONDS} s without an error`, async () => {
    const agent = createAgent(CLIENTS);
    const baseUrl = new URL(served.url);
    const latencies: number[] = [];
    const errors: string[] = [];
    let n = 0;
    const rssBefore = served.rss();
    const start = Date.now();
    const until = start + SECONDS * 1000;
    const syncs = syncContinuously(until);
    const client = async (id: number) => {
      // Each client walks the list from its own place, as people open different pages.
      let i = Math.floor((id * urls.length) / CLIENTS);
      while (Date.now() < until) {
        const path = urls[i++ % urls.length] as string;
        try {
          const answer = await send(baseUrl, { n: n++, kind: 'chaos', route: path, method: 'GET', path, headers: {} }, agent);
          latencies.push(answer.ms);
          if (answer.status !== 200) errors.push(`${answer.status} ${path}: ${answer.body.slice(0, 200)}`);
        } catch (error) {
          errors.push(`${path}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));
    const loop = await syncs;
    agent.destroy();
    const elapsed = (Date.now() - start) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const ms = (q: number) => Math.round(percentile(sorted, q));
    console.log(
      `load: ${CLIENTS} clients, ${elapsed.toFixed(1)} s, ${latencies.length} requests (${Math.round(latencies.length / elapsed)}/s) ` +
        `over ${urls.length} URLs, ${errors.length} errors; latency p50 ${ms(0.5)} ms, p90 ${ms(0.9)} ms, p99 ${ms(0.99)} ms, ` +
        `max ${Math.round(sorted.at(-1) ?? 0)} ms; ${loop.runs.length} sync runs (${loop.runs.map((r) => r.status).join(', ')}), ` +
        `a sync running ${Math.round((100 * loop.busyMs) / (SECONDS * 1000))}% of the time; server RSS ${Math.round(rssBefore / 1048576)} -> ${Math.round(served.rss() / 1048576)} MB`,
    );
    expect(errors.slice(0, 20), errors.slice(0, 20).join('\n')).toEqual([]);
    expect(latencies.length).toBeGreaterThan(CLIENTS);
    expect(loop.runs.length, 'syncs ran during the load').toBeGreaterThanOrEqual(2);
    for (const run of loop.runs) expect(run.status, run.error ?? '').toBe('succeeded');
    expect(served.alive()).toBe(true);
  }, 240_000);
});
