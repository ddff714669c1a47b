// The statistics every duration metric reports, checked against values computed by hand and by
// brute force: the order-statistic confidence interval of the median, and the SQL that finds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../server/db/index.ts';
import { usedParams } from '../../server/metrics/sql.ts';
import { approximateLowerRank, durationStatsSql, lowerRankList, medianCiRanks } from '../../server/metrics/stats.ts';

/** Coverage of [x(l), x(u)] for the median: P(l <= B <= u - 1), B ~ Binomial(n, 1/2). */
function coverage(n: number, l: number, u: number): number {
  let p = 0;
  let logC = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    if (k >= l && k <= u - 1) p += Math.exp(logC - n * Math.LN2);
  }
  return p;
}

describe('confidence interval of the median', () => {
  it('gives no interval below n = 5, where even [min, max] covers less than 90%', () => {
    expect(medianCiRanks(4)).toBeNull();
    expect(coverage(4, 1, 4)).toBeLessThan(0.9);
    expect(medianCiRanks(5)).toEqual([1, 5]); // coverage 1 - 2/32 = 93.75%
  });

  it('matches the published ranks and covers at least 90%, as tightly as possible', () => {
    expect(medianCiRanks(10)).toEqual([2, 9]);
    expect(medianCiRanks(20)).toEqual([6, 15]);
    expect(medianCiRanks(100)).toEqual([42, 59]);
    for (const n of [5, 6, 7, 11, 25, 50, 99, 500, 1999]) {
      const [l, u] = medianCiRanks(n) as [number, number];
      expect(coverage(n, l, u), `n=${n}`).toBeGreaterThanOrEqual(0.9);
      expect(coverage(n, l + 1, u - 1), `n=${n} tighter`).toBeLessThan(0.9);
    }
  });

  it('switches to the normal approximation above 2000 without a jump', () => {
    expect(approximateLowerRank(2000)).toBe((medianCiRanks(2000) as number[])[0]);
    expect(approximateLowerRank(1000)).toBe((medianCiRanks(1000) as number[])[0]);
  });
});

describe('durationStatsSql', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase(':memory:');
  });
  afterAll(() => db.close());

  it('computes n, median, p90, mean and the interval per bucket and over the range', async () => {
    // Bucket A: 1..10 -> median 5.5, p90 9.1, mean 5.5, CI ranks [2, 9] -> [2, 9].
    // Bucket B: 100, 200, 300 and a missing value -> n 3, total 4, no CI.
    // Range: 13 values 1..10, 100, 200, 300 -> median 7; p90 at position 0.9 * 12 = 10.8, between
    // the 11th (100) and 12th (200) values: 180; CI ranks for 13: [4, 10] -> values [4, 10].
    const source = `SELECT DATE '2024-01-01' AS bucket, NULL::VARCHAR AS grp, CAST(i AS DOUBLE) AS x FROM range(1, 11) t(i)
      UNION ALL SELECT DATE '2024-02-01', NULL, x FROM (VALUES (100.0), (200.0), (300.0), (NULL)) v(x)`;
    const sql = durationStatsSql({ source });
    const rows = await db.all<Record<string, unknown>>(
      `${sql} ORDER BY is_total, bucket`,
      usedParams(sql, { ci_lower: lowerRankList() }),
    );
    expect(medianCiRanks(13)).toEqual([4, 10]);
    expect(rows).toEqual([
      {
        is_total: false,
        bucket: '2024-01-01',
        grp: null,
        n: 10,
        total: 10,
        median: 5.5,
        p90: 9.1,
        mean: 5.5,
        ci_lo: 2,
        ci_hi: 9,
      },
      {
        is_total: false,
        bucket: '2024-02-01',
        grp: null,
        n: 3,
        total: 4,
        median: 200,
        p90: 280,
        mean: 200,
        ci_lo: null,
        ci_hi: null,
      },
      {
        is_total: true,
        bucket: null,
        grp: null,
        n: 13,
        total: 14,
        median: 7,
        p90: expect.closeTo(180, 9),
        mean: 655 / 13,
        ci_lo: 4,
        ci_hi: 10,
      },
    ]);
  });

  it("reads the median and p90 from the sorted values to the last bit of DuckDB's quantile_cont", async () => {
    // Every group size from 1 to 400 (each position (n - 1) * q whole or between two values),
    // irrational-looking values, ties and negative values.
    const source = `SELECT CAST(NULL AS DATE) AS bucket, CAST(g AS VARCHAR) AS grp,
        CASE WHEN i % 5 = 0 THEN CAST(i % 7 AS DOUBLE) ELSE sin(i * 12.9898 + g) * 43758.5453 END AS x
      FROM range(1, 401) a(g), range(0, 400) b(i) WHERE i < g`;
    const sql = durationStatsSql({ source });
    const ours = await db.all<{ grp: string; median: number; p90: number }>(
      `SELECT grp, median, p90 FROM (${sql}) WHERE is_total ORDER BY grp`,
      usedParams(sql, { ci_lower: lowerRankList() }),
    );
    const duck = await db.all<{ grp: string; median: number; p90: number }>(
      `SELECT grp, quantile_cont(x, 0.5) AS median, quantile_cont(x, 0.9) AS p90 FROM (${source}) GROUP BY grp ORDER BY grp`,
    );
    expect(ours.length).toBe(400);
    expect(ours).toEqual(duck);
  });

  it('gives the same statistics from window functions (the out-of-memory fallback) as from sorted lists', async () => {
    // Several groups and buckets, ties, a value missing, a group too small for an interval, and a
    // bucket over the exact-rank table (n > 2000).
    const source = `SELECT DATE '2024-01-01' + CAST(i % 3 AS INTEGER) AS bucket, 'g' || (i % 4) AS grp,
        CASE WHEN i % 97 = 0 THEN NULL ELSE CAST((i * 7919) % 1000 AS DOUBLE) END AS x, i % 2 = 0 AS even
      FROM range(0, 9000) t(i)
      UNION ALL SELECT DATE '2024-02-01', 'tiny', 5.0, true`;
    const options = { source, extraColumns: ['even'], extraAggregates: { evens: 'count(*) FILTER (WHERE even)' } };
    const run = async (windowed: boolean) => {
      const sql = durationStatsSql({ ...options, windowed });
      return db.all(`${sql} ORDER BY is_total, bucket, grp`, usedParams(sql, { ci_lower: lowerRankList() }));
    };
    const lists = await run(false);
    expect(lists.length).toBe(18);
    expect(await run(true)).toEqual(lists);
  });
});
