// The organisation's fixed shape: teams, people, repositories, services, escalation policies,
// schedules and priorities. Small enough to hold in memory at every size; everything that grows
// with time (commits, deployments, incidents) is generated elsewhere from these.
import { GH_BASE, ghId, ShortIdMaker } from './ids.ts';
import type {
  OrgEscalationPolicy,
  OrgPriority,
  OrgRepo,
  OrgSchedule,
  OrgService,
  OrgSize,
  OrgTeam,
  OrgUser,
  TeamProfile,
} from './model.ts';
import {
  FIRST_NAMES,
  FLAPPING_TEMPLATES,
  HOST_ROLES,
  LAST_NAMES,
  REPO_SUFFIXES,
  SERVICE_SUFFIXES,
  TEAM_DOMAINS,
  ZONES,
  type ZoneInfo,
} from './names.ts';
import { Rng } from './prng.ts';
import { LARGE_REPOS, LARGE_SERVICES, PROFILES, type ProfileParams, profileOf, SIZES, type SizeParams } from './profiles.ts';
import { atLocal, DAY, HOUR, iso, localWeekday, utcDay, WEEK } from './time.ts';

export const OWNER = 'acme';

export type NotificationType = 'sms_notification' | 'phone_notification' | 'push_notification' | 'email_notification';
export interface NotificationRule {
  type: NotificationType;
  delayMinutes: number;
}

export interface TeamInfo {
  index: number;
  profile: TeamProfile;
  params: ProfileParams;
  zone: string;
  members: number[];
  manager: number;
  repos: number[];
  services: number[];
  primarySchedule: number;
  secondarySchedule: number; // -1 when level 2 is the manager
  policy: number;
}

export interface RepoInfo {
  index: number;
  team: number;
  mergeStyle: 'squash' | 'merge' | 'rebase';
  releaseBased: boolean;
  hasStaging: boolean;
  /** Whether replaced production deployments get an `inactive` status (staging ones always do). */
  prodInactive: boolean;
  /** Services whose incidents this repository's bad changes cause. */
  services: number[];
  source: string;
}

export interface UserInfo {
  index: number;
  high: NotificationRule[];
  low: NotificationRule[];
  /** Push device shown as the address of push notifications. */
  device: string;
}

export interface FlappingRule {
  service: number;
  template: string;
  hosts: string[];
  /** Bursts per week. */
  rate: number;
}

export interface StaticOrg {
  seed: number;
  size: OrgSize;
  sizeParams: SizeParams;
  anchor: number;
  historyStart: number;
  historyEnd: number;
  teams: OrgTeam[];
  teamInfo: TeamInfo[];
  repos: OrgRepo[];
  repoInfo: RepoInfo[];
  repoByName: Map<string, number>;
  users: OrgUser[];
  userInfo: UserInfo[];
  userByPdId: Map<string, number>;
  services: OrgService[];
  serviceById: Map<string, number>;
  policies: OrgEscalationPolicy[];
  schedules: OrgSchedule[];
  scheduleStart: number[];
  priorities: OrgPriority[];
  flapping: FlappingRule[];
}

function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

// Each person's notification rules for high-urgency incidents, as people set them up: one channel
// at once (with an email copy), a second a few minutes later, then phone reminders while nobody
// has acknowledged. An incident acknowledged within minutes costs one or two pages; one left
// ringing keeps paging until someone answers or it escalates.
const HIGH_RULES: NotificationRule[][] = [
  [
    { type: 'push_notification', delayMinutes: 0 },
    { type: 'email_notification', delayMinutes: 0 },
    { type: 'sms_notification', delayMinutes: 5 },
    { type: 'phone_notification', delayMinutes: 10 },
    { type: 'phone_notification', delayMinutes: 20 },
  ],
  [
    { type: 'phone_notification', delayMinutes: 0 },
    { type: 'email_notification', delayMinutes: 0 },
    { type: 'phone_notification', delayMinutes: 10 },
    { type: 'sms_notification', delayMinutes: 20 },
  ],
  [
    { type: 'sms_notification', delayMinutes: 0 },
    { type: 'email_notification', delayMinutes: 0 },
    { type: 'push_notification', delayMinutes: 6 },
    { type: 'phone_notification', delayMinutes: 12 },
    { type: 'phone_notification', delayMinutes: 20 },
  ],
  [
    { type: 'push_notification', delayMinutes: 0 },
    { type: 'email_notification', delayMinutes: 0 },
    { type: 'phone_notification', delayMinutes: 5 },
    { type: 'phone_notification', delayMinutes: 15 },
  ],
];

