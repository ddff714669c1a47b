// Backups through the running server, which owns the database file: a whole-database copy into
// the `backups` folder beside it, or the user-owned data as a JSON download. The server never
// writes anywhere else, whatever the request says.
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { backupDatabase, exportUserData } from '../../backup/backup.ts';
import { defaultBackupPath, timestampForFile } from '../../backup/paths.ts';
import type { Database } from '../../db/index.ts';
import type { AppEnv } from '../app.ts';
import { requireActor } from '../auth.ts';
import { ApiError, badRequest } from '../errors.ts';

/** Databases a backup is being written for (one at a time each). */
const backingUp = new WeakSet<Database>();

const backupRequest = z.object({ kind: z.enum(['database', 'user-data']).default('database') }).strict();

export const adminRoutes = new Hono<AppEnv>()
  .post('/admin/backup', async (c) => {
    requireActor(c);
    const parsed = backupRequest.safeParse(await c.req.json().catch(() => ({})));
    if (!parsed.success) throw badRequest('kind must be "database" or "user-data".');
    const { db } = c.get('deps');
    if (db.path === ':memory:')
      throw new ApiError(409, 'no_file', 'This server runs on an in-memory database; there is no file to back up.');
    if (parsed.data.kind === 'user-data') {
      c.header('Content-Disposition', `attachment; filename="vigil-user-data-${timestampForFile()}.json"`);
      return c.json(await exportUserData(db));
    }
    // Backup names are to the second: a second request in the same second, or while one is being
    // written, is told so, instead of a 500 from two copies clashing over one file.
    if (backingUp.has(db)) {
      throw new ApiError(409, 'backup_running', 'A backup of this database is being written now.', 'Wait for it to finish.');
    }
    const target = defaultBackupPath(db.path, 'database');
    if (existsSync(target)) {
      throw new ApiError(
        409,
        'backup_exists',
        `A backup was written less than a second ago: ${basename(target)}.`,
        'Use that one, or ask again in a second.',
      );
    }
    backingUp.add(db);
    try {
      mkdirSync(dirname(target), { recursive: true });
      return c.json(await backupDatabase(db, target), 201);
    } finally {
      backingUp.delete(db);
    }
  })
  .get('/admin/user-data', async (c) => {
    const { db } = c.get('deps');
    c.header('Content-Disposition', `attachment; filename="vigil-user-data-${timestampForFile()}.json"`);
    return c.json(await exportUserData(db));
  });
