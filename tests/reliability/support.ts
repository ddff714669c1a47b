// What the reliability tests share beyond the collector tests' own helpers: the user-owned data a
// reviewer writes through the API (labels, a follow-up, a hand-off note, a manual link), its
// checksums, and a check that a run which stopped part-way wrote nothing that a clean run would
// not have written (no half-written rows).
import { expect } from 'vitest';
import { tableSpec } from '../../collectors/engine/tables.ts';
import { createApp } from '../../server/api/app.ts';
import { USER_TABLES } from '../../server/backup/backup.ts';
import { applyConfig } from '../../server/config/apply.ts';
import { parseConfig } from '../../server/config/load.ts';
import type { VigilConfig } from '../../server/config/schema.ts';
import { type Database, ident } from '../../server/db/index.ts';
import { refreshDerived } from '../../server/metrics/refresh.ts';
import { rawConfig as githubRawConfig } from '../collectors/github/support.ts';
import { rawConfig as pagerdutyRawConfig } from '../collectors/pagerduty/support.ts';
import type { GitHubStandIn } from '../stand-ins/github/index.ts';
import type { OrgStore } from '../stand-ins/org/model.ts';
import type { PagerDutyStandIn } from '../stand-ins/pagerduty/index.ts';

export const LONG = process.env.VIGIL_LONG_TESTS === '1' || process.env.VIGIL_LONG_TESTS === 'true';

export interface TableSum {
  rows: number;
  hash: string;
}

/** A seeded PRNG (mulberry32): every random choice in these tests can be replayed from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function columnsOf(db: Database, table: string): Promise<string[]> {
  const rows = await db.all<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = $table AND table_schema = 'main' ORDER BY ordinal_position`,
    { table },
  );
  return rows.map((r) => r.column_name);
}

/** Order-independent checksums of every user-owned table, every column included. */
export async function userTableSums(db: Database): Promise<Record<string, TableSum>> {
  const out: Record<string, TableSum> = {};
  for (const table of Object.keys(USER_TABLES)) {
    const names = await columnsOf(db, table);
    const row = await db.one<{ rows: number; hash: string | null }>(
      `SELECT count(*) AS rows, CAST(sum(hash(${names.map(ident).join(', ')})) AS VARCHAR) AS hash FROM ${ident(table)}`,
    );
    out[table] = { rows: row?.rows ?? 0, hash: row?.hash ?? '0' };
  }
  return out;
}

/**
 * Columns that record what the collector still has to fetch, not what the source said: a run that
 * stopped leaves them "not yet" (an incident not final until its log and alerts are stored), and
 * the next run completes them.
 */
const BOOKKEEPING = new Set(['synced_at', 'final', 'commits_synced']);

/** Columns filled from another stream later in a run (a pull request's commits): null until then. */
const FILLED_LATER: Record<string, readonly string[]> = { pull_requests: ['first_commit_at', 'commit_count'] };

interface KeyedRow {
  hash: string;
  later: (string | null)[];
}

/** Each row by key: the hash of what the source said, and the columns filled in later. */
async function rowsByKey(db: Database, table: string): Promise<Map<string, KeyedRow>> {
  const key = tableSpec(table).key;
  const later = FILLED_LATER[table] ?? [];
  const names = (await columnsOf(db, table)).filter((c) => !BOOKKEEPING.has(c) && !later.includes(c));
  const rows = await db.all<{ k: string; h: string; later: (string | null)[] }>(
    `SELECT CAST(to_json([${key.map((k) => `CAST(${ident(k)} AS VARCHAR)`).join(', ')}]) AS VARCHAR) AS k,
            CAST(hash(${names.map(ident).join(', ')}) AS VARCHAR) AS h,
            [${later.map((c) => `CAST(${ident(c)} AS VARCHAR)`).join(', ')}]::VARCHAR[] AS later
     FROM ${ident(table)}`,
  );
  return new Map(rows.map((r) => [r.k, { hash: r.h, later: r.later }]));
}

async function rowOf(db: Database, table: string, key: string[]): Promise<Record<string, unknown> | undefined> {
  const cols = tableSpec(table).key;
  const where = cols.map((c, i) => `CAST(${ident(c)} AS VARCHAR) = $k${i}`).join(' AND ');
  return db.one(`SELECT * FROM ${ident(table)} WHERE ${where}`, Object.fromEntries(key.map((v, i) => [`k${i}`, v])));
}

/**
 * Every row of `tables` in `partial` is, field for field, the row a clean run wrote for that key
 * (fields filled from a later stream may still be empty): a run that stopped part-way left
 * finished records behind, never one with half its fields or a field that is wrong.
 */
