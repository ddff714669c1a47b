// The pre-rendered CSV lines on the demo-size organisation (`vigil demo`, small, synced through the
// real collectors from the stand-ins): every deployment and every page over the whole history,
// served from the stored lines and rendered at query time, byte for byte; again after a reviewer
// links an incident to a deployment and labels incidents through the API (an incremental refresh).
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDemo, startDemo } from '../../server/demo/demo.ts';
import { csvLinesCurrent } from '../../server/metrics/derive/csv-lines.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir('vigil-csv-lines-demo-');
let demo: RunningDemo;

beforeAll(async () => {
  demo = await startDemo({
    dir,
    seed: 7,
    size: 'small',
    host: '127.0.0.1',
    port: 0,
    fresh: true,
    cron: '0 0 1 1 *',
    log: () => {},
  });
  await demo.firstSync;
  // The first sync's last refresh may still be committing when firstSync settles.
  for (let i = 0; i < 600 && ((await demo.vigil.sync?.status())?.running.length ?? 0) > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}, 240_000);
afterAll(async () => {
  await demo?.stop();
});

const RANGE = `from=2018-01-01&to=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`;
const exports = [
  `deployments.csv?${RANGE}&environment=all`,
  `deployments.csv?${RANGE}`,
  `pages.csv?${RANGE}`,
  `pages.csv?${RANGE}&onCall=true&hourClass=sleep`,
];

async function get(path: string): Promise<string> {
  const res = await fetch(`${demo.url}/api/${path}`);
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBe(200);
  return text;
}

/** Each export from the stored lines, then rendered at query time (the lines' state set aside). */
async function expectSame(): Promise<Record<string, string>> {
  const db = demo.vigil.db;
  expect(await csvLinesCurrent(db)).toBe(true);
  const stored: Record<string, string> = {};
  for (const path of exports) stored[path] = await get(path);
  const state = await db.one<{ value: string }>("SELECT value FROM meta WHERE key = 'csv-lines.state'");
  await db.run("DELETE FROM meta WHERE key = 'csv-lines.state'");
  try {
    for (const path of exports) expect(await get(path), path).toBe(stored[path]);
  } finally {
    await db.run("INSERT INTO meta (key, value, updated_at) VALUES ('csv-lines.state', $value, now())", {
      value: String(state?.value),
    });
  }
  return stored;
}

const actor = { 'Content-Type': 'application/json', 'X-Vigil-Actor': 'Rita Reviewer' };

describe('pre-rendered CSV on the demo organisation', () => {
  it('serves every deployment and page exactly as the query-time renderer', async () => {
    const stored = await expectSame();
    const deployments = parse(stored[exports[0] as string] as string, { columns: true }) as unknown[];
    const pages = parse(stored[exports[2] as string] as string, { columns: true }) as unknown[];
    expect(deployments.length).toBeGreaterThan(100);
    expect(pages.length).toBeGreaterThan(100);
  });

  it('stays exact after a manual link and labels (an incremental refresh)', async () => {
    const deployments = parse(await get(`deployments.csv?${RANGE}`), { columns: true }) as Record<string, string>[];
    const target = deployments.find((d) => d.outcome === 'success' && d.change_failed === 'false');
    const incidents = (await (await fetch(`${demo.url}/api/incidents?${RANGE}&limit=20`)).json()) as {
      items: { id: string }[];
    };
    const [first, second] = incidents.items;
    expect(target && first && second).toBeTruthy();
    const label = await fetch(`${demo.url}/api/review/labels`, {
      method: 'POST',
      headers: actor,
      body: JSON.stringify({ items: [{ incidentId: second?.id, version: 0 }], label: 'non_actionable', reason: 'expected' }),
    });
    expect(label.status, await label.text()).toBe(200);
    const link = await fetch(`${demo.url}/api/incident-links`, {
      method: 'POST',
      headers: actor,
      body: JSON.stringify({ incidentId: first?.id, deploymentId: target?.id, action: 'link', note: 'checked, "by hand"' }),
    });
    expect(link.status, await link.text()).toBe(201);
    const stored = await expectSame();
    const after = (parse(stored[exports[1] as string] as string, { columns: true }) as Record<string, string>[]).find(
      (d) => d.id === target?.id,
    );
    expect(after?.incident_ids?.split(';')).toContain(first?.id);
    expect(after?.change_failed).toBe('true');
  });
});
