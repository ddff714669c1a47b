// A config change that widens what a repository's streams must fetch re-syncs that stream of that
// repository from the start, and nothing else: a new repository is backfilled while the others
// cost one request per stream; a new production pattern re-walks that repository's deployments
// and fetches the statuses of the environments it now covers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../collectors/engine/runner.ts';
import { parseConfig } from '../../../server/config/load.ts';
import { type Database, openDatabase } from '../../../server/db/index.ts';
import { rawConfig, requestsPerStream, startWorld, syncGitHub, type World } from './support.ts';

let world: World;
let db: Database;
let repos: string[];
let widened: string;

function configWith(names: string[], patterns: Record<string, string> = {}) {
  const raw = rawConfig(world, ':memory:', (r) => names.includes(r));
  for (const team of raw.teams) {
    team.repos = team.repos.map((repo) => (patterns[repo.name] ? { ...repo, productionPattern: patterns[repo.name] } : repo));
  }
  return parseConfig('test.yaml', raw);
}

function requestsOf(result: RunResult, scope: string): number {
  return requestsPerStream(result)
    .filter((r) => r.scope === scope)
    .reduce((n, r) => n + r.requests, 0);
}

beforeAll(async () => {
  world = await startWorld();
  db = await openDatabase(':memory:');
  // Three small repositories without workflows; the first one also deploys to staging.
  const plain = world.store.repos.filter((r) => !r.workflow);
  const sizes = await Promise.all(
    plain.map(async (r) => ({ r, n: (await world.store.deployments(r.fullName, {}, 0, 1)).total })),
  );
  sizes.sort((a, b) => a.n - b.n);
  repos = sizes.slice(0, 3).map((s) => s.r.fullName);
  widened = repos[0] as string;
  const staging = await world.store.deployments(widened, { environment: 'staging' }, 0, 1);
  expect(staging.total, `${widened} has staging deployments`).toBeGreaterThan(0);
  const first = await syncGitHub(db, configWith(repos.slice(0, 2)));
  expect(first.status, first.error ?? '').toBe('succeeded');
});

afterAll(async () => {
  await db?.close();
  await world?.close();
});

describe('a config change', () => {
  it('backfills a newly added repository only', async () => {
    const [a, b, added] = repos as [string, string, string];
    const result = await syncGitHub(db, configWith(repos));
    expect(result.status, result.error ?? '').toBe('succeeded');
    for (const entry of requestsPerStream(result).filter((r) => r.scope !== added)) {
      expect(entry.requests, `${entry.stream} ${entry.scope}`).toBeLessThanOrEqual(1);
    }
    expect(requestsOf(result, added)).toBeGreaterThan(3);
    const stored = await db.one<{ n: number }>('SELECT count(*) AS n FROM deployments WHERE repo = $repo', { repo: added });
    expect(stored?.n).toBe((await world.store.deployments(added, {}, 0, 1)).total);
    expect(requestsOf(result, a) + requestsOf(result, b)).toBeLessThanOrEqual(4);
  });

  it('re-walks one repository’s deployments when its production pattern widens, and fetches the statuses it now needs', async () => {
    const before = await db.one<{ n: number }>(
      `SELECT count(*) AS n FROM deployment_statuses s JOIN deployments d ON d.id = s.deployment_id WHERE d.repo = $repo AND d.environment = 'staging'`,
      { repo: widened },
    );
    expect(before?.n).toBe(0);
    const result = await syncGitHub(db, configWith(repos, { [widened]: '^(prod|production|staging)$' }));
    expect(result.status, result.error ?? '').toBe('succeeded');
    for (const entry of requestsPerStream(result).filter((r) => r.scope !== widened)) {
      expect(entry.requests, `${entry.stream} ${entry.scope}`).toBeLessThanOrEqual(1);
    }
    // The pull requests of the widened repository did not change: still one request.
    expect(requestsPerStream(result).find((r) => r.scope === widened && r.stream === 'pulls')?.requests).toBe(1);
    const after = await db.one<{ n: number; final: number }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE d.final) AS final FROM deployment_statuses s JOIN deployments d ON d.id = s.deployment_id
       WHERE d.repo = $repo AND d.environment = 'staging'`,
      { repo: widened },
    );
    expect(after?.n).toBeGreaterThan(0);
    // Staging deployments now have their compares with the previous staging deployment.
    const compares = await db.one<{ n: number }>(
      `SELECT count(*) AS n FROM deployment_compares c JOIN deployments d ON d.id = c.deployment_id WHERE d.repo = $repo AND d.environment = 'staging'`,
      { repo: widened },
    );
    expect(compares?.n).toBeGreaterThan(0);
  });
});
