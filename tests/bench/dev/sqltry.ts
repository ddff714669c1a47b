// Development aid: time ad-hoc SQL variants against a database file (median of runs).
import { readFileSync } from 'node:fs';
import { openDatabase } from '../../../server/db/index.ts';

const [file, sqlFile, runsText] = process.argv.slice(2);
const db = await openDatabase(file as string);
const blocks = readFileSync(sqlFile as string, 'utf8')
  .split(/^-- ?@@ ?/m)
  .filter((b) => b.trim());
for (const block of blocks) {
  const [name, ...rest] = block.split('\n');
  const sql = rest.join('\n');
  const times: number[] = [];
  let rows = 0;
  let sample = '';
  for (let i = 0; i < Number(runsText ?? 3); i++) {
    const t = performance.now();
    const r = await db.all(sql);
    times.push(performance.now() - t);
    rows = r.length;
    sample = JSON.stringify(r.slice(0, 2));
  }
  times.sort((a, b) => a - b);
  console.log(
    `${(times[Math.floor(times.length / 2)] as number).toFixed(0).padStart(7)} ms  ${String(rows).padStart(6)} rows  ${name?.trim()}  ${sample.slice(0, 200)}`,
  );
}
await db.close();
