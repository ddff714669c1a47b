// Development aid (not part of the bench): a GitHub + PagerDuty sync of an organisation with every
// statement on the writer connection timed and grouped, to see where load time goes.
//   node --import tsx tests/bench/dev/sql-trace.ts [small|default] [github|pagerduty|both]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSyncService } from '../../../collectors/index.ts';
import { parseConfig } from '../../../server/config/load.ts';
import { Database, openDatabase } from '../../../server/db/index.ts';
import { GITHUB_TOKEN, PAGERDUTY_TOKEN } from '../types.ts';
import { startStandIns } from '../world.ts';

const size = (process.argv[2] ?? 'small') as 'small' | 'default';
const which = process.argv[3] ?? 'github';
const stats = new Map<string, { n: number; ms: number }>();
const origWrite = Database.prototype.write;
Database.prototype.write = function <T>(
  this: Database,
  fn: (tx: import('../../../server/db/index.ts').WriteTx) => Promise<T>,
): Promise<T> {
  return origWrite.call(this, (tx: import('../../../server/db/index.ts').WriteTx) => {
    const wrap = <K extends 'run' | 'all' | 'one'>(k: K) => {
      const orig = tx[k].bind(tx) as (...a: unknown[]) => Promise<unknown>;
      (tx as unknown as Record<string, unknown>)[k] = async (sql: string, params?: unknown) => {
        const t = performance.now();
        try {
          return await orig(sql, params);
        } finally {
          const key = sql.replace(/\s+/g, ' ').trim().slice(0, 90);
          const s = stats.get(key) ?? { n: 0, ms: 0 };
          s.n++;
          s.ms += performance.now() - t;
          stats.set(key, s);
        }
      };
    };
    wrap('run');
    wrap('all');
    wrap('one');
    const origStage = tx.stage.bind(tx);
    tx.stage = async (table, cols, rows) => {
      const t = performance.now();
      try {
        return await origStage(table, cols, rows);
      } finally {
        const key = `STAGE ${table}`;
        const s = stats.get(key) ?? { n: 0, ms: 0 };
        s.n++;
        s.ms += performance.now() - t;
        stats.set(key, s);
      }
    };
    return fn(tx);
  }) as Promise<T>;
};
const { child, info } = await startStandIns(1, size, `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
const dir = mkdtempSync(join(tmpdir(), 'sqltrace-'));
const config = parseConfig('x.yaml', { ...info.config, database: join(dir, 'v.duckdb') });
const db = await openDatabase(config.database);
const service = await createSyncService(db, config, { env: { GITHUB_TOKEN, PAGERDUTY_TOKEN }, afterSync: null, log: () => {} });
const t = performance.now();
const sources = which === 'both' ? (['github', 'pagerduty'] as const) : [which as 'github' | 'pagerduty'];
const results = await Promise.all(sources.map((s) => service.run(s, 'trace')));
const wall = performance.now() - t;
for (const r of results)
  console.log(r.source, r.status, r.requests, 'requests', (r.durationMs / 1000).toFixed(1), 's', 'load', r.load);
console.log('wall', (wall / 1000).toFixed(1), 's');
const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40);
let total = 0;
for (const [, s] of stats) total += s.ms;
console.log('total statement ms', total.toFixed(0));
for (const [k, s] of rows)
  console.log(s.ms.toFixed(0).padStart(8), String(s.n).padStart(6), (s.ms / s.n).toFixed(1).padStart(7), k);
await db.close();
await child.stop();
