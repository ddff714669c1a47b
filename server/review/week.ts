// The review of one week: every page of the scope in the week, grouped by the alert rule of its
// incident (noisiest first), each incident with its suggestion and why, the reviewer's label read
// straight from review_labels (so a write shows at once, whatever the derived tables say), the
// people paged, the follow-ups carried over and the hand-off note. Incidents of the scope created
// in the week that paged nobody (low urgency) are listed too: they are noise as much as pages are.
import { durationMinutes, type VigilConfig } from '../config/schema.ts';
import type { QueryRunner } from '../db/index.ts';
import { followUpsForWeek } from './follow-ups.ts';
import { headerFigures } from './header.ts';
import { readNote } from './notes.ts';
import { scopeSql } from './scope.ts';
import {
  type FollowUp,
  type LabelValue,
  limits,
  type ReviewIncident,
  type ReviewPage,
  type ReviewRule,
  type ReviewScope,
  type ReviewView,
  type ReviewWeek,
  reasonTitles,
  reasonValues,
  type StoredLabel,
} from './types.ts';

const ISO = "'%Y-%m-%dT%H:%M:%S.%gZ'";

interface PageRow extends ReviewPage {
  incidentId: string | null;
}

interface IncidentRow {
  id: string;
  number: number | null;
  title: string;
  url: string | null;
  status: string;
  urgency: string | null;
  severity: string | null;
  serviceId: string;
  serviceName: string | null;
  serviceUrl: string | null;
  createdAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  resolveS: number | null;
  ackS: number | null;
  autoResolved: boolean | null;
  selfResolved: boolean | null;
  flapping: boolean | null;
  flapCount: number | null;
  suggestedLabel: LabelValue | null;
  suggestionText: string | null;
  signature: string;
  ruleTitle: string | null;
  label: StoredLabel['label'] | null;
  reason: StoredLabel['reason'];
  note: string | null;
  labelledBy: string | null;
  labelledAt: string | null;
  version: number | null;
}

const minutes = (s: number | null) => (s === null ? null : Math.max(0, Math.round(s / 60)));

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Why an incident is suggested actionable: what a person did about it. */
function actionableWhy(r: IncidentRow, autoResolveMin: number): string {
  const parts: string[] = [];
  const ack = minutes(r.ackS);
  parts.push(ack === null ? 'never acknowledged' : `acknowledged after ${ack} min`);
  if (r.resolvedAt === null) parts.push('still open');
  else if (r.selfResolved) parts.push(`resolved itself after ${minutes(r.resolveS)} min (over ${autoResolveMin} min)`);
  else parts.push(`resolved by a person after ${minutes(r.resolveS)} min`);
  return parts.join('; ');
}

function toIncident(r: IncidentRow, pages: ReviewPage[], autoResolveMin: number): ReviewIncident {
  const suggested: LabelValue = r.suggestedLabel ?? 'actionable';
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    url: r.url,
    status: r.status,
    urgency: r.urgency,
    severity: r.severity,
    createdAt: r.createdAt,
    acknowledgedAt: r.acknowledgedAt,
    resolvedAt: r.resolvedAt,
    resolveMinutes: minutes(r.resolveS),
    ackMinutes: minutes(r.ackS),
    autoResolved: Boolean(r.autoResolved),
    flapping: Boolean(r.flapping),
    flapCount: r.flapCount ?? 0,
    suggested,
    why: suggested === 'non_actionable' && r.suggestionText ? r.suggestionText : actionableWhy(r, autoResolveMin),
    stored:
      r.label && r.version !== null
        ? {
            incidentId: r.id,
            label: r.label,
            reason: r.reason,
            note: r.note,
            labelledBy: r.labelledBy ?? '',
            labelledAt: r.labelledAt ?? '',
            version: r.version,
          }
        : null,
    pages,
  };
}

/** The rule's suggestion and the reasons behind it, summed over its incidents. */
function ruleWhy(incidents: ReviewIncident[], flappingWindowH: number): { suggested: LabelValue; non: number; why: string[] } {
  const non = incidents.filter((i) => i.suggested === 'non_actionable').length;
  const auto = incidents.filter((i) => i.autoResolved);
  const flapping = incidents.filter((i) => i.flapping);
  const why: string[] = [];
  if (auto.length > 0) {
    const med = median(auto.map((i) => i.resolveMinutes ?? 0));
    why.push(
      `${auto.length === incidents.length ? 'every incident' : `${auto.length} of ${incidents.length}`} auto-resolved in ${
        auto.length > 1 ? 'a median of ' : ''
      }${Math.max(1, Math.round(med ?? 0))} min, never acknowledged`,
    );
  }
  if (flapping.length > 0) {
    const most = Math.max(...flapping.map((i) => i.flapCount));
    why.push(`flapping ${most} times in ${flappingWindowH} h, each firing resolving itself`);
  }
  const acked = incidents.filter((i) => i.ackMinutes !== null);
  if (acked.length > 0) {
    why.push(
      `${acked.length === incidents.length ? 'every incident' : `${acked.length} of ${incidents.length}`} acknowledged (median ${Math.round(
        median(acked.map((i) => i.ackMinutes ?? 0)) ?? 0,
      )} min)`,
    );
  }
  const never = incidents.filter((i) => i.ackMinutes === null && !i.autoResolved && !i.flapping);
  if (never.length > 0) why.push(`${plural(never.length, 'incident')} never acknowledged, neither auto-resolved nor flapping`);
  return { suggested: non * 2 > incidents.length ? 'non_actionable' : 'actionable', non, why };
}

