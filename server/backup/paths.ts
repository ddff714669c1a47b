// Where backups go by default: a `backups` folder beside the database file.
import { dirname, join } from 'node:path';

export function timestampForFile(date = new Date()): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '')
    .replace('T', '-');
}

export function defaultBackupPath(databasePath: string, kind: 'database' | 'user-data', date = new Date()): string {
  const name = kind === 'database' ? `vigil-${timestampForFile(date)}.duckdb` : `vigil-user-data-${timestampForFile(date)}.json`;
  return join(dirname(databasePath), 'backups', name);
}
