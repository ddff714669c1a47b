// vigil restore: put back a whole-database backup, or merge a user-data backup into the database.
// The server must be stopped: restoring under a running server would pull the file from under it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importUserData, parseUserData, restoreDatabase } from '../../backup/backup.ts';
import { loadConfig } from '../../config/load.ts';
import { openDatabase } from '../../db/index.ts';
import { type Command, configOption } from '../args.ts';
import { EXIT_OK, UsageError } from '../errors.ts';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Restore a database backup, or the user-owned data from a user-data backup (server stopped)',
  usage: 'vigil restore --from FILE [--user-data [--replace]] [--config FILE]',
  options: { ...configOption, from: { type: 'string' }, 'user-data': { type: 'boolean' }, replace: { type: 'boolean' } },
  async run(values) {
    const from = values.from as string | undefined;
    if (!from) throw new UsageError('--from FILE is required: the backup to restore.', 'restore');
    const { config } = loadConfig(values.config as string);
    const source = resolve(from);
    if (values['user-data']) {
      let text: string;
      try {
        text = readFileSync(source, 'utf8');
      } catch (error) {
        throw new UsageError(
          `cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          'restore',
        );
      }
      const data = parseUserData(text, source);
      const db = await openDatabase(config.database);
      try {
        const counts = await importUserData(db, data, { replace: Boolean(values.replace) });
        const summary = Object.entries(counts)
          .map(([table, n]) => `${n} ${table}`)
          .join(', ');
        process.stdout.write(`Restored user-owned data from ${source} into ${config.database}: ${summary}.\n`);
      } finally {
        await db.close();
      }
      return EXIT_OK;
    }
    if (values.replace) throw new UsageError('--replace applies only with --user-data.', 'restore');
    const { previous } = await restoreDatabase(source, config.database);
    process.stdout.write(
      `Restored ${config.database} from ${source}.${previous ? ` The previous file is kept at ${previous}.` : ''}\n`,
    );
    return EXIT_OK;
  },
};
