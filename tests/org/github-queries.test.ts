// Every GitHub-side OrgStore query on the small organisation: GitHub's orderings, the filters the
// stand-in passes through, paging, and the git facts collectors rely on (parents, compare,
// squash/merge/rebase merges, pull requests for a commit).
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../stand-ins/org/index.ts';
import type { OrgCommit, OrgPullRequest, OrgStore } from '../stand-ins/org/model.ts';
import { allPages } from './realism-helpers.ts';

const anchor = '2025-06-01T12:00:00Z';
let store: OrgStore;
let repo: string; // a repository that deploys through the Deployments API
let prodRepo: string; // the one whose production environment is called "prod"
let workflowRepo: string;
let mainShas: Set<string>;

beforeAll(async () => {
  store = await createOrg({ seed: 3, size: 'small', anchor });
  repo = store.repos.find((r) => !r.workflow && r.productionEnvironment === 'production')?.fullName as string;
  prodRepo = store.repos.find((r) => r.productionEnvironment === 'prod')?.fullName as string;
  workflowRepo = store.repos.find((r) => r.workflow)?.fullName as string;
  mainShas = new Set((await allPages((o, l) => store.commits(repo, {}, o, l))).map((c) => c.sha));
});

async function pullsOf(fullName: string): Promise<OrgPullRequest[]> {
  return allPages((o, l) => store.pulls(fullName, { state: 'all', sort: 'created', direction: 'asc' }, o, l));
}

