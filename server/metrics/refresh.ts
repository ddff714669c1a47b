// refreshDerived: brings the derived tables (deployment facts, changes, incident facts,
// attribution, noise suggestions, page facts, on-call exposure) up to date with the normalised,
// user-owned and config tables. The collectors call it after every committed sync; `vigil serve`
// calls it at start-up; writes of reviewer labels and links call it too.
//
// Full rebuild when there is no previous state, when the code's DERIVE_VERSION or the config
// fingerprint changed, or when rows disappeared from a source table. Otherwise incremental: only
// the repositories, incidents, alert rules, deployments and people touched since the last refresh
// are recomputed (derive/scope.ts). Either way it is one transaction, so readers see the old or
// the new derived data, never a mix, and a crash leaves the previous state intact.
import type { VigilConfig } from '../config/schema.ts';
import type { Database, WriteTx } from '../db/index.ts';
import { deriveAttribution, deriveDeploymentOutcomes, deriveIncidentTokens } from './derive/attribution.ts';
import { type DeriveContext, deriveSettings, settingsFingerprint, writeConfigTables } from './derive/context.ts';
import { deriveChanges, deriveDeployments, deriveEnvironments } from './derive/deployments.ts';
import { deriveIncidentBase, deriveIncidentImpact } from './derive/incidents.ts';
import { deriveFlapping, deriveLabels } from './derive/noise.ts';
import { deriveOncallPieces, deriveShifts, writeZones } from './derive/oncall.ts';
import { derivePages, prepareOncallSpans, refreshPageIncidentColumns, refreshPageOncall } from './derive/pages.ts';
import { DERIVE_VERSION, derivedTables } from './derive/schema.ts';
import {
  buildAttributionScope,
  buildDeploymentScope,
  buildPageScope,
  buildSourceScopes,
  changedShiftRange,
  countsChanged,
  countsShrank,
  type DeriveState,
  marksMoved,
  readMarks,
  snapshotUserData,
  userDataChanged,
} from './derive/scope.ts';

const STATE_KEY = 'derive.state';

export interface RefreshResult {
  mode: 'full' | 'incremental' | 'unchanged';
  reason: string;
  ms: number;
  scopes?: Record<string, number>;
}

export interface RefreshOptions {
  /** Rebuild everything regardless of what changed (e.g. after `vigil sync --renormalize`). */
  full?: boolean;
}

async function readState(db: Pick<Database, 'one'>): Promise<DeriveState | undefined> {
  const row = await db.one<{ value: string }>('SELECT value FROM meta WHERE key = $key', { key: STATE_KEY });
  if (!row) return undefined;
  try {
    return JSON.parse(row.value) as DeriveState;
  } catch {
    return undefined;
  }
}

async function existingTables(db: Pick<Database, 'all'>): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main' AND starts_with(table_name, 'd_')",
  );
  return new Set(rows.map((r) => r.name));
}

const ensured = new WeakSet<Database>();

/**
 * Create any missing derived table (empty). The API calls this before its first query so a fresh
 * database answers with empty results instead of an error; it never rebuilds anything.
 */
export async function ensureDerivedTables(db: Database): Promise<void> {
  if (ensured.has(db)) return;
  const have = await existingTables(db);
  const missing = derivedTables.filter((t) => !have.has(t.name));
  if (missing.length > 0) {
    await db.write(async (tx) => {
      for (const t of missing) await tx.run(t.ddl.replace(/^CREATE TABLE/, 'CREATE TABLE IF NOT EXISTS'));
    });
  }
  ensured.add(db);
}

async function recreateTables(tx: WriteTx): Promise<void> {
  for (const t of derivedTables) {
    await tx.run(`DROP TABLE IF EXISTS ${t.name}`);
    await tx.run(t.ddl);
  }
}

async function runFull(tx: WriteTx, ctx: DeriveContext): Promise<void> {
  await deriveEnvironments(tx, ctx);
  await deriveDeployments(tx, ctx);
  await deriveChanges(tx, ctx);
  await deriveIncidentBase(tx, ctx);
  await deriveIncidentTokens(tx, ctx);
  await deriveAttribution(tx, ctx);
  await deriveIncidentImpact(tx, ctx);
  await deriveFlapping(tx, ctx);
  await deriveLabels(tx, ctx);
  await deriveDeploymentOutcomes(tx, ctx);
  await deriveShifts(tx, ctx.settings);
  await deriveOncallPieces(tx, ctx);
  await prepareOncallSpans(tx, ctx);
  await derivePages(tx, ctx);
}

async function count(tx: WriteTx, table: string): Promise<number> {
  const row = await tx.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  return row?.n ?? 0;
}

