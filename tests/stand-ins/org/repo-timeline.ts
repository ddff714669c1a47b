// Simulates one repository's whole history as numbers: the event loop over the plan from
// repo-plan.ts lands pull requests and pushes on the default branch, deploys its head to staging
// and production with failures, retries, bad deploys that cause incidents, rollbacks to the
// previous SHA and hotfixes, sets the `inactive` status GitHub sets when the next deployment
// replaces one, and numbers pull requests and issues. One seeded stream per repository, so a
// repository regenerates identically on its own.
import { lastAtOrBefore, RepoPlanner } from './repo-plan.ts';
import type { StaticOrg } from './static-org.ts';
import { DAY, HOUR, MINUTE, sec } from './time.ts';
import {
  type CausedPlan,
  type DeployPlan,
  type DeployReason,
  type IssuePlan,
  M_DIRECT,
  M_MERGE,
  M_REBASE,
  M_SQUASH,
  type PrPlan,
  type RepoTimeline,
  sidePos,
} from './timeline-types.ts';

export { lastAtOrBefore };

class RepoSim extends RepoPlanner {
  // ---- the event loop
  run(): void {
    for (let e = this.heap.pop(); e; e = this.heap.pop()) {
      if (e.time > this.end) continue;
      switch (e.type) {
        case 'land-pr':
          this.landPr(e.p, e.time);
          break;
        case 'land-push':
          this.landPush(e.i, e.time);
          break;
        case 'trigger':
          this.trigger(e.time, e.reason);
          break;
        case 'deploy':
          this.deploy(e.time, e.pos, e.reason, e.prod, e.rollbackOf, e.refKind, e.refArg);
          break;
        case 'preview':
          this.preview(e.p, e.time);
          break;
        case 'hotfix':
          this.hotfix(e.time);
          break;
        case 'release':
          this.release(e.time, false);
          break;
      }
    }
  }

  private head(): number {
    return this.t.mTime.length - 1;
  }

  private afterLanding(time: number): void {
    if (this.team.params.deployMode === 'continuous' && this.pipelineAt < time) {
      this.pipelineAt = sec(time + this.rng.range(15, 50) * MINUTE);
      this.heap.push({ time: this.pipelineAt, type: 'trigger', reason: 'regular' });
    }
  }

  private landPr(p: number, time: number): void {
    const t = this.t;
    const pr = t.prs[p] as PrPlan;
    pr.branchPoint = lastAtOrBefore(t.mTime, pr.firstCommitAt);
    pr.landing = t.mTime.length;
    if (pr.method === 'rebase') {
      pr.commitTimes.forEach((_, j) => {
        t.mTime.push(time);
        t.mKind.push(M_REBASE);
        t.mRef.push(p);
        t.mSub.push(j);
      });
    } else {
      t.mTime.push(time);
      t.mKind.push(pr.method === 'merge' ? M_MERGE : M_SQUASH);
      t.mRef.push(p);
      t.mSub.push(0);
    }
    this.afterLanding(time);
  }

  private landPush(i: number, time: number): void {
    const t = this.t;
    t.mTime.push(time);
    t.mKind.push(M_DIRECT);
    t.mRef.push(i);
    t.mSub.push(0);
    this.afterLanding(time);
  }

  private trigger(time: number, reason: DeployReason): void {
    const head = this.head();
    const rng = this.rng;
    if (this.lastProd && this.lastProd.pos === head && this.lastProd.outcome === 'success') {
      // Nothing new to ship; now and then someone re-deploys the same SHA anyway.
      if (!rng.chance(0.04)) return;
      reason = 'redeploy';
    }
    let refKind: DeployPlan['refKind'] = 'branch';
    let refArg = -1;
    if (this.info.releaseBased) {
      // The release is cut from the head a little before the deploy, and the tag is deployed.
      refArg = this.release(sec(time - rng.range(5, 30) * MINUTE), reason === 'hotfix', head);
      refKind = 'tag';
    }
    // Staging first where there is one; its success promotes the same SHA to production.
    this.deploy(time, head, reason, !(this.info.hasStaging && reason !== 'redeploy'), -1, refKind, refArg);
  }

