// The sync service writes the WAL into the database file when its last run ends: commits during a
// sync leave the WAL to grow (server/db/database.ts DEFAULT_CHECKPOINT_THRESHOLD says why), so
// without this the file would hold a sync's data only in its WAL until the next close.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rawRecord } from '../../../collectors/engine/hash.ts';
import type { SourceDriver } from '../../../collectors/engine/runner.ts';
import { SyncService } from '../../../collectors/engine/service.ts';
import { emptyBatch, type SourceCollector } from '../../../collectors/engine/types.ts';
import { openDatabase } from '../../../server/db/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function driver(rows: number): SourceDriver {
  const collector: SourceCollector = {
    source: 'github',
    scopes: () => ['acme/a'],
    preflight: () => undefined,
    async run(ctx) {
      const batch = emptyBatch();
      const list = [];
      for (let number = 1; number <= rows; number++) {
        const raw = rawRecord({
          stream: 'pulls',
          scope: 'acme/a',
          recordKey: String(number),
          requestUrl: 'https://api.test/x',
          fetchedAt: '2024-01-02T00:00:00.000Z',
          payload: { number, body: 'x'.repeat(200) },
        });
        batch.raw.push(raw);
        list.push({
          repo: 'acme/a',
          number,
          title: `#${number}`,
          state: 'closed',
          created_at: '2024-01-01T00:00:00Z',
          raw_hash: raw.payloadHash,
          synced_at: raw.fetchedAt,
        });
      }
      batch.rows.push({ table: 'pull_requests', rows: list });
      await ctx.flush(batch, { scope: 'acme/a', stream: 'pulls' });
    },
    renormalize: async () => {},
  };
  return { collector, rateLimit: () => null, rawRules: [] };
}

describe('checkpoints', () => {
  it('leaves the WAL empty once a sync that wrote has ended, and the data in the file', async () => {
    const path = join(dir, 'v.duckdb');
    const db = await openDatabase(path);
    const service = await SyncService.create({ db, drivers: { github: () => driver(2_000) }, log: () => {} });
    const result = await service.run('github', 'test');
    expect(result.status).toBe('succeeded');
    expect(result.recordsWritten).toBeGreaterThan(0);
    // DuckDB truncates the WAL when it checkpoints.
    const wal = `${path}.wal`;
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    expect(await db.one('SELECT count(*) AS n FROM pull_requests')).toEqual({ n: 2_000 });
    await service.stop();
    await db.close();
  });

  it('reports whether it checkpointed: never for an in-memory database', async () => {
    const memory = await openDatabase(':memory:');
    expect(await memory.checkpoint()).toBe(false);
    await memory.close();
    const file = await openDatabase(join(dir, 'w.duckdb'));
    await file.run('CREATE TABLE t (x INTEGER)');
    expect(await file.checkpoint()).toBe(true);
    await file.close();
    expect(await file.checkpoint()).toBe(false);
  });
});
