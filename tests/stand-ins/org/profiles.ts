// How each kind of team behaves, and how big each organisation size is. The numbers are tuned so
// the default organisation lands near 29k deployments, 4.3k incidents and 28k notifications over
// two years, and the large one near 2M deployments, 300k incidents and 1.9M notifications over
// five (tests/stand-ins/org/README.md has the measured figures).
import type { OrgSize, TeamProfile } from './model.ts';

export type DeployMode = 'continuous' | 'daily' | 'weekly' | 'sprint';

export interface ProfileParams {
  /** Pull requests opened per repository per working day. */
  prsPerDay: number;
  /** Median hours from a change's first commit to its merge, and the log-normal shape. */
  cycleMedianHours: number;
  cycleSigma: number;
  deployMode: DeployMode;
  /** Production deploy attempts per repository per working day (daily/weekly modes). */
  deploysPerDay: number;
  /** Share of deploy attempts that fail (failure/error): never reached production. */
  deployFailure: number;
  /** Share of successful production deployments that are bad (cause an incident or a rollback). */
  badDeploy: number;
  /** Of bad deployments, the share rolled back to the previous SHA. */
  rollback: number;
  /** Unrelated incidents per service per week. */
  unrelatedPerWeek: number;
  /** Multiplier on acknowledge and resolve times. */
  ackFactor: number;
  resolveFactor: number;
  /** Escalation delay of level 1, minutes. */
  escalationMinutes: number;
}

export const PROFILES: Record<TeamProfile, ProfileParams> = {
  elite: {
    prsPerDay: 3.4,
    cycleMedianHours: 3,
    cycleSigma: 1.0,
    deployMode: 'continuous',
    deploysPerDay: 0,
    deployFailure: 0.03,
    badDeploy: 0.025,
    rollback: 0.5,
    unrelatedPerWeek: 0.3,
    ackFactor: 0.7,
    resolveFactor: 0.6,
    escalationMinutes: 10,
  },
  steady: {
    prsPerDay: 2,
    cycleMedianHours: 20,
    cycleSigma: 1.0,
    deployMode: 'daily',
    deploysPerDay: 1.1,
    deployFailure: 0.06,
    badDeploy: 0.1,
    rollback: 0.35,
    unrelatedPerWeek: 0.4,
    ackFactor: 1,
    resolveFactor: 1,
    escalationMinutes: 15,
  },
  concentrated: {
    prsPerDay: 1.5,
    cycleMedianHours: 30,
    cycleSigma: 1.0,
    deployMode: 'daily',
    deploysPerDay: 0.6,
    deployFailure: 0.07,
    badDeploy: 0.2,
    rollback: 0.3,
    unrelatedPerWeek: 1.8,
    ackFactor: 0.9,
    resolveFactor: 1.2,
    escalationMinutes: 20,
  },
  slow: {
    prsPerDay: 0.9,
    cycleMedianHours: 72,
    cycleSigma: 0.9,
    deployMode: 'weekly',
    deploysPerDay: 0.22,
    deployFailure: 0.08,
    badDeploy: 0.2,
    rollback: 0.3,
    unrelatedPerWeek: 0.4,
    ackFactor: 1.3,
    resolveFactor: 1.5,
    escalationMinutes: 30,
  },
  struggling: {
    prsPerDay: 1.2,
    cycleMedianHours: 110,
    cycleSigma: 0.8,
    deployMode: 'sprint',
    deploysPerDay: 0,
    deployFailure: 0.2,
    badDeploy: 0.4,
    rollback: 0.35,
    unrelatedPerWeek: 2.2,
    ackFactor: 1.8,
    resolveFactor: 2.8,
    escalationMinutes: 15,
  },
};

export interface SizeParams {
  teams: number;
  reposPerTeam: number;
  /** Services per team; the list cycles over teams. */
  servicesPerTeam: number[];
  engineers: number;
  historyDays: number;
  /** How far past the anchor records exist, for clock advances. */
  futureDays: number;
  /** Multipliers that scale activity to the size's targets. */
  activity: number;
  incidents: number;
  /** Flapping alert rules in the organisation. */
  flappingRules: number;
  /** Cached repositories and incident months; bounded for the large size. */
  repoCache: number;
  monthCache: number;
}

export const SIZES: Record<OrgSize, SizeParams> = {
  small: {
    teams: 4,
    reposPerTeam: 2,
    servicesPerTeam: [2, 1, 1, 2],
    engineers: 20,
    historyDays: 90,
    futureDays: 30,
    activity: 1,
    incidents: 1,
    flappingRules: 2,
    repoCache: 1_000,
    monthCache: 1_000,
  },
  default: {
    teams: 6,
    reposPerTeam: 4,
    servicesPerTeam: [2],
    engineers: 60,
    historyDays: 730,
    futureDays: 45,
    activity: 1,
    incidents: 1,
    flappingRules: 4,
    repoCache: 1_000,
    monthCache: 1_000,
  },
  large: {
    teams: 60,
    reposPerTeam: 0, // 400 repositories spread over the teams
    servicesPerTeam: [3, 2, 3, 2, 2, 3],
    engineers: 600,
    historyDays: 1826,
    futureDays: 45,
    activity: 1.95,
    incidents: 4.5,
    flappingRules: 40,
    repoCache: 24,
    monthCache: 12,
  },
};

export const LARGE_REPOS = 400;
export const LARGE_SERVICES = 150;

/** The profile of the i-th team: the contrasts the dashboard must show come first. */
export function profileOf(index: number): TeamProfile {
  const order: TeamProfile[] = ['elite', 'struggling', 'concentrated', 'steady', 'slow', 'steady'];
  return order[index % order.length] as TeamProfile;
}