  private preview(p: number, time: number): void {
    const pr = this.t.prs[p] as PrPlan;
    const j = lastAtOrBefore(pr.commitTimes, time);
    this.deploy(time, sidePos(p, Math.max(0, j)), 'preview', false, -1, 'pr', p);
  }

  private deploy(
    time: number,
    pos: number,
    reason: DeployReason,
    prod: boolean,
    rollbackOf: number,
    refKind: DeployPlan['refKind'],
    refArg: number,
  ): DeployPlan {
    const { rng, team } = this;
    const params = team.params;
    const t = this.t;
    const failRate = prod ? params.deployFailure : params.deployFailure / 2;
    const failed = reason !== 'rollback' ? rng.chance(failRate) : rng.chance(0.05);
    const duration = Math.max(45_000, rng.lognormal(prod ? 6 : 4, 0.5) * MINUTE);
    const d: DeployPlan = {
      k: t.deploys.length,
      prod,
      createdAt: time,
      pos,
      refKind,
      refArg,
      creator: params.deployMode === 'continuous' || rng.chance(0.3) ? -1 : this.member(),
      inProgressAt: sec(time + rng.range(4, 50) * 1000),
      finalAt: sec(time + duration),
      outcome: failed ? (rng.chance(0.8) ? 'failure' : 'error') : 'success',
      inactiveAt: Number.NaN,
      reason,
      rollbackOf,
      bad: false,
      rolledBackBy: -1,
      incident: null,
      runNumber: 0,
      text: rng.u32(),
    };
    if (this.workflow) d.runNumber = ++this.runNumber;
    t.deploys.push(d);
    if (d.outcome !== 'success') {
      if (rng.chance(0.85)) {
        this.heap.push({
          time: sec(d.finalAt + rng.range(8, 40) * MINUTE),
          type: 'deploy',
          pos,
          reason: reason === 'rollback' || reason === 'preview' ? reason : 'retry',
          prod,
          rollbackOf,
          refKind,
          refArg,
        });
      }
      return d;
    }
    // GitHub marks the previous successful deployment to the environment inactive. Its docs say
    // auto_inactive only touches non-production environments, yet production deployments are
    // commonly seen inactive (explicit statuses, production_environment false): most repositories
    // here mark production too, a quarter leave it, so consumers meet both.
    const previous = prod ? this.lastProd : this.lastStaging;
    if (previous && previous.outcome === 'success' && (!prod || this.info.prodInactive)) previous.inactiveAt = d.finalAt;
    if (prod) this.lastProd = d;
    else this.lastStaging = d;
    if (!prod) {
      if (reason !== 'preview') {
        this.heap.push({
          time: sec(d.finalAt + rng.range(5, 30) * MINUTE),
          type: 'deploy',
          pos,
          reason: reason === 'retry' ? 'regular' : reason,
          prod: true,
          rollbackOf: -1,
          refKind,
          refArg,
        });
      }
      return d;
    }
    if (rollbackOf >= 0) {
      const bad = t.deploys[rollbackOf] as DeployPlan;
      bad.rolledBackBy = d.k;
      if (bad.incident) bad.incident.rollbackDoneAt = d.finalAt;
    }
    const before = this.prodShipped[this.prodShipped.length - 1];
    this.prodShipped.push(d);
    // Hotfixes and retries are small, reviewed changes: they break things less often.
    const badRate = reason === 'hotfix' || reason === 'retry' ? params.badDeploy * 0.3 : params.badDeploy;
    if (reason === 'rollback' || reason === 'redeploy' || !rng.chance(badRate)) return d;

    // A bad change reached production.
    d.bad = true;
    const service = this.info.services[0] as number;
    let incidentAt = Number.NaN;
    // Most bad changes page someone; the rest are caught by a rollback or a hotfix first.
    if (rng.chance(0.65)) {
      incidentAt = sec(d.finalAt + Math.min(18 * HOUR, Math.max(2 * MINUTE, rng.lognormal(35, 1.0) * MINUTE)));
      const priority = [0, 1, 2, 3, -1][rng.weighted([0.1, 0.3, 0.35, 0.1, 0.15])] as number;
      const urgency: 'high' | 'low' =
        priority === 3 ? (rng.chance(0.7) ? 'low' : 'high') : priority === -1 ? (rng.chance(0.3) ? 'low' : 'high') : 'high';
      let evidence: CausedPlan['evidence'] = null;
      if (rng.chance(0.35)) {
        const e = rng.weighted([0.4, 0.3, 0.1, this.workflow ? 0 : 0.2]);
        evidence = (['sha-in-description', 'sha-in-note', 'sha-in-title', 'deployment-id'] as const)[e] ?? null;
      }
      d.incident = {
        at: incidentAt,
        service,
        priority,
        urgency,
        evidence,
        shaLength: 7 + rng.int(6),
        userReported: rng.chance(0.08),
        rollbackDoneAt: Number.NaN,
        text: rng.u32(),
      };
      if (priority >= 0 && priority <= 1 && rng.chance(0.6)) {
        this.addIssue(this.nextWorkingTime(sec(incidentAt + rng.lognormal(1.2, 0.5) * DAY)), 'postmortem', d.k);
      }
    }
    const from = Number.isNaN(incidentAt) ? d.finalAt : incidentAt;
    const target = before && before.pos !== d.pos ? before : undefined;
    if (!this.workflow && target && rng.chance(params.rollback)) {
      const at = sec(from + (Number.isNaN(incidentAt) ? rng.lognormal(60, 0.7) : rng.lognormal(25, 0.6)) * MINUTE);
      this.heap.push({
        time: at,
        type: 'deploy',
        pos: target.pos,
        reason: 'rollback',
        prod: true,
        rollbackOf: d.k,
        refKind: target.refKind === 'tag' ? 'tag' : 'sha',
        refArg: target.refKind === 'tag' ? target.refArg : -1,
      });
    }
    if (rng.chance(0.7)) this.heap.push({ time: sec(from + rng.lognormal(2, 0.7) * HOUR), type: 'hotfix', from: d.k });
    return d;
  }

