// Hostile input against a real `vigil serve` (child process, real sockets, a database synced from
// the simulated organisation): at least 10,000 seeded random and hostile requests across every
// endpoint the app has (enumerated from its routes, so a new endpoint is fuzzed without editing
// this file). No answer may be a 5xx; every 4xx is the JSON error envelope naming the problem (a
// 400 for one bad parameter names that parameter); no answer carries a file from outside the web
// folder or a token; the process stays up and its memory stays bounded.
//
// Reproduce a failure with VIGIL_FUZZ_SEED=<seed> (printed at the start and in every failure).
// VIGIL_LONG_TESTS sends 10,000 requests with a fresh seed each run; the default suite 1,000 with a
// fixed one; VIGIL_FUZZ_COUNT=<n> any number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoutes, type Known, knownValues, type Route } from '../reliability/endpoints.ts';
import { LONG, random } from '../reliability/support.ts';
import { type ServedVigil, serveWorld, startVigilWorld, type VigilWorld } from '../reliability/world.ts';
import { tempDir } from '../support/tmp.ts';
import { type FuzzRequest, generateRequests } from './requests.ts';
import { createAgent, type FuzzAnswer, send } from './send.ts';

// What a request costs is the server's own per-request work (HTTP, middleware, a few DuckDB
// statements: ~4-7 ms of CPU on the shared 2-core machine, the same on a database a third the size),
// so the count sets the time: 10,000 take about a minute there, with the long tests; the default
// suite sends 1,000 (every route still gets dozens). Eight in flight, for races between requests.
const COUNT = Number(process.env.VIGIL_FUZZ_COUNT ?? (LONG ? 10_000 : 1_000));
const SEED = Number(process.env.VIGIL_FUZZ_SEED ?? (LONG ? Date.now() % 2 ** 31 : 20261123));
const CONCURRENCY = 8;
const WARM_UP = Math.min(400, Math.floor(COUNT / 5));
/** RSS may grow this much over the run: the response cache (64 MB), DuckDB's buffers and V8's heap settle below it. */
const RSS_GROWTH_LIMIT = 320 * 1024 * 1024;

const root = tempDir('vigil-fuzz-');
let world: VigilWorld;
let served: ServedVigil;
let routes: Route[];
let known: Known;

beforeAll(async () => {
  world = await startVigilWorld({ dir: root, repos: 3, pagerdutyHistoryDays: 45 });
  for (const result of await world.syncNow()) expect(result.status, result.error ?? '').toBe('succeeded');
  served = await serveWorld(world);
  routes = await appRoutes();
  known = await knownValues(served.url);
}, 180_000);

afterAll(async () => {
  await served?.stop();
  await world?.close();
});

/** What is wrong with an answer, or null. */
function problemWith(req: FuzzRequest, answer: FuzzAnswer): string | null {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.body.slice(0, 300)}`;
  for (const secret of [world.tokens.github, world.tokens.pagerduty, 'root:x:0:0', '"name": "vigil"', 'historyDays']) {
    if (answer.body.includes(secret)) return `the answer holds "${secret}"`;
  }
  if (answer.status < 400 || req.method === 'HEAD') return null;
  if (!String(answer.headers['content-type'] ?? '').startsWith('application/json')) {
    return `${answer.status} as ${answer.headers['content-type']}, not JSON: ${answer.body.slice(0, 200)}`;
  }
  let error: { code?: unknown; message?: unknown; parameter?: unknown } | undefined;
  try {
    error = (JSON.parse(answer.body) as { error?: typeof error }).error;
  } catch {
    return `${answer.status} with a body that is not JSON: ${answer.body.slice(0, 200)}`;
  }
  if (typeof error?.code !== 'string' || !/^[a-z_]+$/.test(error.code)) return `${answer.status} without an error code`;
  if (typeof error.message !== 'string' || error.message.length < 8) return `${answer.status} without a message`;
  if (req.kind === 'mutated' && answer.status === 400 && req.mutated) {
    const named = error.parameter === req.mutated || error.message.toLowerCase().includes(req.mutated.toLowerCase());
    if (!named) return `a 400 for parameter "${req.mutated}" that does not name it: ${error.message}`;
  }
  return null;
}

describe('fuzzing every endpoint of a running Vigil', () => {
  it(`answers ${COUNT.toLocaleString('en')} random and hostile requests without a 5xx, always with the JSON error envelope, and stays up with bounded memory`, async () => {
    console.log(`api-fuzz: seed ${SEED}, ${COUNT} requests over ${routes.length} routes (VIGIL_FUZZ_SEED=${SEED} replays them)`);
    const requests = generateRequests(SEED, COUNT, routes, known, random);
    const base = new URL(served.url);
    const agent = createAgent(CONCURRENCY);
    const problems: string[] = [];
    const byStatus: Record<string, number> = {};
    const byRoute = new Map<string, number>();
    const msByKind = new Map<string, number[]>();
    let rssBefore = 0;
    let rssMax = 0;
    let next = 0;
    const started = performance.now();

    async function worker(): Promise<void> {
      for (;;) {
        const i = next++;
        const req = requests[i];
        if (!req) return;
        if (i === WARM_UP) rssBefore = served.rss();
        if (i % 250 === 0) rssMax = Math.max(rssMax, served.rss());
        const where = `#${req.n} (seed ${SEED}) ${req.kind} ${req.method} ${req.path.slice(0, 160)} ${JSON.stringify(req.headers).slice(0, 160)}`;
        try {
          const answer = await send(base, req, agent);
          byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
          byRoute.set(req.route, (byRoute.get(req.route) ?? 0) + 1);
          const ms = msByKind.get(req.kind) ?? [];
          ms.push(answer.ms);
          msByKind.set(req.kind, ms);
          const problem = problemWith(req, answer);
          if (problem && problems.length < 25) problems.push(`${where}: ${problem}`);
        } catch (error) {
          if (problems.length < 25) problems.push(`${where}: ${(error as Error).message}`);
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    const rssAfter = served.rss();
    rssMax = Math.max(rssMax, rssAfter);
    const seconds = (performance.now() - started) / 1000;
    const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
    const kinds = [...msByKind].map(([kind, ms]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
      return `${kind} ${ms.length} (p50 ${at(0.5)} ms, p99 ${at(0.99)} ms)`;
    });
    console.log(
      `api-fuzz: ${COUNT} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(byStatus)}; ` +
        `server RSS ${mb(rssBefore)} after warm-up, ${mb(rssAfter)} at the end, ${mb(rssMax)} at most; ${kinds.join('; ')}`,
    );

    expect(problems, `${problems.join('\n')}\nserver output (end):\n${served.output().slice(-2000)}`).toEqual([]);
    // Every route was exercised, the new ones included.
    for (const route of routes.filter((r) => r.path.startsWith('/api/'))) {
      expect(byRoute.get(route.path) ?? 0, `requests to ${route.path}`).toBeGreaterThan(COUNT / routes.length / 20);
    }
    expect(served.alive(), served.output()).toBe(true);
    expect((await fetch(`${served.url}/api/health`)).status).toBe(200);
    expect(rssAfter - rssBefore, `RSS grew from ${mb(rssBefore)} to ${mb(rssAfter)}`).toBeLessThan(RSS_GROWTH_LIMIT);
    // Nothing the server logged is a crash or an unhandled error.
    expect(served.output()).not.toMatch(/Unhandled error|uncaught|FATAL|Segmentation/i);
  }, 600_000);
});
