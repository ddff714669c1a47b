// Workflow runs, releases and issues of a repository, rendered from its timeline as of the
// clock. Split from repo-records.ts, which renders the commits, pull requests and deployments
// these refer to.
import { GH_BASE, ghId } from './ids.ts';
import type { OrgIssue, OrgRelease, OrgWorkflowRun } from './model.ts';
import { hash32, Rng } from './prng.ts';
import type { RepoData, RunPlan } from './repo-records.ts';
import { issueLabels, issueTitle, prHeadRef, prTitle } from './repo-text.ts';
import { iso, MINUTE, sec } from './time.ts';
import { type PrPlan, sidePos } from './timeline-types.ts';

/** Workflow runs of a repository that deploys from Actions: deploy runs and CI runs of its pull requests. */
export function repoRuns(rd: RepoData): RunPlan[] {
  if (!rd.runsList) {
    const list: RunPlan[] = [];
    if (rd.repo.workflow) {
      for (const d of rd.t.deploys) {
        list.push({
          id: ghId(GH_BASE.run, rd.repoIndex, 2 * d.k),
          deploy: d,
          pr: null,
          createdAt: d.createdAt,
          startedAt: d.inProgressAt,
          completedAt: d.finalAt,
          runNumber: d.runNumber,
        });
      }
      const rng = new Rng(rd.org.seed, 'ci', rd.repoIndex);
      const ci: RunPlan[] = rd.t.prs.map((pr) => {
        const at = sec((pr.commitTimes[pr.commitTimes.length - 1] as number) + rng.range(5, 40) * 1000);
        const started = sec(at + rng.range(3, 30) * 1000);
        return {
          id: ghId(GH_BASE.run, rd.repoIndex, 2 * pr.p + 1),
          deploy: null,
          pr,
          createdAt: at,
          startedAt: started,
          completedAt: sec(started + rng.range(3, 12) * MINUTE),
          runNumber: 0,
        };
      });
      ci.sort((a, b) => a.createdAt - b.createdAt);
      ci.forEach((r, i) => {
        r.runNumber = 1 + i + (rd.t.numberBase % 500);
      });
      list.push(...ci);
      list.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
    }
    rd.runsList = list;
  }
  return rd.runsList;
}

export function runAsOf(rd: RepoData, r: RunPlan, clock: number): OrgWorkflowRun | undefined {
  if (r.createdAt > clock) return undefined;
  const wf = rd.repo.workflow;
  const status = clock < r.startedAt ? 'queued' : clock < r.completedAt ? 'in_progress' : 'completed';
  let conclusion: OrgWorkflowRun['conclusion'] = null;
  if (status === 'completed') {
    if (r.deploy) conclusion = r.deploy.outcome === 'success' ? 'success' : 'failure';
    else conclusion = hash32(r.id, 'ci') % 100 < 12 ? 'failure' : hash32(r.id, 'cancel') % 100 < 3 ? 'cancelled' : 'success';
  }
  const updated = status === 'queued' ? r.createdAt : status === 'in_progress' ? r.startedAt : r.completedAt;
  if (r.deploy) {
    const d = r.deploy;
    return {
      repo: rd.repo.fullName,
      id: r.id,
      workflowId: wf?.id ?? 0,
      name: wf?.name ?? 'Deploy',
      path: `.github/workflows/${wf?.file ?? 'deploy.yml'}`,
      displayTitle: rd.commitAt(d.pos).message.split('\n')[0] as string,
      headBranch: rd.repo.defaultBranch,
      headSha: rd.sha(d.pos),
      event: d.reason === 'retry' || d.reason === 'redeploy' ? 'workflow_dispatch' : 'push',
      status,
      conclusion,
      runNumber: r.runNumber,
      runAttempt: 1,
      createdAt: iso(r.createdAt),
      runStartedAt: iso(r.startedAt),
      updatedAt: iso(updated),
      actorLogin: rd.login(d.creator),
    };
  }
  const pr = r.pr as PrPlan;
  const j = pr.commitTimes.length - 1;
  return {
    repo: rd.repo.fullName,
    id: r.id,
    workflowId: ghId(GH_BASE.workflow, rd.repoIndex, 0),
    name: 'CI',
    path: '.github/workflows/ci.yml',
    displayTitle: prTitle(pr),
    headBranch: prHeadRef(pr, rd.login(pr.author, 'dependabot')),
    headSha: rd.sha(sidePos(pr.p, j)),
    event: 'pull_request',
    status,
    conclusion,
    runNumber: r.runNumber,
    runAttempt: 1,
    createdAt: iso(r.createdAt),
    runStartedAt: iso(r.startedAt),
    updatedAt: iso(updated),
    actorLogin: rd.login(pr.author, 'dependabot[bot]'),
  };
}

