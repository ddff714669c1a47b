// Seeding the GitHub tables of a simulated organisation without HTTP: every list the GitHub
// collector reads is asked of the GitHub stand-in's own route handlers in-process (same paths,
// parameters and paging, so the same JSON a sync would receive), and each item goes through the
// collector's schema, normalise function, loader and derivations (collectors/github/*), in the
// order a first sync takes: deployments and the statuses of production ones, the deploy workflow's
// successful runs, then the compares the collector's own work query asks for, then closed pull
// requests and the commits of merged ones. What this leaves out is the network, Octokit, the
// cursors and the raw payload log (tens of gigabytes for the large organisation).
import { hashText, rawRecord } from '../../../collectors/engine/hash.ts';
import type { Row } from '../../../collectors/engine/types.ts';
import { deriveDeployments, derivePulls } from '../../../collectors/github/derive.ts';
import {
  compareRows,
  deploymentRow,
  pullCommitRow,
  pullRow,
  statusDeploymentId,
  statusRow,
  workflowRunRow,
} from '../../../collectors/github/normalise.ts';
import type { RepoRun } from '../../../collectors/github/repo-run.ts';
import {
  commitSchema,
  compareSchema,
  deploymentSchema,
  deploymentStatusSchema,
  type GhCompare,
  pullSchema,
  workflowRunSchema,
} from '../../../collectors/github/schemas.ts';
import { compareWork } from '../../../collectors/github/streams/compare.ts';
import type { Database } from '../../../server/db/index.ts';
import type { StandInRequest } from '../../stand-ins/common/http-harness.ts';
import { createGhContext, type GhContext } from '../../stand-ins/github/context.ts';
import { buildGitHubRouter } from '../../stand-ins/github/handlers.ts';
import type { OrgStore } from '../../stand-ins/org/model.ts';
import { SeedLoader } from './loading.ts';

interface RepoConfig {
  name: string;
  productionPattern: string;
  workflow?: { file: string; branch: string };
}

interface Page {
  items: unknown;
  url: string;
  link: string | undefined;
}

/** The stand-in's routes called in-process: path and query in, the JSON a client would parse out. */
export class InProcessGitHub {
  private readonly router = buildGitHubRouter();
  private readonly ctx: GhContext;
  private seq = 0;
  requests = 0;

  constructor(
    store: OrgStore,
    private readonly baseUrl: string,
  ) {
    this.ctx = createGhContext(store, baseUrl);
  }

  async get(path: string, query: Record<string, string | number>): Promise<Page> {
    const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    const match = this.router.match('GET', path);
    if (!match) throw new Error(`the GitHub stand-in has no route for ${path}`);
    const search = q.toString();
    const url = `${path}${search ? `?${search}` : ''}`;
    const req: StandInRequest = {
      seq: ++this.seq,
      method: 'GET',
      url,
      path,
      query: q,
      headers: {},
      endpoint: match.route.endpoint,
      params: match.params,
      token: undefined,
      receivedAt: this.ctx.clockMs(),
    };
    const repo = this.ctx.repoByName.get(`${match.params.owner}/${match.params.repo}`.toLowerCase());
    if (!repo) throw new Error(`the organisation has no repository ${match.params.owner}/${match.params.repo}`);
    this.requests++;
    const ok = await match.route.handler.run({ ctx: this.ctx, req, repo });
    // Serialised and parsed as on the wire: fragments spliced in, exactly the text a client gets.
    return { items: JSON.parse(this.ctx.fragments.stringify(ok.body)), url: `${this.baseUrl}${url}`, link: ok.link };
  }
}

const hasNext = (link: string | undefined) => !!link && /rel="next"/.test(link);

export interface GitHubSeedFigures {
  repos: number;
  requests: number;
  offered: number;
  written: Record<string, number>;
  loadMs: number;
  ms: number;
}

