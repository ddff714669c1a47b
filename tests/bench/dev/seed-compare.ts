// Development aid: is a seeded database (tests/bench/seed) what a sync over HTTP builds? Syncs the
// same organisation over HTTP into <dir>/http.duckdb, seeds <dir>/seeded.duckdb in-process, then
// compares every normalised and derived table (rows, and content with synced_at left out), and
// finally syncs the seeded database over HTTP to show what that first sync fetches and writes.
//   node --import tsx tests/bench/dev/seed-compare.ts <size> <dir>
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../server/db/index.ts';
import { DEFAULT_WEB_ROOT } from '../../../server/runtime.ts';
import type { Child } from '../rpc.ts';
import { seedDatabase } from '../seed/seed.ts';
import { GITHUB_TOKEN, PAGERDUTY_TOKEN, type SyncFigures } from '../types.ts';
import { LARGE_PORTS, startStandIns, startVigilProcess, todayAnchor } from '../world.ts';

const [size, dir] = process.argv.slice(2) as ['small' | 'default', string];
const anchor = todayAnchor();
const standIns = await startStandIns(1, size, anchor, LARGE_PORTS);
const vigil: Child = await startVigilProcess();
const sync = async (database: string) => {
  await vigil.call('open', {
    database,
    config: standIns.info.config,
    webRoot: DEFAULT_WEB_ROOT,
    tokens: { github: GITHUB_TOKEN, pagerduty: PAGERDUTY_TOKEN },
  });
  const figures = await vigil.call<SyncFigures>('sync', { sources: ['github', 'pagerduty'], trigger: 'compare' });
  await vigil.call('close');
  return figures;
};
const summary = (f: SyncFigures) =>
  f.runs.map((r) => `${r.source} ${r.status} ${r.requests} requests, ${r.recordsWritten} written ${JSON.stringify(r.tables)}`);
try {
  const http = join(dir, 'http.duckdb');
  const seeded = join(dir, 'seeded.duckdb');
  for (const f of [http, `${http}.wal`]) rmSync(f, { force: true });
  console.log('http sync:', summary(await sync(http)));
  const figures = await seedDatabase({
    database: seeded,
    seed: 1,
    size,
    anchor,
    githubUrl: standIns.info.githubUrl,
    pagerdutyUrl: standIns.info.pagerdutyUrl,
  });
  console.log(`seeded in ${figures.wallMs} ms`);
  const db = await openDatabase(':memory:');
  await db.run(`ATTACH '${http}' AS h (READ_ONLY)`);
  await db.run(`ATTACH '${seeded}' AS s (READ_ONLY)`);
  const tables = await db.all<{ t: string }>(
    "SELECT table_name AS t FROM information_schema.tables WHERE table_catalog = 'h' AND table_schema = 'main' AND table_name NOT LIKE 'raw_%' AND table_name NOT IN ('sync_runs','sync_cursors','sync_errors','meta','schema_version') ORDER BY 1",
  );
  for (const { t } of tables) {
    const cols = await db.all<{ c: string }>(
      `SELECT column_name AS c FROM information_schema.columns WHERE table_catalog = 'h' AND table_name = $t AND column_name NOT IN ('synced_at','refreshed_at') ORDER BY ordinal_position`,
      { t },
    );
    const list = cols.map((c) => `"${c.c}"`).join(', ');
    const diff = await db.one<{ onlyH: number; onlyS: number; h: number; s: number }>(
      `SELECT (SELECT count(*) FROM (SELECT ${list} FROM h."${t}" EXCEPT ALL SELECT ${list} FROM s."${t}")) AS "onlyH",
              (SELECT count(*) FROM (SELECT ${list} FROM s."${t}" EXCEPT ALL SELECT ${list} FROM h."${t}")) AS "onlyS",
              (SELECT count(*) FROM h."${t}") AS h, (SELECT count(*) FROM s."${t}") AS s`,
    );
    const same = diff && Number(diff.onlyH) === 0 && Number(diff.onlyS) === 0;
    console.log(
      `${same ? 'same' : 'DIFF'} ${t.padEnd(26)} http ${diff?.h} seeded ${diff?.s} only-http ${diff?.onlyH} only-seeded ${diff?.onlyS}`,
    );
  }
  await db.close();
  console.log('first sync of the seeded database:', summary(await sync(seeded)));
} finally {
  await vigil.stop();
  await standIns.child.stop();
}
