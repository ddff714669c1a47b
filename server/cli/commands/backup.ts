// vigil backup: copy the whole database, or export the user-owned data as JSON. Works while
// `vigil serve` runs (through its API) and while it does not (directly on the file).
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { backupDatabase, exportUserData } from '../../backup/backup.ts';
import { defaultBackupPath } from '../../backup/paths.ts';
import { loadConfig } from '../../config/load.ts';
import { DatabaseLockedError, openDatabase } from '../../db/index.ts';
import { UserFacingError } from '../../lib/errors.ts';
import { type Command, configOption } from '../args.ts';
import { EXIT_OK } from '../errors.ts';
import { callServer } from '../server-client.ts';

function formatBytes(bytes: number): string {
  return bytes > 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(bytes / 1e3)} kB`;
}

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Back up the whole database, or only the user-owned data (labels, follow-ups, notes, links)',
  usage: 'vigil backup [--user-data] [--out FILE] [--config FILE]',
  options: { ...configOption, 'user-data': { type: 'boolean' }, out: { type: 'string', short: 'o' } },
  async run(values) {
    const { config } = loadConfig(values.config as string);
    const kind = values['user-data'] ? 'user-data' : 'database';
    const out = resolve((values.out as string | undefined) ?? defaultBackupPath(config.database, kind));
    if (existsSync(out)) throw new UserFacingError(`${out} already exists; pass another --out.`, 2);
    mkdirSync(dirname(out), { recursive: true });
    let db: Awaited<ReturnType<typeof openDatabase>> | undefined;
    try {
      db = await openDatabase(config.database);
    } catch (error) {
      if (!(error instanceof DatabaseLockedError) || !error.holderUrl) throw error;
      // The server owns the file: ask it to make the backup.
      const response = await callServer(error.holderUrl, '/api/admin/backup', { method: 'POST', body: { kind } });
      if (kind === 'user-data') {
        writeFileSync(out, await response.text());
      } else {
        const made = (await response.json()) as { path: string };
        if (resolve(made.path) !== out) {
          copyFileSync(made.path, out);
          rmSync(made.path);
        }
      }
      process.stdout.write(
        `Backed up ${kind === 'user-data' ? 'the user-owned data' : 'the database'} through ${error.holderUrl} to ${out}.\n`,
      );
      return EXIT_OK;
    }
    try {
      if (kind === 'user-data') {
        const data = await exportUserData(db);
        writeFileSync(out, `${JSON.stringify(data, null, 2)}\n`);
        const rows = Object.values(data.tables).reduce((n, t) => n + t.length, 0);
        process.stdout.write(`Exported ${rows} user-owned rows to ${out}.\n`);
      } else {
        const made = await backupDatabase(db, out);
        process.stdout.write(`Backed up the database to ${out} (${formatBytes(made.bytes)}).\n`);
      }
    } finally {
      await db.close();
    }
    return EXIT_OK;
  },
};
