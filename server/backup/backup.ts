// Backups of the whole database and of the user-owned data alone (labels, follow-ups, notes,
// manual links, the audit log): the only data no API can give back.
//
// The whole database is copied with DuckDB's `COPY FROM DATABASE` into a fresh file while the
// server keeps running (it reads one consistent snapshot). User data is exported as a JSON
// document that is readable, diffable, and importable into any Vigil database of the same or a
// newer schema.
import { copyFileSync, existsSync, renameSync, statSync } from 'node:fs';
import { z } from 'zod';
import { Database, SCHEMA_VERSION } from '../db/index.ts';
import { currentSchemaVersion } from '../db/migrate.ts';
import { UserFacingError } from '../lib/errors.ts';
import { VERSION } from '../lib/version.ts';

/** User-owned tables and their keys. Nothing else in the database is irreplaceable. */
export const USER_TABLES = {
  review_labels: ['incident_id'],
  follow_ups: ['id'],
  review_notes: ['team_id', 'week_start'],
  incident_links: ['incident_id', 'deployment_id'],
  // Audit rows are matched by content: their ids come from a sequence and are re-issued on import.
  user_audit: ['entity', 'entity_key', 'action', 'actor', 'occurred_at'],
} as const;

export type UserTable = keyof typeof USER_TABLES;

export const USER_DATA_FORMAT = 'vigil-user-data';

const userDataSchema = z.object({
  format: z.literal(USER_DATA_FORMAT),
  formatVersion: z.literal(1),
  schemaVersion: z.number().int().min(1),
  vigilVersion: z.string(),
  exportedAt: z.string(),
  tables: z.object(
    Object.fromEntries(Object.keys(USER_TABLES).map((t) => [t, z.array(z.record(z.string(), z.unknown()))])) as Record<
      UserTable,
      z.ZodArray<z.ZodRecord<z.ZodString, z.ZodUnknown>>
    >,
  ),
});

export type UserData = z.infer<typeof userDataSchema>;

/** Copy the whole database to a new file at `target`. */
export async function backupDatabase(db: Database, target: string): Promise<{ path: string; bytes: number }> {
  if (existsSync(target)) throw new UserFacingError(`${target} already exists; choose another file for the backup.`);
  await db.exclusive(async (runner) => {
    const row = await runner.one<{ name: string }>('SELECT current_database() AS name');
    await runner.run(`ATTACH '${target.replace(/'/g, "''")}' AS vigil_backup_target`);
    try {
      await runner.run(`COPY FROM DATABASE "${(row?.name ?? 'main').replace(/"/g, '""')}" TO vigil_backup_target`);
    } finally {
      await runner.run('DETACH vigil_backup_target');
    }
  });
  return { path: target, bytes: statSync(target).size };
}

export async function exportUserData(db: Database): Promise<UserData> {
  const tables = {} as Record<UserTable, Record<string, unknown>[]>;
  for (const [table, keys] of Object.entries(USER_TABLES) as [UserTable, readonly string[]][]) {
    tables[table] = await db.all(`SELECT * FROM ${table} ORDER BY ${keys.join(', ')}`);
  }
  return {
    format: USER_DATA_FORMAT,
    formatVersion: 1,
    schemaVersion: await currentSchemaVersion(db),
    vigilVersion: VERSION,
    exportedAt: new Date().toISOString(),
    tables,
  };
}

export function parseUserData(text: string, file: string): UserData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserFacingError(`${file} is not JSON: ${(error as Error).message}`, 2);
  }
  const result = userDataSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UserFacingError(
      `${file} is not a Vigil user-data backup (${issue?.path.join('.') || 'document'}: ${issue?.message}). Make one with \`vigil backup --user-data\`.`,
      2,
    );
  }
  if (result.data.schemaVersion > SCHEMA_VERSION) {
    throw new UserFacingError(
      `${file} comes from a newer Vigil (schema ${result.data.schemaVersion}; this one knows ${SCHEMA_VERSION}). Upgrade Vigil first.`,
    );
  }
  return result.data;
}

/**
 * Put the backup's user-owned rows into the database, all in one transaction. Rows with the same
 * key are replaced by the backup's; other rows are kept unless `replace` is set, which empties the
 * user-owned tables first.
 */
export async function importUserData(
  db: Database,
  data: UserData,
  options: { replace?: boolean } = {},
): Promise<Record<UserTable, number>> {
  const counts = {} as Record<UserTable, number>;
  await db.write(async (tx) => {
    for (const [table, keys] of Object.entries(USER_TABLES) as [UserTable, readonly string[]][]) {
      const rows = data.tables[table];
      if (options.replace) await tx.run(`DELETE FROM ${table}`);
      counts[table] = rows.length;
      if (rows.length === 0) continue;
      const described = (
        await tx.all<{ name: string; type: string }>(
          'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position',
          { t: table },
        )
      ).filter((c) => !(table === 'user_audit' && c.name === 'id'));
      const columns = described.map((c) => c.name);
      const typeOf = new Map(described.map((c) => [c.name, c.type.replace(/[^A-Z0-9 ()[\],]/gi, '')]));
      const staged = rows.map((row) =>
        columns.map((column) => {
          const value = row[column];
          if (value === null || value === undefined) return null;
          return typeof value === 'object' ? JSON.stringify(value) : String(value);
        }),
      );
      await tx.stage('user_data_import', columns, staged);
      // Staged values are VARCHAR: cast them to the column types to compare keys, and on insert.
      const keyMatch = keys.map((k) => `t.${k} = s.${k}::${typeOf.get(k)}`).join(' AND ');
      const present = `EXISTS (SELECT 1 FROM ${table} t WHERE ${keyMatch})`;
      if (table === 'user_audit') {
        await tx.run(
          `INSERT INTO user_audit (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM user_data_import s WHERE NOT ${present}`,
        );
      } else {
        await tx.run(`DELETE FROM ${table} t WHERE EXISTS (SELECT 1 FROM user_data_import s WHERE ${keyMatch})`);
        await tx.run(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM user_data_import s`);
      }
      await tx.run('DROP TABLE user_data_import');
    }
  });
  return counts;
}

/**
 * Replace the database file at `target` with the backup at `source`. The current file is kept
 * beside it (`.before-restore-<time>`), never deleted. Fails while any process holds the target.
 */
export async function restoreDatabase(source: string, target: string): Promise<{ previous: string | null }> {
  if (!existsSync(source)) throw new UserFacingError(`No backup at ${source}.`, 2);
  // Opening the backup proves it is a DuckDB file with a schema this Vigil can use.
  const backup = await Database.open(source);
  try {
    const version = await currentSchemaVersion(backup);
    if (version === 0) throw new UserFacingError(`${source} is a DuckDB file but not a Vigil database.`, 2);
    if (version > SCHEMA_VERSION)
      throw new UserFacingError(`${source} comes from a newer Vigil (schema ${version}). Upgrade Vigil first.`);
  } finally {
    await backup.close();
  }
  let previous: string | null = null;
  if (existsSync(target)) {
    // Opening the current file fails with a clear message when a server holds it.
    const current = await Database.open(target);
    await current.close();
    previous = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, previous);
    if (existsSync(`${target}.wal`)) renameSync(`${target}.wal`, `${previous}.wal`);
  }
  copyFileSync(source, target);
  return { previous };
}
