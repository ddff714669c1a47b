// The organisation's incidents as numbers: when each was triggered, on which service, why (a bad
// deployment, something unrelated, a flapping check, or a planted open incident at the anchor),
// who was on call and paged, when it escalated, who acknowledged and resolved it and when, its
// priority changes and notes. Built once for the whole history (a few numbers per incident, even
// for 300k incidents); the log entries, notifications and alerts are rendered from it on demand.
import { Rng } from './prng.ts';
import { onCallUser, type StaticOrg, type TeamInfo } from './static-org.ts';
import { DAY, HOUR, isNight, MINUTE, sec, WEEK } from './time.ts';
import type { CausedPlan } from './timeline-types.ts';

export interface Escalation {
  at: number;
  level: number;
  user: number;
}

export interface NoteEvent {
  at: number;
  user: number;
  kind: 'impact-start' | 'evidence' | 'rollback' | 'text';
  /** impact-start: the instant; text: which canned note. */
  value: number;
}

export type IncidentKind = 'caused' | 'unrelated' | 'flapping' | 'planted';

export interface IncidentCore {
  index: number;
  at: number;
  service: number;
  team: number;
  kind: IncidentKind;
  /** caused: the repository and deployment (k) behind it. */
  repo: number;
  deploy: number;
  deployPos: number;
  deployFinalAt: number;
  flap: number;
  priority: number; // final, 0..4 or -1
  initialPriority: number;
  priorityChangeAt: number;
  priorityChanger: number;
  urgency: 'high' | 'low';
  userReported: boolean;
  reporter: number;
  level1: number;
  escalations: Escalation[];
  ackAt: number;
  ackBy: number;
  resolvedAt: number;
  resolvedBy: 'user' | 'integration';
  resolver: number;
  notes: NoteEvent[];
  alerts: number;
  /** How long before the trigger the monitor saw the problem (ms), NaN when the alert has no own time. */
  eventLead: number;
  evidence: CausedPlan['evidence'];
  shaLength: number;
  text: number;
}

export interface CausedSeed {
  repo: number;
  deploy: number;
  pos: number;
  finalAt: number;
  plan: CausedPlan;
}

const NONE: never[] = [];

/** Median minutes to acknowledge and to resolve, by priority (P1..P5), then none-high, none-low. */
const ACK_MEDIAN = [2.5, 3.5, 6, 25, 40, 5, 60];
const RESOLVE_MEDIAN = [50, 120, 360, 1300, 2000, 180, 1500];

function severityRow(priority: number, urgency: 'high' | 'low'): number {
  if (priority >= 0) return priority;
  return urgency === 'high' ? 5 : 6;
}

interface Draft {
  at: number;
  service: number;
  kind: IncidentKind;
  key: number;
  caused?: CausedSeed;
  flap?: number;
  planted?: { ackAfter: number; resolveAfter: number };
  priority: number;
  urgency: 'high' | 'low';
  userReported: boolean;
  evidence: CausedPlan['evidence'];
}

