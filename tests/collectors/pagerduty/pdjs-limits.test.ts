// Why the collector does not send through @pagerduty/pdjs (collectors/pagerduty/client.ts): each
// point of that decision, shown against the stand-in. Should a later pdjs fix them, these tests
// fail and the decision is worth taking again.
import { api } from '@pagerduty/pdjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, TOKEN, type World } from './support.ts';

let world: World;
let pd: ReturnType<typeof api>;

beforeAll(async () => {
  world = await startWorld();
  pd = api({ token: TOKEN });
});

afterEach(() => {
  world.pd.faults.clear();
  world.pd.stats.reset();
});

afterAll(async () => {
  await world?.close();
});

describe('@pagerduty/pdjs 2.2 for a collector', () => {
  it('works over plain HTTP only with a full `url` on every call', async () => {
    const response = await pd.get('/priorities', { url: `${world.pd.url}/priorities` });
    expect(response.status).toBe(200);
    expect(Array.isArray((response.data as { priorities: unknown[] }).priorities)).toBe(true);
  });

  it('sends through its own fetch, which nothing outside can count, time or abort', async () => {
    const original = globalThis.fetch;
    let seen = 0;
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
      seen++;
      return original(...args);
    }) as typeof fetch;
    try {
      await pd.get('/teams', { url: `${world.pd.url}/teams` });
    } finally {
      globalThis.fetch = original;
    }
    expect(world.pd.stats.total).toBe(1);
    expect(seen).toBe(0);
  });

  it('retries a 429 by itself at its own fixed delay, unseen by the caller, ignoring ratelimit-reset', async () => {
    // PagerDuty says: wait 30 s. pdjs waits what it was told per call (here 10 ms) and asks again.
    world.pd.faults.add({ kind: 'rate-limit', endpoint: 'GET /users', retryAfter: 30, count: 2 });
    const response = await pd.get('/users', { url: `${world.pd.url}/users`, retryTimeout: 10 } as Parameters<typeof pd.get>[1]);
    expect(response.status).toBe(200);
    // Three requests reached PagerDuty for one call; nothing in the answer says so.
    expect(world.pd.stats.total).toBe(3);
    expect(world.pd.stats.byStatus['429']).toBe(2);
  });

  it('does not retry a server error, and resolves (not rejects) with it', async () => {
    world.pd.faults.add({ kind: 'status', endpoint: 'GET /services', status: 502, count: 1 });
    const response = await pd.get('/services', { url: `${world.pd.url}/services` });
    expect(response.status).toBe(502);
    expect(response.ok).toBe(false);
    expect(world.pd.stats.total).toBe(1);
  });

  it('rejects a body cut short with a response whose body it has already read, so the text is lost', async () => {
    world.pd.faults.add({ kind: 'truncate', endpoint: 'GET /schedules', declare: 'sent', count: 1 });
    const failure = await pd.get('/schedules', { url: `${world.pd.url}/schedules` }).then(
      () => null,
      (error: unknown) => error,
    );
    // node-fetch's Response (not Node's), its body already consumed by pdjs's failed json().
    const response = failure as { status: number; bodyUsed: boolean };
    expect(response.status).toBe(200);
    expect(response.bodyUsed).toBe(true);
    expect(failure).not.toBeInstanceOf(Response);
  });

  it('does not abort a request slower than its requestTimeout', async () => {
    world.pd.faults.add({ kind: 'slow', endpoint: 'GET /priorities', delayMs: 600, count: 1 });
    const response = await pd.get('/priorities', {
      url: `${world.pd.url}/priorities`,
      requestTimeout: 50,
    } as Parameters<typeof pd.get>[1]);
    expect(response.status).toBe(200);
  });

  it('cannot page through all() on a host without ".com/"', async () => {
    const failure = await pd.all('/incidents', { url: `${world.pd.url}/incidents`, data: { limit: 1, date_range: 'all' } }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TypeError);
  });
});
