// The bulk loader on its own, against a real DuckDB: one transaction per batch, newest copy per
// key, unchanged rows and payloads skipped, bad payloads kept once, children replaced wholesale,
// cursors committed with their rows or not at all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawRecord } from '../../../collectors/engine/hash.ts';
import { type LoaderOptions, loadBatch, type RawRule } from '../../../collectors/engine/loader.ts';
import { emptyBatch, type LoadBatch, type Row } from '../../../collectors/engine/types.ts';
import { type Database, openDatabase } from '../../../server/db/index.ts';

const RULES: RawRule[] = [
  {
    stream: 'pulls',
    table: 'pull_requests',
    on: 't.repo = r.scope AND t.number = TRY_CAST(r.record_key AS INTEGER)',
    hash: true,
  },
];
const OPTIONS: LoaderOptions = { source: 'github', runId: 7, rawRules: RULES };

function pull(number: number, title: string, fetchedAt = '2024-05-01T10:00:00.000Z') {
  const payload = { number, title };
  const raw = rawRecord({
    stream: 'pulls',
    scope: 'acme/web',
    recordKey: String(number),
    requestUrl: 'https://api.test/pulls',
    fetchedAt,
    payload,
  });
  const row: Row = {
    repo: 'acme/web',
    number,
    title,
    author: 'ana',
    state: 'closed',
    draft: false,
    created_at: '2024-05-01T08:00:00Z',
    updated_at: '2024-05-01T09:00:00Z',
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    head_sha: 'abc',
    head_ref: 'feature',
    base_ref: 'main',
    raw_hash: raw.payloadHash,
    synced_at: fetchedAt,
  };
  return { raw, row };
}

function batchOf(items: { raw: ReturnType<typeof pull>['raw']; row: Row }[], cursor?: unknown): LoadBatch {
  const batch = emptyBatch();
  batch.raw.push(...items.map((i) => i.raw));
  batch.rows.push({ table: 'pull_requests', rows: items.map((i) => i.row) });
  if (cursor !== undefined) batch.cursors.push({ stream: 'pulls', scope: 'acme/web', cursor });
  return batch;
}

let db: Database;
beforeEach(async () => {
  db = await openDatabase(':memory:');
});
afterEach(async () => {
  await db.close();
});

const titles = async () =>
  (await db.all<{ number: number; title: string }>('SELECT number, title FROM pull_requests ORDER BY number')).map(
    (r) => `${r.number}:${r.title}`,
  );
const rawCount = async () => (await db.one<{ n: number }>('SELECT count(*) AS n FROM raw_github'))?.n;

