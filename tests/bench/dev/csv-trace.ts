// Development aid: where a CSV export's time goes, on a kept database: the export over the app
// (no network), its lines query streamed straight from DuckDB, and the bare query's rows counted.
//   node --import tsx tests/bench/dev/csv-trace.ts <database> <kind> <from> <to> [extra query]
import { createApp } from '../../../server/api/app.ts';
import { parseConfig } from '../../../server/config/load.ts';
import { openDatabase } from '../../../server/db/index.ts';

const [file, kind, from, to, extra = ''] = process.argv.slice(2) as [string, string, string, string, string?];
const db = await openDatabase(file);
const config = parseConfig('dev.yaml', { database: file, teams: [{ id: 'dev', name: 'dev', repos: [{ name: 'dev/dev' }] }] });
const app = createApp({ db, config, log: () => {} });
// Time DuckDB's side of each stream: to the first chunk, and chunks fetched in total.
let lastSql = '';
let lastParams: Record<string, unknown> | undefined;
const stream = db.stream.bind(db);
db.stream = (sql, params, onRows) => {
  lastSql = sql;
  lastParams = params as Record<string, unknown>;
  const t = performance.now();
  let first = 0;
  let chunks = 0;
  let inCallback = 0;
  return stream(sql, params, async (rows, columns) => {
    if (!first) first = performance.now() - t;
    chunks++;
    const c = performance.now();
    const r = await onRows(rows, columns);
    inCallback += performance.now() - c;
    return r;
  }).finally(() =>
    console.log(
      `  stream: first chunk ${first.toFixed(0)} ms, ${chunks} chunks, ${(performance.now() - t).toFixed(0)} ms in all, ${inCallback.toFixed(0)} ms in the consumer`,
    ),
  );
};
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  const res = await app.request(`/api/${kind}.csv?from=${from}&to=${to}${extra}`);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let bytes = 0;
  let lines = 0;
  let first = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!first) first = performance.now() - t;
    bytes += value.length;
    for (let j = value.indexOf(10); j !== -1; j = value.indexOf(10, j + 1)) lines++;
  }
  const ms = performance.now() - t;
  console.log(
    `app: ${res.status} ${lines - 1} rows ${Math.round(bytes / 1024)} KB in ${ms.toFixed(0)} ms (first bytes ${first.toFixed(0)} ms) = ${Math.round(((lines - 1) / ms) * 1000)} rows/s`,
  );
}
// The lines query alone, counted in DuckDB (no rows to JavaScript).
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  const n = await db.one<{ n: number }>(`SELECT count(*) AS n, sum(length(line)) AS b FROM (${lastSql})`, lastParams as never);
  console.log(`lines query in DuckDB: ${JSON.stringify(n)} in ${(performance.now() - t).toFixed(0)} ms`);
}
if (process.env.EXPLAIN) {
  const plan = await db.all<{ explain_value: string }>(`EXPLAIN ANALYZE ${lastSql}`, lastParams as never);
  console.log(plan.map((p) => p.explain_value).join('\n'));
}
await db.close();