async function runIncremental(tx: WriteTx, ctx: DeriveContext, state: DeriveState): Promise<Record<string, number>> {
  const marks = state.marks;
  await buildSourceScopes(tx, marks);
  // Repositories: deployment facts and changes, per repository.
  await deriveEnvironments(tx, ctx);
  await deriveDeployments(tx, ctx);
  await deriveChanges(tx, ctx);
  // Incidents: signatures before the rebuild (a renamed incident leaves its old rule), then facts.
  await tx.run('DROP TABLE IF EXISTS s_sigs');
  await tx.run('CREATE TEMP TABLE s_sigs AS SELECT DISTINCT signature FROM d_incidents WHERE id IN (SELECT id FROM s_incidents)');
  await deriveIncidentBase(tx, ctx);
  await deriveIncidentTokens(tx, ctx);
  await tx.run('INSERT INTO s_sigs SELECT DISTINCT signature FROM d_incidents WHERE id IN (SELECT id FROM s_incidents)');
  // Attribution, remembering the deployments the old attribution pointed at.
  await buildAttributionScope(tx, marks);
  await tx.run('DROP TABLE IF EXISTS s_deploys');
  await tx.run(`CREATE TEMP TABLE s_deploys AS
    SELECT deployment_id AS id FROM d_attribution WHERE incident_id IN (SELECT id FROM s_attr) AND deployment_id IS NOT NULL`);
  await deriveAttribution(tx, ctx);
  await deriveIncidentImpact(tx, ctx);
  // Noise and labels.
  await deriveFlapping(tx, ctx);
  await tx.run('DROP TABLE IF EXISTS s_label');
  await tx.run(`CREATE TEMP TABLE s_label AS
    SELECT id FROM s_attr UNION SELECT id FROM s_labels
    UNION SELECT id FROM d_incidents WHERE signature IN (SELECT signature FROM s_sigs)`);
  await deriveLabels(tx, ctx);
  await buildDeploymentScope(tx);
  await deriveDeploymentOutcomes(tx, ctx);
  // On call: shifts are few, so they are always rebuilt whole.
  await deriveShifts(tx, ctx.settings);
  await deriveOncallPieces(tx, ctx);
  await prepareOncallSpans(tx, ctx);
  // Pages: rebuild the touched people's pages, then patch pages whose incident or shift changed.
  await buildPageScope(tx, marks);
  await derivePages(tx, ctx);
  await refreshPageIncidentColumns(tx);
  const shifts = await changedShiftRange(tx, marks);
  if (shifts) await refreshPageOncall(tx, ctx, shifts.from, shifts.to);
  return {
    repos: await count(tx, 's_repos'),
    incidents: await count(tx, 's_incidents'),
    attribution: await count(tx, 's_attr'),
    labels: await count(tx, 's_label'),
    deployments: await count(tx, 's_deploys'),
    users: await count(tx, 's_users'),
    shiftsChanged: shifts ? 1 : 0,
  };
}

/**
 * Bring the derived tables up to date. Safe to call at any time and from several places: calls
 * are serialised by the database's write lock, and a call with nothing new returns at once
 * without a write (so response caches stay warm).
 */
export async function refreshDerived(db: Database, config: VigilConfig, options: RefreshOptions = {}): Promise<RefreshResult> {
  const started = performance.now();
  const settings = deriveSettings(config);
  const fingerprint = settingsFingerprint(settings);
  const before = await readState(db);
  const now = await readMarks(db);
  const tables = await existingTables(db);
  const allTables = derivedTables.every((t) => tables.has(t.name));
  let reason: string | undefined;
  if (options.full) reason = 'requested';
  else if (!before) reason = 'first build';
  else if (before.version !== DERIVE_VERSION) reason = `derivation code changed (${before.version} -> ${DERIVE_VERSION})`;
  else if (before.fingerprint !== fingerprint) reason = 'config changed';
  else if (!allTables) reason = 'derived tables missing';
  else if (countsShrank(before.counts, now.counts)) reason = 'rows were removed from a source table';

  if (!reason && before && !marksMoved(before.marks, now.marks) && !countsChanged(before.counts, now.counts)) {
    const userData = await userDataChanged(db);
    if (!userData) return { mode: 'unchanged', reason: 'nothing new', ms: Math.round(performance.now() - started) };
  }

  const full = reason !== undefined;
  const result = await db.write(async (tx) => {
    // Read the marks again inside the transaction: they are what this refresh will have seen.
    const seen = await readMarks(tx);
    const ctx: DeriveContext = { full, settings };
    await writeConfigTables(tx, settings);
    await writeZones(tx, settings);
    let scopes: Record<string, number> | undefined;
    if (full) {
      await recreateTables(tx);
      await runFull(tx, ctx);
    } else {
      scopes = await runIncremental(tx, ctx, before as DeriveState);
    }
    await snapshotUserData(tx);
    const state: DeriveState = {
      version: DERIVE_VERSION,
      fingerprint,
      marks: seen.marks,
      counts: seen.counts,
      refreshedAt: new Date().toISOString(),
    };
    await tx.run(
      `INSERT INTO meta (key, value, updated_at) VALUES ($key, $value, now())
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      { key: STATE_KEY, value: JSON.stringify(state) },
    );
    return scopes;
  });
  ensured.add(db);
  return {
    mode: full ? 'full' : 'incremental',
    reason: reason ?? 'new or changed records',
    ms: Math.round(performance.now() - started),
    ...(result ? { scopes: result } : {}),
  };
}