// Low-urgency incidents wait for working hours in most setups: an email, sometimes a late push.
const LOW_RULES: NotificationRule[][] = [
  [
    { type: 'email_notification', delayMinutes: 0 },
    { type: 'push_notification', delayMinutes: 30 },
  ],
  [{ type: 'email_notification', delayMinutes: 0 }],
  [
    { type: 'email_notification', delayMinutes: 0 },
    { type: 'push_notification', delayMinutes: 60 },
    { type: 'email_notification', delayMinutes: 120 },
  ],
];

const PRIORITY_TEXT = [
  'Critical: customer-facing outage, all hands',
  'High: major degradation for many customers',
  'Moderate: partial degradation or a single customer',
  'Low: minor issue with a workaround',
  'Informational: no customer impact',
];

/** Build the fixed organisation for a seed, size and anchor. */
export function buildStaticOrg(seed: number, size: OrgSize, anchor: number): StaticOrg {
  const sp = SIZES[size];
  const rng = new Rng(seed, 'static', size);
  const ids = new ShortIdMaker(seed);
  const historyStart = utcDay(anchor) - sp.historyDays * DAY;
  const historyEnd = anchor + sp.futureDays * DAY;

  const teamCount = sp.teams;
  const repoCounts: number[] = [];
  const serviceCounts: number[] = [];
  for (let t = 0; t < teamCount; t++) {
    if (size === 'large') {
      repoCounts.push(Math.floor(LARGE_REPOS / teamCount) + (t < LARGE_REPOS % teamCount ? 1 : 0));
    } else repoCounts.push(sp.reposPerTeam);
    serviceCounts.push(sp.servicesPerTeam[t % sp.servicesPerTeam.length] as number);
  }
  if (size === 'large') {
    // Trim or pad the cycled service counts to the exact target.
    let total = serviceCounts.reduce((a, b) => a + b, 0);
    for (let t = 0; total !== LARGE_SERVICES; t = (t + 1) % teamCount) {
      const c = serviceCounts[t] as number;
      if (total > LARGE_SERVICES && c > 1) {
        serviceCounts[t] = c - 1;
        total--;
      } else if (total < LARGE_SERVICES && c < 4) {
        serviceCounts[t] = c + 1;
        total++;
      }
    }
  }

  // ---- people
  const users: OrgUser[] = [];
  const userInfo: UserInfo[] = [];
  const logins = new Set<string>();
  const teamZones: ZoneInfo[] = [];
  for (let t = 0; t < teamCount; t++) teamZones.push(ZONES[t % ZONES.length] as ZoneInfo);
  const membersOf: number[][] = Array.from({ length: teamCount }, () => []);
  for (let u = 0; u < sp.engineers; u++) {
    const team = u % teamCount;
    membersOf[team]?.push(u);
    const first = FIRST_NAMES[(u * 7 + rng.int(FIRST_NAMES.length)) % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[(u * 11 + rng.int(LAST_NAMES.length)) % LAST_NAMES.length] as string;
    let login = slug(`${first}-${last}`);
    for (let n = 2; logins.has(login); n++) login = `${slug(`${first}-${last}`)}${n}`;
    logins.add(login);
    // Most people work in their team's zone; a third sit elsewhere, which is what puts pages at night.
    const zone = rng.chance(0.68) ? (teamZones[team] as ZoneInfo) : (ZONES[rng.int(ZONES.length)] as ZoneInfo);
    const phone = `${zone.phonePrefix}${String(100 + ((u * 37) % 900)).padStart(3, '0')}${rng.int(10)}`;
    users.push({
      pdId: ids.make('user', u),
      login,
      name: `${first} ${last}`,
      email: `${login.replace(/-/g, '.')}@acme.example`,
      timeZone: zone.zone,
      teamIds: [],
      role: u === 0 ? 'owner' : rng.chance(0.1) ? 'admin' : rng.chance(0.15) ? 'limited_user' : 'user',
      phone,
      createdAt: iso(historyStart - Math.floor(rng.range(30, 1500)) * DAY),
    });
    userInfo.push({
      index: u,
      high: HIGH_RULES[rng.int(HIGH_RULES.length)] as NotificationRule[],
      low: LOW_RULES[rng.int(LOW_RULES.length)] as NotificationRule[],
      device: rng.pick(['iPhone', 'Pixel 8', 'iPhone 15', 'Galaxy S24', 'iPad']),
    });
  }

  // ---- teams, repositories, services, schedules, policies
  const teams: OrgTeam[] = [];
  const teamInfo: TeamInfo[] = [];
  const repos: OrgRepo[] = [];
  const repoInfo: RepoInfo[] = [];
  const services: OrgService[] = [];
  const schedules: OrgSchedule[] = [];
  const scheduleStart: number[] = [];
  const policies: OrgEscalationPolicy[] = [];
  const mergeStyles = ['squash', 'merge', 'rebase', 'squash', 'merge'] as const;
  const sources = ['prometheus', 'datadog', 'cloudwatch', 'grafana'];
  const usedDomains = new Set<string>();

  for (let t = 0; t < teamCount; t++) {
    const profile = profileOf(t);
    let domain = TEAM_DOMAINS[t % TEAM_DOMAINS.length] as string;
    if (usedDomains.has(domain)) domain = `${domain} ${Math.floor(t / TEAM_DOMAINS.length) + 1}`;
    usedDomains.add(domain);
    const teamId = slug(domain);
    const zone = (teamZones[t] as ZoneInfo).zone;
    const members = membersOf[t] as number[];
    for (const m of members) users[m]?.teamIds.push(teamId);
    const manager = members[0] as number;
    const params = PROFILES[profile];

    const repoIdx: number[] = [];
    for (let r = 0; r < (repoCounts[t] as number); r++) {
      const index = repos.length;
      const name = `${teamId}-${REPO_SUFFIXES[r % REPO_SUFFIXES.length]}${r >= REPO_SUFFIXES.length ? `-${Math.floor(r / REPO_SUFFIXES.length) + 1}` : ''}`;
      // Every organisation has a couple of repositories that deploy from an Actions workflow, and
      // one that calls its production environment "prod".
      const workflowRepo = size === 'large' ? index % 15 === 7 : (t === 1 || t === 2) && r === 1;
      const prodRepo = size === 'large' ? index % 9 === 4 : t === 3 && r === 1;
      const repo: OrgRepo = {
        fullName: `${OWNER}/${name}`,
        id: ghId(GH_BASE.repo, index, 0),
        teamId,
        defaultBranch: size !== 'large' && t === 4 && r === 0 ? 'master' : 'main',
        productionEnvironment: prodRepo ? 'prod' : 'production',
        createdAt: iso(historyStart - Math.floor(rng.range(60, 1200)) * DAY),
        description: `${domain} ${REPO_SUFFIXES[r % REPO_SUFFIXES.length]}`,
      };
      if (workflowRepo) {
        repo.workflow = { file: 'deploy.yml', id: ghId(GH_BASE.workflow, index, 1), name: 'Deploy', branch: repo.defaultBranch };
      }
      repos.push(repo);
      repoIdx.push(index);
      repoInfo.push({
        index,
        team: t,
        mergeStyle: mergeStyles[(t + r) % mergeStyles.length] as RepoInfo['mergeStyle'],
        // Sprint teams cut a release tag and deploy the tag.
        releaseBased: profile === 'struggling' && r === 0,
        hasStaging: !workflowRepo,
        prodInactive: index % 4 !== 3,
        services: [],
        source: sources[(t + r) % sources.length] as string,
      });
    }

    const policyId = ids.make('policy', t);
    const serviceIdx: number[] = [];
    for (let s = 0; s < (serviceCounts[t] as number); s++) {
      const index = services.length;
      const suffix = SERVICE_SUFFIXES[s % SERVICE_SUFFIXES.length] as string;
      services.push({
        id: ids.make('service', index),
        name: `${domain} ${suffix}${s >= SERVICE_SUFFIXES.length ? ` ${Math.floor(s / SERVICE_SUFFIXES.length) + 1}` : ''}`,
        description: `${domain} ${suffix.toLowerCase()} in production`,
        teamId,
        escalationPolicyId: policyId,
        integrationIds: [ids.make('integration', index, 0), ...(s % 2 === 0 ? [ids.make('integration', index, 1)] : [])],
        createdAt: iso(historyStart - Math.floor(rng.range(30, 900)) * DAY),
        status: 'active',
      });
      serviceIdx.push(index);
    }
    // A repository's bad changes page the service it runs as.
    repoIdx.forEach((r, i) => {
      (repoInfo[r] as RepoInfo).services = [serviceIdx[i % serviceIdx.length] as number];
    });

    // Schedules: a primary rotation over the engineers and, for most teams, a secondary one. The
    // concentrated team's primary rotation holds two people, so its pages land on them.
    const engineers = members.length > 2 ? members.slice(1) : members.slice();
    rng.shuffle(engineers);
    const usesManager = profile === 'struggling' || profile === 'slow';
    const primaryUsers = profile === 'concentrated' ? engineers.slice(0, 2) : engineers;
    const half = Math.ceil(engineers.length / 2);
    const secondaryUsers =
      profile === 'concentrated' ? [manager, ...engineers.slice(2)] : [...engineers.slice(half), ...engineers.slice(0, half)];
    const rotationStart = mondayNine(zone, historyStart);
    const primary = schedules.length;
    schedules.push({
      id: ids.make('schedule', t, 0),
      name: `${domain} Primary`,
      timeZone: zone,
      teamId,
      escalationPolicyIds: [policyId],
      rotationStart: iso(rotationStart),
      rotationUserIds: primaryUsers.map((u) => users[u]?.pdId as string),
      handoffLength: 'weekly',
    });
    scheduleStart.push(rotationStart);
    let secondary = -1;
    if (!usesManager) {
      secondary = schedules.length;
      const secondaryStart = rotationStart + 3 * DAY + 12 * HOUR;
      schedules.push({
        id: ids.make('schedule', t, 1),
        name: `${domain} Secondary`,
        timeZone: (ZONES[(t + 1) % ZONES.length] as ZoneInfo).zone,
        teamId,
        escalationPolicyIds: [policyId],
        rotationStart: iso(secondaryStart),
        rotationUserIds: secondaryUsers.map((u) => users[u]?.pdId as string),
        handoffLength: 'weekly',
      });
      scheduleStart.push(secondaryStart);
    }
    const policy = policies.length;
    policies.push({
      id: policyId,
      name: `${domain} Escalation`,
      teamId,
      numLoops: profile === 'elite' ? 2 : 1,
      rules: [
        {
          id: ids.make('rule', t, 0),
          delayMinutes: params.escalationMinutes,
          scheduleIds: [schedules[primary]?.id as string],
          userIds: [],
        },
        {
          id: ids.make('rule', t, 1),
          delayMinutes: 15,
          scheduleIds: secondary >= 0 ? [schedules[secondary]?.id as string] : [],
          userIds: secondary >= 0 ? [] : [users[manager]?.pdId as string],
        },
      ],
      serviceIds: serviceIdx.map((s) => services[s]?.id as string),
    });

    teams.push({
      id: teamId,
      name: domain,
      timeZone: zone,
      profile,
      pdTeamId: ids.make('team', t),
      repos: repoIdx.map((r) => repos[r]?.fullName as string),
      serviceIds: serviceIdx.map((s) => services[s]?.id as string),
      scheduleIds:
        secondary >= 0
          ? [schedules[primary]?.id as string, schedules[secondary]?.id as string]
          : [schedules[primary]?.id as string],
    });
    teamInfo.push({
      index: t,
      profile,
      params,
      zone,
      members,
      manager,
      repos: repoIdx,
      services: serviceIdx,
      primarySchedule: primary,
      secondarySchedule: secondary,
      policy,
    });
  }

  const priorities: OrgPriority[] = PRIORITY_TEXT.map((description, i) => ({
    id: ids.make('priority', i),
    name: `P${i + 1}`,
    description,
    order: i,
  }));

  // Flapping rules: a noisy check on a few services, firing in bursts and clearing itself.
  const flapping: FlappingRule[] = [];
  for (let f = 0; f < sp.flappingRules; f++) {
    // Put the first rules on the noisiest teams so the weekly review has something to find.
    // Four of them in the default organisation: two on the concentrated team, one on the struggling
    // team, one (rarer) on a steady team; the healthy teams stay under the paging target.
    const team = size === 'large' ? rng.int(teamCount) : ([2, 1, 2, 3, 0, 4][f % Math.min(6, teamCount)] as number);
    const ti = teamInfo[team % teamCount] as TeamInfo;
    const role = HOST_ROLES[(f + team) % HOST_ROLES.length] as string;
    const hosts = Array.from(
      { length: 2 + rng.int(4) },
      () => `${role}-${String(rng.int(60) + 1).padStart(3, '0')}.prod.acme.net`,
    );
    flapping.push({
      service: ti.services[f % ti.services.length] as number,
      template: FLAPPING_TEMPLATES[f % FLAPPING_TEMPLATES.length] as string,
      hosts,
      rate: f === 3 ? rng.range(0.15, 0.25) : rng.range(0.3, 0.6),
    });
  }

  return {
    seed,
    size,
    sizeParams: sp,
    anchor,
    historyStart,
    historyEnd,
    teams,
    teamInfo,
    repos,
    repoInfo,
    repoByName: new Map(repos.map((r, i) => [r.fullName.toLowerCase(), i])),
    users,
    userInfo,
    userByPdId: new Map(users.map((u, i) => [u.pdId, i])),
    services,
    serviceById: new Map(services.map((s, i) => [s.id, i])),
    policies,
    schedules,
    scheduleStart,
    priorities,
    flapping,
  };
}

/** The Monday 09:00 (local) at or before `ms`: when weekly rotations hand off. */
function mondayNine(zone: string, ms: number): number {
  let day = utcDay(ms) - 7 * DAY;
  while (localWeekday(zone, day + 12 * HOUR) !== 1) day -= DAY;
  return atLocal(zone, day, 9);
}

/** Index into schedule.rotationUserIds of whoever is on call at `ms`. */
export function rotationSlot(org: StaticOrg, schedule: number, ms: number): number {
  const s = org.schedules[schedule] as OrgSchedule;
  const length = s.handoffLength === 'weekly' ? WEEK : DAY;
  const k = Math.floor((ms - (org.scheduleStart[schedule] as number)) / length);
  const n = s.rotationUserIds.length;
  return ((k % n) + n) % n;
}

/** The user (index) on call for a schedule at `ms`. */
export function onCallUser(org: StaticOrg, schedule: number, ms: number): number {
  const s = org.schedules[schedule] as OrgSchedule;
  return org.userByPdId.get(s.rotationUserIds[rotationSlot(org, schedule, ms)] as string) as number;
}
