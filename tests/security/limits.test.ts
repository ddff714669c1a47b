// The limits that keep one request from taking the server down, in one place: body size, request
// line and headers, date range, page size, incidents per label write, note lengths, review weeks.
// Each is refused with the JSON error envelope saying what the limit is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../server/api/security.ts';
import { parseConfig } from '../../server/config/load.ts';
import { MAX_NOTE_CHARS } from '../../server/links/incident-links.ts';
import { MAX_RANGE_DAYS } from '../../server/metrics/query.ts';
import { MAX_LIMIT } from '../../server/metrics/records/shared.ts';
import { MAX_TREND_WEEKS } from '../../server/review/trends.ts';
import { limits } from '../../server/review/types.ts';
import { type RunningVigil, startVigil } from '../../server/runtime.ts';

let vigil: RunningVigil;

beforeAll(async () => {
  const config = parseConfig('limits.yaml', { teams: [{ id: 'core', name: 'Core' }], database: ':memory:' });
  vigil = await startVigil({ config, host: '127.0.0.1', port: 0, auth: null, log: () => {} });
  await vigil.db.run(
    `INSERT INTO incidents (id, title, status, service_id, created_at, synced_at) VALUES ('PINC1', 'Disk full', 'resolved', 'S1', now(), now())`,
  );
});

afterAll(async () => {
  await vigil?.stop();
});

const write = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', 'x-vigil-actor': 'ana' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

async function refused(path: string, init: RequestInit | undefined, status: number, says: RegExp): Promise<void> {
  const res = await fetch(`${vigil.url}${path}`, init);
  const text = await res.text();
  expect(res.status, `${path}: ${text.slice(0, 300)}`).toBe(status);
  const { error } = JSON.parse(text) as { error: { code: string; message: string } };
  expect(error.message).toMatch(says);
}

describe('limits', () => {
  it(`refuses a body over ${MAX_BODY_BYTES / 1024} KB`, async () => {
    await refused('/api/review/labels', write('POST', { note: 'x'.repeat(MAX_BODY_BYTES) }), 413, /larger than 1024 KB/);
  });

  it('refuses a request line and headers over 16 KB', async () => {
    await refused(`/api/incidents?team=${'a,'.repeat(9000)}`, undefined, 431, /16 KB/);
  });

  it(`refuses a range over ${MAX_RANGE_DAYS} days, naming from and to`, async () => {
    await refused(
      '/api/metrics/mttr?from=2014-01-01&to=2026-01-01',
      undefined,
      400,
      /from 2014-01-01 to 2026-01-01 .* 3660 days/,
    );
    expect((await fetch(`${vigil.url}/api/metrics/mttr?from=2016-01-10&to=2026-01-01`)).status).toBe(200);
  });

  it(`refuses a page of more than ${MAX_LIMIT} records`, async () => {
    await refused(`/api/incidents?limit=${MAX_LIMIT + 1}`, undefined, 400, /limit must be a whole number from 1 to 1000/);
    expect((await fetch(`${vigil.url}/api/incidents?limit=${MAX_LIMIT}`)).status).toBe(200);
  });

  it(`refuses a label write over ${limits.labelItems} incidents`, async () => {
    const items = Array.from({ length: limits.labelItems + 1 }, (_, i) => ({ incidentId: `P${i}`, version: 0 }));
    await refused('/api/review/labels', write('POST', { items, label: 'actionable' }), 413, /at most 5000 incidents/);
  });

  it(`refuses a label note over ${limits.labelNote} characters and a link note over ${MAX_NOTE_CHARS}`, async () => {
    await refused(
      '/api/review/labels',
      write('POST', {
        items: [{ incidentId: 'PINC1', version: 0 }],
        label: 'actionable',
        note: 'n'.repeat(limits.labelNote + 1),
      }),
      413,
      /at most 2000/,
    );
    await refused(
      '/api/incident-links',
      write('POST', { incidentId: 'PINC1', deploymentId: '*', action: 'unlink', note: 'n'.repeat(MAX_NOTE_CHARS + 1) }),
      413,
      /at most 2000/,
    );
  });

  it(`refuses review trends over ${MAX_TREND_WEEKS} weeks`, async () => {
    await refused(`/api/review/trends?team=core&weeks=${MAX_TREND_WEEKS + 1}`, undefined, 400, /from 1 to 104/);
  });
});
