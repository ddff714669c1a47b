// Pre-rendered CSV lines: each deployment's and each page's finished CSV line (the exact text the
// query-time renderer in server/lib/csv.ts produces), stored with the keys its export filters and
// sorts on. (Pages keep all but the person's name and the reviewer's label text, read at export
// time: records/pages.ts.)
//
// Why: rendering 2M lines at query time (CASE/contains/replace per field, strftime per time) was
// ~6.4 s of a ~9.5 s export on the large organisation, the sort of wide rows another 2.2 s, and
// DuckDB's own COPY TO was no faster. Rendered here, over a plain scan (where DuckDB evaluates
// the same expressions on dictionary vectors), the export only filters, sorts stored strings (in
// time slices: records/shared.ts timeSlices) and streams them.
//
// Kept true in the refresh's own transaction: every derivation step that can change a rendered
// value already records what it touched, so exactly those lines are re-rendered. Deployments:
// t_redo (re-derived with their changes), s_deploys (change-failure and rework flags recomputed,
// including the deployments the old attribution pointed at), s_attr (incidents whose attribution
// moved). Pages: s_users (people whose pages were re-derived from a point on; a renamed person
// is re-derived whole), s_label (incidents whose facts, title or label changed), s_shift_range
// (the time range whose on-call columns were recomputed). Config changes rebuild the facts, and
// with them all lines. The state row records the derive state (refreshedAt) the lines match: the
// export uses them only when that is the current one, and renders at query time otherwise (never
// stale text).
import type { QueryRunner, WriteTx } from '../../db/index.ts';
import { csvLinesSql } from '../../lib/csv.ts';
import { deploymentCsvColumns, deploymentsCsvRenderSource } from '../records/deployments.ts';
import { pageFactColumns, pagesCsvRenderSource } from '../records/pages.ts';
import { csvLineTables } from './schema.ts';

/** Bump when the rendering (columns, SQL, quoting) changes: the next refresh re-renders all lines. */
export const CSV_LINES_VERSION = 'csv-lines-5';

const STATE_KEY = 'csv-lines.state';
const DERIVE_STATE_KEY = 'derive.state';

interface LinesState {
  version: string;
  /** The derive state's refreshedAt these lines were rendered for. */
  stamp: string;
  /** The reviewer labels they were rendered with (labelsFingerprint). */
  labels: string;
}

/**
 * A label write re-derives its pages' label columns at once, in its own transaction and without a
 * refresh (server/review/derived.ts), so the stored page lines would show the old label: the
 * lines also record the labels they were rendered with, and until the next refresh renders those
 * pages again the export renders at query time.
 */
const LABELS_FINGERPRINT = `SELECT md5(coalesce(string_agg(incident_id || ':' || label, '|' ORDER BY incident_id), '')) AS f
  FROM review_labels`;

async function labelsFingerprint(db: Pick<QueryRunner, 'one'>): Promise<string> {
  return (await db.one<{ f: string }>(LABELS_FINGERPRINT))?.f ?? '';
}

/** One record kind's stored lines: where they live, what they render and what an incremental run touched. */
interface LineKind {
  table: 'd_csv_deployments' | 'd_csv_pages';
  facts: 'd_deployments' | 'd_pages';
  scopeTable: 's_csv_deployments' | 's_csv_pages';
  columns: readonly string[];
  /** `head`: leading columns stored apart (rendered) when the export puts a column after them. */
  source(scopeTable: string | null): { sql: string; carry: string[]; head?: string[] };
  /** The stored columns, in the order of `source`'s carry (each k_x stored as x), then line. */
  stored: readonly string[];
  /** SELECT of the ids to re-render after an incremental derivation. */
  scope: string;
  /** SELECT of more lines to drop (of rows the derivation deleted and may not write again). */
  stale: string;
}

const kinds: readonly LineKind[] = [
  {
    table: 'd_csv_deployments',
    facts: 'd_deployments',
    scopeTable: 's_csv_deployments',
    columns: deploymentCsvColumns,
    source: (scope) => deploymentsCsvRenderSource(scope ? 's_csv_deployments' : null),
    stored: ['id', 'sort_time', 'created_at', 'production', 'outcome', 'change_failed', 'team_id', 'repo'],
    scope: `SELECT id FROM t_redo WHERE id IS NOT NULL
      UNION SELECT id FROM s_deploys WHERE id IS NOT NULL
      UNION SELECT deployment_id FROM d_attribution WHERE incident_id IN (SELECT id FROM s_attr) AND deployment_id IS NOT NULL`,
    stale: 'SELECT NULL::VARCHAR AS id WHERE false',
  },
  {
    table: 'd_csv_pages',
    facts: 'd_pages',
    scopeTable: 's_csv_pages',
    columns: pageFactColumns,
    source: (scope) => pagesCsvRenderSource(scope ? 's_csv_pages' : null),
    stored: [
      'id',
      'started_at',
      'user_id',
      'oncall_schedule_id',
      'hour_class',
      'on_call',
      'signature',
      'local_time',
      'team_id',
      'service_id',
      'severity',
      'incident_id',
    ],
    scope: `SELECT p.id FROM d_pages p SEMI JOIN s_users u ON u.user_id = p.user_id AND p.started_at >= u.since
      UNION SELECT id FROM d_pages WHERE incident_id IN (SELECT id FROM s_label)
      UNION SELECT p.id FROM d_pages p JOIN s_shift_range r ON p.started_at >= r.lo AND p.started_at <= r.hi`,
    stale: 'SELECT c.id FROM d_csv_pages c SEMI JOIN s_users u ON u.user_id = c.user_id AND c.started_at >= u.since',
  },
];

