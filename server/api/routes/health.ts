// GET /api/health: is the server up, which version, which schema, how fresh is the data. Open to
// everyone even with auth on; the last syncs' errors only to who is signed in.
import { Hono } from 'hono';
import { type Database, SCHEMA_VERSION } from '../../db/index.ts';
import { VERSION } from '../../lib/version.ts';
import type { AppEnv } from '../app.ts';

interface LastRunRow {
  source: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  error: string | null;
}

interface HealthFacts {
  version: number;
  schema: number;
  runs: LastRunRow[];
}

const facts = new WeakMap<Database, Promise<HealthFacts>>();
const factsVersion = new WeakMap<Database, number>();

/**
 * What health reads from the database, read again only after a write (every commit bumps the data
 * version, a sync's run records included): monitors probe health often, and during a sync
 * DuckDB's threads are busy loading, so answering from memory keeps the probe a measure of the
 * process, not of the queue in front of DuckDB.
 */
function healthFacts(db: Database): Promise<HealthFacts> {
  const version = db.dataVersion;
  const known = facts.get(db);
  if (known && factsVersion.get(db) === version) return known;
  const read = (async () => {
    const schema = await db.one<{ v: number }>('SELECT max(version) AS v FROM schema_version');
    const runs = await db.all<LastRunRow>(
      `SELECT source, status, started_at, ended_at, error FROM sync_runs
       QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC, id DESC) = 1`,
    );
    return { version, schema: schema?.v ?? 0, runs };
  })();
  facts.set(db, read);
  factsVersion.set(db, version);
  // A failed read is not kept: the next probe tries again.
  read.catch(() => {
    if (facts.get(db) === read) facts.delete(db);
  });
  return read;
}

export const healthRoutes = new Hono<AppEnv>().get('/health', async (c) => {
  const { db } = c.get('deps');
  const { schema, runs } = await healthFacts(db);
  const lastSync: Record<string, { status: string; startedAt: string; endedAt: string | null; error: string | null } | null> = {
    github: null,
    pagerduty: null,
  };
  // A sync error names repositories, hosts and URLs: with auth on, only for who is signed in.
  const { auth } = c.get('deps');
  const signedIn = !auth || c.get('user') !== undefined;
  for (const run of runs) {
    lastSync[run.source] = {
      status: run.status,
      startedAt: run.started_at,
      endedAt: run.ended_at,
      error: signedIn ? run.error : null,
    };
  }
  return c.json({
    status: 'ok',
    version: VERSION,
    schemaVersion: schema,
    codeSchemaVersion: SCHEMA_VERSION,
    dataVersion: db.dataVersion,
    lastSync,
  });
});
