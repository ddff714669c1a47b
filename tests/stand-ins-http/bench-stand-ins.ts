// Throughput of the stand-ins for typical pages, on this machine. The stand-ins run in a child
// process and report the CPU time they spent, so the figure that matters (server CPU per request,
// hence requests per second per core) holds even on a busy machine; the observed rate is printed
// too. Not a test (no timing assertions in tests); run it by hand:
//   npx tsx tests/stand-ins-http/bench-stand-ins.ts [seconds=4] [small|default]
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createOrg } from '../stand-ins/org/index.ts';

const CONCURRENCY = 8;
const ANCHOR = '2024-06-30T00:00:00Z';

async function serve(size: 'small' | 'default'): Promise<void> {
  const { startGitHubStandIn } = await import('../stand-ins/github/index.ts');
  const { startPagerDutyStandIn } = await import('../stand-ins/pagerduty/index.ts');
  const store = await createOrg({ seed: 1, size, anchor: ANCHOR });
  const gh = await startGitHubStandIn({ store, token: 't', rateLimit: { limit: 1e12, pointsPerMinute: 1e12 }, logLimit: 0 });
  const pd = await startPagerDutyStandIn({ store, token: 'p', rateLimit: { perMinute: 1e12 }, logLimit: 0 });
  process.on('message', (m: string) => {
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (m === 'stop') void Promise.all([gh.close(), pd.close()]).then(() => process.exit(0));
  });
  process.send!({ gh: gh.url, pd: pd.url });
}

function get(agent: Agent, url: URL, auth: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: auth } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${res.statusCode} for ${url}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 4);
  const size = process.argv[3] === 'small' ? 'small' : 'default';
  const child = fork(fileURLToPath(import.meta.url), ['--serve', size], { stdio: 'inherit' });
  const next = <T>() => new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  const urls = await next<{ gh: string; pd: string }>();
  const cpu = async () => {
    child.send('cpu');
    const { cpu: c } = await next<{ cpu: NodeJS.CpuUsage }>();
    return c.user + c.system;
  };

  // Pick the pages from the same seeded organisation the child serves.
  const store = await createOrg({ seed: 1, size, anchor: ANCHOR });
  const repo = [...store.repos].sort((a, b) => a.fullName.localeCompare(b.fullName)).find((r) => !r.workflow)!.fullName;
  const dep = (await store.deployments(repo, {}, 0, 1)).items[0]!;
  const base = (await store.commits(repo, {}, 20, 1)).items[0]!.sha;
  const cases: [string, string, string][] = [
    ['GitHub deployment statuses', `${urls.gh}/repos/${repo}/deployments/${dep.id}/statuses`, 'token t'],
    ['GitHub /rate_limit', `${urls.gh}/rate_limit`, 'token t'],
    ['GitHub deployments, 30 per page', `${urls.gh}/repos/${repo}/deployments`, 'token t'],
    ['GitHub deployments, 100 per page', `${urls.gh}/repos/${repo}/deployments?per_page=100`, 'token t'],
    ['GitHub pulls, 30 per page', `${urls.gh}/repos/${repo}/pulls?state=all`, 'token t'],
    ['GitHub compare, 20 commits', `${urls.gh}/repos/${repo}/compare/${base}...main`, 'token t'],
    ['PagerDuty priorities', `${urls.pd}/priorities`, 'Token token=p'],
    ['PagerDuty incidents, 25 per page', `${urls.pd}/incidents?date_range=all`, 'Token token=p'],
    ['PagerDuty incidents, 100 per page', `${urls.pd}/incidents?date_range=all&limit=100`, 'Token token=p'],
    ['PagerDuty log entries, 100 per page', `${urls.pd}/log_entries?limit=100`, 'Token token=p'],
    [
      'PagerDuty notifications, 100 per page',
      `${urls.pd}/notifications?since=2024-05-01&until=2024-06-01&limit=100`,
      'Token token=p',
    ],
  ];
  console.log(`node ${process.version}, ${size} organisation, ${CONCURRENCY} keep-alive connections, ${seconds}s per page`);
  console.log(
    `${'page'.padEnd(40)} ${'KB'.padStart(5)} ${'observed'.padStart(10)} ${'server CPU'.padStart(12)} ${'per core'.padStart(10)}`,
  );
  for (const [label, href, auth] of cases) {
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const url = new URL(href);
    const bytes = await get(agent, url, auth);
    for (let i = 0; i < 100; i++) await get(agent, url, auth); // warm caches and the JIT
    let done = 0;
    const cpuBefore = await cpu();
    const started = process.hrtime.bigint();
    const until = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < until) {
          await get(agent, url, auth);
          done++;
        }
      }),
    );
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const perRequest = (await cpu()) - cpuBefore; // µs of server CPU for `done` requests
    agent.destroy();
    const us = perRequest / done;
    console.log(
      `${label.padEnd(40)} ${(bytes / 1024).toFixed(0).padStart(5)} ${(done / elapsed).toFixed(0).padStart(7)}/s ${us.toFixed(0).padStart(9)} µs ${(1e6 / us).toFixed(0).padStart(8)}/s`,
    );
  }
  child.send('stop');
}

if (process.argv[2] === '--serve') void serve(process.argv[3] === 'small' ? 'small' : 'default');
else await main();