describe('the bulk loader', () => {
  it('keeps the newest copy of a key within one batch', async () => {
    const result = await loadBatch(db, batchOf([pull(1, 'first'), pull(2, 'other'), pull(1, 'second')]), OPTIONS);
    expect(await titles()).toEqual(['1:second', '2:other']);
    expect(result.written.pull_requests).toBe(2);
    // One raw row per record: the newest payload of the batch.
    expect(await db.all('SELECT record_key, run_id FROM raw_github ORDER BY record_key')).toEqual([
      { record_key: '1', run_id: 7 },
      { record_key: '2', run_id: 7 },
    ]);
  });

  it('skips rows and payloads that have not changed, and counts only real writes', async () => {
    await loadBatch(db, batchOf([pull(1, 'a'), pull(2, 'b')]), OPTIONS);
    const again = await loadBatch(db, batchOf([pull(1, 'a', '2024-05-02T00:00:00.000Z'), pull(2, 'b changed')]), OPTIONS);
    expect(again.written.pull_requests).toBe(1);
    expect(again.rawAppended).toBe(1);
    expect(await rawCount()).toBe(3);
    // The unchanged row keeps the time its payload was fetched.
    expect(await db.one('SELECT synced_at FROM pull_requests WHERE number = 1')).toEqual({
      synced_at: '2024-05-01T10:00:00.000Z',
    });
    expect(await titles()).toEqual(['1:a', '2:b changed']);
  });

  it('keeps a bad payload once, with its error, however often it is seen', async () => {
    const bad = () => {
      const batch = emptyBatch();
      batch.raw.push(
        rawRecord({
          stream: 'pulls',
          scope: 'acme/web',
          recordKey: '9',
          requestUrl: 'https://api.test/pulls',
          fetchedAt: new Date().toISOString(),
          payload: { number: 'nine' },
          error: 'number: expected number',
        }),
      );
      batch.errors.push({
        stream: 'pulls',
        scope: 'acme/web',
        url: 'https://api.test/pulls',
        recordKey: '9',
        message: 'number: expected number',
      });
      return batch;
    };
    await loadBatch(db, bad(), OPTIONS);
    await loadBatch(db, bad(), OPTIONS);
    expect(await db.all('SELECT record_key, error FROM raw_github')).toEqual([
      { record_key: '9', error: 'number: expected number' },
    ]);
    expect(await db.all('SELECT stream, url, message FROM sync_errors')).toHaveLength(2);
  });

  it('commits rows, raw payloads and the cursor together, or none of them', async () => {
    await loadBatch(db, batchOf([pull(1, 'a')], { page: 1 }), OPTIONS);
    const failing = batchOf([pull(2, 'b')], { page: 2 });
    failing.after.push(async () => {
      throw new Error('killed before commit');
    });
    await expect(loadBatch(db, failing, OPTIONS)).rejects.toThrow('killed before commit');
    expect(await titles()).toEqual(['1:a']);
    expect(await rawCount()).toBe(1);
    expect(await db.all('SELECT cursor FROM sync_cursors')).toEqual([{ cursor: '{"page":1}' }]);
    // Replaying the failed batch later lands it exactly once.
    await loadBatch(db, batchOf([pull(2, 'b')], { page: 2 }), OPTIONS);
    await loadBatch(db, batchOf([pull(2, 'b')], { page: 2 }), OPTIONS);
    expect(await titles()).toEqual(['1:a', '2:b']);
    expect(await rawCount()).toBe(2);
    expect(await db.all('SELECT cursor FROM sync_cursors')).toEqual([{ cursor: '{"page":2}' }]);
  });

  it('writes nothing for an empty batch, so the data version stays put', async () => {
    await loadBatch(db, batchOf([pull(1, 'a')]), OPTIONS);
    const version = db.dataVersion;
    const result = await loadBatch(db, emptyBatch(), OPTIONS);
    expect(result.rowsOffered).toBe(0);
    expect(db.dataVersion).toBe(version);
  });

  it('replaces a parent’s children wholesale', async () => {
    const commits = (shas: string[]): LoadBatch => {
      const batch = emptyBatch();
      batch.replace.push({ table: 'pull_request_commits', columns: ['repo', 'number'], keys: [['acme/web', '5']] });
      batch.rows.push({
        table: 'pull_request_commits',
        rows: shas.map((sha) => ({ repo: 'acme/web', number: 5, sha, authored_at: '2024-05-01T00:00:00Z', committed_at: null })),
      });
      return batch;
    };
    await loadBatch(db, commits(['a1', 'b2', 'c3']), OPTIONS);
    await loadBatch(db, commits(['b2', 'd4']), OPTIONS);
    expect((await db.all<{ sha: string }>('SELECT sha FROM pull_request_commits ORDER BY sha')).map((r) => r.sha)).toEqual([
      'b2',
      'd4',
    ]);
  });

  it('keeps the earliest time a commit’s current content was seen, whatever order payloads arrive in', async () => {
    const commit = (syncedAt: string, message = 'fix') => ({
      repo: 'acme/web',
      sha: 'abc123',
      authored_at: '2024-01-01T00:00:00Z',
      committed_at: '2024-01-01T00:00:00Z',
      author: 'ana',
      message,
      parent_count: 1,
      raw_hash: `h-${message}`,
      synced_at: syncedAt,
    });
    const load = (...rows: Row[]) => {
      const batch = emptyBatch();
      batch.rows.push({ table: 'commits', rows });
      return loadBatch(db, batch, OPTIONS);
    };
    const syncedAt = async () => await db.one<{ synced_at: string; message: string }>('SELECT synced_at, message FROM commits');
    await load(commit('2024-03-01T00:00:00.000Z'));
    await load(commit('2024-02-01T00:00:00.000Z'), commit('2024-04-01T00:00:00.000Z'));
    expect(await syncedAt()).toEqual({ synced_at: '2024-02-01T00:00:00.000Z', message: 'fix' });
    // Changed content takes the time of the payload that brought it.
    await load(commit('2024-05-01T00:00:00.000Z', 'fix (reworded)'));
    expect(await syncedAt()).toEqual({ synced_at: '2024-05-01T00:00:00.000Z', message: 'fix (reworded)' });
  });

  it('loads lists and typed columns through text staging', async () => {
    const batch = emptyBatch();
    batch.rows.push({
      table: 'pd_users',
      rows: [
        {
          id: 'PU1',
          name: 'Ana "the on-call", O’Neil',
          email: null,
          time_zone: 'Europe/Berlin',
          role: 'user',
          team_ids: ['PT1', 'P,T2'],
          html_url: null,
          raw_hash: 'h',
          synced_at: '2024-01-01T00:00:00Z',
        },
      ],
    });
    await loadBatch(db, batch, { ...OPTIONS, source: 'pagerduty' });
    expect(await db.one('SELECT name, team_ids FROM pd_users')).toEqual({
      name: 'Ana "the on-call", O’Neil',
      team_ids: ['PT1', 'P,T2'],
    });
  });
});
