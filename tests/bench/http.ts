// The benchmark's HTTP clients: timed GETs over keep-alive connections (node:http, the lightest
// client Node has, so the client's own cost stays small next to the server's), N clients looping
// over a list of URLs, a fixed-duration load, and a probe that samples one URL at a steady rate.
import { Agent, request } from 'node:http';

export interface Timed {
  ms: number;
  status: number;
  bytes: number;
  /** X-Vigil-Cache: hit or miss, when the endpoint is cached. */
  cache: string | null;
  error?: string;
}

export function createAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

/** GET a URL and read the whole body; never throws (a failure is a result with an error). */
export function timedGet(agent: Agent, url: string, timeoutMs = 120_000): Promise<Timed> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent, headers: { accept: 'application/json' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const cache = res.headers['x-vigil-cache'];
        resolve({
          ms: performance.now() - started,
          status,
          bytes,
          cache: typeof cache === 'string' ? cache : null,
          ...(status >= 400 ? { error: `HTTP ${status}` } : {}),
        });
      });
      res.on('error', (error) =>
        resolve({ ms: performance.now() - started, status: 0, bytes, cache: null, error: error.message }),
      );
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) =>
      resolve({ ms: performance.now() - started, status: 0, bytes: 0, cache: null, error: error.message }),
    );
    req.end();
  });
}

/** The p-th percentile (0–100) by the nearest-rank method; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * `clients` clients at once, each taking the next URL of `urls` until all are done. Returns the
 * timings in the order of `urls`.
 */
export async function runConcurrently(agent: Agent, urls: readonly string[], clients: number): Promise<Timed[]> {
  const out: Timed[] = new Array(urls.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(clients, urls.length) }, async () => {
      while (next < urls.length) {
        const i = next++;
        out[i] = await timedGet(agent, urls[i] as string);
      }
    }),
  );
  return out;
}

export interface LoadResult {
  requests: number;
  errors: number;
  errorSamples: string[];
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** `clients` clients, each requesting URLs from `pick` back to back, for `seconds`. */
export async function loadFor(
  agent: Agent,
  pick: (client: number, i: number) => string,
  clients: number,
  seconds: number,
): Promise<LoadResult> {
  const times: number[] = [];
  const errors: string[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < until; i++) {
        const url = pick(client, i);
        const t = await timedGet(agent, url, 60_000);
        times.push(t.ms);
        if (t.error) errors.push(`${t.error}: ${url}`);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    requests: times.length,
    errors: errors.length,
    errorSamples: [...new Set(errors)].slice(0, 5),
    seconds: round1(elapsed),
    perSecond: round1(times.length / elapsed),
    p50: round1(percentile(times, 50)),
    p95: round1(percentile(times, 95)),
    p99: round1(percentile(times, 99)),
    max: round1(percentile(times, 100)),
  };
}

export interface Probe {
  /** Stop probing; the latencies seen (ms) and the failures. */
  stop(): Promise<{ samples: number; p50: number; p99: number; max: number; errors: number }>;
}

/** GET `url` every `everyMs` on its own connection, recording each answer's latency. */
export function startProbe(url: string, everyMs = 50): Probe {
  const agent = createAgent(1);
  const times: number[] = [];
  let errors = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const tick = performance.now();
      const t = await timedGet(agent, url, 30_000);
      times.push(t.ms);
      if (t.error) errors++;
      const wait = everyMs - (performance.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      agent.destroy();
      return {
        samples: times.length,
        p50: round1(percentile(times, 50)),
        p99: round1(percentile(times, 99)),
        max: round1(percentile(times, 100)),
        errors,
      };
    },
  };
}
