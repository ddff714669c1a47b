// On-call shifts from the weekly rotations, as PagerDuty's /oncalls lists them: one entry per
// escalation policy, level and shift overlapping the window; a level that targets a person
// directly is a permanent on-call (start and end null).
import type { OrgOncall, OrgStore, Page } from './model.ts';
import type { StaticOrg } from './static-org.ts';
import { DAY, iso, parseIso, WEEK } from './time.ts';

type Filter = Parameters<OrgStore['oncalls']>[0];

export function listOncalls(org: StaticOrg, filter: Filter, offset: number, limit: number): Page<OrgOncall> {
  const since = parseIso(filter.since, 'since');
  const until = parseIso(filter.until, 'until');
  const scheduleFilter = filter.scheduleIds ? new Set(filter.scheduleIds) : null;
  const policyFilter = filter.escalationPolicyIds ? new Set(filter.escalationPolicyIds) : null;
  const userFilter = filter.userIds ? new Set(filter.userIds) : null;
  const out: OrgOncall[] = [];
  for (const policy of org.policies) {
    if (policyFilter && !policyFilter.has(policy.id)) continue;
    policy.rules.forEach((rule, r) => {
      const level = r + 1;
      for (const userId of rule.userIds) {
        // Direct user targets: included unless a schedule filter leaves out null.
        if (scheduleFilter && !scheduleFilter.has('null') && !scheduleFilter.has('')) continue;
        if (userFilter && !userFilter.has(userId)) continue;
        out.push({ userId, scheduleId: null, escalationPolicyId: policy.id, escalationLevel: level, start: null, end: null });
      }
      for (const scheduleId of rule.scheduleIds) {
        if (scheduleFilter && !scheduleFilter.has(scheduleId)) continue;
        const s = org.schedules.findIndex((x) => x.id === scheduleId);
        const schedule = org.schedules[s];
        if (!schedule) continue;
        const start = org.scheduleStart[s] as number;
        const length = schedule.handoffLength === 'weekly' ? WEEK : DAY;
        const n = schedule.rotationUserIds.length;
        const first = Math.max(0, Math.floor((since - start) / length));
        for (let k = first; start + k * length < until; k++) {
          const shiftStart = start + k * length;
          const shiftEnd = shiftStart + length;
          if (shiftEnd <= since) continue;
          const userId = schedule.rotationUserIds[k % n] as string;
          if (userFilter && !userFilter.has(userId)) continue;
          out.push({
            userId,
            scheduleId,
            escalationPolicyId: policy.id,
            escalationLevel: level,
            start: iso(shiftStart),
            end: iso(shiftEnd),
          });
        }
      }
    });
  }
  let list = out;
  if (filter.earliest) {
    // Only the earliest on-call per escalation policy, level and user.
    const seen = new Set<string>();
    list = out.filter((o) => {
      const key = `${o.escalationPolicyId}|${o.escalationLevel}|${o.userId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  return { items: list.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit)), total: list.length };
}
