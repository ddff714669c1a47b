// Opening Vigil's database: the file, the connections and the schema, in one call.
import { Database, DatabaseOpenError, type DatabaseOptions } from './database.ts';
import { migrate } from './migrate.ts';
import { migrations } from './migrations/index.ts';

export type { Param, Params, QueryRunner, Row, WriteTx } from './database.ts';
export { Database, DatabaseLockedError, DatabaseOpenError, ident, ownerFilePath } from './database.ts';
export { currentSchemaVersion, SchemaTooNewError } from './migrate.ts';
export { IN_LIST_MAX, inList } from './statements.ts';

export const SCHEMA_VERSION = migrations.length;

/** What VIGIL_MEMORY_LIMIT may say: a size with its unit, as DuckDB's memory_limit takes it. */
const MEMORY_LIMIT = /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/**
 * DuckDB's memory limit from VIGIL_MEMORY_LIMIT (for example 8GB), when set: the default keeps a
 * backfill under 1 GB, and a large organisation's full rebuild of the derived tables needs more.
 */
export function memoryLimitFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.VIGIL_MEMORY_LIMIT?.trim();
  if (!value) return undefined;
  if (!MEMORY_LIMIT.test(value)) {
    throw new DatabaseOpenError(
      `VIGIL_MEMORY_LIMIT is ${JSON.stringify(value)}, which is not a memory size.`,
      'Give a number with its unit, such as 2GB or 512MB, or unset it for the default.',
    );
  }
  return value.replace(/\s+/g, '');
}

/** Open the database at `path` and bring its schema up to date. */
export async function openDatabase(path: string, options: DatabaseOptions = {}): Promise<Database> {
  const memoryLimit = options.memoryLimit ?? memoryLimitFromEnv();
  const db = await Database.open(path, { ...options, ...(memoryLimit ? { memoryLimit } : {}) });
  try {
    await migrate(db, migrations);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
