// The sync service and run bookkeeping on their own, with a small collector written for the test
// (it implements the collector contract; the engine under test is real, over a real DuckDB).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FatalSyncError, ScopeSyncError, throwIfStopped } from '../../../collectors/engine/errors.ts';
import { rawRecord } from '../../../collectors/engine/hash.ts';
import type { SourceDriver } from '../../../collectors/engine/runner.ts';
import { createRun, INTERRUPTED_MESSAGE } from '../../../collectors/engine/runs.ts';
import { runScopes } from '../../../collectors/engine/scopes.ts';
import { SyncService } from '../../../collectors/engine/service.ts';
import { emptyBatch, type RunContext, type SourceCollector } from '../../../collectors/engine/types.ts';
import { type Database, openDatabase } from '../../../server/db/index.ts';

interface Plan {
  scopes: string[];
  preflight?: string;
  work(ctx: RunContext, scope: string): Promise<void>;
}

function driver(plan: Plan): SourceDriver {
  const collector: SourceCollector = {
    source: 'github',
    scopes: () => plan.scopes,
    preflight: () => plan.preflight,
    run: (ctx) =>
      runScopes(ctx, plan.scopes, {
        concurrency: 2,
        name: (s) => s,
        work: (s) => plan.work(ctx, s),
        classify: (error) => (error instanceof FatalSyncError ? error : new ScopeSyncError((error as Error).message)),
      }),
    renormalize: async () => {},
  };
  return { collector, rateLimit: () => null, rawRules: [] };
}

/** Commit one pull request row for a scope, the way a stream does. */
async function writeOne(ctx: RunContext, scope: string, number: number): Promise<void> {
  const batch = emptyBatch();
  const raw = rawRecord({
    stream: 'pulls',
    scope,
    recordKey: String(number),
    requestUrl: 'https://api.test/x',
    fetchedAt: new Date().toISOString(),
    payload: { number },
  });
  batch.raw.push(raw);
  batch.rows.push({
    table: 'pull_requests',
    rows: [
      {
        repo: scope,
        number,
        title: `#${number}`,
        state: 'closed',
        created_at: '2024-01-01T00:00:00Z',
        raw_hash: raw.payloadHash,
        synced_at: raw.fetchedAt,
      },
    ],
  });
  batch.cursors.push({ stream: 'pulls', scope, cursor: { last: number } });
  await ctx.flush(batch, { scope, stream: 'pulls' });
}

let db: Database;
beforeEach(async () => {
  db = await openDatabase(':memory:');
});
afterEach(async () => {
  await db.close();
});

const runRows = () => db.all<{ status: string; error: string | null }>('SELECT status, error FROM sync_runs ORDER BY id');

