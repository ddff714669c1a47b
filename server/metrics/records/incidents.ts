// Incident records: every incident behind the incident metrics with its times, severity,
// attribution and evidence, detection source, label and a compact timeline (JSON, cursor-paged,
// newest first), the same as CSV, and one incident in full (every log entry, its alerts and pages).
import type { Params } from '../../db/index.ts';
import type { MetricQuery } from '../query.ts';
import { filterExpr, queryParams, usedParams } from '../sql.ts';
import type { MetricContext } from '../types.ts';
import { cursorExpr, cursorParams, encodeCursor, isoSql, type Page } from './shared.ts';

export const incidentParams = {
  limit: undefined,
  cursor: undefined,
  status: ['open', 'resolved', 'all'],
  cause: ['change_caused', 'not_change_caused', 'unknown', 'all'],
  label: ['actionable', 'non_actionable', 'all'],
  rule: undefined,
  overdue: ['true', 'false', 'all'],
  escalated: ['true', 'false', 'all'],
} as const;

const dims = { team: 'i.team_id', service: 'i.service_id', severity: 'i.severity' } as const;
const TIMELINE_TYPES = [
  'trigger_log_entry',
  'acknowledge_log_entry',
  'acknowledgement_log_entry',
  'escalate_log_entry',
  'field_value_change_log_entry',
  'urgency_change_log_entry',
  'annotate_log_entry',
  'resolve_log_entry',
];

function where(q: MetricQuery): string {
  const status =
    q.extra.status === 'open'
      ? 'AND i.resolved_at IS NULL'
      : q.extra.status === 'resolved'
        ? 'AND i.resolved_at IS NOT NULL'
        : '';
  const cause = q.extra.cause && q.extra.cause !== 'all' ? 'AND i.cause = $cause' : '';
  const label = q.extra.label && q.extra.label !== 'all' ? 'AND i.label = $label' : '';
  const rule = q.extra.rule ? 'AND i.signature = $rule' : '';
  const overdue = q.extra.overdue === 'true' ? `AND ${OVERDUE}` : q.extra.overdue === 'false' ? `AND NOT ${OVERDUE}` : '';
  const escalated =
    q.extra.escalated === 'true'
      ? 'AND i.escalated'
      : q.extra.escalated === 'false'
        ? 'AND NOT coalesce(i.escalated, false)'
        : '';
  return `i.created_at >= CAST($lo AS TIMESTAMPTZ) AND i.created_at < CAST($hi AS TIMESTAMPTZ) ${status} ${cause} ${label} ${rule} ${overdue} ${escalated} ${filterExpr(q, dims)}`;
}

function params(q: MetricQuery): Params {
  const p: Params = { ...queryParams(q) };
  for (const k of ['cause', 'label', 'rule'] as const) if (q.extra[k]) p[k] = q.extra[k];
  return p;
}

const OVERDUE = `(i.target_s IS NOT NULL AND (epoch_ms(coalesce(i.resolved_at, now())) - epoch_ms(i.created_at)) / 1000.0 > i.target_s)`;

const SELECT = `
  i.id, i.number, i.title, i.html_url AS url, i.status, i.urgency, i.priority_name AS priority, i.severity,
  i.service_id AS "serviceId", s.name AS "serviceName", i.team_id AS team,
  i.created_at AS "createdAt", i.acknowledged_at AS "acknowledgedAt", i.resolved_at AS "resolvedAt",
  i.resolved_from AS "resolvedFrom", i.ack_s AS "timeToAcknowledgeSeconds", i.resolve_s AS "timeToResolveSeconds",
  i.impact_start AS "impactStart", i.impact_source AS "impactSource", i.ttd_s AS "timeToDetectSeconds",
  i.restore_s AS "timeToRestoreSeconds", i.target_s AS "targetSeconds", ${OVERDUE} AS overdue,
  i.detection, i.escalated, i.escalation_count AS "escalations", i.priority_raised AS "priorityRaised",
  i.alert_count AS "alertCount", i.signature AS rule, i.rule_title AS "ruleTitle",
  a.cause, a.method AS "attributionMethod", a.deployment_id AS "deploymentId", a.repo AS "deploymentRepo",
  a.deployed_at AS "deployedAt", a.evidence, a.evidence_text AS "evidenceText", i.recovery_s AS "recoverySeconds",
  i.label, i.label_source AS "labelSource", i.suggested_label AS "suggestedLabel", i.suggestion_code AS "suggestionCode",
  i.suggestion_text AS "suggestionText", i.human_reason AS "reason", i.labelled_by AS "labelledBy"`;

type Raw = Record<string, unknown>;

function shape(r: Raw) {
  const {
    cause,
    attributionMethod,
    deploymentId,
    deploymentRepo,
    deployedAt,
    evidence,
    evidenceText,
    recoverySeconds,
    label,
    labelSource,
    suggestedLabel,
    suggestionCode,
    suggestionText,
    reason,
    labelledBy,
    rule,
    ruleTitle,
    serviceId,
    serviceName,
    ...rest
  } = r;
  return {
    ...rest,
    service: { id: serviceId, name: serviceName ?? null },
    rule: { signature: rule, title: ruleTitle },
    attribution: {
      cause,
      method: attributionMethod,
      deploymentId,
      repo: deploymentRepo,
      deployedAt,
      recoverySeconds,
      evidence: typeof evidence === 'string' ? JSON.parse(evidence) : null,
      evidenceText,
    },
    label: { label, source: labelSource, suggested: suggestedLabel, suggestionCode, suggestionText, reason, labelledBy },
  };
}

