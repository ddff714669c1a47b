// The store's clock: records exist from their creation on and show the state they had at the
// clock, so advancing it is how tests and the live demo see late acknowledgements, resolutions,
// new deployments and merges arrive between two syncs.
import { describe, expect, it } from 'vitest';
import { createOrg } from '../stand-ins/org/index.ts';
import type { OrgDeployment } from '../stand-ins/org/model.ts';
import { allPages } from './realism-helpers.ts';

const anchor = '2025-06-01T12:00:00Z';
const at = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z';
const plus = (iso: string, minutes: number) => at(Date.parse(iso) + minutes * 60_000);

describe('the clock', () => {
  it('starts at the anchor and moves both ways', async () => {
    const store = await createOrg({ seed: 9, size: 'small', anchor });
    expect(store.clock()).toBe(anchor);
    expect(Date.parse(store.historyStart)).toBeLessThan(Date.parse(anchor));
    expect(Date.parse(store.historyEnd)).toBeGreaterThan(Date.parse(anchor) + 20 * 86_400_000);
    store.setClock('2025-06-02T00:00:00Z');
    expect(store.clock()).toBe('2025-06-02T00:00:00Z');
    store.setClock(anchor);
    expect(() => store.setClock('soon')).toThrow(/clock must be an ISO 8601 instant/);
  });

  it('shows an incident open at t and resolved an hour later, with its log growing', async () => {
    const store = await createOrg({ seed: 9, size: 'small', anchor });
    const open = await allPages((o, l) => store.incidents({ statuses: ['triggered', 'acknowledged'] }, o, l));
    const acknowledged = open.find(
      (i) => i.status === 'acknowledged' && Date.parse(i.createdAt) > Date.parse(anchor) - 3_600_000,
    );
    const triggered = open.find((i) => i.status === 'triggered');
    expect(acknowledged).toBeDefined();
    expect(triggered).toBeDefined();
    expect(acknowledged?.resolvedAt).toBeNull();
    expect(acknowledged?.acknowledgements).toHaveLength(1);
    expect(acknowledged?.assignedUserIds).toHaveLength(1);
    expect(triggered?.acknowledgedAt).toBeNull();
    const before = await store.logEntries({ incidentId: acknowledged?.id as string }, 0, 100);
    expect(before.items.some((e) => e.type === 'resolve_log_entry')).toBe(false);
    expect(before.items.every((e) => e.createdAt <= anchor)).toBe(true);

    // The service shows its open incidents.
    const service = store.services.find((s) => s.id === acknowledged?.serviceId);
    expect(service?.status).toBe(acknowledged?.urgency === 'high' ? 'critical' : 'warning');

    store.setClock(plus(anchor, 60));
    const later = await store.incident(acknowledged?.id as string);
    expect(later?.status).toBe('resolved');
    expect(later?.resolvedAt && later.resolvedAt <= store.clock()).toBe(true);
    expect(later?.assignedUserIds).toEqual([]);
    const after = await store.logEntries({ incidentId: acknowledged?.id as string }, 0, 100);
    expect(after.items[0]?.type).toBe('resolve_log_entry');
    expect(after.total).toBeGreaterThan(before.total);
    const ackLater = await store.incident(triggered?.id as string);
    expect(ackLater?.acknowledgedAt).not.toBeNull();
    const resolvedLater = (await store.incidents({ statuses: ['resolved'] }, 0, 1)).total;
    store.setClock(anchor);
    const resolvedAtAnchor = (await store.incidents({ statuses: ['resolved'] }, 0, 1)).total;
    expect(resolvedLater).toBeGreaterThan(resolvedAtAnchor);
  });

  it('hides what has not happened yet, and shows deployment statuses as they arrive', async () => {
    const store = await createOrg({ seed: 9, size: 'small', anchor });
    const repo = store.repos[0]?.fullName as string;
    // A deployment that started before some later instant t and finished after it.
    store.setClock(store.historyEnd);
    const everything = await allPages((o, l) => store.deployments(repo, {}, o, l));
    const future = everything.filter((d) => d.createdAt > anchor);
    expect(future.length).toBeGreaterThan(5);
    const running = future.find(
      (d) => Date.parse(d.statuses.at(-1)?.createdAt as string) - Date.parse(d.createdAt) > 60_000,
    ) as OrgDeployment;
    const midway = at(Date.parse(running.statuses[1]?.createdAt as string) + 1000);
    store.setClock(midway);
    const seen = await store.deployment(repo, running.id);
    expect(seen?.statuses.map((s) => s.state)).toEqual(['queued', 'in_progress']);
    expect(seen?.updatedAt).toBe(running.statuses[1]?.createdAt);
    const statuses = await store.deploymentStatuses(repo, running.id, 0, 10);
    expect(statuses.items.map((s) => s.state)).toEqual(['in_progress', 'queued']);
    store.setClock(running.statuses[2]?.createdAt as string);
    expect((await store.deployment(repo, running.id))?.statuses.map((s) => s.state)).toEqual([
      'queued',
      'in_progress',
      running.statuses[2]?.state,
    ]);
    store.setClock(anchor);
    expect(await store.deployment(repo, running.id)).toBeUndefined();
    expect((await store.deployments(repo, {}, 0, 1)).total).toBe(everything.length - future.length);
    // Moving on shows the new deployments.
    store.setClock(plus(anchor, 7 * 24 * 60));
    expect((await store.deployments(repo, {}, 0, 1)).total).toBeGreaterThan(everything.length - future.length);
  });

  it('shows a pull request open until its merge, and the branch head moving', async () => {
    const store = await createOrg({ seed: 9, size: 'small', anchor });
    const repo = store.repos[0]?.fullName as string;
    store.setClock(store.historyEnd);
    const merged = (await store.pulls(repo, { state: 'closed', sort: 'created', direction: 'desc' }, 0, 100)).items.find(
      (p) => p.mergedAt && p.mergedAt > anchor && p.createdAt < anchor,
    );
    expect(merged).toBeDefined();
    store.setClock(anchor);
    const before = await store.pull(repo, merged?.number as number);
    expect(before).toMatchObject({ mergedAt: null, closedAt: null, mergeCommitSha: null });
    expect((await store.commit(repo, merged?.mergeCommitSha as string)) ?? null).toBeNull();
    const headBefore = await store.resolveRef(repo, 'main');
    store.setClock(merged?.mergedAt as string);
    expect((await store.pull(repo, merged?.number as number))?.mergedAt).toBe(merged?.mergedAt);
    expect(await store.resolveRef(repo, 'main')).not.toBe(headBefore);
    expect(await store.commit(repo, merged?.mergeCommitSha as string)).toBeDefined();
  });

  it('moves notifications and on-call independent of what the clock hides', async () => {
    const store = await createOrg({ seed: 9, size: 'small', anchor });
    const window = { since: plus(anchor, -3 * 24 * 60), until: plus(anchor, 3 * 24 * 60) };
    const now = await allPages((o, l) => store.notifications(window, o, l));
    expect(now.every((n) => n.startedAt <= anchor)).toBe(true);
    store.setClock(window.until);
    const later = await allPages((o, l) => store.notifications(window, o, l));
    expect(later.length).toBeGreaterThan(now.length);
    expect(later.slice(0, now.length)).toEqual(now);
    // On-call shifts are a schedule: the future is listed whatever the clock.
    store.setClock(anchor);
    const future = await store.oncalls({ since: plus(anchor, 10 * 24 * 60), until: plus(anchor, 20 * 24 * 60) }, 0, 100);
    expect(future.total).toBeGreaterThan(0);
  });
});
