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
  schema: number;
  runs: LastRunRow[];
}

/** The last facts read, and the data version they were read at. */
const facts = new WeakMap<Database, { version: number; value: HealthFacts; at: number }>();
const reading = new WeakMap<Database, Promise<HealthFacts>>();

/** How old an answer from memory may be while the database is read again behind it. */
const STALE_MS = 5_000;

/**
 * What health reads from the database. Monitors probe health often, and during a sync every
 * commit changes the data version while DuckDB's threads are busy loading: a probe that waited
 * for a read would measure the queue in front of DuckDB, not the process. So after a change the
 * facts are read again in the background (one read at a time) and a probe meanwhile gets the last
 * ones, at most STALE_MS old; older than that, or never read, it waits for the read.
 */
function healthFacts(db: Database): HealthFacts | Promise<HealthFacts> {
  const version = db.dataVersion;
  const known = facts.get(db);
  if (known && known.version === version) return known.value;
  let read = reading.get(db);
  if (!read) {
    const started = Date.now();
    read = (async () => {
      const schema = await db.one<{ v: number }>('SELECT max(version) AS v FROM schema_version');
      const runs = await db.all<LastRunRow>(
        `SELECT source, status, started_at, ended_at, error FROM sync_runs
         QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC, id DESC) = 1`,
      );
      return { schema: schema?.v ?? 0, runs };
    })();
    reading.set(db, read);
    const done = read;
    // A failed read is not kept: the next probe tries again.
    done.then(
      (value) => {
        facts.set(db, { version, value, at: started });
        reading.delete(db);
      },
      () => reading.delete(db),
    );
  }
  return known && Date.now() - known.at < STALE_MS ? known.value : read;
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
