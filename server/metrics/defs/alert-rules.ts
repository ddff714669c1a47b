// Alert rules and their noise: incidents grouped by their alert-rule signature (service plus the
// title with numbers, hex and UUID ids, host names and IP addresses replaced by placeholders),
// noisiest first (most pages), for incidents created in the range. Not bucketed: one row per rule.

import { filterNotes, num, ratio, runSql, val } from '../shape.ts';
import { filterExpr, queryParams, rangeExpr } from '../sql.ts';
import type { MetricDefinition, MetricRow } from '../types.ts';
import { incidentDims } from './incidents.ts';

export const alertRules: MetricDefinition = {
  name: 'alert-rules',
  title: 'Alert rules and their noise',
  unit: 'incidents',
  kind: 'table',
  definition:
    "Incidents created in the range grouped by alert rule (service + normalised title: numbers, hex and UUID ids, host names and IP addresses replaced by placeholders), noisiest first: pages, incidents, and how many are non-actionable (a reviewer's label, else the suggestion: auto-resolved within 10 min and never acknowledged, or flapping). One row per rule; group is the rule signature.",
  dimensions: incidentDims,
  groupBy: [],
  columns: [
    { name: 'serviceId', description: 'PagerDuty service id' },
    { name: 'serviceName', description: 'PagerDuty service name' },
    { name: 'title', description: 'The normalised title' },
    { name: 'example', description: 'The latest incident title of the rule' },
    { name: 'incidents', description: 'Incidents', unit: 'incidents' },
    { name: 'pages', description: 'Pages for those incidents', unit: 'pages' },
    { name: 'sleepPages', description: 'Of which in sleep hours', unit: 'pages' },
    { name: 'nonActionable', description: 'Incidents labelled or suggested non-actionable', unit: 'incidents' },
    { name: 'humanLabelled', description: 'Incidents with a reviewer label', unit: 'incidents' },
    { name: 'autoResolved', description: 'Resolved by an integration within 10 min, never acknowledged', unit: 'incidents' },
    { name: 'flapping', description: 'Part of a flapping run', unit: 'incidents' },
    { name: 'noiseRatio', description: 'nonActionable / incidents', unit: 'ratio' },
    { name: 'lastSeen', description: 'Latest incident of the rule (ISO UTC)' },
  ],
  async compute(ctx, q) {
    const rows = await runSql(
      ctx,
      `WITH inc AS (
         SELECT * FROM d_incidents WHERE ${rangeExpr('created_at')} ${filterExpr(q, incidentDims)}
       ),
       pg AS (
         SELECT incident_id, count(*) AS pages, count(*) FILTER (WHERE hour_class = 'sleep') AS sleep_pages
         FROM d_pages WHERE incident_id IN (SELECT id FROM inc) GROUP BY incident_id
       )
       SELECT i.signature AS grp, any_value(i.service_id) AS service_id, any_value(s.name) AS service_name,
         any_value(i.rule_title) AS title, arg_max(i.title, i.created_at) AS example, count(*) AS incidents,
         coalesce(sum(pg.pages), 0) AS pages, coalesce(sum(pg.sleep_pages), 0) AS sleep_pages,
         count(*) FILTER (WHERE i.label = 'non_actionable') AS non_actionable,
         count(*) FILTER (WHERE i.label_source = 'human') AS human,
         count(*) FILTER (WHERE i.auto_resolved) AS auto_resolved, count(*) FILTER (WHERE i.flapping) AS flapping,
         strftime(max(i.created_at), '%Y-%m-%dT%H:%M:%SZ') AS last_seen
       FROM inc i LEFT JOIN pg ON pg.incident_id = i.id LEFT JOIN pd_services s ON s.id = i.service_id
       GROUP BY i.signature ORDER BY pages DESC, incidents DESC, grp`,
      queryParams(q),
    );
    const out: MetricRow[] = rows.map((r) => ({
      bucket: null,
      group: r.grp as string,
      serviceId: val(r.service_id),
      serviceName: val(r.service_name),
      title: val(r.title),
      example: val(r.example),
      incidents: num(r.incidents),
      pages: num(r.pages),
      sleepPages: num(r.sleep_pages),
      nonActionable: num(r.non_actionable),
      humanLabelled: num(r.human),
      autoResolved: num(r.auto_resolved),
      flapping: num(r.flapping),
      noiseRatio: ratio(r.non_actionable, r.incidents),
      lastSeen: val(r.last_seen),
    }));
    const total = (f: string) => out.reduce((a, r) => a + Number(r[f] ?? 0), 0);
    const summary: MetricRow[] = [
      {
        bucket: null,
        group: null,
        rules: out.length,
        incidents: total('incidents'),
        pages: total('pages'),
        nonActionable: total('nonActionable'),
        noiseRatio: ratio(total('nonActionable'), total('incidents')),
      },
    ];
    return { rows: out, summary, notes: filterNotes(q, incidentDims) };
  },
};
