// Requests per second the stand-ins serve for typical pages, on this machine: a keep-alive client
// with a few concurrent connections, budgets raised out of the way. Not a test (no timing
// assertions in tests); run it by hand: `npx tsx tests/stand-ins-http/bench-stand-ins.ts [seconds] [size]`
// (size: small or default, the demo's organisation; default is the default).
import { Agent, request } from 'node:http';
import { startGitHubStandIn } from '../stand-ins/github/index.ts';
import { createOrg } from '../stand-ins/org/index.ts';
import { startPagerDutyStandIn } from '../stand-ins/pagerduty/index.ts';

const seconds = Number(process.argv[2] ?? 5);
const CONCURRENCY = 8;

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

async function measure(label: string, base: string, path: string, auth: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(base + path);
  const bytes = await get(agent, url, auth); // warm caches and the JIT
  for (let i = 0; i < 200; i++) await get(agent, url, auth);
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        await get(agent, url, auth);
        done++;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  console.log(`${label.padEnd(44)} ${(done / elapsed).toFixed(0).padStart(6)} req/s  (${(bytes / 1024).toFixed(0)} KB/page)`);
}

const size = process.argv[3] === 'small' ? 'small' : 'default';
const store = await createOrg({ seed: 1, size, anchor: '2024-06-30T00:00:00Z' });
const repo = [...store.repos].sort((a, b) => a.fullName.localeCompare(b.fullName)).find((r) => !r.workflow)!.fullName;
const gh = await startGitHubStandIn({ store, token: 't', rateLimit: { limit: 1e12, pointsPerMinute: 1e12 }, logLimit: 0 });
const pd = await startPagerDutyStandIn({ store, token: 'p', rateLimit: { perMinute: 1e12 }, logLimit: 0 });
console.log(
  `node ${process.version}, ${size} organisation, ${CONCURRENCY} keep-alive connections, ${seconds}s each, client in the same process`,
);
const dep = (await store.deployments(repo, {}, 0, 1)).items[0]!;
await measure('GitHub deployment statuses (3)', gh.url, `/repos/${repo}/deployments/${dep.id}/statuses`, 'token t');
await measure('GitHub /rate_limit', gh.url, '/rate_limit', 'token t');
await measure('PagerDuty priorities (5)', pd.url, '/priorities', 'Token token=p');
await measure('GitHub deployments, 30 per page', gh.url, `/repos/${repo}/deployments`, 'token t');
await measure('GitHub deployments, 100 per page', gh.url, `/repos/${repo}/deployments?per_page=100`, 'token t');
await measure('GitHub pulls, 30 per page', gh.url, `/repos/${repo}/pulls?state=all`, 'token t');
await measure(
  'GitHub compare, 20 commits',
  gh.url,
  `/repos/${repo}/compare/${(await store.commits(repo, {}, 20, 1)).items[0]!.sha}...main`,
  'token t',
);
await measure('PagerDuty incidents, 25 per page', pd.url, '/incidents?date_range=all', 'Token token=p');
await measure('PagerDuty incidents, 100 per page', pd.url, '/incidents?date_range=all&limit=100', 'Token token=p');
await measure('PagerDuty log entries, 100 per page', pd.url, '/log_entries?limit=100', 'Token token=p');
await gh.close();
await pd.close();
