// A small hand-built organisation for the stand-ins' own tests: two teams, two repositories (one
// with 320 linear commits so the compare and pull-commit caps bite), deployments with failures and
// a rollback, ~150 incidents over eight months with log entries, alerts and notifications, and
// weekly rotations. Everything is computed from loop indices, so it is the same on every run.
import type {
  OrgAlert,
  OrgCommit,
  OrgDeployment,
  OrgEscalationPolicy,
  OrgIncident,
  OrgIssue,
  OrgLogEntry,
  OrgNotification,
  OrgPriority,
  OrgPullRequest,
  OrgRelease,
  OrgRepo,
  OrgSchedule,
  OrgService,
  OrgTeam,
  OrgUser,
  OrgWorkflowRun,
} from '../../stand-ins/org/model.ts';

export const FIXTURE_ANCHOR = '2024-06-30T00:00:00Z';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z';
const hex = (n: number, salt: string) => {
  let out = '';
  let x = (n + 1) * 2654435761;
  for (const c of salt) x = (x ^ c.charCodeAt(0)) * 16777619;
  while (out.length < 40) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += x.toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
};

export interface FixtureData {
  teams: OrgTeam[];
  repos: OrgRepo[];
  users: OrgUser[];
  services: OrgService[];
  escalationPolicies: OrgEscalationPolicy[];
  schedules: OrgSchedule[];
  priorities: OrgPriority[];
  commits: Map<string, OrgCommit[]>; // per repo, oldest first (linear history on the default branch)
  pulls: OrgPullRequest[];
  deployments: OrgDeployment[];
  runs: OrgWorkflowRun[];
  issues: OrgIssue[];
  releases: OrgRelease[];
  incidents: OrgIncident[];
  logEntries: OrgLogEntry[];
  alerts: OrgAlert[];
  notifications: OrgNotification[];
  historyStart: string;
  historyEnd: string;
}

