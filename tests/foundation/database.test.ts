import { describe, expect, it } from 'vitest';
import { Database, ident } from '../../server/db/index.ts';

describe('the database module', () => {
  it('converts BigInt, timestamps, dates and lists to JSON-safe values', async () => {
    const db = await Database.open(':memory:');
    const row = await db.one(
      `SELECT 5::BIGINT AS big, 9007199254740993::BIGINT AS huge, TIMESTAMPTZ '2024-03-10 01:30:00+00' AS ts,
              DATE '2024-02-29' AS d, ['a', 'b'] AS list, 1.25::DECIMAL(10,2) AS dec, NULL AS nothing`,
    );
    expect(row).toEqual({
      big: 5,
      huge: '9007199254740993',
      ts: '2024-03-10T01:30:00.000Z',
      d: '2024-02-29',
      list: ['a', 'b'],
      dec: 1.25,
      nothing: null,
    });
    expect(() => JSON.stringify(row)).not.toThrow();
    await db.close();
  });

  it('binds strings, numbers, dates and lists as parameters, never as SQL', async () => {
    const db = await Database.open(':memory:');
    const row = await db.one<{ a: string; n: number; inList: boolean; t: string; none: boolean }>(
      'SELECT $a AS a, $n + 1 AS n, $x IN (SELECT unnest($list)) AS inList, $t::TIMESTAMPTZ AS t, $empty IS NULL AS none',
      { a: "'; DROP TABLE x; --", n: 41, x: 'b', list: ['a', 'b'], t: new Date('2024-01-01T00:00:00Z'), empty: null },
    );
    expect(row).toEqual({ a: "'; DROP TABLE x; --", n: 42, inList: true, t: '2024-01-01T00:00:00.000Z', none: true });
    await db.close();
  });

  it('runs sessions in UTC whatever the process zone', async () => {
    const db = await Database.open(':memory:');
    const row = await db.one<{ tz: string }>("SELECT current_setting('TimeZone') AS tz");
    expect(row?.tz).toBe('UTC');
    await db.close();
  });

  it('rolls back a failed write completely and keeps serving', async () => {
    const db = await Database.open(':memory:');
    await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const before = db.dataVersion;
    await expect(
      db.write(async (tx) => {
        await tx.run('INSERT INTO t VALUES (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(db.dataVersion).toBe(before);
    expect(await db.all('SELECT * FROM t')).toEqual([]);
    await db.run('INSERT INTO t VALUES (2)');
    expect(await db.all('SELECT * FROM t')).toEqual([{ id: 2 }]);
    await db.close();
  });

  it('stages rows in bulk inside a transaction, all or nothing', async () => {
    const db = await Database.open(':memory:');
    await db.run('CREATE TABLE t (id VARCHAR PRIMARY KEY, ts TIMESTAMPTZ)');
    const rows = Array.from({ length: 5000 }, (_, i) => [`id${i}`, '2024-01-01T00:00:00Z'] as const);
    await db.write(async (tx) => {
      expect(await tx.stage('stage_t', ['id', 'ts'], rows)).toBe(5000);
      await tx.run('INSERT INTO t SELECT id, ts::TIMESTAMPTZ FROM stage_t');
    });
    expect((await db.one<{ n: number }>('SELECT count(*) AS n FROM t'))?.n).toBe(5000);
    await expect(
      db.write(async (tx) => {
        await tx.stage('stage_t', ['id', 'ts'], [['new', '2024-01-01T00:00:00Z']]);
        await tx.run('INSERT INTO t SELECT id, ts::TIMESTAMPTZ FROM stage_t');
        throw new Error('killed mid-batch');
      }),
    ).rejects.toThrow();
    expect((await db.one<{ n: number }>('SELECT count(*) AS n FROM t'))?.n).toBe(5000);
    await db.close();
  });

  it('serialises concurrent writes instead of failing them', async () => {
    const db = await Database.open(':memory:');
    await db.run('CREATE TABLE c (k VARCHAR PRIMARY KEY, n INTEGER)');
    await db.run("INSERT INTO c VALUES ('x', 0)");
    await Promise.all(Array.from({ length: 20 }, () => db.run("UPDATE c SET n = n + 1 WHERE k = 'x'")));
    expect((await db.one<{ n: number }>('SELECT n FROM c'))?.n).toBe(20);
    await db.close();
  });

  it('refuses identifiers that could carry SQL', () => {
    expect(ident('review_labels')).toBe('"review_labels"');
    expect(() => ident('x; DROP TABLE y')).toThrow(/unsafe/);
  });

  it('refuses to open the same file twice in one process', async () => {
    const { tempDir } = await import('../support/tmp.ts');
    const path = `${tempDir()}/twice.duckdb`;
    const db = await Database.open(path);
    await expect(Database.open(path)).rejects.toThrow(/already open in this process/);
    await db.close();
  });
});
