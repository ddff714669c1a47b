// Development aid (not part of the bench): the SQL an API request sends, each statement timed and
// EXPLAIN ANALYZEd, on an existing database.
//   node --import tsx tests/bench/dev/explain.ts DB_FILE CONFIG_JSON_OR_SYNTHETIC URL [--plan]
import { createApp } from '../../../server/api/app.ts';
import { openDatabase, type Params } from '../../../server/db/index.ts';
import { syntheticConfig } from '../../metrics/perf/synthetic.ts';

const [file, , ...urls] = process.argv.slice(2);
const plan = process.argv.includes('--plan');
const db = await openDatabase(file as string, { readOnly: false });
const config = syntheticConfig(file as string);
const log: { sql: string; params?: Params }[] = [];
const proxy = new Proxy(db, {
  get(t, p) {
    if (p === 'all' || p === 'one')
      return (sql: string, params?: Params) => {
        log.push({ sql, params });
        return p === 'all' ? t.all(sql, params) : t.one(sql, params);
      };
    const v = Reflect.get(t, p, t);
    return typeof v === 'function' ? v.bind(t) : v;
  },
});
const app = createApp({ db: proxy, config, log: () => {} });
for (const url of urls.filter((u) => u.startsWith('/'))) {
  await (await app.request(url)).text();
  log.length = 0;
  db.bumpVersion();
  const t = performance.now();
  const res = await app.request(url);
  await res.text();
  console.log(`\n=== ${url}: ${res.status} ${(performance.now() - t).toFixed(0)} ms, ${log.length} statements`);
  for (const q of log) {
    const t1 = performance.now();
    await db.all(q.sql, q.params);
    const ms = performance.now() - t1;
    console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${q.sql.replace(/\s+/g, ' ').slice(0, 150)}`);
    if (plan && ms > 30) {
      const rows = await db.all<{ explain_value: string }>(`EXPLAIN ANALYZE ${q.sql}`, q.params);
      console.log(rows.map((r) => Object.values(r).join('\n')).join('\n'));
    }
  }
}
await db.close();