function labelState(incidents: ReviewIncident[]): { state: ReviewRule['labelState']; labelled: number } {
  const labels = incidents.map((i) => i.stored?.label ?? null);
  const labelled = labels.filter((l) => l !== null).length;
  if (labelled === 0) return { state: 'unlabelled', labelled };
  const distinct = new Set(labels.filter((l) => l !== null));
  if (distinct.size > 1) return { state: 'mixed', labelled };
  if (labelled < incidents.length) return { state: 'partial', labelled };
  return { state: [...distinct][0] as LabelValue, labelled };
}

async function weekRows(db: QueryRunner, scope: ReviewScope, week: ReviewWeek) {
  const s = scopeSql(scope);
  const range = (col: string) => `${col} >= CAST($lo AS TIMESTAMPTZ) AND ${col} < CAST($hi AS TIMESTAMPTZ)`;
  const params = { ...s.params, lo: week.lo, hi: week.hi };
  const pages = await db.all<PageRow>(
    `SELECT p.id, strftime(p.started_at, ${ISO}) AS at, strftime(p.local_time, '%Y-%m-%d %H:%M') AS "localTime", p.zone,
       p.hour_class AS "hourClass", p.type AS channel, p.user_id AS "userId", coalesce(u.name, p.user_id) AS "userName",
       coalesce(p.interruption_start, false) AS "interruptionStart", coalesce(p.on_call, false) AS "onCall",
       p.incident_id AS "incidentId"
     FROM d_pages p LEFT JOIN pd_users u ON u.id = p.user_id
     WHERE ${s.pages} AND ${range('p.started_at')}
     ORDER BY p.started_at, p.id`,
    params,
  );
  const incidents = await db.all<IncidentRow>(
    `WITH ids AS (
       SELECT DISTINCT p.incident_id AS id FROM d_pages p WHERE ${s.pages} AND ${range('p.started_at')} AND p.incident_id IS NOT NULL
       UNION SELECT i.id FROM d_incidents i WHERE ${s.incidents} AND ${range('i.created_at')}
     )
     SELECT i.id, i.number, i.title, i.html_url AS url, i.status, i.urgency, i.severity, i.service_id AS "serviceId",
       s.name AS "serviceName", s.html_url AS "serviceUrl", strftime(i.created_at, ${ISO}) AS "createdAt",
       strftime(i.acknowledged_at, ${ISO}) AS "acknowledgedAt", strftime(i.resolved_at, ${ISO}) AS "resolvedAt",
       i.resolve_s AS "resolveS", i.ack_s AS "ackS", i.auto_resolved AS "autoResolved", i.self_resolved AS "selfResolved",
       i.flapping, i.flap_count AS "flapCount", i.suggested_label AS "suggestedLabel", i.suggestion_text AS "suggestionText",
       i.signature, i.rule_title AS "ruleTitle",
       r.label, r.reason, r.note, r.labelled_by AS "labelledBy", strftime(r.labelled_at, ${ISO}) AS "labelledAt", r.version
     FROM ids JOIN d_incidents i ON i.id = ids.id
     LEFT JOIN pd_services s ON s.id = i.service_id
     LEFT JOIN review_labels r ON r.incident_id = i.id
     ORDER BY i.created_at, i.id`,
    params,
  );
  return { pages, incidents };
}

/** Mondays of the previous eight weeks in which each rule paged the scope. */
async function seenBefore(db: QueryRunner, scope: ReviewScope, week: ReviewWeek, signatures: string[]) {
  if (signatures.length === 0) return new Map<string, string[]>();
  const s = scopeSql(scope);
  const rows = await db.all<{ signature: string; weeks: string[] }>(
    `SELECT p.signature, list(DISTINCT strftime(CAST(date_trunc('week', timezone($tz, p.started_at)) AS DATE), '%Y-%m-%d')) AS weeks
     FROM d_pages p
     WHERE ${s.pages} AND p.started_at >= CAST($lo AS TIMESTAMPTZ) - INTERVAL 56 DAY AND p.started_at < CAST($lo AS TIMESTAMPTZ)
       AND p.signature IN (SELECT unnest($sigs))
     GROUP BY p.signature`,
    { ...s.params, tz: scope.timeZone, lo: week.lo, sigs: signatures },
  );
  return new Map(rows.map((r) => [r.signature, [...r.weeks].sort().reverse()]));
}