describe('sync runs', () => {
  it('marks runs left running by a process that died as interrupted', async () => {
    await createRun(db, 'github', 'cli', new Date().toISOString());
    await SyncService.create({ db, drivers: {}, log: () => {} });
    expect(await runRows()).toEqual([{ status: 'interrupted', error: INTERRUPTED_MESSAGE }]);
  });

  it('never runs two syncs of one source at once, and reports live progress meanwhile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const service = await SyncService.create({
      db,
      drivers: {
        github: () =>
          driver({
            scopes: ['acme/a'],
            work: async (ctx, scope) => {
              await writeOne(ctx, scope, 1);
              await gate;
            },
          }),
      },
      log: () => {},
    });
    expect(await service.start({ sources: ['github'] })).toEqual({ started: ['github'], alreadyRunning: [], unavailable: [] });
    expect(await service.start({ sources: ['github', 'pagerduty'] })).toEqual({
      started: [],
      alreadyRunning: ['github'],
      unavailable: ['pagerduty'],
    });
    await expect.poll(async () => (await service.status()).running.length).toBe(1);
    await expect.poll(async () => (await service.status()).running[0]?.recordsWritten).toBe(1);
    const status = await service.status();
    expect(status.running[0]).toMatchObject({ source: 'github', status: 'running', trigger: 'api' });
    expect(status.progress.github).toMatchObject({ scopes: [{ scope: 'acme/a', state: 'running', written: 1 }] });
    release();
    const result = await service.current('github');
    expect(result?.status).toBe('succeeded');
    const after = await service.status();
    expect(after.running).toEqual([]);
    expect(after.lastRuns.github).toMatchObject({ status: 'succeeded', recordsWritten: 1, trigger: 'api' });
    await service.stop();
  });

  it('stops a running sync at a batch boundary and records it interrupted', async () => {
    let batches = 0;
    const service = await SyncService.create({
      db,
      drivers: {
        github: () =>
          driver({
            scopes: ['acme/a'],
            work: async (ctx, scope) => {
              for (let n = 1; ; n++) {
                throwIfStopped(ctx.signal);
                await writeOne(ctx, scope, n);
                batches = n;
                await new Promise((r) => setTimeout(r, 5));
              }
            },
          }),
      },
      log: () => {},
    });
    const running = service.run('github');
    await expect.poll(() => batches).toBeGreaterThan(2);
    await service.stop();
    const result = await running;
    expect(result.status).toBe('interrupted');
    const rows = await db.one<{ n: number }>('SELECT count(*) AS n FROM pull_requests');
    // Every committed batch is whole: its row, its raw payload and its cursor.
    expect(rows?.n).toBe(result.recordsWritten);
    expect((await db.one<{ n: number }>('SELECT count(*) AS n FROM raw_github'))?.n).toBe(rows?.n);
    expect(await db.one('SELECT cursor FROM sync_cursors')).toEqual({ cursor: JSON.stringify({ last: rows?.n }) });
    expect((await runRows())[0]?.status).toBe('interrupted');
    // A stopped service starts nothing new.
    expect((await service.start({ sources: ['github'] })).started).toEqual([]);
  });

  it('ends partial when a scope fails, after syncing the others, and records the failure', async () => {
    const service = await SyncService.create({
      db,
      drivers: {
        github: () =>
          driver({
            scopes: ['acme/a', 'acme/missing', 'acme/c'],
            work: async (ctx, scope) => {
              if (scope === 'acme/missing') throw new Error('GitHub has no repository acme/missing (teams[0].repos[1])');
              await writeOne(ctx, scope, 1);
            },
          }),
      },
      log: () => {},
    });
    const result = await service.run('github');
    expect(result.status).toBe('partial');
    expect(result.error).toContain('acme/missing: GitHub has no repository acme/missing (teams[0].repos[1])');
    expect(result.failedScopes).toEqual([
      { scope: 'acme/missing', message: 'GitHub has no repository acme/missing (teams[0].repos[1])' },
    ]);
    expect((await db.all('SELECT repo FROM pull_requests ORDER BY repo')).map((r) => r.repo)).toEqual(['acme/a', 'acme/c']);
    expect(await db.all('SELECT scope, message FROM sync_errors')).toEqual([
      { scope: 'acme/missing', message: 'GitHub has no repository acme/missing (teams[0].repos[1])' },
    ]);
    await service.stop();
  });

  it('fails the whole run on a fatal error, and before any work when the preflight check fails', async () => {
    let worked = false;
    const service = await SyncService.create({
      db,
      drivers: {
        github: () =>
          driver({
            scopes: ['acme/a'],
            preflight: 'GITHUB_TOKEN is not set.',
            work: async () => {
              worked = true;
            },
          }),
      },
      log: () => {},
    });
    const result = await service.run('github');
    expect(result).toMatchObject({ status: 'failed', error: 'GITHUB_TOKEN is not set.', requests: 0 });
    expect(worked).toBe(false);

    const fatal = await SyncService.create({
      db,
      drivers: {
        github: () =>
          driver({
            scopes: ['acme/a', 'acme/b', 'acme/c', 'acme/d'],
            work: async () => {
              throw new FatalSyncError('GitHub rejected the token (401). Check GITHUB_TOKEN.');
            },
          }),
      },
      log: () => {},
    });
    const failed = await fatal.run('github');
    expect(failed).toMatchObject({ status: 'failed', error: 'GitHub rejected the token (401). Check GITHUB_TOKEN.' });
    expect((await runRows()).map((r) => r.status)).toEqual(['failed', 'failed']);
  });

  it('refreshes derived data after a sync that wrote something, and only then', async () => {
    const refreshed: number[] = [];
    let write = true;
    const service = await SyncService.create({
      db,
      drivers: {
        github: () =>
          driver({
            scopes: ['acme/a'],
            work: async (ctx, scope) => {
              if (write) await writeOne(ctx, scope, 1);
            },
          }),
      },
      afterSync: async (result) => {
        refreshed.push(result.runId);
      },
      log: () => {},
    });
    const first = await service.run('github');
    write = false;
    await service.run('github');
    expect(refreshed).toEqual([first.runId]);
  });

  it('schedules each source on its cron and reports the next run', async () => {
    const service = await SyncService.create({
      db,
      drivers: { github: () => driver({ scopes: [], work: async () => {} }) },
      cron: { github: '*/30 * * * *' },
      log: () => {},
    });
    service.startSchedule();
    const { schedule } = await service.status();
    expect(schedule.github?.cron).toBe('*/30 * * * *');
    const next = Date.parse(schedule.github?.nextRunAt ?? '');
    expect(next).toBeGreaterThan(Date.now());
    expect(next - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    await service.stop();
    expect((await service.status()).schedule.github?.nextRunAt).toBeNull();
  });
});
