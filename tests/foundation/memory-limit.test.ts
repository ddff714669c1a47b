// DuckDB's memory limit: the default keeps a backfill under 1 GB; VIGIL_MEMORY_LIMIT raises it for
// a large organisation, a value that is not a size is refused with what to write instead, and a
// refresh that runs out of memory says which variable to raise and that nothing was changed.
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseOpenError, memoryLimitFromEnv, openDatabase } from '../../server/db/index.ts';
import { UserFacingError } from '../../server/lib/errors.ts';
import { refreshDerived } from '../../server/metrics/refresh.ts';
import { buildScenario } from '../metrics/scenario.ts';

const saved = process.env.VIGIL_MEMORY_LIMIT;
afterEach(() => {
  if (saved === undefined) delete process.env.VIGIL_MEMORY_LIMIT;
  else process.env.VIGIL_MEMORY_LIMIT = saved;
});

const limitOf = async (db: Awaited<ReturnType<typeof openDatabase>>) =>
  (await db.one<{ v: string }>("SELECT current_setting('memory_limit') AS v"))?.v;

describe('the memory limit', () => {
  it('reads VIGIL_MEMORY_LIMIT as a size with its unit, and refuses anything else with a hint', () => {
    expect(memoryLimitFromEnv({})).toBeUndefined();
    expect(memoryLimitFromEnv({ VIGIL_MEMORY_LIMIT: ' 8 GB ' })).toBe('8GB');
    expect(memoryLimitFromEnv({ VIGIL_MEMORY_LIMIT: '1.5GiB' })).toBe('1.5GiB');
    for (const bad of ['8', 'lots', "1GB'; DROP TABLE x; --", '-2GB']) {
      expect(() => memoryLimitFromEnv({ VIGIL_MEMORY_LIMIT: bad })).toThrow(DatabaseOpenError);
    }
    try {
      memoryLimitFromEnv({ VIGIL_MEMORY_LIMIT: 'lots' });
    } catch (error) {
      expect((error as DatabaseOpenError).message).toContain('"lots"');
      expect((error as DatabaseOpenError).hint).toMatch(/2GB/);
    }
  });

  it('gives DuckDB the limit from the environment, else the default', async () => {
    delete process.env.VIGIL_MEMORY_LIMIT;
    const plain = await openDatabase(':memory:');
    const standard = await limitOf(plain);
    await plain.close();
    process.env.VIGIL_MEMORY_LIMIT = '2GB';
    const raised = await openDatabase(':memory:');
    expect(await limitOf(raised)).not.toBe(standard);
    expect(await limitOf(raised)).toMatch(/^1\.8 GiB$|^2(\.0)? ?GB$|^1\.86 GiB$/);
    await raised.close();
  });

  it('says which variable to raise when a full rebuild runs out of memory, and leaves the tables as they were', async () => {
    const f = await buildScenario();
    try {
      await refreshDerived(f.db, f.config);
      const before = await f.db.one<{ n: number }>('SELECT count(*) AS n FROM d_deployments');
      // The smallest limit DuckDB accepts with this database open (it refuses one below what it
      // holds), far below what a full rebuild of even this scenario needs.
      for (const limit of ['32MB', '40MB', '48MB']) {
        const set = await f.db.run(`SET GLOBAL memory_limit = '${limit}'`).then(
          () => true,
          () => false,
        );
        if (set) break;
      }
      const error = await refreshDerived(f.db, f.config, { full: true }).catch((e: unknown) => e);
      await f.db.run("SET GLOBAL memory_limit = '384MB'");
      expect(error).toBeInstanceOf(UserFacingError);
      expect((error as Error).message).toMatch(/VIGIL_MEMORY_LIMIT=8GB/);
      expect((error as Error).message).toMatch(/Nothing was changed/);
      expect((await f.db.one<{ n: number }>('SELECT count(*) AS n FROM d_deployments'))?.n).toBe(before?.n);
    } finally {
      await f.close();
    }
  });
});