/** Every incident of the history, ordered by trigger time; index + 1 is the incident number. */
export function buildIncidentPlan(org: StaticOrg, caused: CausedSeed[]): IncidentCore[] {
  const drafts: Draft[] = [];
  const mult = org.sizeParams.incidents;
  for (const c of caused) {
    if (c.plan.at > org.historyEnd) continue;
    drafts.push({
      at: c.plan.at,
      service: c.plan.service,
      kind: 'caused',
      key: 0,
      caused: c,
      priority: c.plan.priority,
      urgency: c.plan.urgency,
      userReported: c.plan.userReported,
      evidence: c.plan.evidence,
    });
    drafts.push(...followUps(org, c));
  }
  ensureEveryEvidence(org, drafts);

  // Unrelated incidents: infrastructure, dependencies, capacity. Round the clock, a bit more by day.
  org.services.forEach((_, s) => {
    const team = teamOfService(org, s);
    const rng = new Rng(org.seed, 'unrelated', s);
    const perDay = (team.params.unrelatedPerWeek * mult) / 7;
    for (let day = org.historyStart; day < org.historyEnd; day += DAY) {
      const dow = new Date(day).getUTCDay();
      const rate = perDay * (dow === 0 || dow === 6 ? 0.7 : 1.12);
      for (let n = rng.poisson(rate); n > 0; n--) {
        const at = sec(rng.chance(0.5) ? day + rng.range(0, DAY) : day + rng.range(7, 19) * HOUR - offsetHint(team));
        const priority = [0, 1, 2, 3, 4, -1][rng.weighted([0.04, 0.16, 0.3, 0.15, 0.05, 0.3])] as number;
        const urgency: 'high' | 'low' =
          priority >= 3 ? (rng.chance(0.75) ? 'low' : 'high') : priority === -1 ? (rng.chance(0.35) ? 'low' : 'high') : 'high';
        drafts.push({
          at,
          service: s,
          kind: 'unrelated',
          key: rng.u32(),
          priority,
          urgency,
          userReported: rng.chance(0.1),
          evidence: null,
        });
      }
    }
  });

  // Flapping checks: bursts of three or more firings within a day that each clear in minutes.
  org.flapping.forEach((rule, f) => {
    const rng = new Rng(org.seed, 'flapping', f);
    for (let week = org.historyStart; week < org.historyEnd; week += WEEK) {
      for (let b = rng.poisson(rule.rate * mult); b > 0; b--) {
        let at = sec(week + rng.range(0, WEEK));
        const fires = 3 + rng.int(3);
        const urgency: 'high' | 'low' = rng.chance(0.7) ? 'high' : 'low';
        for (let i = 0; i < fires; i++) {
          drafts.push({
            at,
            service: rule.service,
            kind: 'flapping',
            key: rng.u32(),
            flap: f,
            priority: rng.chance(0.5) ? 3 : -1,
            urgency,
            userReported: false,
            evidence: null,
          });
          at = sec(at + rng.range(15, 210) * MINUTE);
        }
      }
    }
  });

  // Two incidents open at the anchor, so a test at the anchor sees both open states.
  const plantTeam = org.teamInfo.find((t) => t.profile === 'concentrated') ?? (org.teamInfo[0] as TeamInfo);
  const plantService = plantTeam.services[0] as number;
  drafts.push({
    at: sec(org.anchor - 26 * MINUTE),
    service: plantService,
    kind: 'planted',
    key: 1,
    planted: { ackAfter: 6 * MINUTE, resolveAfter: 86 * MINUTE },
    priority: 1,
    urgency: 'high',
    userReported: false,
    evidence: null,
  });
  drafts.push({
    at: sec(org.anchor - 3 * MINUTE),
    service: plantService,
    kind: 'planted',
    key: 2,
    planted: { ackAfter: 11 * MINUTE, resolveAfter: 48 * MINUTE },
    priority: 2,
    urgency: 'high',
    userReported: false,
    evidence: null,
  });

  drafts.sort(
    (a, b) => a.at - b.at || a.service - b.service || a.key - b.key || (a.caused?.deploy ?? 0) - (b.caused?.deploy ?? 0),
  );
  return drafts.filter((d) => d.at >= org.historyStart && d.at <= org.historyEnd).map((d, index) => plan(org, d, index));
}

/**
 * A bad change rarely pages once: the alert fires again before the fix lands, or a dependent
 * service of the same team breaks too. Up to two more incidents, hours apart, caused by the same
 * deployment (and never after a rollback has undone it).
 */
function followUps(org: StaticOrg, c: CausedSeed): Draft[] {
  const rng = new Rng(org.seed, 'follow-up', c.repo, c.deploy);
  const team = org.teamInfo[org.repoInfo[c.repo]?.team ?? 0] as TeamInfo;
  const out: Draft[] = [];
  let at = c.plan.at;
  for (let j = 1; j <= 2 && rng.chance(j === 1 ? 0.7 : 0.45); j++) {
    at = sec(at + Math.min(16 * HOUR, Math.max(10 * MINUTE, rng.lognormal(80, 0.8) * MINUTE)));
    if (Number.isFinite(c.plan.rollbackDoneAt) && at >= c.plan.rollbackDoneAt) break;
    if (at > org.historyEnd) break;
    const service = rng.chance(0.6) || team.services.length < 2 ? c.plan.service : (rng.pick(team.services) as number);
    out.push({
      at,
      service,
      kind: 'caused',
      key: j,
      caused: c,
      priority: c.plan.priority < 0 ? -1 : Math.min(4, c.plan.priority + rng.int(2)),
      urgency: c.plan.urgency,
      userReported: rng.chance(0.08),
      evidence: null,
    });
  }
  return out;
}

const EVIDENCE: NonNullable<CausedPlan['evidence']>[] = ['sha-in-description', 'sha-in-note', 'sha-in-title', 'deployment-id'];

/**
 * Every way an incident can name its cause must occur before the anchor, however few incidents a
 * small organisation has: tests of explicit attribution need each one. Missing kinds go to the
 * latest change-caused incidents that name nothing.
 */
