// The OrgStore: the simulated organisation behind the GitHub and PagerDuty stand-ins. It builds
// the fixed organisation, simulates every repository once (keeping the numeric timelines of as
// many as its cache allows), plans all incidents, and answers the stand-ins' queries as of its
// clock, rendering records lazily so even the large organisation stays within a bounded memory.
import { buildGroundTruth } from './ground-truth.ts';
import { GH_BASE, ghId } from './ids.ts';
import { buildIncidentPlan, type CausedSeed, type IncidentCore } from './incident-plan.ts';
import { IncidentRenderer } from './incident-records.ts';
import { Lru } from './lru.ts';
import type { OrgGroundTruth, OrgOncall, OrgOptions, OrgSize, OrgStore } from './model.ts';
import { listOncalls } from './oncalls.ts';
import { PagerDutyQueries } from './pd-queries.ts';
import {
  compareRepo,
  findCommit,
  findDeployment,
  findPull,
  listCommits,
  listDeployments,
  listIssues,
  listPulls,
  listReleases,
  listRuns,
  listStatuses,
  pullsForCommit,
  resolvePos,
} from './repo-queries.ts';
import { type IncidentRef, RepoData, shaOf } from './repo-records.ts';
import { buildRepoTimeline } from './repo-timeline.ts';
import { buildStaticOrg, type StaticOrg } from './static-org.ts';
import { iso, parseIso } from './time.ts';
import type { RepoTimeline } from './timeline-types.ts';

const SIZES: readonly OrgSize[] = ['small', 'default', 'large'];

type StoreArgs<K extends keyof OrgStore> = OrgStore[K] extends (...a: infer A) => unknown ? A : never;

export function validateOptions(options: OrgOptions): number {
  if (!Number.isSafeInteger(options.seed)) throw new Error(`seed must be an integer, got ${String(options.seed)}`);
  if (!SIZES.includes(options.size)) throw new Error(`size must be one of ${SIZES.join(', ')}, got "${String(options.size)}"`);
  return parseIso(options.anchor, 'anchor');
}

/** Cache sizes, for tests that prove evicted partitions regenerate identically. */
export interface CacheTuning {
  repos?: number;
  months?: number;
  /** Rendered incidents kept; set, it bounds the cache at every size. */
  incidents?: number;
}

export class SimulatedOrg {
  readonly org: StaticOrg;
  private clockMs: number;
  private readonly repoCache: Lru<number, RepoData>;
  readonly cores: IncidentCore[];
  readonly pd: PagerDutyQueries;
  private readonly causedIndex = new Map<string, number>();
  private truth: OrgGroundTruth | undefined | null = null;

  constructor(
    readonly options: OrgOptions,
    anchor: number,
    tuning: CacheTuning = {},
  ) {
    this.org = buildStaticOrg(options.seed, options.size, anchor);
    this.clockMs = anchor;
    this.repoCache = new Lru(tuning.repos ?? this.org.sizeParams.repoCache);
    const caused: CausedSeed[] = [];
    this.org.repos.forEach((_, r) => {
      const t = buildRepoTimeline(this.org, r);
      for (const d of t.deploys)
        if (d.incident) caused.push({ repo: r, deploy: d.k, pos: d.pos, finalAt: d.finalAt, plan: d.incident });
      this.repoCache.set(r, this.makeRepoData(t));
    });
    this.cores = buildIncidentPlan(this.org, caused);
    for (const c of this.cores) if (c.kind === 'caused') this.causedIndex.set(`${c.repo}:${c.deploy}`, c.index);
    const renderer = new IncidentRenderer(this.org, (core) => {
      if (core.kind !== 'caused') return null;
      const repo = this.org.repos[core.repo];
      if (!repo) return null;
      return {
        repo: repo.fullName,
        sha: shaOf(this.org.seed, core.repo, core.deployPos),
        deploymentId: repo.workflow
          ? ghId(GH_BASE.run, core.repo, 2 * core.deploy)
          : ghId(GH_BASE.deployment, core.repo, core.deploy),
      };
    });
    this.pd = new PagerDutyQueries(this.org, this.cores, renderer, tuning);
  }

  private makeRepoData(t: RepoTimeline): RepoData {
    return new RepoData(this.org, t, (repo, deploy) => this.incidentRef(repo, deploy));
  }

  private incidentRef(repo: number, deploy: number): IncidentRef | undefined {
    const i = this.causedIndex.get(`${repo}:${deploy}`);
    if (i === undefined) return undefined;
    const core = this.cores[i] as IncidentCore;
    const detail = this.pd.detail(i);
    return {
      id: detail.incident.id,
      number: detail.incident.number,
      title: detail.incident.title,
      priorityName: core.priority >= 0 ? (this.org.priorities[core.priority]?.name ?? null) : null,
      at: core.at,
    };
  }

  repoData(index: number): RepoData {
    return this.repoCache.getOrCreate(index, () => this.makeRepoData(buildRepoTimeline(this.org, index)));
  }

