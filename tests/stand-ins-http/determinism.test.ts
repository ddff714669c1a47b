// The same seed, clock and requests give byte-identical responses, headers included, when the wall
// clock is injected (Date and rate-limit headers come from it) and the public URL is fixed (bodies
// carry URLs): a recorded sync replays exactly, and a difference always means a real change.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GH_TOKEN, github, PD_TOKEN, pagerduty, pickRepos, testOrg } from './support/org.ts';

/** One raw HTTP/1.1 exchange: every byte the server sent, status line to end of body. */
function rawGet(base: string, path: string, auth: string): Promise<Buffer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: api.test\r\nAuthorization: ${auth}\r\nConnection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

const NOW = Date.parse('2024-07-01T09:30:00Z');
/** Paths over the seeded organisation (its names are the same for the same seed). */
function ghPaths(deploys: string, actions: string, basehead: string): string[] {
  return [
    `/repos/${deploys}/deployments?per_page=5`,
    `/repos/${deploys}/deployments?per_page=5&page=2`,
    `/repos/${deploys}/pulls?state=all&per_page=3`,
    `/repos/${deploys}/issues?state=all&per_page=4`,
    `/repos/${deploys}/compare/${basehead}`,
    `/repos/${actions}/actions/runs?per_page=2`,
    `/repos/${deploys}/releases`,
    '/rate_limit',
    '/repos/acme/none/releases',
  ];
}
const PD_PATHS = [
  '/incidents?date_range=all&limit=5&include[]=first_trigger_log_entries',
  '/incidents?since=2024-05-01&until=2024-06-01&time_zone=America/Chicago&total=true',
  '/log_entries?limit=20',
  '/notifications?since=2024-05-01&until=2024-06-01',
  '/oncalls?since=2024-06-01T00:00:00Z&until=2024-06-08T00:00:00Z',
  '/users',
  '/log_entries?offset=10000',
];

async function record(clock: string) {
  const store = await testOrg();
  store.setClock(clock);
  const { deploys, actions } = await pickRepos(store);
  const [newer, older] = (await store.deployments(deploys.fullName, { environment: deploys.productionEnvironment }, 0, 2)).items;
  const GH_PATHS = ghPaths(deploys.fullName, actions.fullName, `${older!.sha}...${newer!.sha}`);
  const gh = await github(store, { now: () => NOW, publicUrl: 'https://api.github.test' });
  const pd = await pagerduty(store, { now: () => NOW, publicUrl: 'https://api.pagerduty.test' });
  const out: Buffer[] = [];
  for (const p of GH_PATHS) out.push(await rawGet(gh.url, p, `token ${GH_TOKEN}`));
  for (const p of PD_PATHS) out.push(await rawGet(pd.url, p, `Token token=${PD_TOKEN}`));
  await gh.close();
  await pd.close();
  return out;
}

describe('determinism', () => {
  it('answers byte-identically for the same seed, clock and requests, on different ports', async () => {
    const a = await record('2024-06-30T00:00:00Z');
    const b = await record('2024-06-30T00:00:00Z');
    expect(a.length).toBe(9 + PD_PATHS.length);
    for (let i = 0; i < a.length; i++) {
      expect(a[i]!.length).toBeGreaterThan(200);
      expect(a[i]!.equals(b[i]!), `response ${i} differs`).toBe(true);
    }
  });

  it('answers differently once the organisation’s clock moves', async () => {
    const a = await record('2024-06-30T00:00:00Z');
    const c = await record('2024-06-10T00:00:00Z');
    expect(a.some((buf, i) => !buf.equals(c[i]!))).toBe(true);
  });
});
