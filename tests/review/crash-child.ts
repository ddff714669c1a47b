// The child of crash.test.ts: opens the database file, then writes labels for every incident in a
// loop, each write through the API as one bulk label write of all of them (note "batch K",
// versions K-1), printing "writing K" before and "committed K" after each. The parent SIGKILLs it
// at a random moment. Run with `node --import tsx crash-child.ts <database> <config.json>`.
import { readFileSync } from 'node:fs';
import { createApp } from '../../server/api/app.ts';
import { parseConfig } from '../../server/config/load.ts';
import { openDatabase } from '../../server/db/index.ts';

const [path, configFile] = process.argv.slice(2) as [string, string];
const config = parseConfig(configFile, JSON.parse(readFileSync(configFile, 'utf8')));
const db = await openDatabase(path);
const app = createApp({ db, config, log: (line) => process.stderr.write(`${line}\n`) });
const ids = (await db.all<{ id: string }>('SELECT id FROM incidents ORDER BY id')).map((r) => r.id);
const last = await db.one<{ v: number | null }>('SELECT max(version) AS v FROM review_labels');
for (let batch = (last?.v ?? 0) + 1; ; batch++) {
  process.stdout.write(`writing ${batch}\n`);
  const res = await app.request('/api/review/labels', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Vigil-Actor': 'crash-test' },
    body: JSON.stringify({
      items: ids.map((incidentId) => ({ incidentId, version: batch - 1 })),
      label: batch % 2 ? 'non_actionable' : 'actionable',
      note: `batch ${batch}`,
    }),
  });
  if (res.status !== 200) {
    process.stderr.write(`write ${batch} failed: ${res.status} ${await res.text()}\n`);
    process.exit(1);
  }
  process.stdout.write(`committed ${batch}\n`);
}
