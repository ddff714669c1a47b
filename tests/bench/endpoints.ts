// Latency of every API endpoint the pages use, over HTTP against the real server: p50 and p95 for
// one client and for 8 clients at once, each warm (answered from the response cache) and cold (a
// fresh data version before each request, or with the cache switched off for 8 clients), and the
// SQL the endpoint sends replayed straight on DuckDB: what the API adds to it ("own SQL"), and the
// same question asked of the normalised tables without Vigil's derived tables ("bare SQL",
// bare-sql.ts), the yardstick of the target "cold / bare <= 0.5 for the slow ones".
import type { Agent } from 'node:http';
import { percentile, round1, timedGet } from './http.ts';
import type { Child } from './rpc.ts';

export interface Latency {
  p50: number;
  p95: number;
  n: number;
}

export interface EndpointFigures {
  path: string;
  bytes: number;
  warm1: Latency;
  cold1: Latency;
  warm8: Latency;
  cold8: Latency;
  /** The endpoint's own statements, run straight on DuckDB (median of repeats). */
  ownSqlMs: number;
  /** The same question asked of the normalised tables without derived tables (bare-sql.ts); null when none. */
  bareSqlMs: number | null;
  statements: number;
  errors: string[];
}

export interface EndpointOptions {
  repeats: number;
  coldRepeats: number;
  rounds8: number;
  coldRounds8: number;
  sqlRepeats: number;
}

const latency = (times: number[]): Latency => ({
  p50: round1(percentile(times, 50)),
  p95: round1(percentile(times, 95)),
  n: times.length,
});

async function eightAtOnce(agent: Agent, url: string, rounds: number, errors: string[]): Promise<number[]> {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const results = await Promise.all(Array.from({ length: 8 }, () => timedGet(agent, url)));
    for (const t of results) {
      times.push(t.ms);
      if (t.error) errors.push(t.error);
    }
  }
  return times;
}

export async function measureEndpoint(
  vigil: Child,
  agent: Agent,
  baseUrl: string,
  path: string,
  options: EndpointOptions,
): Promise<EndpointFigures> {
  const url = `${baseUrl}${path}`;
  const errors: string[] = [];
  const note = (t: { error?: string }) => {
    if (t.error) errors.push(t.error);
  };
  // Warm: the first answer fills the cache, the next ones come from it.
  const first = await timedGet(agent, url);
  note(first);
  const warm: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    const t = await timedGet(agent, url);
    note(t);
    warm.push(t.ms);
  }
  // Cold: every request at a new data version, so nothing it needs is cached.
  const cold: number[] = [];
  for (let i = 0; i < options.coldRepeats; i++) {
    await vigil.call('bump');
    const t = await timedGet(agent, url);
    note(t);
    cold.push(t.ms);
  }
  const warm8 = await eightAtOnce(agent, url, options.rounds8, errors);
  await vigil.call('cache', { enabled: false });
  let cold8: number[];
  try {
    cold8 = await eightAtOnce(agent, url, options.coldRounds8, errors);
  } finally {
    await vigil.call('cache', { enabled: true });
  }
  const own = await vigil.call<{ statements: number; ms: number }>('replay', { path, repeats: options.sqlRepeats });
  const bare = await vigil.call<{ statements: number; ms: number } | null>('bare', { path, repeats: options.sqlRepeats });
  return {
    path,
    bytes: first.bytes,
    warm1: latency(warm),
    cold1: latency(cold),
    warm8: latency(warm8),
    cold8: latency(cold8),
    ownSqlMs: round1(own.ms),
    bareSqlMs: bare ? round1(bare.ms) : null,
    statements: own.statements,
    errors: [...new Set(errors)],
  };
}

export interface AfterChangeFigures {
  /** Answers the warmer recomputed after the change, and how long that took. */
  warmed: number;
  warmMs: number;
  /** Then each endpoint asked once, as the first viewer after a sync would. */
  p50: number;
  worst: number;
  hits: number;
  requests: number;
}

/**
 * What the first viewer after a data change waits for: the change, the warmer's run over the
 * requests the pages made (the endpoint phase asked each one), then each endpoint once.
 */
export async function firstViewAfterChange(
  vigil: Child,
  agent: Agent,
  baseUrl: string,
  paths: readonly string[],
): Promise<AfterChangeFigures> {
  const run = await vigil.call<{ warmed: number; ms: number } | null>('changeAndWarm');
  const times: number[] = [];
  let hits = 0;
  for (const path of paths) {
    const t = await timedGet(agent, `${baseUrl}${path}`);
    times.push(t.ms);
    if (t.cache === 'hit') hits++;
  }
  return {
    warmed: run?.warmed ?? 0,
    warmMs: run?.ms ?? 0,
    p50: round1(percentile(times, 50)),
    worst: round1(Math.max(0, ...times)),
    hits,
    requests: paths.length,
  };
}
