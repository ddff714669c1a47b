// Opening Vigil's database: the file, the connections and the schema, in one call.
import { Database, type DatabaseOptions } from './database.ts';
import { migrate } from './migrate.ts';
import { migrations } from './migrations/index.ts';

export type { Param, Params, QueryRunner, Row, WriteTx } from './database.ts';
export { Database, DatabaseLockedError, DatabaseOpenError, ident, ownerFilePath } from './database.ts';
export { currentSchemaVersion, SchemaTooNewError } from './migrate.ts';

export const SCHEMA_VERSION = migrations.length;

/** Open the database at `path` and bring its schema up to date. */
export async function openDatabase(path: string, options: DatabaseOptions = {}): Promise<Database> {
  const db = await Database.open(path, options);
  try {
    await migrate(db, migrations);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