export function buildFixtureData(): FixtureData {
  const anchor = Date.parse(FIXTURE_ANCHOR);
  const users: OrgUser[] = [
    ['PU00001', 'alice', 'Alice Ng', 'America/New_York', 'payments'],
    ['PU00002', 'bob', 'Bob Stone', 'America/New_York', 'payments'],
    ['PU00003', 'carol', 'Carol Diaz', 'America/Los_Angeles', 'payments'],
    ['PU00004', 'dave', 'Dave Kim', 'Europe/Berlin', 'search'],
    ['PU00005', 'erin', 'Erin Walsh', 'Asia/Kolkata', 'search'],
    ['PU00006', 'frank', 'Frank Osei', 'Australia/Sydney', 'search'],
  ].map(([pdId, login, name, timeZone, team]) => ({
    pdId: pdId!,
    login: login!,
    name: name!,
    email: `${login}@acme.example`,
    timeZone: timeZone!,
    teamIds: [team!],
    role: 'user',
    phone: `+1555010${pdId!.slice(-4)}`,
    createdAt: '2022-01-01T00:00:00Z',
  }));
  const teams: OrgTeam[] = [
    {
      id: 'payments',
      name: 'Payments',
      timeZone: 'America/New_York',
      profile: 'elite',
      pdTeamId: 'PT00001',
      repos: ['acme/payments-api'],
      serviceIds: ['PS00001', 'PS00002'],
      scheduleIds: ['PSC0001'],
    },
    {
      id: 'search',
      name: 'Search',
      timeZone: 'Europe/Berlin',
      profile: 'struggling',
      pdTeamId: 'PT00002',
      repos: ['acme/search-web'],
      serviceIds: ['PS00003'],
      scheduleIds: ['PSC0002'],
    },
  ];
  const repos: OrgRepo[] = [
    {
      fullName: 'acme/payments-api',
      id: 700001,
      teamId: 'payments',
      defaultBranch: 'main',
      productionEnvironment: 'production',
      createdAt: '2023-01-01T00:00:00Z',
      description: 'Payments API',
    },
    {
      fullName: 'acme/search-web',
      id: 700002,
      teamId: 'search',
      defaultBranch: 'main',
      productionEnvironment: 'prod',
      workflow: { file: '.github/workflows/deploy.yml', id: 9001, name: 'Deploy', branch: 'main' },
      createdAt: '2023-02-01T00:00:00Z',
      description: 'Search front end',
    },
  ];
  const priorities: OrgPriority[] = ['P1', 'P2', 'P3', 'P4', 'P5'].map((name, i) => ({
    id: `PPR000${i + 1}`,
    name,
    description: `Severity ${name}`,
    order: i,
  }));
  const schedules: OrgSchedule[] = [
    {
      id: 'PSC0001',
      name: 'Payments primary',
      timeZone: 'America/New_York',
      teamId: 'payments',
      escalationPolicyIds: ['PEP0001'],
      rotationStart: '2023-01-02T14:00:00Z',
      rotationUserIds: ['PU00001', 'PU00002', 'PU00003'],
      handoffLength: 'weekly',
    },
    {
      id: 'PSC0002',
      name: 'Search primary',
      timeZone: 'Europe/Berlin',
      teamId: 'search',
      escalationPolicyIds: ['PEP0002'],
      rotationStart: '2023-01-02T08:00:00Z',
      rotationUserIds: ['PU00004', 'PU00005', 'PU00006'],
      handoffLength: 'weekly',
    },
  ];
  const escalationPolicies: OrgEscalationPolicy[] = [
    {
      id: 'PEP0001',
      name: 'Payments EP',
      teamId: 'payments',
      numLoops: 1,
      rules: [
        { id: 'PER0001', delayMinutes: 15, scheduleIds: ['PSC0001'], userIds: [] },
        { id: 'PER0002', delayMinutes: 30, scheduleIds: [], userIds: ['PU00003'] },
      ],
      serviceIds: ['PS00001', 'PS00002'],
    },
    {
      id: 'PEP0002',
      name: 'Search EP',
      teamId: 'search',
      numLoops: 0,
      rules: [{ id: 'PER0003', delayMinutes: 20, scheduleIds: ['PSC0002'], userIds: [] }],
      serviceIds: ['PS00003'],
    },
  ];
  const services: OrgService[] = [
    ['PS00001', 'payments-api', 'payments', 'PEP0001'],
    ['PS00002', 'payments-worker', 'payments', 'PEP0001'],
    ['PS00003', 'search-web', 'search', 'PEP0002'],
  ].map(([id, name, teamId, ep], i) => ({
    id: id!,
    name: name!,
    description: `The ${name} service`,
    teamId: teamId!,
    escalationPolicyId: ep!,
    integrationIds: [`PI0000${i + 1}`],
    createdAt: '2023-01-01T00:00:00Z',
    status: 'active' as const,
  }));

  // ---- GitHub
  const commits = new Map<string, OrgCommit[]>();
  const logins = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
  for (const [repo, count, start] of [
    ['acme/payments-api', 320, anchor - 60 * DAY],
    ['acme/search-web', 60, anchor - 50 * DAY],
  ] as const) {
    const list: OrgCommit[] = [];
    for (let i = 0; i < count; i++) {
      const at = start + i * 3 * HOUR + 17 * 60_000;
      const login = logins[(i % 3) + (repo.includes('search') ? 3 : 0)]!;
      list.push({
        repo,
        sha: hex(i, repo),
        parents: i === 0 ? [] : [list[i - 1]!.sha],
        authorLogin: login,
        authorName: users.find((u) => u.login === login)!.name,
        authorEmail: `${login}@acme.example`,
        authoredAt: iso(at - 2 * HOUR),
        committedAt: iso(at),
        message: `Change ${i} in ${repo.split('/')[1]}`,
        committerLogin: login,
        committerName: users.find((u) => u.login === login)!.name,
        committerEmail: `${login}@acme.example`,
        treeSha: hex(i, `tree:${repo}`),
      });
    }
    commits.set(repo, list);
  }
  const pay = commits.get('acme/payments-api')!;
  const pulls: OrgPullRequest[] = [];
  for (let n = 1; n <= 40; n++) {
    const own = pay.slice((n - 1) * 5, (n - 1) * 5 + 5);
    const merged = own[4]!;
    const mergedAt = Date.parse(merged.committedAt) + 10 * 60_000;
    const open = n > 38;
    pulls.push({
      repo: 'acme/payments-api',
      id: 1_500_000_000 + n,
      mergedByLogin: open || n % 10 === 7 ? null : 'alice',
      number: n,
      title: `Feature ${n}`,
      body: `Implements feature ${n}.`,
      authorLogin: own[0]!.authorLogin,
      createdAt: own[0]!.authoredAt,
      updatedAt: iso(mergedAt),
      closedAt: open ? null : iso(mergedAt),
      mergedAt: open || n % 10 === 7 ? null : iso(mergedAt),
      mergeMethod: open || n % 10 === 7 ? null : n % 2 === 0 ? 'squash' : 'merge',
      mergeCommitSha: open || n % 10 === 7 ? null : merged.sha,
      headRef: `feature-${n}`,
      headSha: merged.sha,
      baseRef: 'main',
      draft: n === 40,
      commitShas: own.map((c) => c.sha),
      labels: n % 4 === 0 ? ['enhancement'] : [],
    });
  }
  // A long-running branch with 300 commits: GET /pulls/{n}/commits stops at 250.
  pulls.push({
    repo: 'acme/payments-api',
    id: 1_500_000_041,
    mergedByLogin: null,
    number: 41,
    title: 'Giant refactor',
    body: 'Everything at once.',
    authorLogin: 'carol',
    createdAt: pay[0]!.authoredAt,
    updatedAt: pay[299]!.committedAt,
    closedAt: null,
    mergedAt: null,
    mergeMethod: null,
    mergeCommitSha: null,
    headRef: 'giant-refactor',
    headSha: pay[299]!.sha,
    baseRef: 'main',
    draft: false,
    commitShas: pay.slice(0, 300).map((c) => c.sha),
    labels: ['refactor', 'needs-review'],
  });

  const deployments: OrgDeployment[] = [];
  let statusId = 5_000_000;
  for (let k = 0; k < 52; k++) {
    const idx = Math.min(pay.length - 1, 5 + k * 6);
    const rollback = k === 30;
    const c = rollback ? pay[5 + 28 * 6]! : pay[idx]!;
    const at = Date.parse(pay[idx]!.committedAt) + 40 * 60_000;
    const env = k % 9 === 4 ? 'staging' : 'production';
    const failed = k % 11 === 3;
    const st = (state: OrgDeployment['statuses'][number]['state'], dt: number) => ({
      id: statusId++,
      state,
      description: `Deployment ${state}`,
      createdAt: iso(at + dt),
      creatorLogin: 'alice',
      logUrl: `https://ci.acme.example/deploy/${k}`,
      environmentUrl: `https://${env}.payments.acme.example`,
    });
    deployments.push({
      repo: 'acme/payments-api',
      id: 4_000_000 + k,
      sha: c.sha,
      ref: rollback ? c.sha : 'main',
      task: 'deploy',
      environment: env,
      description: rollback ? 'Rollback' : null,
      creatorLogin: k % 2 ? 'bob' : 'alice',
      createdAt: iso(at),
      updatedAt: iso(at + 6 * 60_000),
      transient: false,
      production: env === 'production',
      statuses: [st('queued', 0), st('in_progress', 60_000), st(failed ? 'failure' : 'success', 6 * 60_000)],
    });
  }

  const search = commits.get('acme/search-web')!;
  const runs: OrgWorkflowRun[] = [];
  for (let k = 0; k < 45; k++) {
    const c = search[Math.min(search.length - 1, k + 10)]!;
    const at = Date.parse(c.committedAt) + 5 * 60_000;
    runs.push({
      repo: 'acme/search-web',
      id: 8_000_000 + k,
      workflowId: k % 5 === 4 ? 9002 : 9001,
      name: k % 5 === 4 ? 'CI' : 'Deploy',
      path: k % 5 === 4 ? '.github/workflows/ci.yml' : '.github/workflows/deploy.yml',
      displayTitle: c.message.split('\n')[0]!,
      headBranch: 'main',
      headSha: c.sha,
      event: k % 7 === 0 ? 'workflow_dispatch' : 'push',
      status: 'completed',
      conclusion: k % 8 === 5 ? 'failure' : 'success',
      runNumber: k + 1,
      runAttempt: 1,
      createdAt: iso(at),
      runStartedAt: iso(at + 20_000),
      updatedAt: iso(at + 9 * 60_000),
      actorLogin: 'dave',
    });
  }

  const issues: OrgIssue[] = [];
  for (let n = 1; n <= 41; n++) {
    const p = pulls[n - 1]!;
    issues.push({
      repo: p.repo,
      id: p.id,
      stateReason: p.closedAt ? 'completed' : null,
      comments: n % 4,
      number: n,
      title: p.title,
      body: p.body,
      authorLogin: p.authorLogin,
      labels: p.labels,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      closedAt: p.closedAt,
      pullRequestNumber: n,
    });
  }
  for (let n = 42; n <= 66; n++) {
    const at = anchor - (70 - n) * DAY;
    issues.push({
      repo: 'acme/payments-api',
      id: 1_700_000_000 + n,
      stateReason: n % 2 === 0 ? 'completed' : null,
      comments: n % 6,
      number: n,
      title: n % 3 === 0 ? `Postmortem: outage ${n}` : `Bug ${n}`,
      body: `Details for ${n}.`,
      authorLogin: 'bob',
      labels: n % 3 === 0 ? ['postmortem', 'incident'] : ['bug'],
      createdAt: iso(at),
      updatedAt: iso(at + 2 * DAY),
      closedAt: n % 2 === 0 ? iso(at + 2 * DAY) : null,
      pullRequestNumber: null,
    });
  }
  const releases: OrgRelease[] = [];
  for (let k = 0; k < 12; k++) {
    const at = anchor - (60 - k * 5) * DAY;
    releases.push({
      repo: 'acme/payments-api',
      id: 6_000_000 + k,
      tagName: `v1.${k}.0`,
      name: `Release 1.${k}`,
      targetCommitish: 'main',
      draft: k === 11,
      prerelease: k === 10,
      createdAt: iso(at),
      publishedAt: k === 11 ? null : iso(at + HOUR),
      authorLogin: 'alice',
      body: `Notes for v1.${k}.0`,
    });
  }

  // ---- PagerDuty
  const incidents: OrgIncident[] = [];
  const logEntries: OrgLogEntry[] = [];
  const alerts: OrgAlert[] = [];
  const notifications: OrgNotification[] = [];
  const start = anchor - 240 * DAY;
  const channels = ['sms_notification', 'phone_notification', 'push_notification', 'email_notification'] as const;
  for (let i = 0; i < 150; i++) {
    const service = services[i % 3]!;
    const team = teams.find((t) => t.id === service.teamId)!;
    const sched = schedules.find((s) => s.teamId === team.id)!;
    const created = start + i * 38 * HOUR + (i % 7) * 3_600_000 + 23 * 60_000;
    const id = `PINC${String(i + 1).padStart(4, '0')}`;
    const responder = sched.rotationUserIds[i % 3]!;
    const open = i >= 147; // the newest three are still open at the anchor
    const ackAt = i === 148 ? null : created + (4 + (i % 5)) * 60_000;
    const resolvedAt = open ? null : created + (30 + (i % 13) * 17) * 60_000;
    const userReported = i % 17 === 0;
    const urgency = i % 4 === 3 ? 'low' : 'high';
    incidents.push({
      id,
      number: 1000 + i,
      title: i % 5 === 0 ? `Disk full on db-${i % 3}.acme.internal` : `High error rate on ${service.name}`,
      description:
        i % 6 === 0 ? `Started after deploy of ${pay[(i * 2) % pay.length]!.sha.slice(0, 10)}` : `Alert fired on ${service.name}`,
      serviceId: service.id,
      escalationPolicyId: service.escalationPolicyId,
      teamIds: [team.pdTeamId],
      urgency,
      priorityId: i % 3 === 2 ? null : priorities[i % 4]!.id,
      incidentKey: `key-${i}`,
      createdAt: iso(created),
      acknowledgedAt: ackAt === null ? null : iso(ackAt),
      resolvedAt: resolvedAt === null ? null : iso(resolvedAt),
      updatedAt: iso(resolvedAt ?? ackAt ?? created),
      triggeredBy: userReported ? 'user' : 'integration',
      resolvedBy: resolvedAt === null ? null : i % 9 === 4 ? 'integration' : 'user',
      assignedUserIds: [responder],
      alertCount: 1 + (i % 3),
      resolveReason: null,
      // Final state; the fixture store derives the as-of-clock values from these.
      status: resolvedAt !== null ? 'resolved' : ackAt !== null ? 'acknowledged' : 'triggered',
      acknowledgements: ackAt !== null && resolvedAt === null ? [{ userId: responder, at: iso(ackAt) }] : [],
      lastStatusChangeAt: iso(resolvedAt ?? ackAt ?? created),
      lastStatusChangeBy:
        resolvedAt !== null && i % 9 === 4
          ? { type: 'service_reference', id: service.id }
          : resolvedAt !== null || ackAt !== null
            ? { type: 'user_reference', id: responder }
            : { type: 'service_reference', id: service.id },
      firstTriggerLogEntryId: `R${id.slice(4)}000`,
    });
    let seq = 0;
    const le = (type: OrgLogEntry['type'], at: number, extra: Partial<OrgLogEntry>): OrgLogEntry => {
      const entry: OrgLogEntry = {
        id: `R${id.slice(4)}${String(seq++).padStart(3, '0')}`,
        incidentId: id,
        type,
        createdAt: iso(at),
        agent: null,
        channel: { type: 'auto' },
        userId: null,
        assigneeIds: [],
        notification: null,
        note: null,
        summary: type,
        changes: [],
        escalationLevel: null,
        ...extra,
      };
      logEntries.push(entry);
      return entry;
    };
    le('trigger_log_entry', created, {
      agent: userReported ? { type: 'user_reference', id: responder } : { type: 'service_reference', id: service.id },
      channel: userReported
        ? { type: 'web_trigger', summary: 'Reported by a user' }
        : { type: 'api', summary: 'Triggered via the Events API' },
      summary: userReported ? 'Triggered through the website' : 'Triggered through the API',
    });
    le('assign_log_entry', created, {
      agent: { type: 'service_reference', id: service.id },
      assigneeIds: [responder],
      summary: 'Assigned via escalation policy',
    });
    const pages = 1 + (i % 3);
    for (let p = 0; p < pages; p++) {
      const type = channels[(i + p) % 4]!;
      const nid = `PN${id.slice(4)}${p}`;
      const at = created + (p * 2 + 1) * 60_000;
      const address =
        type === 'push_notification' ? null : type === 'email_notification' ? `${responder}@acme.example` : '+15550100000';
      notifications.push({ id: nid, incidentId: id, userId: responder, type, startedAt: iso(at), address, status: 'success' });
      le('notify_log_entry', at, {
        agent: { type: 'service_reference', id: service.id },
        channel: { type: type.replace('_notification', '') },
        userId: responder,
        notification: { id: nid, type, address },
        summary: `Notified ${responder} by ${type.replace('_notification', '')}`,
      });
    }
    if (i % 4 === 1) {
      le('escalate_log_entry', created + 3 * 60_000, {
        agent: { type: 'service_reference', id: service.id },
        assigneeIds: [responder],
        escalationLevel: 2,
        summary: 'Escalated to level 2',
      });
    }
    if (ackAt !== null)
      le('acknowledge_log_entry', ackAt, {
        agent: { type: 'user_reference', id: responder },
        channel: { type: 'mobile' },
        summary: 'Acknowledged',
      });
    if (i % 10 === 0) {
      le('annotate_log_entry', created + 20 * 60_000, {
        agent: { type: 'user_reference', id: responder },
        channel: { type: 'note' },
        note: 'impact-start: earlier',
        summary: 'Note added',
      });
    }
    if (i % 12 === 5) {
      le('field_value_change_log_entry', created + 15 * 60_000, {
        agent: { type: 'user_reference', id: responder },
        channel: { type: 'website' },
        changes: [{ field: 'priority', from: 'P3', to: 'P1' }],
        summary: 'Priority changed',
      });
    }
    if (resolvedAt !== null) {
      const byUser = i % 9 !== 4;
      le('resolve_log_entry', resolvedAt, {
        agent: byUser ? { type: 'user_reference', id: responder } : { type: 'service_reference', id: service.id },
        channel: byUser ? { type: 'website' } : { type: 'api' },
        summary: 'Resolved',
      });
    }
    for (let a = 0; a < 1 + (i % 3); a++) {
      alerts.push({
        id: `PAL${id.slice(4)}${a}`,
        incidentId: id,
        serviceId: service.id,
        integrationId: service.integrationIds[0]!,
        alertKey: `alert-${i}-${a}`,
        summary: `High error rate on ${service.name} (${a})`,
        severity: (['critical', 'error', 'warning', 'info'] as const)[a % 4]!,
        createdAt: iso(created + a * 60_000),
        resolvedAt: resolvedAt === null ? null : iso(resolvedAt),
        suppressed: false,
        eventTime: a === 0 ? iso(created - 5 * 60_000) : null,
        source: 'prometheus',
        details: { host: `web-${a}.acme.internal`, value: 97 + a },
      });
    }
  }
  return {
    teams,
    repos,
    users,
    services,
    escalationPolicies,
    schedules,
    priorities,
    commits,
    pulls,
    deployments,
    runs,
    issues,
    releases,
    incidents,
    logEntries,
    alerts,
    notifications,
    historyStart: '2022-01-01T00:00:00Z',
    historyEnd: '2024-08-01T00:00:00Z',
  };
}
