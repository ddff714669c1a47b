// incidents.final, derived in SQL right after incidents or their alerts are loaded (in the sync's
// transaction, and the same way when renormalising): an incident is final once it is resolved and
// every alert PagerDuty counts for it is stored, resolved. Its log entries need no check: the
// account-wide log walk covers everything up to the start of the run that saw it resolved.
// `final` is never part of the rows the loader upserts, so re-listing an unchanged incident does
// not flip it back and forth (a no-change sync writes nothing).
import type { WriteTx } from '../../server/db/index.ts';

function finalSql(filter: string, alertFilter: string): string {
  return `
    UPDATE incidents AS i SET final = f.final
    FROM (
      SELECT i.id, (i.status = 'resolved' AND coalesce(i.alert_count, 0) <= coalesce(a.resolved, 0)) AS final
      FROM incidents i
      LEFT JOIN (
        SELECT incident_id, count(*) FILTER (WHERE status = 'resolved') AS resolved FROM alerts ${alertFilter} GROUP BY incident_id
      ) a ON a.incident_id = i.id
      ${filter}
    ) f
    WHERE i.id = f.id AND i.final IS DISTINCT FROM f.final`;
}

/** Re-derive `final` for these incidents. */
export function deriveFinal(ids: readonly string[]): (tx: WriteTx) => Promise<number> {
  return async (tx) => {
    if (ids.length === 0) return 0;
    return tx.run(finalSql('WHERE i.id IN (SELECT unnest($ids))', 'WHERE incident_id IN (SELECT unnest($ids))'), {
      ids: [...new Set(ids)],
    });
  };
}

export function deriveAllFinal(): (tx: WriteTx) => Promise<number> {
  return (tx) => tx.run(finalSql('', ''));
}
