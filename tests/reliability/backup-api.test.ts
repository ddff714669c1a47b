// Backups through the running server under repeated and concurrent requests: one copy is written
// at a time, a request that would clash with it (the same second's file name) is told so with a
// 409, never a 500, and the copy that was written opens as a Vigil database. Found by the fuzz test.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config/load.ts';
import { openDatabase } from '../../server/db/index.ts';
import { type RunningVigil, startVigil } from '../../server/runtime.ts';
import { tempDir } from '../support/tmp.ts';

let vigil: RunningVigil;
let dir: string;
const root = tempDir('vigil-backup-api-');

beforeAll(async () => {
  dir = join(root, 'data');
  mkdirSync(dir);
  const config = parseConfig('backup.yaml', { teams: [{ id: 'core', name: 'Core' }], database: join(dir, 'vigil.duckdb') });
  vigil = await startVigil({ config, host: '127.0.0.1', port: 0, auth: null, log: () => {} });
});

afterAll(async () => {
  await vigil?.stop();
});

const backup = () =>
  fetch(`${vigil.url}/api/admin/backup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vigil-actor': 'ana' },
    body: '{"kind":"database"}',
  });

describe('POST /api/admin/backup', () => {
  it('writes one copy at a time and answers a clashing request with 409, never 500', async () => {
    const answers = await Promise.all([backup(), backup(), backup()]);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
    for (const answer of answers.filter((a) => a.status === 409)) {
      expect((await answer.json()).error).toMatchObject({ code: expect.stringMatching(/^backup_(running|exists)$/) });
    }
    // Right after: the same second's file exists (409 backup_exists) or a new second began (201).
    const again = await backup();
    expect([201, 409]).toContain(again.status);
    if (again.status === 409) expect((await again.json()).error.code).toBe('backup_exists');

    const files = readdirSync(join(dir, 'backups'));
    expect(files.length).toBeGreaterThanOrEqual(1);
    const copy = await openDatabase(join(dir, 'backups', files[0] as string));
    expect(await copy.one('SELECT count(*) AS n FROM teams')).toEqual({ n: 1 });
    await copy.close();
  });
});
