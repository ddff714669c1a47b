// The shared HTTP layer against a real local server: requests counted per scope and stream,
// rate-limit headers read, timeouts that abort a body arriving too slowly, and URLs fit to store.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeteredFetch, HttpMeter, RequestTimeoutError, redactUrl, scrubSecret } from '../../../collectors/engine/http.ts';
import { parseGitHubRateLimit } from '../../../collectors/github/client.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/drip') {
      // Headers at once, then the body a byte at a time, far slower than the client's timeout.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4990',
      'x-ratelimit-reset': '1893456000',
      'x-ratelimit-resource': 'core',
    });
    res.end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the metered fetch', () => {
  it('counts each request under its scope and stream and keeps the latest budget', async () => {
    const meter = new HttpMeter(parseGitHubRateLimit);
    const fetchA = createMeteredFetch({ meter, timeoutMs: 5000, tag: { scope: 'acme/a', stream: 'deployments' } });
    const fetchAny = createMeteredFetch({ meter, timeoutMs: 5000 });
    await (await fetchA(`${base}/x`)).text();
    await (await fetchA(`${base}/x`)).text();
    await meter.within({ scope: 'acme/b', stream: 'pulls' }, async () => (await fetchAny(`${base}/x`)).text());
    expect(meter.requests).toBe(3);
    expect(meter.requestsFor({ scope: 'acme/a', stream: 'deployments' })).toBe(2);
    expect(meter.requestsFor({ scope: 'acme/b', stream: 'pulls' })).toBe(1);
    expect(meter.rateLimit).toEqual({ limit: 5000, remaining: 4990, resetAt: '2030-01-01T00:00:00.000Z' });
  });

  it('aborts a body that keeps arriving past the timeout', async () => {
    const meter = new HttpMeter(parseGitHubRateLimit);
    const metered = createMeteredFetch({ meter, timeoutMs: 300 });
    const failure = await metered(`${base}/drip`)
      .then((response) => response.text())
      .then(
        () => null,
        (error: unknown) => error,
      );
    // The drip would go on forever: only the abort can end it (else the test times out).
    expect(failure).toBeInstanceOf(Error);
  });

  it('reports a request that timed out before any answer as a timeout', async () => {
    const slow = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/never?access_token=s3cret`;
    const metered = createMeteredFetch({ meter: new HttpMeter(() => null), timeoutMs: 200 });
    const error = await metered(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as Error).message).not.toContain('s3cret');
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  });

  it('stops at once when the run is stopped', async () => {
    const controller = new AbortController();
    const metered = createMeteredFetch({ meter: new HttpMeter(() => null), timeoutMs: 10_000, signal: controller.signal });
    const pending = metered(`${base}/drip`).then((r) => r.text());
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow();
  });
});

describe('the rate-limit budget', () => {
  const answer = (remaining: number, reset: number) =>
    new Headers({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(reset) });

  it('keeps the lowest remaining of a window whatever order the answers arrive in, and takes a new window', () => {
    const meter = new HttpMeter(parseGitHubRateLimit);
    meter.observe(answer(10, 2_000_000_000));
    meter.observe(answer(7, 2_000_000_000));
    // An answer to an earlier request, arriving late, says more is left: older news.
    meter.observe(answer(9, 2_000_000_000));
    expect(meter.rateLimit?.remaining).toBe(7);
    meter.observe(answer(4_999, 2_000_003_600));
    expect(meter.rateLimit?.remaining).toBe(4_999);
  });
});

describe('URLs and messages fit to store', () => {
  it('drops user info and secret-looking query parameters', () => {
    expect(redactUrl('https://user:pass@api.github.com/repos/a/b?access_token=abc&per_page=100')).toBe(
      'https://api.github.com/repos/a/b?access_token=REDACTED&per_page=100',
    );
    expect(scrubSecret('Bad credentials for ghp_123456', 'ghp_123456')).toBe('Bad credentials for [REDACTED]');
  });
});
