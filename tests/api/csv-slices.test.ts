// Sliced CSV exports (lib/csv.ts CsvOptions.slices, records/shared.ts timeSlices): a large export
// run as one query per slice of its sort time gives exactly the text of the one sorted query,
// ties on the time included; and one whose keys may move fails when its data changes mid-export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../server/db/index.ts';
import { csvStream } from '../../server/lib/csv.ts';
import { sliceExpr, timeSlices } from '../../server/metrics/records/shared.ts';

let db: Database;
beforeAll(async () => {
  db = await openDatabase(':memory:');
  // 250k rows, seven per second (ties across slice bounds), inserted out of order.
  await db.run(`CREATE TABLE t AS
    SELECT 'r' || i AS id, TIMESTAMPTZ '2024-01-01' + to_seconds(((i * 7919) % 250000) // 7) AS sort_time,
      'r' || i || ',' || (i % 13) AS line
    FROM range(250000) r(i)`);
});
afterAll(() => db.close());

const sorted = (slice: string) => `SELECT d.line FROM t d WHERE d.id <> 'r5' ${slice} ORDER BY d.sort_time DESC, d.id DESC`;

describe('sliced CSV export', () => {
  it('cuts a large export into slices whose concatenation is the one sorted query', async () => {
    const slices = await timeSlices(db, 't d', 'd.sort_time', "d.id <> 'r5'", {});
    expect(slices.length).toBeGreaterThan(20);
    const whole = await new Response(csvStream(db, sorted(''), {}, ['id', 'n'], { rendered: true })).text();
    const sliced = await new Response(
      csvStream(db, sorted(sliceExpr('d.sort_time')), {}, ['id', 'n'], { rendered: true, slices }),
    ).text();
    expect(sliced.split('\r\n')).toHaveLength(250_000 + 1);
    expect(sliced).toBe(whole);
  });

  it('does not slice a small export', async () => {
    expect(await timeSlices(db, 't d', 'd.sort_time', "d.id < 'r2'", {})).toEqual([]);
  });

  it('fails an export whose keys may move when its data changes during it', async () => {
    await db.run('CREATE TABLE version AS SELECT 1 AS v');
    const slices = await timeSlices(db, 't d', 'd.sort_time', "d.id <> 'r5'", {});
    const reader = csvStream(db, sorted(sliceExpr('d.sort_time')), {}, ['id', 'n'], {
      rendered: true,
      slices,
      version: async () => String((await db.one<{ v: number }>('SELECT v FROM version'))?.v),
    }).getReader();
    await reader.read();
    await db.run('UPDATE version SET v = v + 1');
    const drain = async () => {
      for (;;) if ((await reader.read()).done) return;
    };
    await expect(drain()).rejects.toThrow(/changed during the export/);
  });
});