export async function listIncidents(ctx: MetricContext, q: MetricQuery, page: Page) {
  // The page of incidents first, then its joins: joining every incident in the range would cost more.
  const sql = `
    WITH picked AS (
      SELECT * FROM d_incidents i WHERE ${where(q)} ${cursorExpr(page, 'i.created_at', 'i.id')}
      ORDER BY i.created_at DESC, i.id DESC LIMIT ${page.limit + 1}
    )
    SELECT ${SELECT}
    FROM picked i LEFT JOIN d_attribution a ON a.incident_id = i.id LEFT JOIN pd_services s ON s.id = i.service_id
    ORDER BY i.created_at DESC, i.id DESC`;
  const rows = await ctx.db.all<Raw>(sql, usedParams(sql, { ...params(q), ...cursorParams(page) }));
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  const ids = items.map((r) => String(r.id));
  const timeline = ids.length
    ? await ctx.db.all<Raw>(
        `SELECT incident_id, type, created_at AS at, agent_type AS "agentType", agent_id AS "agentId", summary, note
         FROM log_entries
         WHERE incident_id IN (SELECT unnest($ids)) AND list_contains($types, type)
           AND created_at >= CAST($since AS TIMESTAMPTZ)
         ORDER BY created_at, id`,
        { ids, types: TIMELINE_TYPES, since: items.map((r) => String(r.createdAt)).sort()[0] ?? '1970-01-01T00:00:00Z' },
      )
    : [];
  const last = items.at(-1);
  return {
    items: items.map((r) => ({
      ...shape(r),
      timeline: timeline.filter((t) => t.incident_id === r.id).map(({ incident_id: _i, ...t }) => t),
    })),
    nextCursor: more && last ? encodeCursor(String(last.createdAt), String(last.id)) : null,
  };
}

export const incidentCsvColumns = [
  'id',
  'number',
  'title',
  'url',
  'status',
  'severity',
  'priority',
  'urgency',
  'service_id',
  'team',
  'created_at',
  'acknowledged_at',
  'resolved_at',
  'time_to_acknowledge_s',
  'time_to_resolve_s',
  'impact_start',
  'impact_source',
  'time_to_detect_s',
  'time_to_restore_s',
  'overdue',
  'escalated',
  'detection',
  'alert_count',
  'rule',
  'cause',
  'attribution_method',
  'deployment_id',
  'evidence',
  'label',
  'label_source',
  'suggestion',
  'reason',
  'labelled_by',
] as const;

export function incidentsCsvQuery(q: MetricQuery): { sql: string; params: Params } {
  const sql = `
    SELECT i.id, i.number, i.title, i.html_url AS url, i.status, i.severity, i.priority_name AS priority, i.urgency,
      i.service_id, i.team_id AS team, ${isoSql('i.created_at')} AS created_at, ${isoSql('i.acknowledged_at')} AS acknowledged_at,
      ${isoSql('i.resolved_at')} AS resolved_at, i.ack_s AS time_to_acknowledge_s, i.resolve_s AS time_to_resolve_s,
      ${isoSql('i.impact_start')} AS impact_start, i.impact_source, i.ttd_s AS time_to_detect_s, i.restore_s AS time_to_restore_s,
      ${OVERDUE} AS overdue, i.escalated, i.detection, i.alert_count, i.signature AS rule, a.cause, a.method AS attribution_method,
      a.deployment_id, a.evidence_text AS evidence, i.label, i.label_source, i.suggestion_text AS suggestion,
      i.human_reason AS reason, i.labelled_by
    FROM d_incidents i LEFT JOIN d_attribution a ON a.incident_id = i.id
    WHERE ${where(q)}
    ORDER BY i.created_at DESC, i.id DESC`;
  return { sql, params: usedParams(sql, params(q)) };
}

/** One incident in full, or undefined. */
export async function getIncident(ctx: MetricContext, id: string) {
  const row = await ctx.db.one<Raw>(
    `SELECT ${SELECT} FROM d_incidents i LEFT JOIN d_attribution a ON a.incident_id = i.id
     LEFT JOIN pd_services s ON s.id = i.service_id WHERE i.id = $id`,
    { id },
  );
  if (!row) return undefined;
  const [logEntries, alerts, pages, description] = await Promise.all([
    ctx.db.all(
      `SELECT l.id, l.type, l.created_at AS at, l.agent_type AS "agentType", l.agent_id AS "agentId",
         l.channel_type AS channel, l.user_id AS "userId", u.name AS "userName", l.notification_type AS "notificationType",
         l.summary, l.note, l.details
       FROM log_entries l LEFT JOIN pd_users u ON u.id = l.user_id WHERE l.incident_id = $id ORDER BY l.created_at, l.id`,
      { id },
    ),
    ctx.db.all(
      `SELECT id, status, created_at AS "createdAt", resolved_at AS "resolvedAt", event_time AS "eventTime", severity, summary,
         alert_key AS "alertKey", integration_id AS "integrationId", suppressed
       FROM alerts WHERE incident_id = $id ORDER BY created_at, id`,
      { id },
    ),
    ctx.db.all(
      `SELECT p.id, p.user_id AS "userId", u.name AS "userName", p.type, p.started_at AS "startedAt", p.zone,
         p.hour_class AS "hourClass", p.interruption_start AS "interruptionStart", p.on_call AS "onCall"
       FROM d_pages p LEFT JOIN pd_users u ON u.id = p.user_id WHERE p.incident_id = $id ORDER BY p.started_at, p.id`,
      { id },
    ),
    ctx.db.one<{ description: string | null }>('SELECT description FROM incidents WHERE id = $id', { id }),
  ]);
  return { ...shape(row), description: description?.description ?? null, logEntries, alerts, pages };
}