  private hotfix(time: number): void {
    // A quick fix-forward pull request, squash-merged at `time`, then shipped.
    const firstCommitAt = sec(time - this.rng.range(20, 60) * MINUTE);
    this.addPr(firstCommitAt, 'hotfix', time - firstCommitAt);
    if (this.team.params.deployMode !== 'continuous') {
      this.heap.push({ time: sec(time + this.rng.range(10, 30) * MINUTE), type: 'trigger', reason: 'hotfix' });
    }
  }

  private release(time: number, patch: boolean, pos = this.head()): number {
    const t = this.t;
    if (patch) this.version.patch++;
    else {
      this.version.minor++;
      this.version.patch = 0;
    }
    const i = t.releases.length;
    t.releases.push({
      i,
      createdAt: time,
      pos,
      tag: `v${this.version.major}.${this.version.minor}.${this.version.patch}`,
      author: this.member(),
      prerelease: false,
    });
    return i;
  }

  /** Pull requests and issues share one number sequence, in creation order. */
  finish(): RepoTimeline {
    const t = this.t;
    const items: { at: number; pr: PrPlan | null; issue: IssuePlan | null }[] = [];
    for (const pr of t.prs) items.push({ at: pr.createdAt, pr, issue: null });
    for (const issue of t.issues) items.push({ at: issue.createdAt, pr: null, issue });
    items.sort((a, b) => a.at - b.at);
    items.forEach((item, i) => {
      if (item.pr) item.pr.number = t.numberBase + i;
      if (item.issue) item.issue.number = t.numberBase + i;
    });
    t.issues.sort((a, b) => a.number - b.number);
    return t;
  }
}

export function buildRepoTimeline(org: StaticOrg, repoIndex: number): RepoTimeline {
  const sim = new RepoSim(org, repoIndex);
  sim.plan();
  sim.run();
  return sim.finish();
}