export function releaseAsOf(rd: RepoData, i: number, clock: number): OrgRelease | undefined {
  const r = rd.t.releases[i];
  if (!r || r.createdAt > clock) return undefined;
  const published = r.createdAt + (hash32(rd.repoIndex, i) % 240) * 1000;
  const prs = rd.t.prs.filter((p) => p.landing >= 0 && p.landing <= r.pos && p.landing > r.pos - 6).slice(-5);
  return {
    repo: rd.repo.fullName,
    id: ghId(GH_BASE.release, rd.repoIndex, i),
    tagName: r.tag,
    name: r.tag,
    targetCommitish: rd.org.repoInfo[rd.repoIndex]?.releaseBased ? rd.sha(r.pos) : rd.repo.defaultBranch,
    draft: published > clock,
    prerelease: r.prerelease,
    createdAt: iso(r.createdAt),
    publishedAt: published <= clock ? iso(published) : null,
    authorLogin: rd.login(r.author),
    body: `## What's changed\n${prs.map((p) => `* ${prTitle(p)} by @${rd.login(p.author, 'dependabot[bot]')} in #${p.number}`).join('\n') || '* Maintenance'}`,
  };
}

/** A pull request as GitHub lists it among issues. */
export function issueOfPr(rd: RepoData, pr: PrPlan, clock: number): OrgIssue | undefined {
  const view = rd.pullAsOf(pr, clock);
  if (!view) return undefined;
  return {
    repo: rd.repo.fullName,
    id: ghId(GH_BASE.issue, rd.repoIndex, pr.number),
    number: pr.number,
    title: view.title,
    body: view.body,
    authorLogin: view.authorLogin,
    labels: view.labels,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    closedAt: view.closedAt,
    pullRequestNumber: pr.number,
    stateReason: view.closedAt ? 'completed' : null,
    comments: pr.comments,
  };
}

export function issueAsOf(rd: RepoData, i: number, clock: number): OrgIssue | undefined {
  const issue = rd.t.issues[i];
  if (!issue || issue.createdAt > clock) return undefined;
  let final = rd.issueMemo.get(i);
  if (!final) {
    let title = issueTitle(issue);
    let body = 'Reported by the team. Steps to reproduce and expected behaviour below.';
    let severity: string | null = null;
    if (issue.kind === 'postmortem') {
      const d = rd.t.deploys[issue.deployment];
      const inc = d ? rd.incidentOf(rd.repoIndex, d.k) : undefined;
      const sha = d ? rd.sha(d.pos) : '';
      severity = inc?.priorityName ? `sev${Math.min(4, Number(inc.priorityName.slice(1)))}` : null;
      title = `Postmortem: ${inc?.title ?? 'production incident'}`;
      body =
        `## Incident\nPagerDuty incident ${inc ? `#${inc.number} (${inc.id})` : ''} triggered ${inc ? iso(inc.at) : ''}.\n\n` +
        `## Cause\nDeployment ${d ? rd.deployId(d) : ''} shipped ${sha.slice(0, 10)}, which introduced the regression.\n\n` +
        `## Follow-ups\n- [ ] add an alert on the leading signal\n- [ ] add a regression test`;
    }
    final = {
      repo: rd.repo.fullName,
      id: ghId(GH_BASE.issue, rd.repoIndex, issue.number),
      number: issue.number,
      title,
      body,
      authorLogin: rd.login(issue.author),
      labels: issueLabels(issue, severity),
      createdAt: iso(issue.createdAt),
      updatedAt: iso(Number.isFinite(issue.closedAt) ? issue.closedAt : issue.createdAt + issue.comments * 3_600_000),
      closedAt: Number.isFinite(issue.closedAt) ? iso(issue.closedAt) : null,
      pullRequestNumber: null,
      stateReason: issue.stateReason,
      comments: issue.comments,
    };
    rd.issueMemo.set(i, final);
  }
  if (Number.isFinite(issue.closedAt) && issue.closedAt > clock) {
    return { ...final, closedAt: null, stateReason: null, updatedAt: iso(issue.createdAt) };
  }
  if (Date.parse(final.updatedAt) > clock) return { ...final, updatedAt: iso(issue.createdAt) };
  return final;
}