async function readJson<T>(db: Pick<QueryRunner, 'one'>, key: string): Promise<T | undefined> {
  const row = await db.one<{ value: string }>('SELECT value FROM meta WHERE key = $key', { key });
  if (!row) return undefined;
  try {
    return JSON.parse(row.value) as T;
  } catch {
    return undefined;
  }
}

async function tablesExist(db: Pick<QueryRunner, 'one'>): Promise<boolean> {
  const row = await db.one<{ n: number }>(
    "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'main' AND list_contains($names, table_name)",
    { names: kinds.map((k) => k.table) },
  );
  return Number(row?.n ?? 0) === kinds.length;
}

/** True when the stored lines match the current derived tables (the export may use them). */
export async function csvLinesCurrent(db: Pick<QueryRunner, 'one'>): Promise<boolean> {
  const [lines, derive, labels] = await Promise.all([
    readJson<LinesState>(db, STATE_KEY),
    readJson<{ refreshedAt?: string }>(db, DERIVE_STATE_KEY),
    labelsFingerprint(db),
  ]);
  if (!lines || !derive?.refreshedAt) return false;
  if (lines.version !== CSV_LINES_VERSION || lines.stamp !== derive.refreshedAt || lines.labels !== labels) return false;
  return tablesExist(db);
}

async function insertLines(tx: WriteTx, kind: LineKind, scoped: boolean): Promise<void> {
  const source = kind.source(scoped ? kind.scopeTable : null);
  if (!source.head) {
    const lines = await csvLinesSql(tx, source.sql, {}, kind.columns, source.carry);
    await tx.run(`INSERT INTO ${kind.table} (${kind.stored.join(', ')}, line)
      SELECT ${source.carry.join(', ')}, line FROM (${lines.sql})`);
    return;
  }
  // Two passes: the head, carrying the rest; then the line, carrying the head.
  const head = await csvLinesSql(tx, source.sql, {}, source.head, [...kind.columns, ...source.carry]);
  const lines = await csvLinesSql(tx, `SELECT * RENAME (line AS k_head) FROM (${head.sql})`, {}, kind.columns, [
    ...source.carry,
    'k_head',
  ]);
  await tx.run(`INSERT INTO ${kind.table} (${kind.stored.join(', ')}, head, line)
    SELECT ${source.carry.join(', ')}, k_head, line FROM (${lines.sql})`);
}

async function renderAll(tx: WriteTx, kind: LineKind): Promise<void> {
  const ddl = csvLineTables.find((t) => t.name === kind.table)?.ddl;
  if (!ddl) throw new Error(`No DDL for ${kind.table}`);
  await tx.run(`DROP TABLE IF EXISTS ${kind.table}`);
  await tx.run(ddl);
  await insertLines(tx, kind, false);
}

async function renderScope(tx: WriteTx, kind: LineKind): Promise<void> {
  await tx.run(`DROP TABLE IF EXISTS ${kind.scopeTable}`);
  await tx.run(`CREATE TEMP TABLE ${kind.scopeTable} AS ${kind.scope} UNION ${kind.stale}`);
  await tx.run(`DELETE FROM ${kind.table} WHERE id IN (SELECT id FROM ${kind.scopeTable})`);
  await insertLines(tx, kind, true);
  // A safety net, not the mechanism: one line per record, or render them all again.
  const n = await tx.one<{ lines: number; facts: number }>(
    `SELECT (SELECT count(*) FROM ${kind.table}) AS lines, (SELECT count(*) FROM ${kind.facts}) AS facts`,
  );
  if (Number(n?.lines) !== Number(n?.facts)) await renderAll(tx, kind);
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
 * incremental run reads the scope tables they left). Renders all lines when the facts were
 * rebuilt, when the lines are missing, of another version or not of the previous refresh;
 * otherwise only the touched records'. Returns which it did.
 */
export async function renderCsvLines(tx: WriteTx, options: RenderOptions): Promise<'full' | 'incremental'> {
  const state = await readJson<LinesState>(tx, STATE_KEY);
  const whole =
    options.full ||
    !state ||
    state.version !== CSV_LINES_VERSION ||
    state.stamp !== options.previousStamp ||
    !(await tablesExist(tx));
  for (const kind of kinds) {
    if (whole) await renderAll(tx, kind);
    else await renderScope(tx, kind);
  }
  await tx.run(
    `INSERT INTO meta (key, value, updated_at) VALUES ($key, $value, now())
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    {
      key: STATE_KEY,
      value: JSON.stringify({
        version: CSV_LINES_VERSION,
        stamp: options.stamp,
        labels: await labelsFingerprint(tx),
      } satisfies LinesState),
    },
  );
  return whole ? 'full' : 'incremental';
}

/** A token that changes whenever any stored line may have (every write of the lines rewrites the state). */
export async function csvLinesVersion(db: Pick<QueryRunner, 'one'>): Promise<string> {
  const row = await db.one<{ v: string }>(
    'SELECT value || CAST(epoch_us(updated_at) AS VARCHAR) AS v FROM meta WHERE key = $key',
    { key: STATE_KEY },
  );
  return row?.v ?? '';
}
