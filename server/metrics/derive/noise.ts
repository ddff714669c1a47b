// Noise suggestions and labels (METRICS.md "Noise"). Without a reviewer's label Vigil suggests
// non-actionable when the incident resolved itself (resolved by an integration, never
// acknowledged) within the configured time (10 min), or when its alert rule flapped: it fired
// `flappingCount` (3) or more times within `flappingWindow` (24 h) and each of those incidents
// resolved itself. Otherwise the suggestion is actionable. A reviewer's label in review_labels
// always wins; `label_source` says which one a number used.
import type { WriteTx } from '../../db/index.ts';
import type { DeriveContext } from './context.ts';

export async function deriveFlapping(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  const s = ctx.settings;
  const windowS = Math.max(1, Math.round(Number(s.flappingWindowS)));
  const scope = ctx.full ? '' : 'AND signature IN (SELECT signature FROM s_sigs)';
  await tx.run(`UPDATE d_incidents SET flapping = false, flap_count = 0 WHERE true ${scope}`);
  // For each self-resolved firing J, count the firings in [J, J + window]; an incident flaps when
  // some window that contains it holds enough firings: the max over J in [I - window, I].
  await tx.run(
    `
    UPDATE d_incidents SET flapping = x.best >= $count, flap_count = x.best
    FROM (
      WITH fired AS (
        SELECT id, signature, created_at FROM d_incidents WHERE self_resolved ${scope}
      ),
      fwd AS (
        SELECT *, count(*) OVER (PARTITION BY signature ORDER BY created_at
          RANGE BETWEEN CURRENT ROW AND INTERVAL ${windowS} SECOND FOLLOWING) AS n FROM fired
      )
      SELECT id, max(n) OVER (PARTITION BY signature ORDER BY created_at
        RANGE BETWEEN INTERVAL ${windowS} SECOND PRECEDING AND CURRENT ROW)::INTEGER AS best FROM fwd
    ) x WHERE x.id = d_incidents.id`,
    { count: s.flappingCount },
  );
}

export async function deriveLabels(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  const s = ctx.settings;
  const windowH = Math.round((s.flappingWindowS / 3600) * 100) / 100;
  await tx.run(`
    UPDATE d_incidents SET
      suggested_label = CASE WHEN x.auto_resolved OR x.flapping THEN 'non_actionable' ELSE 'actionable' END,
      suggestion_code = CASE WHEN x.auto_resolved THEN 'auto_resolved' WHEN x.flapping THEN 'flapping' END,
      suggestion_text = CASE WHEN x.auto_resolved OR x.flapping THEN concat_ws('; ',
          CASE WHEN x.auto_resolved THEN 'auto-resolved in ' || greatest(1, round(x.resolve_s / 60.0))::BIGINT
            || ' min by an integration, never acknowledged' END,
          CASE WHEN x.flapping THEN 'flapping: fired ' || x.flap_count || ' times in ${windowH} h, each resolved itself' END)
        END,
      human_label = x.h_label, human_reason = x.h_reason, labelled_by = x.h_by,
      label = coalesce(x.h_label, CASE WHEN x.auto_resolved OR x.flapping THEN 'non_actionable' ELSE 'actionable' END),
      label_source = CASE WHEN x.h_label IS NOT NULL THEN 'human' ELSE 'suggested' END
    FROM (
      SELECT i.id, i.auto_resolved, i.flapping, i.flap_count, i.resolve_s,
        r.label AS h_label, r.reason AS h_reason, r.labelled_by AS h_by
      FROM d_incidents i LEFT JOIN review_labels r ON r.incident_id = i.id
      WHERE true ${ctx.full ? '' : 'AND i.id IN (SELECT id FROM s_label)'}
    ) x WHERE x.id = d_incidents.id`);
}
