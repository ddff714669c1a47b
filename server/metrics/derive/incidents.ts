// Incident facts (METRICS.md "Incidents"): times from the log entries (created = trigger entry,
// acknowledged = first acknowledge entry, resolved = resolve entry, never updated_at), severity
// from the priority (or the urgency when there is none), the owning team through team_services
// ("unassigned" otherwise, never dropped), detection source from the trigger entry's agent,
// escalation (an escalate entry or a priority raise), alert counts and the alert-rule signature.
// Impact start, attribution, noise suggestions and labels are filled by the later steps.
//
// Contract with the PagerDuty collector for priority raises: a `field_value_change_log_entry`
// carries `details` JSON with `changes: [{ field: "priority", from: <name|null>, to: <name> }]`
// (the shape of tests/stand-ins/org/model.ts OrgLogEntry.changes).
import type { WriteTx } from '../../db/index.ts';
import type { DeriveContext } from './context.ts';
import { normalisedTitleSql, signatureSql } from './signature.ts';
import { configDay, configZoneJoin } from './zones.ts';

const incidentScope = (ctx: DeriveContext, column = 'id') => (ctx.full ? '' : `AND ${column} IN (SELECT id FROM s_incidents)`);

export async function deriveIncidentBase(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  const s = ctx.settings;
  await tx.run(`DELETE FROM d_incidents WHERE true ${incidentScope(ctx)}`);
  const customField = s.customFieldPattern
    ? `arg_max(try_cast(regexp_extract(l.details, $fieldPattern, 1) AS TIMESTAMPTZ), l.created_at)
         FILTER (WHERE l.type = 'custom_field_value_change_log_entry' AND regexp_matches(coalesce(l.details, ''), $fieldPattern))`
    : 'CAST(NULL AS TIMESTAMPTZ)';
  await tx.run(
    `
    INSERT INTO d_incidents (id, number, title, html_url, status, urgency, priority_name, severity, target_s, service_id,
      team_id, created_at, created_day, acknowledged_at, resolved_at, resolved_from, ack_s, resolve_s, detection, escalated,
      escalation_count, priority_raised, alert_count, first_alert_event_at, impact_note_at, signature, rule_title,
      self_resolved, auto_resolved)
    WITH inc AS (SELECT * FROM incidents WHERE true ${incidentScope(ctx)}),
    le AS (
      SELECT l.incident_id,
        min(l.created_at) FILTER (WHERE l.type = 'trigger_log_entry') AS trig_at,
        arg_min(l.agent_type, l.created_at) FILTER (WHERE l.type = 'trigger_log_entry') AS trig_agent,
        min(l.created_at) FILTER (WHERE l.type IN ('acknowledge_log_entry', 'acknowledgement_log_entry')) AS ack_at,
        max(l.created_at) FILTER (WHERE l.type = 'resolve_log_entry') AS res_at,
        arg_max(l.agent_type, l.created_at) FILTER (WHERE l.type = 'resolve_log_entry') AS res_agent,
        arg_max(l.channel_type, l.created_at) FILTER (WHERE l.type = 'resolve_log_entry') AS res_channel,
        count(*) FILTER (WHERE l.type = 'escalate_log_entry') AS escalations,
        arg_max(try_cast(regexp_extract(l.note, $notePattern, 1) AS TIMESTAMPTZ), l.created_at)
          FILTER (WHERE l.note IS NOT NULL AND regexp_matches(l.note, $notePattern)) AS note_impact,
        ${customField} AS field_impact
      FROM log_entries l WHERE l.incident_id IN (SELECT id FROM inc)
      GROUP BY l.incident_id
    ),
    changes AS (
      SELECT incident_id, unnest(fields) AS field, unnest(froms) AS from_name, unnest(tos) AS to_name FROM (
        SELECT l.incident_id,
          json_extract_string(l.details, '$.changes[*].field') AS fields,
          json_extract_string(l.details, '$.changes[*].from') AS froms,
          json_extract_string(l.details, '$.changes[*].to') AS tos
        FROM log_entries l
        WHERE l.type = 'field_value_change_log_entry' AND l.incident_id IN (SELECT id FROM inc)
          AND coalesce(json_valid(l.details), false)
      )
    ),
    raises AS (
      SELECT c.incident_id, bool_or(tp.rank < coalesce(fp.rank, us.rank)) AS raised
      FROM changes c
      JOIN inc ON inc.id = c.incident_id
      JOIN t_cfg_priority tp ON tp.name = c.to_name
      LEFT JOIN t_cfg_priority fp ON fp.name = c.from_name
      LEFT JOIN t_cfg_severity us ON us.severity = CASE WHEN inc.urgency = 'low' THEN $lowUrgency ELSE $highUrgency END
      WHERE lower(c.field) = 'priority'
      GROUP BY c.incident_id
    ),
    al AS (
      SELECT incident_id, count(*)::INTEGER AS n, min(event_time) AS first_event
      FROM alerts WHERE incident_id IN (SELECT id FROM inc) GROUP BY incident_id
    ),
    owner AS (SELECT service_id, min(team_id) AS team_id FROM team_services GROUP BY service_id),
    facts AS (
      SELECT i.id, i.incident_number AS number, i.title, i.html_url, i.status, i.urgency, i.priority_name,
        coalesce(cp.severity, CASE WHEN i.urgency = 'low' THEN $lowUrgency ELSE $highUrgency END) AS severity,
        i.service_id, coalesce(o.team_id, 'unassigned') AS team_id,
        coalesce(le.trig_at, i.created_at) AS created_at,
        le.ack_at AS acknowledged_at,
        CASE WHEN i.status = 'resolved' THEN coalesce(le.res_at, i.resolved_at) END AS resolved_at,
        CASE WHEN i.status <> 'resolved' THEN NULL WHEN le.res_at IS NOT NULL THEN 'log_entry'
             WHEN i.resolved_at IS NOT NULL THEN 'incident_field' END AS resolved_from,
        CASE WHEN le.trig_agent = 'user_reference' THEN 'human' WHEN le.trig_agent IS NOT NULL THEN 'monitoring'
             ELSE 'unknown' END AS detection,
        coalesce(le.escalations, 0)::INTEGER AS escalation_count,
        coalesce(r.raised, false) AS priority_raised,
        coalesce(al.n, i.alert_count, 0)::INTEGER AS alert_count,
        al.first_event AS first_alert_event_at,
        coalesce(le.note_impact, le.field_impact) AS impact_note_at,
        le.res_agent, le.res_channel
      FROM inc i
      LEFT JOIN le ON le.incident_id = i.id
      LEFT JOIN raises r ON r.incident_id = i.id
      LEFT JOIN al ON al.incident_id = i.id
      LEFT JOIN owner o ON o.service_id = i.service_id
      LEFT JOIN t_cfg_priority cp ON cp.name = i.priority_name
    )
    SELECT f.id, f.number, f.title, f.html_url, f.status, f.urgency, f.priority_name, f.severity, sv.target_s,
      f.service_id, f.team_id, f.created_at, ${configDay('f.created_at', 'oc')}, f.acknowledged_at, f.resolved_at, f.resolved_from,
      CASE WHEN f.acknowledged_at IS NOT NULL THEN greatest(0, (epoch_ms(f.acknowledged_at) - epoch_ms(f.created_at)) / 1000.0) END,
      CASE WHEN f.resolved_at IS NOT NULL THEN greatest(0, (epoch_ms(f.resolved_at) - epoch_ms(f.created_at)) / 1000.0) END,
      f.detection, (f.escalation_count > 0 OR f.priority_raised), f.escalation_count, f.priority_raised,
      f.alert_count, f.first_alert_event_at, f.impact_note_at,
      ${signatureSql('f.service_id', 'f.title')}, ${normalisedTitleSql('f.title')},
      (f.resolved_at IS NOT NULL AND f.res_agent IS NOT NULL AND f.res_agent <> 'user_reference'
        AND coalesce(f.res_channel, '') <> 'timeout') AS self_resolved,
      (f.resolved_at IS NOT NULL AND f.res_agent IS NOT NULL AND f.res_agent <> 'user_reference'
        AND coalesce(f.res_channel, '') <> 'timeout' AND f.acknowledged_at IS NULL
        AND (epoch_ms(f.resolved_at) - epoch_ms(f.created_at)) / 1000.0 <= $autoResolveS) AS auto_resolved
    FROM facts f LEFT JOIN t_cfg_severity sv ON sv.severity = f.severity ${configZoneJoin('f.created_at', 'oc')}
    ORDER BY f.created_at, f.id`,
    {
      notePattern: s.notePattern,
      ...(s.customFieldPattern ? { fieldPattern: s.customFieldPattern } : {}),
      lowUrgency: s.lowUrgency,
      highUrgency: s.highUrgency,
      autoResolveS: s.autoResolveS,
      cfgZone: s.defaultZone,
    },
  );
}

