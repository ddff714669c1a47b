// Disk faults under the database: a full disk and a read-only file system end in a clear error
// and leave the file as it was. These tests mount small tmpfs volumes, which needs root (CI runs
// as root); elsewhere they are skipped with the reason printed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.ts';
import { parseConfig } from '../../server/config/load.ts';
import { openDatabase } from '../../server/db/index.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const root = tempDir('vigil-disk-');
const mounts: string[] = [];

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    const probe = join(root, 'probe');
    mkdirSync(probe);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mountable = canMount();
if (!mountable) console.warn('disk.test.ts: skipped, mounting tmpfs needs root (CI runs as root).');

function volume(name: string, size: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of mounts) execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
});

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe.skipIf(!mountable)('disk faults', () => {
  it('answers a write on a full disk with disk_full, loses nothing committed, and recovers when space returns', async () => {
    const dir = volume('full', '12m');
    const path = join(dir, 'vigil.duckdb');
    const config = parseConfig(join(dir, 'vigil.config.yaml'), { teams: [{ id: 'core', name: 'Core' }], database: path });
    const db = await openDatabase(path);
    await db.run("INSERT INTO review_notes VALUES ('core', '2024-05-06', 'kept', 'ana', now(), 1)");
    const app = createApp({ db, config, log: () => {} });
    app.post('/api/test/bulk', async (c) => {
      await db.write((tx) => tx.run("CREATE TABLE bulk AS SELECT range AS i, repeat('x', 200) AS s FROM range(300000)"));
      return c.json({ ok: true });
    });
    // Fill the volume; dd exits non-zero when the disk is full, which is the point.
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=1M', 'count=64'], { stdio: 'ignore' });
    } catch {}
    const res = await app.request('/api/test/bulk', { method: 'POST' });
    expect(res.status).toBe(507);
    expect((await res.json()).error).toMatchObject({ code: 'disk_full', hint: expect.stringMatching(/Free space/) });
    expect(await db.all('SELECT body FROM review_notes')).toEqual([{ body: 'kept' }]);
    await db.close().catch(() => {});
    rmSync(join(dir, 'filler'));
    const reopened = await openDatabase(path);
    expect(await reopened.all('SELECT body FROM review_notes')).toEqual([{ body: 'kept' }]);
    await reopened.run("INSERT INTO review_notes VALUES ('core', '2024-05-13', 'after', 'ana', now(), 1)");
    await reopened.close();
  });

  it('refuses a database on a read-only file system with a clear message, leaving it untouched', async () => {
    const dir = volume('readonly', '16m');
    const path = join(dir, 'data', 'vigil.duckdb');
    mkdirSync(join(dir, 'data'));
    const db = await openDatabase(path);
    await db.run("INSERT INTO review_notes VALUES ('core', '2024-05-06', 'kept', 'ana', now(), 1)");
    await db.close();
    writeFileSync(join(dir, 'vigil.config.yaml'), 'teams:\n  - id: core\n    name: Core\n');
    const before = sha(path);
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const result = await runCli(['backup', '--user-data', '--out', join(root, 'ro.json')], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/vigil: Cannot open .*vigil\.duckdb for writing: .*(Read-only|read-only)/);
    expect(result.stderr).toMatch(/writable/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(sha(path)).toBe(before);
  });
});

describe('files that are not Vigil databases', () => {
  it.each([
    ['a text file', 'not a database at all\n'],
    ['a SQLite file', 'SQLite format 3\u0000'.padEnd(4096, '\u0000')],
    ['an empty-looking DuckDB header', `${'\u0000'.repeat(8)}DUCK${'\u0000'.repeat(4084)}`],
  ])('refuses %s at the database path and leaves it untouched', async (_label, content) => {
    const cwd = join(root, `foreign-${_label.replace(/\W+/g, '-')}`);
    mkdirSync(join(cwd, 'data'), { recursive: true });
    writeFileSync(join(cwd, 'vigil.config.yaml'), 'teams:\n  - id: core\n    name: Core\n');
    const path = join(cwd, 'data', 'vigil.duckdb');
    writeFileSync(path, content);
    const before = sha(path);
    const result = await runCli(['serve', '--port', '0'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/vigil: .*vigil\.duckdb/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(sha(path)).toBe(before);
  });
});
