// Development aid: where the bytes of a Vigil database go (per table: rows, estimated size).
import { openDatabase } from '../../../server/db/index.ts';

const db = await openDatabase(process.argv[2] as string);
const tables = await db.all<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema='main'");
const info = await db.all('SELECT * FROM pragma_database_size()');
console.log(JSON.stringify(info));
for (const { t } of tables) {
  const r = await db.one<{ n: number }>(`SELECT count(*) AS n FROM "${t}"`);
  const blocks = await db.one<{ b: number }>(
    `SELECT count(DISTINCT block_id) AS b FROM pragma_storage_info('${t}') WHERE persistent`,
  );
  if ((r?.n ?? 0) > 0)
    console.log(t.padEnd(28), String(r?.n).padStart(10), 'rows', String(blocks?.b).padStart(7), 'blocks (256 KB)');
}
const raw = await db.all(
  'SELECT stream, count(*) AS n, sum(length(payload)) // 1048576 AS payload_mb FROM raw_github GROUP BY stream ORDER BY 3 DESC',
);
console.log(JSON.stringify(raw));
const rawpd = await db.all(
  'SELECT stream, count(*) AS n, sum(length(payload)) // 1048576 AS payload_mb FROM raw_pagerduty GROUP BY stream ORDER BY 3 DESC',
);
console.log(JSON.stringify(rawpd));
await db.close();