/**
 * Impact start (the earliest of an explicit note/custom-field time, the causing deployment's time
 * and the earliest alert event time; a candidate after the incident was created is ignored as
 * inconsistent), time to detect and time to restore, and the cause columns from d_attribution.
 */
export async function deriveIncidentImpact(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  const scope = ctx.full ? '' : 'AND d_incidents.id IN (SELECT id FROM s_attr)';
  await tx.run(`
    UPDATE d_incidents SET
      cause = a.cause, cause_method = a.method, cause_deployment_id = a.deployment_id, cause_repo = a.repo,
      cause_deployed_at = a.deployed_at,
      recovery_s = CASE WHEN a.cause = 'change_caused' AND d_incidents.resolved_at IS NOT NULL AND a.deployed_at IS NOT NULL
        THEN greatest(0, (epoch_ms(d_incidents.resolved_at) - epoch_ms(a.deployed_at)) / 1000.0) END,
      impact_start = x.impact_start, impact_source = x.impact_source,
      ttd_s = CASE WHEN x.impact_start IS NOT NULL
        THEN (epoch_ms(d_incidents.created_at) - epoch_ms(x.impact_start)) / 1000.0 END,
      restore_s = CASE WHEN x.impact_start IS NOT NULL AND d_incidents.resolved_at IS NOT NULL
        THEN (epoch_ms(d_incidents.resolved_at) - epoch_ms(x.impact_start)) / 1000.0 END
    FROM d_attribution a, (
      WITH c AS (
        SELECT i.id,
          CASE WHEN i.impact_note_at <= i.created_at THEN i.impact_note_at END AS explicit_at,
          CASE WHEN aa.cause = 'change_caused' AND aa.deployed_at <= i.created_at THEN aa.deployed_at END AS deploy_at,
          CASE WHEN i.first_alert_event_at <= i.created_at THEN i.first_alert_event_at END AS alert_at
        FROM d_incidents i JOIN d_attribution aa ON aa.incident_id = i.id
        WHERE true ${ctx.full ? '' : 'AND i.id IN (SELECT id FROM s_attr)'}
      )
      SELECT id, least(explicit_at, deploy_at, alert_at) AS impact_start,
        CASE least(explicit_at, deploy_at, alert_at) WHEN explicit_at THEN 'explicit' WHEN deploy_at THEN 'deployment'
          WHEN alert_at THEN 'alert_event' END AS impact_source
      FROM c
    ) x
    WHERE a.incident_id = d_incidents.id AND x.id = d_incidents.id ${scope}`);
}
