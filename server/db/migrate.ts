// Applies numbered schema migrations at start-up, all pending ones in one transaction, and
// records each in `schema_version`. A database written by a newer Vigil is refused untouched.
import type { Database } from './database.ts';

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export class SchemaTooNewError extends Error {
  constructor(
    readonly path: string,
    readonly databaseVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `The database ${path} has schema version ${databaseVersion}, newer than this Vigil understands (${codeVersion}). ` +
        'Upgrade Vigil, or point `database` at another file. The file was not changed.',
    );
    this.name = 'SchemaTooNewError';
  }
}

export interface MigrationResult {
  from: number;
  to: number;
  applied: number[];
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name} has version ${m.version}; expected ${i + 1}.`);
  });
}

/** The schema version recorded in the database, 0 for a new one. */
export async function currentSchemaVersion(db: Database): Promise<number> {
  const table = await db.one<{ n: number }>(
    "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'schema_version' AND table_schema = 'main'",
  );
  if (!table || table.n === 0) return 0;
  const row = await db.one<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
  return row?.v ?? 0;
}

export async function migrate(db: Database, migrations: readonly Migration[]): Promise<MigrationResult> {
  checkOrder(migrations);
  const latest = migrations.length;
  const from = await currentSchemaVersion(db);
  if (from > latest) throw new SchemaTooNewError(db.path, from, latest);
  const pending = migrations.filter((m) => m.version > from);
  if (pending.length === 0) return { from, to: from, applied: [] };
  await db.write(async (tx) => {
    await tx.run(`CREATE TABLE IF NOT EXISTS schema_version (
      version INTEGER PRIMARY KEY,
      name VARCHAR NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL
    )`);
    for (const m of pending) {
      for (const statement of m.statements) await tx.run(statement);
      await tx.run('INSERT INTO schema_version (version, name, applied_at) VALUES ($v, $name, now())', {
        v: m.version,
        name: m.name,
      });
    }
  });
  return { from, to: latest, applied: pending.map((m) => m.version) };
}