function ensureEveryEvidence(org: StaticOrg, drafts: Draft[]): void {
  const before = drafts.filter((d) => d.kind === 'caused' && d.at < org.anchor - 86_400_000).sort((a, b) => b.at - a.at);
  for (const kind of EVIDENCE) {
    if (before.some((d) => d.evidence === kind)) continue;
    const pick = before.find(
      (d) => d.evidence === null && !(kind === 'deployment-id' && org.repos[d.caused?.repo ?? 0]?.workflow),
    );
    if (pick) pick.evidence = kind;
  }
}

function teamOfService(org: StaticOrg, service: number): TeamInfo {
  const teamId = org.services[service]?.teamId;
  return org.teamInfo[org.teams.findIndex((t) => t.id === teamId)] as TeamInfo;
}

/** Rough UTC offset of the team's zone, so daytime incidents happen in the team's daytime. */
function offsetHint(team: TeamInfo): number {
  const z = team.zone;
  if (z.startsWith('America/Los_Angeles')) return -8 * HOUR;
  if (z.startsWith('America/Sao_Paulo')) return -3 * HOUR;
  if (z.startsWith('America/')) return -5 * HOUR;
  if (z === 'Asia/Kolkata') return 5.5 * HOUR;
  if (z === 'Asia/Singapore') return 8 * HOUR;
  if (z === 'Asia/Tokyo') return 9 * HOUR;
  if (z.startsWith('Australia/')) return 10 * HOUR;
  return z === 'Europe/London' ? 0 : HOUR;
}

function level2User(org: StaticOrg, team: TeamInfo, at: number): number {
  return team.secondarySchedule >= 0 ? onCallUser(org, team.secondarySchedule, at) : team.manager;
}

