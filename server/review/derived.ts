// Labels feed the derived facts (d_incidents.label, d_pages.label), which the false-positive ratio
// and the rules' noise read. A full refreshDerived costs ~0.5 s even when only labels changed (it
// walks every derivation step), and a keyboard review writes dozens of labels a minute, so a label
// write re-derives just its incidents' label columns with the metrics engine's own steps
// (deriveLabels, refreshPageIncidentColumns), inside the write's transaction: the labels and the
// numbers built on them commit together or not at all. The engine's next refresh sees the label
// change in its user-data snapshot and recomputes the same values, so nothing can drift.
import type { VigilConfig } from '../config/schema.ts';
import type { WriteTx } from '../db/index.ts';
import { deriveSettings } from '../metrics/derive/context.ts';
import { deriveLabels } from '../metrics/derive/noise.ts';
import { refreshPageIncidentColumns } from '../metrics/derive/pages.ts';

async function derivedTablesExist(tx: WriteTx): Promise<boolean> {
  const row = await tx.one<{ n: number }>(
    `SELECT count(*) AS n FROM information_schema.tables
     WHERE table_schema = 'main' AND table_name IN ('d_incidents', 'd_pages')`,
  );
  return (row?.n ?? 0) === 2;
}

/** Re-derive the label columns of these incidents and their pages (s_label is the engine's scope table). */
export async function applyLabelsToDerived(tx: WriteTx, config: VigilConfig, incidentIds: readonly string[]): Promise<void> {
  if (incidentIds.length === 0 || !(await derivedTablesExist(tx))) return;
  await tx.run('DROP TABLE IF EXISTS s_label');
  await tx.run('CREATE TEMP TABLE s_label AS SELECT unnest($ids) AS id', { ids: [...incidentIds] });
  await deriveLabels(tx, { full: false, settings: deriveSettings(config) });
  await refreshPageIncidentColumns(tx);
  await tx.run('DROP TABLE s_label');
}
