// How statements reach DuckDB (server/db/database.ts): parameterless ones as one query, others
// through statements prepared once per connection and reused. Reuse must never give a stale answer.
import { describe, expect, it } from 'vitest';
import { Database, IN_LIST_MAX, inList } from '../../server/db/index.ts';

describe('prepared statements reused per connection', () => {
  it('answer from the table as it is now, after it is replaced with other columns and types', async () => {
    const db = await Database.open(':memory:');
    await db.run('CREATE TABLE t (x INTEGER)');
    await db.run('INSERT INTO t VALUES (1)');
    expect(await db.all('SELECT x, $p AS p FROM t', { p: 'a' })).toEqual([{ x: 1, p: 'a' }]);
    await db.run('DROP TABLE t');
    await db.run('CREATE TABLE t (x VARCHAR, y INTEGER)');
    await db.run("INSERT INTO t VALUES ('s', 2)");
    expect(await db.all('SELECT *, $p AS p FROM t', { p: 'b' })).toEqual([{ x: 's', y: 2, p: 'b' }]);
    await db.close();
  });

  it('see a staging table created afresh in each write', async () => {
    const db = await Database.open(':memory:');
    for (const [i, columns] of [['a'], ['a', 'b'], ['a']].entries()) {
      const rows = await db.write(async (tx) => {
        await tx.stage('stage_x', columns, [columns.map((c) => `${c}${i}`)]);
        return tx.all('SELECT *, $p AS p FROM stage_x', { p: i });
      });
      expect(rows).toEqual([{ ...Object.fromEntries(columns.map((c) => [c, `${c}${i}`])), p: i }]);
    }
    await db.close();
  });

  it('bind fresh values every time, and a failed statement fails alone', async () => {
    const db = await Database.open(':memory:');
    const sql = 'SELECT $a AS a, $b AS b';
    expect(await db.one(sql, { a: 1, b: 'x' })).toEqual({ a: 1, b: 'x' });
    expect(await db.one(sql, { a: 2, b: null })).toEqual({ a: 2, b: null });
    await expect(db.one('SELECT 1 / $z AS q FROM no_such_table', { z: 1 })).rejects.toThrow(/no_such_table/);
    await db.run('CREATE TABLE no_such_table (x INTEGER)');
    await db.run('INSERT INTO no_such_table VALUES (1)');
    expect(await db.one('SELECT 1 / $z AS q FROM no_such_table', { z: 2 })).toEqual({ q: 0.5 });
    // Several statements in one text still run, the parameters bound to the last.
    expect(await db.all('CREATE TABLE u (x INTEGER); SELECT $v AS v', { v: 3 })).toEqual([{ v: 3 }]);
    expect(await db.all('SELECT count(*) AS n FROM u')).toEqual([{ n: 0 }]);
    await db.close();
  });

  it('read every row of a result bigger than one chunk', async () => {
    const db = await Database.open(':memory:');
    const rows = await db.all<{ i: number }>('SELECT i FROM range($n) r(i) ORDER BY i', { n: 5_000 });
    expect(rows.length).toBe(5_000);
    expect(rows[4_999]).toEqual({ i: 4_999 });
    expect((await db.all('SELECT i FROM range(3000) r(i)')).length).toBe(3_000);
    await db.close();
  });
});

describe('inList: key lookups with one bound parameter per value', () => {
  it('finds the same rows as a list parameter, refuses empty, oversized and odd prefixes, and stays bound', async () => {
    const db = await Database.open(':memory:');
    try {
      await db.run("CREATE TABLE t AS SELECT 'k' || i AS id, i AS n FROM range(0, 5000) r(i)");
      await db.run('ALTER TABLE t ADD PRIMARY KEY (id)');
      const wanted = ['k1', 'k42', 'k4999', "k'); DROP TABLE t; --", 'nope'];
      const keys = inList('id', wanted);
      expect(keys.sql).toBe('($id0, $id1, $id2, $id3, $id4)');
      const rows = await db.all<{ id: string }>(`SELECT id FROM t WHERE id IN ${keys.sql} ORDER BY id`, keys.params);
      const viaList = await db.all<{ id: string }>('SELECT id FROM t WHERE id IN (SELECT unnest($ids)) ORDER BY id', {
        ids: wanted,
      });
      expect(rows).toEqual(viaList);
      expect(rows.map((r) => r.id)).toEqual(['k1', 'k42', 'k4999']);
      expect(() => inList('id', [])).toThrow(/0 values/);
      expect(() =>
        inList(
          'id',
          Array.from({ length: IN_LIST_MAX + 1 }, (_, i) => String(i)),
        ),
      ).toThrow(/1001 values/);
      expect(() => inList('id; --', ['a'])).toThrow(/prefix/);
    } finally {
      await db.close();
    }
  });
});