function plan(org: StaticOrg, d: Draft, index: number): IncidentCore {
  const team = teamOfService(org, d.service);
  const params = team.params;
  const policy = org.policies[team.policy];
  const rng = new Rng(org.seed, 'incident', index, d.key, d.caused?.repo ?? -1, d.caused?.deploy ?? -1);
  const at = d.at;
  const level1 = onCallUser(org, team.primarySchedule, at);
  const l1Zone = org.users[level1]?.timeZone ?? 'UTC';
  const row = severityRow(d.priority, d.urgency);

  // Acknowledge and resolve delays: skewed, slower at night and for struggling teams.
  let ackAt = Number.NaN;
  let resolvedAt: number;
  let resolvedBy: 'user' | 'integration' = 'user';
  const nightFactor = isNight(l1Zone, at) ? 1.8 : 1;
  if (d.kind === 'flapping') {
    resolvedAt = sec(at + rng.range(1, 8) * MINUTE);
    resolvedBy = 'integration';
  } else if (d.planted) {
    ackAt = at + d.planted.ackAfter;
    resolvedAt = at + d.planted.resolveAfter;
  } else if (d.kind === 'unrelated' && !d.userReported && rng.chance(0.08)) {
    // A blip that cleared itself before anyone looked.
    resolvedAt = sec(at + rng.range(2, 9) * MINUTE);
    resolvedBy = 'integration';
  } else {
    const ack = Math.max(20_000, rng.lognormal(ACK_MEDIAN[row] as number, 0.7) * MINUTE * params.ackFactor * nightFactor);
    ackAt = sec(at + Math.min(ack, 20 * HOUR));
    let resolve = rng.lognormal(RESOLVE_MEDIAN[row] as number, 0.8) * MINUTE * params.resolveFactor;
    const rollbackDone = d.caused?.plan.rollbackDoneAt ?? Number.NaN;
    if (Number.isFinite(rollbackDone) && rollbackDone > ackAt) resolve = rollbackDone - at + rng.range(3, 25) * MINUTE;
    resolvedAt = sec(Math.min(at + 12 * DAY, Math.max(ackAt + 2 * MINUTE, at + resolve)));
    if (!d.userReported && rng.chance(0.45)) resolvedBy = 'integration';
  }

  // Escalation while nobody acknowledges a high-urgency incident: level 2, then around the loop.
  const escalations: Escalation[] = [];
  const until = Number.isFinite(ackAt) ? ackAt : resolvedAt;
  if (d.urgency === 'high' && policy) {
    const d1 = (policy.rules[0]?.delayMinutes ?? 15) * MINUTE;
    const d2 = (policy.rules[1]?.delayMinutes ?? 15) * MINUTE;
    let loops = policy.numLoops;
    let t = at + d1;
    let level = 2;
    while (t < until && escalations.length < 4) {
      escalations.push({ at: t, level, user: level === 2 ? level2User(org, team, t) : onCallUser(org, team.primarySchedule, t) });
      if (level === 2) {
        if (loops <= 0) break;
        loops--;
        level = 1;
        t += d2;
      } else {
        level = 2;
        t += d1;
      }
    }
  }
  const lastAssignee = escalations.length > 0 ? (escalations[escalations.length - 1]?.user as number) : level1;
  const ackBy = Number.isFinite(ackAt) ? (rng.chance(0.75) ? lastAssignee : level1) : -1;
  const resolver =
    resolvedBy === 'integration'
      ? -1
      : ackBy >= 0 && rng.chance(0.8)
        ? ackBy
        : (team.members[rng.int(team.members.length)] as number);

  // Priority: some incidents start lower (or without one) and are raised once someone looks.
  let initialPriority = d.priority;
  let priorityChangeAt = Number.NaN;
  let priorityChanger = -1;
  if (d.kind !== 'flapping' && Number.isFinite(ackAt) && rng.chance(0.16)) {
    const changeAt = sec(ackAt + rng.range(1, 30) * MINUTE);
    if (changeAt < resolvedAt) {
      // Without a priority at first, someone sets P3; with one, it started lower or unset.
      initialPriority = d.priority < 0 || rng.chance(0.3) ? -1 : Math.min(4, d.priority + 1 + rng.int(2));
      if (initialPriority === d.priority) initialPriority = -1;
      priorityChangeAt = changeAt;
      priorityChanger = ackBy;
    }
  }
  const priority = d.priority < 0 && Number.isFinite(priorityChangeAt) ? 2 : d.priority;

  // Notes: evidence of the cause, an explicit impact start, rollbacks, chatter.
  const notes: NoteEvent[] = [];
  const noteWindowStart = Number.isFinite(ackAt) ? ackAt : at;
  const noteAt = (lo: number, hi: number) => sec(Math.min(resolvedAt - 30_000, noteWindowStart + rng.range(lo, hi) * MINUTE));
  const noter = ackBy >= 0 ? ackBy : level1;
  if (d.evidence === 'sha-in-note') notes.push({ at: noteAt(3, 40), user: noter, kind: 'evidence', value: 0 });
  if (d.kind !== 'flapping' && rng.chance(0.12)) {
    const from = d.caused ? d.caused.finalAt : at - 60 * MINUTE;
    notes.push({ at: noteAt(5, 60), user: noter, kind: 'impact-start', value: sec(rng.range(from, at - MINUTE)) });
  }
  if (d.caused && Number.isFinite(d.caused.plan.rollbackDoneAt) && d.caused.plan.rollbackDoneAt < resolvedAt) {
    notes.push({ at: sec(d.caused.plan.rollbackDoneAt + MINUTE), user: noter, kind: 'rollback', value: 0 });
  }
  if (d.kind !== 'flapping' && rng.chance(0.25)) {
    for (let n = 1 + rng.int(2); n > 0; n--) notes.push({ at: noteAt(2, 90), user: noter, kind: 'text', value: rng.u32() });
  }
  notes.sort((a, b) => a.at - b.at);

  const reporterTeam = team.members;
  return {
    index,
    at,
    service: d.service,
    team: team.index,
    kind: d.kind,
    repo: d.caused?.repo ?? -1,
    deploy: d.caused?.deploy ?? -1,
    deployPos: d.caused?.pos ?? 0,
    deployFinalAt: d.caused?.finalAt ?? Number.NaN,
    flap: d.flap ?? -1,
    priority,
    initialPriority,
    priorityChangeAt,
    priorityChanger,
    urgency: d.urgency,
    userReported: d.userReported,
    reporter: d.userReported ? (reporterTeam[rng.int(reporterTeam.length)] as number) : -1,
    level1,
    escalations: escalations.length ? escalations : NONE,
    ackAt,
    ackBy,
    resolvedAt,
    resolvedBy,
    resolver,
    notes: notes.length ? notes : NONE,
    alerts: d.userReported ? 0 : d.kind === 'flapping' ? 1 : rng.chance(0.3) ? 2 + rng.int(4) : 1,
    eventLead: eventLead(rng, d),
    evidence: d.evidence,
    shaLength: d.caused?.plan.shaLength ?? 0,
    text: d.caused?.plan.text ?? d.key,
  };
}

/** The monitor saw it a little before PagerDuty did, but never before the causing deploy finished. */
function eventLead(rng: Rng, d: Draft): number {
  if (d.userReported || !rng.chance(0.5)) return Number.NaN;
  let lead = sec(rng.range(0.5, 12) * MINUTE);
  if (d.caused) lead = Math.min(lead, sec(d.at - d.caused.finalAt - 30_000));
  return lead > 0 ? lead : Number.NaN;
}
