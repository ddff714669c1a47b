// What the review's API tests share: the hand-built scenario of tests/metrics/scenario.ts behind
// the real Hono app over DuckDB, and small helpers to call it as the web app does (JSON, the
// reviewer's name in X-Vigil-Actor).
//
// The search team's week of 2024-03-11 in the scenario: I5 (auto-resolved in 4 min, paged Cy at
// 15:01), the disk rule I6-I8 (flapping 3 times in 24 h; I6 labelled non-actionable by
// "reviewer"; I7 paged Dee at 05:01 UTC, a sleep-hour page) and I9 (the same rule 29 h later,
// not flapping, suggested actionable).
import { expect } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import type { Fixture } from '../metrics/fixture.ts';
import { buildScenario } from '../metrics/scenario.ts';

export const WEEK = '2024-03-11';
export const DISK = 'SSVC1:disk usage <n>% on <host>';
export const P99 = 'SSVC1:search p<n> above <n>ms';

/** Whatever JSON the API answered (as Response.json() types it). */
export type Json = Awaited<ReturnType<Response['json']>>;

export interface ReviewHarness {
  f: Fixture;
  app: ReturnType<typeof createApp>;
  json: (path: string, status?: number, init?: RequestInit) => Promise<Json>;
  close: () => Promise<void>;
}

export async function startHarness(fixture?: Fixture): Promise<ReviewHarness> {
  const f = fixture ?? (await buildScenario());
  await f.refresh();
  const app = createApp({ db: f.db, config: f.config, log: () => {} });
  const json = async (path: string, status = 200, init?: RequestInit) => {
    const res = await app.request(path, init);
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    expect(res.status, `${init?.method ?? 'GET'} ${path}: ${text.slice(0, 500)}`).toBe(status);
    return body as Json;
  };
  return { f, app, json, close: () => f.close() };
}

/** A write as the web app sends it. */
export const send = (method: string, body?: unknown, actor: string | null = 'Rita Reviewer'): RequestInit => ({
  method,
  headers: {
    ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...(actor ? { 'X-Vigil-Actor': encodeURIComponent(actor) } : {}),
  },
  ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
});

export const review = (h: ReviewHarness, query = `team=search&week=${WEEK}`) => h.json(`/api/review?${query}`);

/** The rule of a review by signature. */
export function ruleOf(view: Json, signature: string): Json {
  const rule = view.rules.find((r: { signature: string }) => r.signature === signature);
  expect(rule, `rule ${signature} in ${view.rules.map((r: { signature: string }) => r.signature).join(', ')}`).toBeDefined();
  return rule;
}

/** The items of a rule's incidents with the versions the page would send. */
export function itemsOf(rule: Json): { incidentId: string; version: number }[] {
  return rule.incidents.map((i: Json) => ({ incidentId: i.id, version: i.stored?.version ?? 0 }));
}