export async function expectOnlyFinishedRows(partial: Database, clean: Database, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const mine = await rowsByKey(partial, table);
    const theirs = await rowsByKey(clean, table);
    const finished = (row: KeyedRow, other: KeyedRow | undefined) =>
      other !== undefined && row.hash === other.hash && row.later.every((v, i) => v === null || v === other.later[i]);
    const strays = [...mine].filter(([k, row]) => !finished(row, theirs.get(k))).map(([k]) => k);
    let example = '';
    if (strays[0]) {
      const read = (db: Database) => rowOf(db, table, JSON.parse(strays[0] as string) as string[]);
      const [a, b] = [await read(partial), await read(clean)];
      const fields = Object.keys(a ?? {}).filter((c) => !BOOKKEEPING.has(c) && JSON.stringify(a?.[c]) !== JSON.stringify(b?.[c]));
      example = `; e.g. ${strays[0]}: ${fields.map((f) => `${f} ${JSON.stringify(a?.[f])} vs ${JSON.stringify(b?.[f])}`).join(', ')}`;
    }
    expect(strays.length, `${table}: ${strays.length} of ${mine.size} rows differ from a clean run's${example}`).toBe(0);
  }
}

/** The config of both collectors' tests in one: teams with their repositories, services and schedules. */
export function bothConfig(
  gh: { store: OrgStore; gh: GitHubStandIn },
  pd: { store: OrgStore; pd: PagerDutyStandIn },
  database: string,
  onlyRepos?: (repo: string) => boolean,
): VigilConfig {
  const github = githubRawConfig({ ...gh, close: async () => {} }, database, onlyRepos);
  const pagerduty = pagerdutyRawConfig({ ...pd, close: async () => {} }, database);
  const repos = new Map(github.teams.map((t) => [t.id, t.repos]));
  return parseConfig('both.yaml', {
    database,
    github: github.github,
    pagerduty: pagerduty.pagerduty,
    teams: pagerduty.teams.map((t) => ({ ...t, repos: repos.get(t.id) ?? [] })),
  });
}

const reviewer = (body?: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', 'X-Vigil-Actor': encodeURIComponent('Zoë Reviewer') },
  ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
});

/**
 * Write what a reviewer owns through the API, as the web app does: labels on a few incidents (with a
 * reason and a note), a follow-up and a hand-off note on a team's week, and a manual link between an
 * incident and a deployment. The database must hold synced incidents and deployments.
 */
export async function writeReviewerData(db: Database, config: VigilConfig): Promise<Record<string, TableSum>> {
  await applyConfig(db, config);
  // The collectors' tests sync without the after-sync step; the records the API lists need it.
  await refreshDerived(db, config);
  const app = createApp({ db, config, log: () => {} });
  const call = async (path: string, init?: RequestInit, status = 200) => {
    const res = await app.request(path, init);
    const text = await res.text();
    expect(res.status, `${init?.method ?? 'GET'} ${path}: ${text.slice(0, 400)}`).toBe(status);
    return JSON.parse(text);
  };
  const range = 'from=2020-01-01&to=2026-12-31';
  const incidents = (await call(`/api/incidents?${range}&limit=6`)).items as { id: string; createdAt?: string }[];
  // Only a successful production deployment can be linked to an incident as its cause.
  const deployments = (await call(`/api/deployments?${range}&limit=2&environment=production&outcome=success`)).items as {
    id: string;
  }[];
  expect(incidents.length).toBeGreaterThanOrEqual(6);
  expect(deployments.length).toBeGreaterThan(0);
  const ids = incidents.map((i) => i.id);
  await call(
    '/api/review/labels',
    reviewer({
      items: ids.slice(0, 3).map((incidentId) => ({ incidentId, version: 0 })),
      label: 'non_actionable',
      reason: 'threshold_needs_tuning',
      note: 'fires on every deploy — tune it ✓',
    }),
  );
  await call(
    '/api/review/labels',
    reviewer({ items: ids.slice(3, 5).map((incidentId) => ({ incidentId, version: 0 })), label: 'actionable' }),
  );
  // A team's week that paged someone, and one of its alert rules, for the follow-up and the note.
  const week = '2026-05-18';
  let team = '';
  let ruleSignature = '';
  for (const t of config.teams) {
    const view = await call(`/api/review?team=${encodeURIComponent(t.id)}&week=${week}`);
    if (view.rules.length > 0) [team, ruleSignature] = [t.id, view.rules[0].signature];
    if (team) break;
  }
  expect(team, `a team paged in the week of ${week}`).not.toBe('');
  await call(
    '/api/review/follow-ups',
    reviewer({
      team,
      week,
      ruleSignature,
      title: 'Raise the disk alert to 90%',
      url: 'https://tracker.example.com/OPS-1',
      owner: 'Bo',
    }),
    201,
  );
  await call('/api/review/notes', {
    ...reviewer({ team, week, body: 'Quiet week; hand-off to Bo.', version: 0 }),
    method: 'PUT',
  });
  await call(
    '/api/incident-links',
    reviewer({ incidentId: ids[5], deploymentId: deployments[0]?.id, action: 'link', note: 'the rollback proved it' }),
    201,
  );
  const sums = await userTableSums(db);
  for (const table of ['review_labels', 'follow_ups', 'review_notes', 'incident_links', 'user_audit']) {
    expect(sums[table]?.rows, table).toBeGreaterThan(0);
  }
  return sums;
}
