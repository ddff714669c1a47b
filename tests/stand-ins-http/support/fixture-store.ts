// An OrgStore over the hand-built fixture data: the same contract the seeded generator implements
// (tests/stand-ins/org/model.ts), with plain array filtering. Records are returned unmasked; the
// stand-ins must apply "as of the clock" themselves for state that changes later (a resolution
// after the clock), which is what these tests check.
import type { OrgIncident, OrgOncall, OrgOptions, OrgStore, Page } from '../../stand-ins/org/model.ts';
import { buildFixtureData, FIXTURE_ANCHOR, type FixtureData } from './fixture-data.ts';

const ms = (iso: string) => Date.parse(iso);

function page<T>(items: T[], offset: number, limit: number): Page<T> {
  return { items: items.slice(offset, offset + limit), total: items.length };
}

function byDesc<T>(get: (x: T) => string) {
  return (a: T, b: T) => ms(get(b)) - ms(get(a));
}

export function createFixtureStore(options: Partial<OrgOptions> = {}): OrgStore & { data: FixtureData } {
  const data = buildFixtureData();
  let clockMs = ms(options.anchor ?? FIXTURE_ANCHOR);
  const visible = (iso: string) => ms(iso) <= clockMs;
  // Incidents carry their final state; the contract says the store answers as of the clock.
  const asOf = (i: OrgIncident): OrgIncident => {
    const resolved = i.resolvedAt !== null && visible(i.resolvedAt);
    const acked = i.acknowledgedAt !== null && visible(i.acknowledgedAt);
    if (resolved) return i;
    const status = acked ? 'acknowledged' : 'triggered';
    const responder = i.assignedUserIds[0]!;
    return {
      ...i,
      status,
      resolvedAt: null,
      resolvedBy: null,
      acknowledgedAt: acked ? i.acknowledgedAt : null,
      updatedAt: acked ? i.acknowledgedAt! : i.createdAt,
      acknowledgements: acked ? [{ userId: responder, at: i.acknowledgedAt! }] : [],
      lastStatusChangeAt: acked ? i.acknowledgedAt! : i.createdAt,
      lastStatusChangeBy: acked ? { type: 'user_reference', id: responder } : { type: 'service_reference', id: i.serviceId },
    };
  };
  const repoCommits = (repo: string) => (data.commits.get(repo) ?? []).filter((c) => visible(c.committedAt));

  const store: OrgStore & { data: FixtureData } = {
    data,
    options: { seed: options.seed ?? 1, size: 'small', anchor: options.anchor ?? FIXTURE_ANCHOR },
    teams: data.teams,
    repos: data.repos,
    users: data.users,
    services: data.services,
    escalationPolicies: data.escalationPolicies,
    schedules: data.schedules,
    priorities: data.priorities,
    historyStart: data.historyStart,
    historyEnd: data.historyEnd,
    clock: () => new Date(clockMs).toISOString().slice(0, 19) + 'Z',
    setClock(iso: string) {
      clockMs = ms(iso);
    },

    async deployments(repo, filter, offset, limit) {
      const list = data.deployments
        .filter((d) => d.repo === repo && visible(d.createdAt))
        .filter(
          (d) =>
            (filter.environment === undefined || d.environment === filter.environment) &&
            (filter.sha === undefined || d.sha === filter.sha),
        )
        .filter(
          (d) => (filter.ref === undefined || d.ref === filter.ref) && (filter.task === undefined || d.task === filter.task),
        )
        .sort(byDesc((d) => d.createdAt));
      return page(list, offset, limit);
    },
    async deployment(repo, id) {
      return data.deployments.find((d) => d.repo === repo && d.id === id && visible(d.createdAt));
    },
    async deploymentStatuses(repo, deploymentId, offset, limit) {
      const d = data.deployments.find((x) => x.repo === repo && x.id === deploymentId);
      const list = (d?.statuses ?? []).filter((s) => visible(s.createdAt)).reverse();
      return page(list, offset, limit);
    },
    async commits(repo, filter, offset, limit) {
      let list = repoCommits(repo);
      if (filter.sha && filter.sha !== 'main') {
        const at = list.findIndex((c) => c.sha.startsWith(filter.sha!));
        list = at < 0 ? [] : list.slice(0, at + 1);
      }
      list = list
        .filter(
          (c) =>
            (filter.since === undefined || ms(c.committedAt) >= ms(filter.since)) &&
            (filter.until === undefined || ms(c.committedAt) <= ms(filter.until)),
        )
        .reverse();
      return page(list, offset, limit);
    },
    async commit(repo, sha) {
      return repoCommits(repo).find((c) => c.sha === sha || (sha.length >= 7 && c.sha.startsWith(sha)));
    },
    async resolveRef(repo, ref) {
      const list = repoCommits(repo);
      if (ref === 'main') return list.at(-1)?.sha;
      const open = data.pulls.find((p) => p.repo === repo && p.headRef === ref && !(p.closedAt && visible(p.closedAt)));
      if (open) return open.headSha;
      const matches = ref.length >= 7 ? list.filter((c) => c.sha.startsWith(ref)) : [];
      return matches.length === 1 ? matches[0]!.sha : undefined;
    },
    async compare(repo, base, head) {
      const list = repoCommits(repo);
      const find = (ref: string) =>
        ref === 'main' ? list.length - 1 : list.findIndex((c) => c.sha === ref || (ref.length >= 7 && c.sha.startsWith(ref)));
      const b = find(base);
      const h = find(head);
      if (b < 0 || h < 0) return undefined;
      if (h >= b) {
        return {
          status: h === b ? 'identical' : 'ahead',
          aheadBy: h - b,
          behindBy: 0,
          mergeBase: list[b]!,
          commits: list.slice(b + 1, h + 1),
        };
      }
      return { status: 'behind', aheadBy: 0, behindBy: b - h, mergeBase: list[h]!, commits: [] };
    },
    async pulls(repo, filter, offset, limit) {
      const isOpen = (p: FixtureData['pulls'][number]) => !(p.closedAt && visible(p.closedAt));
      let list = data.pulls.filter((p) => p.repo === repo && visible(p.createdAt));
      if (filter.state !== 'all') list = list.filter((p) => (filter.state === 'open' ? isOpen(p) : !isOpen(p)));
      if (filter.base) list = list.filter((p) => p.baseRef === filter.base);
      const key =
        filter.sort === 'updated'
          ? (p: FixtureData['pulls'][number]) => ms(p.updatedAt)
          : (p: FixtureData['pulls'][number]) => ms(p.createdAt);
      list = [...list].sort((a, b) => (filter.direction === 'asc' ? key(a) - key(b) : key(b) - key(a)) || a.number - b.number);
      return page(list, offset, limit);
    },
    async pull(repo, number) {
      return data.pulls.find((p) => p.repo === repo && p.number === number && visible(p.createdAt));
    },
    async pullsForCommit(repo, sha) {
      return data.pulls.filter(
        (p) => p.repo === repo && visible(p.createdAt) && (p.mergeCommitSha === sha || p.commitShas.includes(sha)),
      );
    },
    async issues(repo, filter, offset, limit) {
      const isOpen = (i: FixtureData['issues'][number]) => !(i.closedAt && visible(i.closedAt));
      let list = data.issues.filter((i) => i.repo === repo && visible(i.createdAt));
      if (filter.state !== 'all') list = list.filter((i) => (filter.state === 'open' ? isOpen(i) : !isOpen(i)));
      if (filter.labels?.length) list = list.filter((i) => filter.labels!.every((l) => i.labels.includes(l)));
      if (filter.since) list = list.filter((i) => ms(i.updatedAt) >= ms(filter.since!));
      const key =
        filter.sort === 'updated'
          ? (i: FixtureData['issues'][number]) => ms(i.updatedAt)
          : (i: FixtureData['issues'][number]) => ms(i.createdAt);
      list = [...list].sort((a, b) => (filter.direction === 'asc' ? key(a) - key(b) : key(b) - key(a)) || b.number - a.number);
      return page(list, offset, limit);
    },
    async workflowRuns(repo, filter, offset, limit) {
      const list = data.runs
        .filter((r) => r.repo === repo && visible(r.createdAt))
        .filter((r) => filter.workflowId === undefined || r.workflowId === filter.workflowId)
        .filter(
          (r) =>
            (filter.branch === undefined || r.headBranch === filter.branch) &&
            (filter.event === undefined || r.event === filter.event),
        )
        .filter((r) => filter.status === undefined || r.status === filter.status || r.conclusion === filter.status)
        .filter((r) => filter.headSha === undefined || r.headSha === filter.headSha)
        .sort(byDesc((r) => r.createdAt));
      return page(list, offset, limit);
    },
    async releases(repo, offset, limit) {
      return page(
        data.releases.filter((r) => r.repo === repo && visible(r.createdAt)).sort(byDesc((r) => r.createdAt)),
        offset,
        limit,
      );
    },

    async incidents(filter, offset, limit) {
      let list = data.incidents.filter((i) => visible(i.createdAt)).map(asOf);
      if (!filter.all) {
        if (filter.since) list = list.filter((i) => ms(i.createdAt) >= ms(filter.since!));
        if (filter.until) list = list.filter((i) => ms(i.createdAt) < ms(filter.until!));
      }
      if (filter.statuses?.length) list = list.filter((i) => filter.statuses!.includes(i.status));
      if (filter.serviceIds?.length) list = list.filter((i) => filter.serviceIds!.includes(i.serviceId));
      if (filter.teamIds?.length) list = list.filter((i) => i.teamIds.some((t) => filter.teamIds!.includes(t)));
      if (filter.userIds?.length) list = list.filter((i) => i.assignedUserIds.some((u) => filter.userIds!.includes(u)));
      if (filter.urgencies?.length) list = list.filter((i) => filter.urgencies!.includes(i.urgency));
      if (filter.incidentKey) list = list.filter((i) => i.incidentKey === filter.incidentKey);
      const sorts = filter.sortBy?.length ? filter.sortBy : [{ field: 'created_at' as const, direction: 'asc' as const }];
      list = [...list].sort((a, b) => {
        for (const s of sorts) {
          const va =
            s.field === 'incident_number'
              ? a.number
              : s.field === 'urgency'
                ? a.urgency
                : ms(s.field === 'resolved_at' ? (a.resolvedAt ?? '9999') : a.createdAt);
          const vb =
            s.field === 'incident_number'
              ? b.number
              : s.field === 'urgency'
                ? b.urgency
                : ms(s.field === 'resolved_at' ? (b.resolvedAt ?? '9999') : b.createdAt);
          if (va < vb) return s.direction === 'asc' ? -1 : 1;
          if (va > vb) return s.direction === 'asc' ? 1 : -1;
        }
        return a.number - b.number;
      });
      return page(list, offset, limit);
    },
    async incident(idOrNumber) {
      const found = data.incidents.find((i) => (i.id === idOrNumber || String(i.number) === idOrNumber) && visible(i.createdAt));
      return found && asOf(found);
    },
    async logEntries(filter, offset, limit) {
      let list = data.logEntries.filter((e) => visible(e.createdAt));
      if (filter.incidentId) list = list.filter((e) => e.incidentId === filter.incidentId);
      if (filter.since) list = list.filter((e) => ms(e.createdAt) >= ms(filter.since!));
      if (filter.until) list = list.filter((e) => ms(e.createdAt) < ms(filter.until!));
      if (filter.teamIds?.length) {
        const inc = new Set(data.incidents.filter((i) => i.teamIds.some((t) => filter.teamIds!.includes(t))).map((i) => i.id));
        list = list.filter((e) => inc.has(e.incidentId));
      }
      list = [...list].sort((a, b) => ms(a.createdAt) - ms(b.createdAt) || (a.id < b.id ? -1 : 1));
      if (!filter.ascending) list.reverse();
      return page(list, offset, limit);
    },
    async logEntry(id) {
      return data.logEntries.find((e) => e.id === id && visible(e.createdAt));
    },
    async alerts(incidentId, filter, offset, limit) {
      let list = data.alerts.filter((a) => a.incidentId === incidentId && visible(a.createdAt));
      const status = (a: FixtureData['alerts'][number]) => (a.resolvedAt && visible(a.resolvedAt) ? 'resolved' : 'triggered');
      if (filter.statuses?.length) list = list.filter((a) => filter.statuses!.includes(status(a)));
      if (filter.alertKey) list = list.filter((a) => a.alertKey === filter.alertKey);
      return page(list, offset, limit);
    },
    async notifications(filter, offset, limit) {
      const list = data.notifications
        .filter((n) => visible(n.startedAt) && ms(n.startedAt) >= ms(filter.since) && ms(n.startedAt) < ms(filter.until))
        .filter((n) => filter.type === undefined || n.type === filter.type)
        .sort((a, b) => ms(a.startedAt) - ms(b.startedAt));
      return page(list, offset, limit);
    },
    async oncalls(filter, offset, limit) {
      const out: OrgOncall[] = [];
      const since = ms(filter.since);
      const until = ms(filter.until);
      for (const s of data.schedules) {
        if (filter.scheduleIds?.length && !filter.scheduleIds.includes(s.id)) continue;
        const ep = s.escalationPolicyIds[0]!;
        if (filter.escalationPolicyIds?.length && !filter.escalationPolicyIds.includes(ep)) continue;
        const week = 7 * 24 * 3600_000;
        const origin = ms(s.rotationStart);
        const first = Math.floor((since - origin) / week);
        for (let k = first; origin + k * week < until; k++) {
          const userId =
            s.rotationUserIds[((k % s.rotationUserIds.length) + s.rotationUserIds.length) % s.rotationUserIds.length]!;
          if (filter.userIds?.length && !filter.userIds.includes(userId)) continue;
          const start = new Date(origin + k * week).toISOString().slice(0, 19) + 'Z';
          const end = new Date(origin + (k + 1) * week).toISOString().slice(0, 19) + 'Z';
          if (filter.earliest && out.some((o) => o.userId === userId && o.escalationPolicyId === ep)) continue;
          out.push({ userId, scheduleId: s.id, escalationPolicyId: ep, escalationLevel: 1, start, end });
        }
      }
      return page(out, offset, limit);
    },
    groundTruth: () => undefined,
    close: async () => {},
  };
  return store;
}