describe('deployments', () => {
  it('lists newest first with consistent paging and totals', async () => {
    const all = await allPages((o, l) => store.deployments(repo, {}, o, l));
    const page1 = await store.deployments(repo, {}, 0, 30);
    const page2 = await store.deployments(repo, {}, 30, 30);
    expect(page1.total).toBe(all.length);
    expect([...page1.items, ...page2.items].map((d) => d.id)).toEqual(all.slice(0, 60).map((d) => d.id));
    for (let i = 1; i < all.length; i++) {
      expect(all[i - 1]?.id).toBeGreaterThan(all[i]?.id as number);
      expect(Date.parse(all[i - 1]?.createdAt as string)).toBeGreaterThanOrEqual(Date.parse(all[i]?.createdAt as string));
    }
    for (const d of all) expect(Date.parse(d.createdAt)).toBeLessThanOrEqual(Date.parse(anchor));
    expect((await store.deployments(repo, {}, all.length, 30)).items).toEqual([]);
  });

  it('filters by environment, sha, ref and task like GitHub', async () => {
    const all = await allPages((o, l) => store.deployments(repo, {}, o, l));
    const prod = await allPages((o, l) => store.deployments(repo, { environment: 'production' }, o, l));
    const staging = await allPages((o, l) => store.deployments(repo, { environment: 'staging' }, o, l));
    expect(prod.length).toBeGreaterThan(20);
    expect(staging.length).toBeGreaterThan(20);
    expect(prod.every((d) => d.environment === 'production' && d.production)).toBe(true);
    expect(staging.every((d) => d.environment === 'staging' && !d.production)).toBe(true);
    const sha = prod[3]?.sha as string;
    const bySha = await allPages((o, l) => store.deployments(repo, { sha }, o, l));
    expect(bySha.length).toBeGreaterThanOrEqual(1);
    expect(bySha.every((d) => d.sha === sha)).toBe(true);
    expect(bySha.map((d) => d.id)).toEqual(all.filter((d) => d.sha === sha).map((d) => d.id));
    const byRef = await allPages((o, l) => store.deployments(repo, { ref: 'main' }, o, l));
    expect(byRef.length).toBe(all.filter((d) => d.ref === 'main').length);
    expect((await store.deployments(repo, { task: 'deploy' }, 0, 1)).total).toBe(all.length);
    expect((await store.deployments(repo, { task: 'migrate' }, 0, 1)).total).toBe(0);
    const prodEnv = await store.deployments(prodRepo, { environment: 'prod' }, 0, 5);
    expect(prodEnv.total).toBeGreaterThan(0);
    expect((await store.deployments(prodRepo, { environment: 'production' }, 0, 5)).total).toBe(0);
  });

  it('shows queued, in_progress, then the outcome, newest first, with inactive once replaced', async () => {
    const prod = await allPages((o, l) => store.deployments(repo, { environment: 'production' }, o, l));
    const replaced = prod.find((d) => d.statuses.some((s) => s.state === 'inactive'));
    expect(replaced).toBeDefined();
    const statuses = await store.deploymentStatuses(repo, replaced?.id as number, 0, 10);
    expect(statuses.items.map((s) => s.state)).toEqual(['inactive', 'success', 'in_progress', 'queued']);
    // The newest successful production deployment is still active.
    const newestSuccess = prod.find((d) => d.statuses.some((s) => s.state === 'success'));
    expect(newestSuccess?.statuses.at(-1)?.state).toBe('success');
    const failed = prod.find((d) => d.statuses.some((s) => s.state === 'failure' || s.state === 'error'));
    expect(failed?.statuses.map((s) => s.state).slice(0, 2)).toEqual(['queued', 'in_progress']);
    expect((await store.deploymentStatuses(repo, replaced?.id as number, 1, 2)).items.map((s) => s.state)).toEqual([
      'success',
      'in_progress',
    ]);
  });

  it('leaves replaced production deployments active in some repositories, as GitHub documents auto_inactive', async () => {
    // GitHub's auto_inactive only touches non-production environments; many setups mark production
    // inactive anyway. Both occur, so consumers must not depend on either.
    const withInactive = new Set<boolean>();
    for (const r of store.repos.filter((x) => !x.workflow)) {
      const prod = await allPages((o, l) => store.deployments(r.fullName, { environment: r.productionEnvironment }, o, l));
      withInactive.add(prod.some((d) => d.statuses.some((s) => s.state === 'inactive')));
      const staging = await allPages((o, l) => store.deployments(r.fullName, { environment: 'staging' }, o, l));
      expect(staging.filter((d) => d.statuses.some((s) => s.state === 'success')).length).toBeGreaterThan(1);
      expect(staging.some((d) => d.statuses.some((s) => s.state === 'inactive'))).toBe(true);
    }
    expect(withInactive).toEqual(new Set([true, false]));
  });

  it('finds one deployment by id, only in its own repository', async () => {
    const d = (await store.deployments(repo, {}, 5, 1)).items[0];
    expect(await store.deployment(repo, d?.id as number)).toEqual(d);
    expect(await store.deployment(prodRepo, d?.id as number)).toBeUndefined();
    expect(await store.deployment(repo, 12345)).toBeUndefined();
    expect(await store.deployment('acme/nope', d?.id as number)).toBeUndefined();
  });

  it('deploys only default-branch commits to production, and previews of pull request branches elsewhere', async () => {
    const all = await allPages((o, l) => store.deployments(repo, {}, o, l));
    for (const d of all.filter((x) => x.production)) expect(mainShas.has(d.sha)).toBe(true);
    for (const d of all) expect(await store.commit(repo, d.sha)).toBeDefined();
  });

  it('has no deployments for a repository that deploys from Actions', async () => {
    expect((await store.deployments(workflowRepo, {}, 0, 10)).total).toBe(0);
    expect((await store.workflowRuns(workflowRepo, {}, 0, 10)).total).toBeGreaterThan(10);
    expect((await store.workflowRuns(repo, {}, 0, 10)).total).toBe(0);
  });
});