export async function buildReview(
  ctx: { db: QueryRunner; config: VigilConfig },
  scope: ReviewScope,
  week: ReviewWeek,
): Promise<ReviewView> {
  const { db, config } = ctx;
  const autoResolveMin = Math.round(durationMinutes(config.noise.autoResolveWithin));
  const flappingWindowH = Math.round((durationMinutes(config.noise.flappingWindow) / 60) * 100) / 100;
  const [{ pages, incidents }, header, note] = await Promise.all([
    weekRows(db, scope, week),
    headerFigures(ctx, scope, week),
    readNote(db, scope, week.start),
  ]);
  const pagesByIncident = new Map<string, ReviewPage[]>();
  const unlinkedPages: ReviewPage[] = [];
  for (const { incidentId, ...page } of pages) {
    if (!incidentId) unlinkedPages.push(page);
    else pagesByIncident.set(incidentId, [...(pagesByIncident.get(incidentId) ?? []), page]);
  }
  const groups = new Map<string, { rows: IncidentRow[]; incidents: ReviewIncident[] }>();
  for (const r of incidents) {
    const group = groups.get(r.signature) ?? { rows: [], incidents: [] };
    group.rows.push(r);
    group.incidents.push(toIncident(r, pagesByIncident.get(r.id) ?? [], autoResolveMin));
    groups.set(r.signature, group);
  }
  const signatures = [...groups.keys()];
  const [followUps, before] = await Promise.all([
    followUpsForWeek(db, scope, week, signatures),
    seenBefore(db, scope, week, signatures),
  ]);
  const followUpsBy = new Map<string, FollowUp[]>();
  for (const f of followUps) followUpsBy.set(f.ruleSignature, [...(followUpsBy.get(f.ruleSignature) ?? []), f]);
  const rules: ReviewRule[] = [...groups.entries()].map(([signature, g]) => {
    const first = g.rows[0] as IncidentRow;
    const latest = g.rows[g.rows.length - 1] as IncidentRow;
    const rulePages = g.incidents.flatMap((i) => i.pages);
    const responders = new Map<string, { userId: string; name: string; pages: number }>();
    for (const p of rulePages) {
      const r = responders.get(p.userId) ?? { userId: p.userId, name: p.userName, pages: 0 };
      r.pages++;
      responders.set(p.userId, r);
    }
    const why = ruleWhy(g.incidents, flappingWindowH);
    const state = labelState(g.incidents);
    return {
      signature,
      serviceId: first.serviceId,
      serviceName: first.serviceName ?? first.serviceId,
      serviceUrl: first.serviceUrl,
      title: first.ruleTitle ?? first.title,
      example: latest.title,
      pages: rulePages.length,
      sleepPages: rulePages.filter((p) => p.hourClass === 'sleep').length,
      offHoursPages: rulePages.filter((p) => p.hourClass === 'off').length,
      interruptions: rulePages.filter((p) => p.interruptionStart).length,
      incidents: g.incidents,
      responders: [...responders.values()].sort((a, b) => b.pages - a.pages || a.name.localeCompare(b.name)),
      suggested: why.suggested,
      suggestedNonActionable: why.non,
      why: why.why,
      labelState: state.state,
      labelled: state.labelled,
      followUps: followUpsBy.get(signature) ?? [],
      seenBefore: before.get(signature) ?? [],
    };
  });
  rules.sort(
    (a, b) =>
      b.pages - a.pages ||
      b.incidents.length - a.incidents.length ||
      b.sleepPages - a.sleepPages ||
      a.signature.localeCompare(b.signature),
  );
  const allIncidents = rules.flatMap((r) => r.incidents);
  const unlabelled = allIncidents.filter((i) => !i.stored);
  const ruleSet = new Set(signatures);
  const otherFollowUps = followUps.filter((f) => !ruleSet.has(f.ruleSignature));
  return {
    scope,
    week,
    header: {
      ...header,
      incidents: allIncidents.length,
      unlabelledIncidents: unlabelled.length,
      unlabelledPages: unlabelled.reduce((a, i) => a + i.pages.length, 0),
      openFollowUps: followUps.filter((f) => !f.done).length,
    },
    rules,
    unlinkedPages,
    otherFollowUps,
    note,
    reasons: reasonValues.map((value) => ({ value, title: reasonTitles[value] })),
    limits,
  };
}
