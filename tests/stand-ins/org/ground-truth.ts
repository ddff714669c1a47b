// What the APIs only imply, stated outright for tests: which deployment caused which incident and
// how explicitly, which incidents were unrelated or user-reported, rollbacks, failed deployments,
// flapping rules, squash-merged pull requests with their first-commit time, and the teams that
// carry the dashboard's contrasts. It covers the whole history including the future buffer.
import { GH_BASE, ghId } from './ids.ts';
import type { IncidentCore } from './incident-plan.ts';
import type { IncidentRenderer } from './incident-records.ts';
import type { OrgGroundTruth } from './model.ts';
import type { RepoData } from './repo-records.ts';
import type { StaticOrg } from './static-org.ts';
import { iso } from './time.ts';
import type { DeployPlan } from './timeline-types.ts';

/** The id Vigil sees for a deployment: the deployment id, or the workflow run id for Actions repos. */
export function deploymentIdOf(rd: RepoData, d: DeployPlan): number {
  return rd.repo.workflow ? ghId(GH_BASE.run, rd.repoIndex, 2 * d.k) : rd.deployId(d);
}

export function buildGroundTruth(
  org: StaticOrg,
  cores: IncidentCore[],
  renderer: IncidentRenderer,
  repoData: (repo: number) => RepoData,
): OrgGroundTruth {
  const truth: OrgGroundTruth = {
    causedBy: {},
    unrelatedIncidentIds: [],
    userReportedIncidentIds: [],
    rollbackDeployments: [],
    failedDeployments: [],
    flappingRules: org.flapping.map((rule) => ({
      serviceId: org.services[rule.service]?.id ?? '',
      title: rule.template,
      incidentIds: [],
    })),
    squashMergedPulls: [],
    concentratedTeamId: org.teamInfo.find((t) => t.profile === 'concentrated')
      ? (org.teams[org.teamInfo.find((t) => t.profile === 'concentrated')?.index ?? 0]?.id ?? '')
      : '',
    eliteTeamId: org.teams[org.teamInfo.find((t) => t.profile === 'elite')?.index ?? 0]?.id ?? '',
    strugglingTeamId: org.teams[org.teamInfo.find((t) => t.profile === 'struggling')?.index ?? 0]?.id ?? '',
  };
  for (const core of cores) {
    const id = renderer.incidentIds.encode(core.index);
    if (core.kind === 'caused') {
      const rd = repoData(core.repo);
      const d = rd.t.deploys[core.deploy] as DeployPlan;
      truth.causedBy[id] = {
        repo: rd.repo.fullName,
        deploymentId: deploymentIdOf(rd, d),
        explicitSha: core.evidence !== null && core.evidence !== 'deployment-id',
        evidence: core.evidence,
      };
    } else truth.unrelatedIncidentIds.push(id);
    if (core.userReported) truth.userReportedIncidentIds.push(id);
    if (core.kind === 'flapping') truth.flappingRules[core.flap]?.incidentIds.push(id);
  }
  org.repos.forEach((_, r) => {
    const rd = repoData(r);
    for (const d of rd.t.deploys) {
      if (!d.prod) continue;
      if (d.reason === 'rollback' && d.outcome === 'success') {
        truth.rollbackDeployments.push({
          repo: rd.repo.fullName,
          deploymentId: deploymentIdOf(rd, d),
          redeployedSha: rd.sha(d.pos),
        });
      }
      if (d.outcome !== 'success') truth.failedDeployments.push({ repo: rd.repo.fullName, deploymentId: deploymentIdOf(rd, d) });
    }
    for (const pr of rd.t.prs) {
      if (pr.method !== 'squash' || pr.landing < 0) continue;
      truth.squashMergedPulls.push({
        repo: rd.repo.fullName,
        number: pr.number,
        firstCommitAt: iso(pr.firstCommitAt),
        mergeCommitSha: rd.sha(pr.landing),
      });
    }
  });
  return truth;
}