  repoByName(fullName: string): RepoData | undefined {
    const index = this.org.repoByName.get(fullName.toLowerCase());
    return index === undefined ? undefined : this.repoData(index);
  }

  get clockMsValue(): number {
    return this.clockMs;
  }

  setClock(text: string): void {
    this.clockMs = parseIso(text, 'clock');
  }

  groundTruth(): OrgGroundTruth | undefined {
    if (this.options.size === 'large') return undefined;
    if (this.truth === null) this.truth = buildGroundTruth(this.org, this.cores, this.pd.renderer, (r) => this.repoData(r));
    return this.truth;
  }
}

/** Wrap the simulation in the OrgStore contract. */
export function storeOf(sim: SimulatedOrg): OrgStore {
  const org = sim.org;
  const clock = () => sim.clockMsValue;
  const empty = { items: [], total: 0 };
  const oncallCache = new Lru<string, OrgOncall[]>(64);
  const withRepo = <T>(repo: string, fallback: T, run: (rd: RepoData) => T): Promise<T> => {
    const rd = sim.repoByName(repo);
    return Promise.resolve(rd ? run(rd) : fallback);
  };
  return {
    options: sim.options,
    teams: org.teams,
    repos: org.repos,
    users: org.users,
    // A service's status follows its open incidents at the clock.
    get services() {
      const statuses = sim.pd.serviceStatuses(clock());
      if (statuses.size === 0) return org.services;
      return org.services.map((s, i) => {
        const status = statuses.get(i);
        return status ? { ...s, status } : s;
      });
    },
    escalationPolicies: org.policies,
    schedules: org.schedules,
    priorities: org.priorities,
    historyStart: iso(org.historyStart),
    historyEnd: iso(org.historyEnd),
    clock: () => iso(sim.clockMsValue),
    setClock: (text: string) => sim.setClock(text),

    deployments: (repo, filter, offset, limit) =>
      withRepo(repo, empty, (rd) => listDeployments(rd, filter, offset, limit, clock())),
    deployment: (repo, id) => withRepo(repo, undefined, (rd) => findDeployment(rd, id, clock())),
    deploymentStatuses: (repo, id, offset, limit) => withRepo(repo, empty, (rd) => listStatuses(rd, id, offset, limit, clock())),
    commits: (repo, filter, offset, limit) => withRepo(repo, empty, (rd) => listCommits(rd, filter, offset, limit, clock())),
    commit: (repo, sha) => withRepo(repo, undefined, (rd) => findCommit(rd, sha, clock())),
    resolveRef: (repo, ref) =>
      withRepo(repo, undefined, (rd) => {
        const pos = resolvePos(rd, ref, clock());
        return pos === undefined ? undefined : rd.sha(pos);
      }),
    compare: (repo, base, head) => withRepo(repo, undefined, (rd) => compareRepo(rd, base, head, clock())),
    pulls: (repo, filter, offset, limit) => withRepo(repo, empty, (rd) => listPulls(rd, filter, offset, limit, clock())),
    pull: (repo, number) => withRepo(repo, undefined, (rd) => findPull(rd, number, clock())),
    pullsForCommit: (repo, sha) => withRepo(repo, [], (rd) => pullsForCommit(rd, sha, clock())),
    issues: (repo, filter, offset, limit) => withRepo(repo, empty, (rd) => listIssues(rd, filter, offset, limit, clock())),
    workflowRuns: (repo, filter, offset, limit) => withRepo(repo, empty, (rd) => listRuns(rd, filter, offset, limit, clock())),
    releases: (repo, offset, limit) => withRepo(repo, empty, (rd) => listReleases(rd, offset, limit, clock())),

    incidents: (...a: StoreArgs<'incidents'>) => Promise.resolve(sim.pd.incidents(a[0], a[1], a[2], clock())),
    incident: (idOrNumber) => Promise.resolve(sim.pd.incident(idOrNumber, clock())),
    logEntries: (filter, offset, limit) => Promise.resolve(sim.pd.logEntries(filter, offset, limit, clock())),
    logEntry: (id) => Promise.resolve(sim.pd.logEntry(id, clock())),
    alerts: (incidentId, filter, offset, limit) => Promise.resolve(sim.pd.alerts(incidentId, filter, offset, limit, clock())),
    notifications: (filter, offset, limit) => Promise.resolve(sim.pd.notifications(filter, offset, limit, clock())),
    // Shifts do not depend on the clock; a whole-window answer is cached and paged.
    oncalls: (filter, offset, limit) => {
      const all = oncallCache.getOrCreate(
        JSON.stringify(filter),
        () => listOncalls(org, filter, 0, Number.MAX_SAFE_INTEGER).items,
      );
      return Promise.resolve({
        items: all.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit)),
        total: all.length,
      });
    },

    groundTruth: () => sim.groundTruth(),
    close: () => Promise.resolve(),
  };
}