/** Every repository of the config, one after another (each one's tables as a first sync leaves them). */
export async function seedGitHub(
  db: Database,
  store: OrgStore,
  repos: readonly RepoConfig[],
  baseUrl: string,
  fetchedAt: string,
  log: (line: string) => void,
): Promise<GitHubSeedFigures> {
  const started = performance.now();
  const gh = new InProcessGitHub(store, baseUrl);
  const loader = new SeedLoader(db, 'github');
  let done = 0;
  for (const repo of repos) {
    await seedRepo(db, gh, loader, repo, fetchedAt);
    done++;
    if (done % 20 === 0 || done === repos.length)
      log(
        `github: ${done}/${repos.length} repositories, ${gh.requests.toLocaleString('en-US')} pages, ${loader.offered.toLocaleString('en-US')} rows (${Math.round((performance.now() - started) / 1000)} s)`,
      );
  }
  await loader.flush();
  return {
    repos: repos.length,
    requests: gh.requests,
    offered: loader.offered,
    written: loader.written,
    loadMs: Math.round(loader.loadMs),
    ms: Math.round(performance.now() - started),
  };
}

function meta(item: unknown, fetchedAt: string) {
  return { payloadHash: hashText(JSON.stringify(item)), fetchedAt };
}

async function seedRepo(db: Database, gh: InProcessGitHub, loader: SeedLoader, repo: RepoConfig, fetchedAt: string) {
  const [owner, name] = repo.name.split('/') as [string, string];
  const base = `/repos/${owner}/${name}`;
  const production = new RegExp(repo.productionPattern, 'i');

  // Deployments, newest first, and every page of each production deployment's statuses.
  const deploymentIds: string[] = [];
  for (let page = 1; ; page++) {
    const got = await gh.get(`${base}/deployments`, { per_page: 100, page });
    const items = got.items as unknown[];
    for (const item of items) {
      const parsed = deploymentSchema.safeParse(item);
      if (!parsed.success) continue;
      const d = parsed.data;
      loader.add('deployments', [deploymentRow(d, repo.name, meta(item, fetchedAt))]);
      deploymentIds.push(String(d.id));
      if (!production.test(d.environment)) continue;
      for (let sp = 1; ; sp++) {
        const statuses = await gh.get(`${base}/deployments/${d.id}/statuses`, { per_page: 100, ...(sp > 1 ? { page: sp } : {}) });
        const rows: Row[] = [];
        for (const s of statuses.items as unknown[]) {
          const st = deploymentStatusSchema.safeParse(s);
          const id = st.success ? statusDeploymentId(st.data) : null;
          if (st.success && id) rows.push(statusRow(st.data, id, repo.name, meta(s, fetchedAt)));
        }
        loader.add('deployment_statuses', rows);
        if (!hasNext(statuses.link)) break;
      }
    }
    if (!hasNext(got.link) || items.length === 0) break;
    await flushDeployments(loader, deploymentIds, false);
  }

  // The deploy workflow's successful runs: filtered lists stop at 1,000 results, so the collector
  // asks again for those created up to the oldest it has seen (duplicates skipped by id).
  if (repo.workflow) {
    const seen = new Set<number>();
    let createdUpTo: string | null = null;
    for (;;) {
      let oldest: string | null = null;
      let fresh = 0;
      for (let page = 1; ; page++) {
        const got = await gh.get(`${base}/actions/workflows/${repo.workflow.file}/runs`, {
          branch: repo.workflow.branch,
          status: 'success',
          per_page: 100,
          ...(createdUpTo ? { created: `<=${createdUpTo}` } : {}),
          ...(page > 1 ? { page } : {}),
        });
        const runs = ((got.items as { workflow_runs?: unknown[] }).workflow_runs ?? []) as unknown[];
        for (const item of runs) {
          const parsed = workflowRunSchema.safeParse(item);
          if (!parsed.success || seen.has(parsed.data.id)) continue;
          seen.add(parsed.data.id);
          fresh++;
          loader.add('deployments', [workflowRunRow(parsed.data, repo.name, meta(item, fetchedAt))], 'actions');
          if (!oldest || parsed.data.created_at < oldest) oldest = parsed.data.created_at;
        }
        if (!hasNext(got.link) || runs.length === 0) break;
      }
      if (fresh === 0 || !oldest || oldest === createdUpTo) break;
      createdUpTo = oldest;
    }
  }
  await flushDeployments(loader, deploymentIds, true);

  // Compares: the collector's own work query over the deployments just loaded.
  const run = { ctx: { db }, scope: { repo: repo.name }, isProduction: (e: string) => production.test(e) } as unknown as RepoRun;
  for (const work of await compareWork(run)) {
    const path = `${base}/compare/${work.baseSha}...${work.sha}`;
    const unpaged = await gh.get(path, {});
    const data = unpaged.items as { total_commits?: number; commits?: unknown[] };
    const fetched: { data: unknown; url: string }[] = [];
    if (typeof data.total_commits !== 'number' || data.total_commits <= (data.commits?.length ?? 0)) {
      fetched.push({ data, url: unpaged.url });
    } else {
      for (let page = 1; page <= 100; page++) {
        const got = await gh.get(path, { per_page: 100, page });
        fetched.push({ data: got.items, url: got.url });
        if (!hasNext(got.link)) break;
      }
    }
    const pages: { compare: GhCompare; original: { commits: unknown[] }; raw: { payloadHash: string; fetchedAt: string } }[] = [];
    for (const [i, f] of fetched.entries()) {
      const parsed = compareSchema.safeParse(f.data);
      if (!parsed.success) break;
      const raw = rawRecord({
        stream: 'compare',
        scope: repo.name,
        recordKey: `${work.id}|${work.baseId}|${fetched.length === 1 ? 0 : i + 1}`,
        requestUrl: f.url,
        fetchedAt,
        payload: f.data,
      });
      pages.push({ compare: parsed.data, original: f.data as { commits: unknown[] }, raw });
    }
    if (pages.length !== fetched.length) continue;
    const rows = compareRows({
      deploymentId: work.id,
      baseDeploymentId: work.baseId,
      baseSha: work.baseSha,
      headSha: work.sha,
      repo: repo.name,
      pages,
    });
    loader.add('deployment_compares', [rows.compare]);
    loader.add('deployment_commits', rows.deploymentCommits);
    loader.add('commits', rows.commits);
    await loader.flushIfFull();
  }
  await loader.flush(false);

  // Closed pull requests (newest update first), then every page of each merged one's commits.
  const merged: number[] = [];
  const numbers: number[] = [];
  for (let page = 1; ; page++) {
    const got = await gh.get(`${base}/pulls`, { state: 'closed', sort: 'updated', direction: 'desc', per_page: 100, page });
    const items = got.items as unknown[];
    for (const item of items) {
      const parsed = pullSchema.safeParse(item);
      if (!parsed.success) continue;
      loader.add('pull_requests', [pullRow(parsed.data, repo.name, meta(item, fetchedAt))]);
      numbers.push(parsed.data.number);
      if (parsed.data.merged_at) merged.push(parsed.data.number);
    }
    if (!hasNext(got.link) || items.length === 0) break;
    if (numbers.length >= 5_000) {
      loader.derive(derivePulls(repo.name, numbers.splice(0)));
      await loader.flush(false);
    }
  }
  loader.derive(derivePulls(repo.name, numbers.splice(0)));
  await loader.flush(false);
  for (const number of merged) {
    for (let page = 1; ; page++) {
      const got = await gh.get(`${base}/pulls/${number}/commits`, { per_page: 100, ...(page > 1 ? { page } : {}) });
      const rows: Row[] = [];
      for (const item of got.items as unknown[]) {
        const parsed = commitSchema.safeParse(item);
        if (parsed.success) rows.push(pullCommitRow(parsed.data, repo.name, number));
      }
      loader.add('pull_request_commits', rows);
      if (!hasNext(got.link)) break;
    }
    numbers.push(number);
    if (numbers.length >= 2_000) {
      loader.derive(derivePulls(repo.name, numbers.splice(0)));
      await loader.flush(false);
    }
  }
  loader.derive(derivePulls(repo.name, numbers.splice(0)));
  await loader.flush(false);
}

/** Commit the deployments and statuses gathered so far with their outcome derived (as a sync's batches do). */
async function flushDeployments(loader: SeedLoader, ids: string[], force: boolean): Promise<void> {
  if (!force && ids.length < 5_000) return;
  loader.derive(deriveDeployments(ids.splice(0)));
  // The compares' work query reads the deployments next: wait for the last commit then.
  await loader.flush(force);
}
