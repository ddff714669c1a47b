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
import { UserFacingError } from '../lib/errors.ts';
import { deriveAttribution, deriveDeploymentOutcomes, deriveIncidentTokens } from './derive/attribution.ts';
import { type DeriveContext, deriveSettings, settingsFingerprint, writeConfigTables } from './derive/context.ts';
import { csvLinesCurrent, renderCsvLines } from './derive/csv-lines.ts';
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
  sinceConditions,
  snapshotPulls,
  snapshotUserData,
  userDataChanged,
} from './derive/scope.ts';
import { deriveZoneOffsets } from './derive/zones.ts';

const STATE_KEY = 'derive.state';

export interface RefreshResult {
  mode: 'full' | 'incremental' | 'unchanged';
  reason: string;
  ms: number;
  scopes?: Record<string, number>;
  /** Milliseconds per derivation step. */
  steps?: Record<string, number>;
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

/** Time each step; the timings come back in RefreshResult.steps (and feed the benchmark). */
class Steps {
  readonly timings: Record<string, number> = {};
  async run(name: string, fn: () => Promise<void>): Promise<void> {
    const t = performance.now();
    await fn();
    this.timings[name] = (this.timings[name] ?? 0) + Math.round(performance.now() - t);
  }
}

async function runFull(tx: WriteTx, ctx: DeriveContext, steps: Steps): Promise<void> {
  await steps.run('zone offsets', () => deriveZoneOffsets(tx, ctx.settings, true));
  await steps.run('environments', () => deriveEnvironments(tx, ctx));
  await steps.run('deployments', () => deriveDeployments(tx, ctx));
  await steps.run('changes', () => deriveChanges(tx, ctx));
  await steps.run('incidents', () => deriveIncidentBase(tx, ctx));
  await steps.run('tokens', () => deriveIncidentTokens(tx, ctx));
  await steps.run('attribution', () => deriveAttribution(tx, ctx));
  await steps.run('impact', () => deriveIncidentImpact(tx, ctx));
  await steps.run('flapping', () => deriveFlapping(tx, ctx));
  await steps.run('labels', () => deriveLabels(tx, ctx));
  await steps.run('deployment outcomes', () => deriveDeploymentOutcomes(tx, ctx));
  await steps.run('shifts', () => deriveShifts(tx, ctx.settings));
  await steps.run('on-call pieces', () => deriveOncallPieces(tx, ctx));
  await steps.run('on-call spans', () => prepareOncallSpans(tx, ctx));
  await steps.run('pages', () => derivePages(tx, ctx));
}

async function count(tx: WriteTx, table: string): Promise<number> {
  const row = await tx.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  return row?.n ?? 0;
}

async function runIncremental(
  tx: WriteTx,
  ctx: DeriveContext,
  state: DeriveState,
  steps: Steps,
): Promise<Record<string, number>> {
  const since = await sinceConditions(tx, state.marks);
  await steps.run('deriveZoneOffsets', () => deriveZoneOffsets(tx, ctx.settings, false));
  await steps.run('buildSourceScopes', () => buildSourceScopes(tx, since));
  // Repositories: deployment facts and changes, per repository.
  await steps.run('deriveEnvironments', () => deriveEnvironments(tx, ctx));
  await steps.run('deriveDeployments', () => deriveDeployments(tx, ctx));
  await steps.run('deriveChanges', () => deriveChanges(tx, ctx));
  // Incidents: signatures before the rebuild (a renamed incident leaves its old rule), then facts.
  await tx.run('DROP TABLE IF EXISTS s_sigs');
  await tx.run('CREATE TEMP TABLE s_sigs AS SELECT DISTINCT signature FROM d_incidents WHERE id IN (SELECT id FROM s_incidents)');
  await steps.run('deriveIncidentBase', () => deriveIncidentBase(tx, ctx));
  await steps.run('deriveIncidentTokens', () => deriveIncidentTokens(tx, ctx));
  await tx.run('INSERT INTO s_sigs SELECT DISTINCT signature FROM d_incidents WHERE id IN (SELECT id FROM s_incidents)');
  // Attribution, remembering the deployments the old attribution pointed at.
  await steps.run('buildAttributionScope', () => buildAttributionScope(tx, since));
  await tx.run('DROP TABLE IF EXISTS s_deploys');
  await tx.run(`CREATE TEMP TABLE s_deploys AS
    SELECT deployment_id AS id FROM d_attribution WHERE incident_id IN (SELECT id FROM s_attr) AND deployment_id IS NOT NULL`);
  await steps.run('deriveAttribution', () => deriveAttribution(tx, ctx));
  await steps.run('deriveIncidentImpact', () => deriveIncidentImpact(tx, ctx));
  // Noise and labels.
  await steps.run('deriveFlapping', () => deriveFlapping(tx, ctx));
  await tx.run('DROP TABLE IF EXISTS s_label');
  await tx.run(`CREATE TEMP TABLE s_label AS
    SELECT id FROM s_attr UNION SELECT id FROM s_labels
    UNION SELECT id FROM d_incidents WHERE signature IN (SELECT signature FROM s_sigs)`);
  await steps.run('deriveLabels', () => deriveLabels(tx, ctx));
  await steps.run('buildDeploymentScope', () => buildDeploymentScope(tx));
  await steps.run('deriveDeploymentOutcomes', () => deriveDeploymentOutcomes(tx, ctx));
  // On call: shifts are few, so they are rebuilt whole, but only when shifts or people changed or
  // an open-ended shift (which ends "now") exists.
  const oncallChanged = await tx.one<{ changed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM oncall_shifts WHERE ${since.oncall_shifts})
      OR EXISTS (SELECT 1 FROM pd_users WHERE ${since.pd_users})
      OR EXISTS (SELECT 1 FROM oncall_shifts WHERE end_at IS NULL) AS changed`,
  );
  if (oncallChanged?.changed) {
    await steps.run('deriveShifts', () => deriveShifts(tx, ctx.settings));
    await steps.run('deriveOncallPieces', () => deriveOncallPieces(tx, ctx));
  }
  await steps.run('prepareOncallSpans', () => prepareOncallSpans(tx, ctx));
  // Pages: rebuild the touched people's pages, then patch pages whose incident or shift changed.
  await steps.run('buildPageScope', () => buildPageScope(tx, since));
  await steps.run('derivePages', () => derivePages(tx, ctx));
  await steps.run('refreshPageIncidentColumns', () => refreshPageIncidentColumns(tx));
  const shifts = await changedShiftRange(tx, since);
  if (shifts) await steps.run('refreshPageOncall', () => refreshPageOncall(tx, ctx, shifts.from, shifts.to));
  // The range whose pages' on-call columns moved, for the CSV lines (derive/csv-lines.ts).
  await tx.run('DROP TABLE IF EXISTS s_shift_range');
  await tx.run('CREATE TEMP TABLE s_shift_range (lo TIMESTAMPTZ, hi TIMESTAMPTZ)');
  if (shifts) await tx.run('INSERT INTO s_shift_range VALUES (CAST($from AS TIMESTAMPTZ), CAST($to AS TIMESTAMPTZ))', shifts);
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
 * DuckDB's out-of-memory error, said so a user can act on it. A full rebuild sorts and joins whole
 * tables in one transaction: the large organisation's (2M deployments, 300k incidents) needed about
 * 6 GB, far above the default limit that keeps a backfill under 1 GB.
 */
function outOfMemory(error: unknown): UserFacingError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!/out of memory/i.test(message)) return undefined;
  return new UserFacingError(
    `Refreshing the metrics' tables ran out of DuckDB's memory limit (${message.split('\n')[0]}). ` +
      'Nothing was changed. Raise the limit with VIGIL_MEMORY_LIMIT (for example VIGIL_MEMORY_LIMIT=8GB) and start again.',
  );
}

/**
 * Bring the derived tables up to date. Safe to call at any time and from several places: calls
 * are serialised by the database's write lock, and a call with nothing new returns at once
 * without a write (so response caches stay warm).
 */
export async function refreshDerived(db: Database, config: VigilConfig, options: RefreshOptions = {}): Promise<RefreshResult> {
  try {
    return await refresh(db, config, options);
  } catch (error) {
    throw outOfMemory(error) ?? error;
  }
}

async function refresh(db: Database, config: VigilConfig, options: RefreshOptions): Promise<RefreshResult> {
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
    if (!userData) {
      if (await csvLinesCurrent(db))
        return { mode: 'unchanged', reason: 'nothing new', ms: Math.round(performance.now() - started) };
      // The facts are current but the CSV lines are missing or of older code: render only those.
      const steps = new Steps();
      await db.write((tx) =>
        steps.run('csv lines', async () => {
          await renderCsvLines(tx, { full: true, previousStamp: before.refreshedAt, stamp: before.refreshedAt });
        }),
      );
      return {
        mode: 'incremental',
        reason: 'CSV lines rendered',
        ms: Math.round(performance.now() - started),
        steps: steps.timings,
      };
    }
  }

  const full = reason !== undefined;
  const steps = new Steps();
  const result = await db.write(async (tx) => {
    // Read the marks again inside the transaction: they are what this refresh will have seen.
    const seen = await readMarks(tx);
    const ctx: DeriveContext = { full, settings };
    // DuckDB runs an ASOF join as a nested loop when it estimates the left side at 64 rows or
    // fewer, and temp tables created inside this transaction have no statistics: measured 20 s
    // instead of 0.1 s for 30k incidents against 170k deployments. Always use the real ASOF join.
    await tx.run('SET asof_loop_join_threshold = 0');
    await writeConfigTables(tx, settings);
    await writeZones(tx, settings);
    let scopes: Record<string, number> | undefined;
    if (full) {
      await recreateTables(tx);
      await runFull(tx, ctx, steps);
    } else {
      scopes = await runIncremental(tx, ctx, before as DeriveState, steps);
    }
    await snapshotUserData(tx);
    await snapshotPulls(tx, full);
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
    // Last: an incremental render reads the scope tables every step above left.
    await steps.run('csv lines', async () => {
      await renderCsvLines(tx, { full, previousStamp: before?.refreshedAt, stamp: state.refreshedAt });
    });
    return scopes;
  });
  ensured.add(db);
  return {
    mode: full ? 'full' : 'incremental',
    reason: reason ?? 'new or changed records',
    ms: Math.round(performance.now() - started),
    ...(result ? { scopes: result } : {}),
    steps: steps.timings,
  };
}