describe('commits and compare', () => {
  it('lists the default branch newest first, every parent linked', async () => {
    const commits = await allPages((o, l) => store.commits(repo, {}, o, l));
    const bySha = new Map(commits.map((c) => [c.sha, c]));
    for (let i = 1; i < commits.length; i++) {
      expect(Date.parse(commits[i - 1]?.committedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(commits[i]?.committedAt as string),
      );
    }
    // Every parent of a listed commit is listed too, except the root's.
    for (const c of commits) for (const p of c.parents) expect(bySha.has(p)).toBe(true);
    expect(commits.filter((c) => c.parents.length === 0)).toHaveLength(1);
    expect(commits.some((c) => c.parents.length === 2)).toBe(true);
    expect(commits.every((c) => /^[0-9a-f]{40}$/.test(c.sha) && /^[0-9a-f]{40}$/.test(c.treeSha))).toBe(true);
    expect((await store.commits(repo, { sha: 'main' }, 0, 5)).items).toEqual(commits.slice(0, 5));
  });

  it('filters commits by since and until, and starts from any SHA', async () => {
    const since = '2025-05-01T00:00:00Z';
    const until = '2025-05-15T00:00:00Z';
    const window = await allPages((o, l) => store.commits(repo, { since, until }, o, l));
    expect(window.length).toBeGreaterThan(5);
    for (const c of window) {
      expect(Date.parse(c.committedAt)).toBeGreaterThanOrEqual(Date.parse(since));
      expect(Date.parse(c.committedAt)).toBeLessThanOrEqual(Date.parse(until));
    }
    const from = window[Math.floor(window.length / 2)] as OrgCommit;
    const history = await store.commits(repo, { sha: from.sha }, 0, 3);
    expect(history.items[0]?.sha).toBe(from.sha);
    expect(
      history.items[1] && from.parents.includes(history.items[1].sha)
        ? true
        : Date.parse(history.items[1]?.committedAt as string) <= Date.parse(from.committedAt),
    ).toBe(true);
    expect((await store.commits(repo, { sha: 'f'.repeat(40) }, 0, 3)).total).toBe(0);
  });

  it('finds commits by full or abbreviated SHA and resolves refs', async () => {
    const c = (await store.commits(repo, {}, 10, 1)).items[0] as OrgCommit;
    expect(await store.commit(repo, c.sha)).toEqual(c);
    expect(await store.commit(repo, c.sha.slice(0, 9))).toEqual(c);
    expect(await store.commit(repo, '0000000000000000000000000000000000000000')).toBeUndefined();
    expect(await store.resolveRef(repo, 'main')).toBe((await store.commits(repo, {}, 0, 1)).items[0]?.sha);
    expect(await store.resolveRef(repo, c.sha.slice(0, 8))).toBe(c.sha);
    expect(await store.resolveRef(repo, 'no-such-branch')).toBeUndefined();
  });

  it('compares consecutive deployments: ahead, oldest first, ending at the head', async () => {
    const prod = (await allPages((o, l) => store.deployments(repo, { environment: 'production' }, o, l))).filter((d) =>
      d.statuses.some((s) => s.state === 'success'),
    );
    const head = prod[0]?.sha as string;
    const base = prod.find((d) => d.sha !== head)?.sha as string;
    const cmp = await store.compare(repo, base, head);
    expect(cmp?.status).toBe('ahead');
    expect(cmp?.aheadBy).toBe(cmp?.commits.length);
    expect(cmp?.behindBy).toBe(0);
    expect(cmp?.mergeBase.sha).toBe(base);
    expect(cmp?.commits.at(-1)?.sha).toBe(head);
    // Topological: a commit's parents inside the range come before it.
    const seen = new Set<string>([base]);
    for (const c of cmp?.commits ?? []) {
      for (const p of c.parents) if (cmp?.commits.some((x) => x.sha === p)) expect(seen.has(p)).toBe(true);
      seen.add(c.sha);
    }
    const back = await store.compare(repo, head, base);
    expect(back).toMatchObject({ status: 'behind', aheadBy: 0, behindBy: cmp?.aheadBy, commits: [] });
    expect((await store.compare(repo, head, head))?.status).toBe('identical');
    expect(await store.compare(repo, 'nope', head)).toBeUndefined();
  });
});

describe('pull requests', () => {
  it('merges by squash: the pull request commits stay off the default branch', async () => {
    const squash = (await pullsOf(repo)).find((p) => p.mergeMethod === 'squash' && p.commitShas.length > 1) as OrgPullRequest;
    expect(squash).toBeDefined();
    for (const sha of squash.commitShas) expect(mainShas.has(sha)).toBe(false);
    expect(mainShas.has(squash.mergeCommitSha as string)).toBe(true);
    const merged = await store.commit(repo, squash.mergeCommitSha as string);
    expect(merged?.message).toContain(`(#${squash.number})`);
    expect(merged?.authoredAt).toBe(squash.mergedAt);
    expect(merged?.parents).toHaveLength(1);
    const first = await store.commit(repo, squash.commitShas[0] as string);
    expect(Date.parse(first?.authoredAt as string)).toBeLessThan(Date.parse(squash.mergedAt as string));
    const cmp = await store.compare(repo, 'main', squash.headSha);
    expect(cmp?.status).toBe('diverged');
    expect((await store.pullsForCommit(repo, squash.mergeCommitSha as string)).map((p) => p.number)).toEqual([squash.number]);
    expect((await store.pullsForCommit(repo, squash.commitShas[0] as string)).map((p) => p.number)).toEqual([squash.number]);
  });

  it('merges with a merge commit: its commits become reachable, the merge commit has two parents', async () => {
    const all = [...(await pullsOf(repo)), ...(await pullsOf(prodRepo))];
    const merge = all.find((p) => p.mergeMethod === 'merge') as OrgPullRequest;
    expect(merge).toBeDefined();
    const commit = await store.commit(merge.repo, merge.mergeCommitSha as string);
    expect(commit?.parents).toHaveLength(2);
    expect(commit?.parents[1]).toBe(merge.headSha);
    expect(commit?.message).toMatch(new RegExp(`^Merge pull request #${merge.number} from acme/`));
    expect((await store.compare(merge.repo, merge.headSha, 'main'))?.status).toMatch(/ahead|identical/);
  });

  it('merges by rebase: new commits on the branch keep the authored times', async () => {
    const all: OrgPullRequest[] = [];
    for (const r of store.repos) all.push(...(await pullsOf(r.fullName)));
    const rebase = all.find((p) => p.mergeMethod === 'rebase' && p.commitShas.length > 1) as OrgPullRequest;
    expect(rebase).toBeDefined();
    const last = await store.commit(rebase.repo, rebase.mergeCommitSha as string);
    const original = await store.commit(rebase.repo, rebase.headSha);
    expect(last?.sha).not.toBe(original?.sha);
    expect(last?.authoredAt).toBe(original?.authoredAt);
    expect(last?.committedAt).toBe(rebase.mergedAt);
    expect(last?.committerLogin).toBe('web-flow');
  });

  it('filters by state, sorts and pages like GitHub', async () => {
    const all = await pullsOf(repo);
    const open = await allPages((o, l) => store.pulls(repo, { state: 'open', sort: 'created', direction: 'desc' }, o, l));
    const closed = await allPages((o, l) => store.pulls(repo, { state: 'closed', sort: 'created', direction: 'desc' }, o, l));
    expect(open.length + closed.length).toBe(all.length);
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((p) => p.closedAt === null && p.mergedAt === null)).toBe(true);
    expect(closed.every((p) => p.closedAt !== null)).toBe(true);
    expect(closed.some((p) => p.closedAt !== null && p.mergedAt === null)).toBe(true);
    expect(all.map((p) => p.createdAt)).toEqual([...all.map((p) => p.createdAt)].sort());
    const updated = await store.pulls(repo, { state: 'all', sort: 'updated', direction: 'desc' }, 0, 50);
    const times = updated.items.map((p) => Date.parse(p.updatedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const popular = await store.pulls(repo, { state: 'all', sort: 'popularity', direction: 'desc' }, 0, 100);
    expect(popular.total).toBe(all.length);
    const head = open[0] as OrgPullRequest;
    const byHead = await store.pulls(
      repo,
      { state: 'all', sort: 'created', direction: 'desc', head: `acme:${head.headRef}` },
      0,
      10,
    );
    expect(byHead.items.map((p) => p.number)).toContain(head.number);
    expect((await store.pulls(repo, { state: 'all', sort: 'created', direction: 'desc', base: 'develop' }, 0, 10)).total).toBe(0);
    expect(await store.pull(repo, head.number)).toEqual(head);
    expect(await store.pull(repo, 999_999)).toBeUndefined();
  });

  it('lists the pull request behind a commit, and none for a direct push', async () => {
    const commits = await allPages((o, l) => store.commits(repo, {}, o, l));
    const bySha = new Map(commits.map((c) => [c.sha, c]));
    // Walk the first-parent chain: a commit there not committed by GitHub was pushed directly.
    let direct: OrgCommit | undefined;
    for (let c = commits[0]; c && !direct; c = bySha.get(c.parents[0] as string)) {
      if (c.committerLogin !== 'web-flow' && c.parents.length === 1) direct = c;
    }
    expect(direct).toBeDefined();
    expect(await store.pullsForCommit(repo, direct?.sha as string)).toEqual([]);
  });
});

describe('issues, workflow runs and releases', () => {
  it('lists issues with pull requests among them, filtered by labels, state and since', async () => {
    let postmortemRepo = '';
    for (const r of store.repos) {
      if (
        (await store.issues(r.fullName, { state: 'all', labels: ['postmortem'], sort: 'created', direction: 'desc' }, 0, 1))
          .total > 0
      ) {
        postmortemRepo = r.fullName;
        break;
      }
    }
    expect(postmortemRepo).not.toBe('');
    const postmortems = await allPages((o, l) =>
      store.issues(postmortemRepo, { state: 'all', labels: ['incident', 'postmortem'], sort: 'created', direction: 'asc' }, o, l),
    );
    expect(
      postmortems.every((i) => i.labels.includes('postmortem') && i.labels.includes('incident') && i.pullRequestNumber === null),
    ).toBe(true);
    expect(postmortems[0]?.body).toMatch(/PagerDuty incident #\d+ \(Q[0-9A-Z]{13}\)/);
    const all = await allPages((o, l) => store.issues(repo, { state: 'all', sort: 'created', direction: 'desc' }, o, l));
    const pulls = await pullsOf(repo);
    expect(all.filter((i) => i.pullRequestNumber !== null)).toHaveLength(pulls.length);
    const numbers = all.map((i) => i.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    const open = await store.issues(repo, { state: 'open', sort: 'created', direction: 'desc' }, 0, 100);
    expect(open.items.every((i) => i.closedAt === null)).toBe(true);
    const since = '2025-05-20T00:00:00Z';
    const recent = await allPages((o, l) =>
      store.issues(repo, { state: 'all', since, sort: 'updated', direction: 'desc' }, o, l),
    );
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.every((i) => Date.parse(i.updatedAt) >= Date.parse(since))).toBe(true);
  });

  it('lists workflow runs newest first with GitHub filters', async () => {
    const runs = await allPages((o, l) => store.workflowRuns(workflowRepo, {}, o, l));
    const deployWorkflow = store.repos.find((r) => r.fullName === workflowRepo)?.workflow;
    for (let i = 1; i < runs.length; i++) expect((runs[i - 1]?.createdAt as string) >= (runs[i]?.createdAt as string)).toBe(true);
    const deploys = await allPages((o, l) =>
      store.workflowRuns(workflowRepo, { workflowId: deployWorkflow?.id as number }, o, l),
    );
    expect(deploys.length).toBeGreaterThan(3);
    expect(deploys.every((r) => r.path === '.github/workflows/deploy.yml' && r.headBranch === deployWorkflow?.branch)).toBe(true);
    expect(deploys.some((r) => r.conclusion === 'failure')).toBe(true);
    const ci = await allPages((o, l) => store.workflowRuns(workflowRepo, { event: 'pull_request' }, o, l));
    expect(ci.length + deploys.length).toBe(runs.length);
    const successes = await allPages((o, l) => store.workflowRuns(workflowRepo, { status: 'success' }, o, l));
    expect(successes.every((r) => r.conclusion === 'success')).toBe(true);
    const one = deploys[2];
    expect((await store.workflowRuns(workflowRepo, { headSha: one?.headSha }, 0, 10)).items.map((r) => r.headSha)).toContain(
      one?.headSha,
    );
    const day = one?.createdAt.slice(0, 10) as string;
    const onDay = await allPages((o, l) => store.workflowRuns(workflowRepo, { created: day }, o, l));
    expect(onDay.length).toBeGreaterThan(0);
    expect(onDay.every((r) => r.createdAt.startsWith(day))).toBe(true);
    const range = await allPages((o, l) => store.workflowRuns(workflowRepo, { created: `${day}..${day}` }, o, l));
    expect(range).toEqual(onDay);
  });

  it('lists releases newest first; a release-based repository deploys its tags', async () => {
    const tagged = store.repos.find((r) => r.teamId === store.teams.find((t) => t.profile === 'struggling')?.id && !r.workflow);
    const releases = await allPages((o, l) => store.releases(tagged?.fullName as string, o, l));
    expect(releases.length).toBeGreaterThan(1);
    for (let i = 1; i < releases.length; i++)
      expect((releases[i - 1]?.createdAt as string) >= (releases[i]?.createdAt as string)).toBe(true);
    const deploys = await allPages((o, l) => store.deployments(tagged?.fullName as string, {}, o, l));
    const tags = new Map(releases.map((r) => [r.tagName, r]));
    const byTag = deploys.filter((d) => tags.has(d.ref));
    expect(byTag.length).toBeGreaterThan(0);
    for (const d of byTag)
      expect(await store.resolveRef(tagged?.fullName as string, d.ref)).toBe(tags.get(d.ref)?.targetCommitish);
  });
});
