// Pre-rendered CSV lines: each deployment's finished CSV line (the exact text the query-time
// renderer in server/lib/csv.ts produces), stored with the keys its export filters and sorts on.
//
// Why: rendering 2M lines at query time (CASE/contains/replace per field, strftime per time) was
// ~6.4 s of a ~9.5 s export on the large organisation, the sort of wide rows another 2.2 s, and
// DuckDB's own COPY TO was no faster. Rendered here, over a plain scan (where DuckDB evaluates
// the same expressions on dictionary vectors), the export only filters, sorts narrow rows and
// streams stored strings.
//
// Kept true in the refresh's own transaction: every derivation step that can change a rendered
// value already records what it touched (t_redo: deployments re-derived with their changes;
// s_deploys: change-failure and rework flags recomputed, including the deployments the old
// attribution pointed at; s_attr: incidents whose attribution moved), so exactly those lines are
// re-rendered. Config changes rebuild the facts, and with them all lines. The state row records
// the derive state (refreshedAt) the lines match: the export uses them only when that is the
// current one, and renders at query time otherwise (never stale text).
import type { QueryRunner, WriteTx } from '../../db/index.ts';
import { csvLinesSql } from '../../lib/csv.ts';
import { deploymentCsvColumns, deploymentsCsvRenderSource } from '../records/deployments.ts';
import { csvLineTables } from './schema.ts';

/** Bump when the rendering (columns, SQL, quoting) changes: the next refresh re-renders all lines. */
export const CSV_LINES_VERSION = 'csv-lines-1';

const STATE_KEY = 'csv-lines.state';
const DERIVE_STATE_KEY = 'derive.state';
const TABLE = 'd_csv_deployments';

interface LinesState {
  version: string;
  /** The derive state's refreshedAt these lines were rendered for. */
  stamp: string;
}

async function readJson<T>(db: Pick<QueryRunner, 'one'>, key: string): Promise<T | undefined> {
  const row = await db.one<{ value: string }>('SELECT value FROM meta WHERE key = $key', { key });
  if (!row) return undefined;
  try {
    return JSON.parse(row.value) as T;
  } catch {
    return undefined;
  }
}

async function tableExists(db: Pick<QueryRunner, 'one'>): Promise<boolean> {
  const row = await db.one<{ n: number }>(
    "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $name",
    { name: TABLE },
  );
  return (row?.n ?? 0) > 0;
}

/** True when the stored lines match the current derived tables (the export may use them). */
export async function csvLinesCurrent(db: Pick<QueryRunner, 'one'>): Promise<boolean> {
  const [lines, derive] = await Promise.all([
    readJson<LinesState>(db, STATE_KEY),
    readJson<{ refreshedAt?: string }>(db, DERIVE_STATE_KEY),
  ]);
  if (!lines || !derive?.refreshedAt) return false;
  if (lines.version !== CSV_LINES_VERSION || lines.stamp !== derive.refreshedAt) return false;
  return tableExists(db);
}

async function insertLines(tx: WriteTx, scoped: boolean): Promise<void> {
  const source = deploymentsCsvRenderSource(scoped ? 's_csv_deployments' : null);
  const lines = await csvLinesSql(tx, source.sql, {}, deploymentCsvColumns, source.carry);
  await tx.run(`INSERT INTO ${TABLE} (id, sort_time, created_at, production, outcome, change_failed, team_id, repo, line)
    SELECT k_id, k_sort, k_created, k_production, k_outcome, k_change_failed, k_team, k_repo, line FROM (${lines.sql})`);
}

async function renderAll(tx: WriteTx): Promise<void> {
  const ddl = csvLineTables.find((t) => t.name === TABLE)?.ddl;
  if (!ddl) throw new Error(`No DDL for ${TABLE}`);
  await tx.run(`DROP TABLE IF EXISTS ${TABLE}`);
  await tx.run(ddl);
  await insertLines(tx, false);
}

async function counts(tx: WriteTx): Promise<{ lines: number; facts: number }> {
  const row = await tx.one<{ lines: number; facts: number }>(
    `SELECT (SELECT count(*) FROM ${TABLE}) AS lines, (SELECT count(*) FROM d_deployments) AS facts`,
  );
  return { lines: Number(row?.lines ?? 0), facts: Number(row?.facts ?? 0) };
}

export interface RenderOptions {
  /** The facts were rebuilt whole: render every line. */
  full: boolean;
  /** The derive state's refreshedAt before this refresh (what current lines were rendered for). */
  previousStamp: string | undefined;
  /** The derive state's refreshedAt this refresh writes. */
  stamp: string;
}

/**
 * Bring the lines up to date inside the refresh's transaction, after every derivation step (an
 * incremental run reads its scope tables t_redo, s_deploys and s_attr). Renders all lines when the
 * facts were rebuilt, when the lines are missing, of another version or not of the previous
 * refresh; otherwise only the touched deployments'. Returns how it went, for the refresh's steps.
 */
export async function renderCsvLines(tx: WriteTx, options: RenderOptions): Promise<'full' | 'incremental'> {
  const state = await readJson<LinesState>(tx, STATE_KEY);
  const whole =
    options.full ||
    !state ||
    state.version !== CSV_LINES_VERSION ||
    state.stamp !== options.previousStamp ||
    !(await tableExists(tx));
  if (whole) {
    await renderAll(tx);
  } else {
    await tx.run('DROP TABLE IF EXISTS s_csv_deployments');
    await tx.run(`CREATE TEMP TABLE s_csv_deployments AS
      SELECT id FROM t_redo WHERE id IS NOT NULL
      UNION SELECT id FROM s_deploys WHERE id IS NOT NULL
      UNION SELECT deployment_id FROM d_attribution WHERE incident_id IN (SELECT id FROM s_attr) AND deployment_id IS NOT NULL`);
    await tx.run(`DELETE FROM ${TABLE} WHERE id IN (SELECT id FROM s_csv_deployments)`);
    await insertLines(tx, true);
    // A safety net, not the mechanism: one line per deployment, or render them all again.
    const n = await counts(tx);
    if (n.lines !== n.facts) await renderAll(tx);
  }
  await tx.run(
    `INSERT INTO meta (key, value, updated_at) VALUES ($key, $value, now())
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    { key: STATE_KEY, value: JSON.stringify({ version: CSV_LINES_VERSION, stamp: options.stamp } satisfies LinesState) },
  );
  return whole ? 'full' : 'incremental';
}
