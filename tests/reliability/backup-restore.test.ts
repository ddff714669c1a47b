import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../server/db/index.ts';
import { runCli, startCli, stopChild } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const root = tempDir();

function project(name: string): { cwd: string; dbPath: string } {
  const cwd = join(root, name);
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'vigil.config.yaml'), 'teams:\n  - id: core\n    name: Core\n');
  return { cwd, dbPath: join(cwd, 'data', 'vigil.duckdb') };
}

async function seedUserData(db: Database): Promise<void> {
  await db.write(async (tx) => {
    await tx.run(
      `INSERT INTO review_labels VALUES ('PINC1', 'non_actionable', 'threshold_needs_tuning', 'fires on every deploy, é ✓', 'ana', '2024-05-06T09:00:00Z', 3)`,
    );
    await tx.run(`INSERT INTO review_labels VALUES ('PINC2', 'actionable', NULL, NULL, 'bo', '2024-05-06T09:01:00Z', 1)`);
    await tx.run(
      `INSERT INTO follow_ups VALUES ('f1', 'core', 'svc|disk usage above <n>%', 'Tune the disk alert', 'https://x/1', 'ana', false, '2024-05-06', 'ana', '2024-05-06T09:02:00Z', NULL, 'ana', '2024-05-06T09:02:00Z', 2)`,
    );
    await tx.run(
      `INSERT INTO review_notes VALUES ('core', '2024-05-06', 'Quiet week; hand-off to Bo.', 'ana', '2024-05-06T09:03:00Z', 1)`,
    );
    await tx.run(
      `INSERT INTO incident_links VALUES ('PINC1', '12345', 'link', 'rollback proved it', 'ana', '2024-05-06T09:04:00Z', 1)`,
    );
    await tx.run(
      `INSERT INTO user_audit (entity, entity_key, action, after_json, actor, occurred_at) VALUES ('review_labels', 'PINC1', 'insert', '{}', 'ana', '2024-05-06T09:00:00Z')`,
    );
  });
}

async function userTables(db: Database): Promise<string> {
  const parts: unknown[] = [];
  for (const [table, order] of [
    ['review_labels', 'incident_id'],
    ['follow_ups', 'id'],
    ['review_notes', 'team_id'],
    ['incident_links', 'incident_id'],
    ['user_audit', 'entity_key, occurred_at'],
  ]) {
    // Audit ids are re-issued on a user-data import; everything else must match exactly.
    const rows = await db.all(`SELECT * ${table === 'user_audit' ? 'EXCLUDE (id)' : ''} FROM ${table} ORDER BY ${order}`);
    parts.push(table, rows);
  }
  return JSON.stringify(parts);
}

describe('backup and restore', () => {
  it('round-trips the whole database and the user-owned data through the CLI', async () => {
    const { cwd, dbPath } = project('offline');
    mkdirSync(join(cwd, 'data'));
    const db = await openDatabase(dbPath);
    await seedUserData(db);
    const before = await userTables(db);
    await db.close();

    const full = await runCli(['backup', '--out', 'full.duckdb'], { cwd });
    expect(full.stderr).toBe('');
    expect(full.code).toBe(0);
    const user = await runCli(['backup', '--user-data', '--out', 'user.json'], { cwd });
    expect(user.code).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'user.json'), 'utf8')).tables.review_labels).toHaveLength(2);

    // Lose the user-owned data, then bring it back from the JSON backup.
    const damaged = await openDatabase(dbPath);
    await damaged.write(async (tx) => {
      for (const t of ['review_labels', 'follow_ups', 'review_notes', 'incident_links', 'user_audit'])
        await tx.run(`DELETE FROM ${t}`);
    });
    await damaged.close();
    expect((await runCli(['restore', '--user-data', '--from', 'user.json'], { cwd })).code).toBe(0);
    const afterUser = await openDatabase(dbPath);
    expect(await userTables(afterUser)).toBe(before);
    // Restoring twice neither duplicates nor loses anything.
    await afterUser.close();
    expect((await runCli(['restore', '--user-data', '--from', 'user.json'], { cwd })).code).toBe(0);
    const twice = await openDatabase(dbPath);
    expect(await userTables(twice)).toBe(before);
    await twice.close();

    // Replace the whole file from the full backup; the previous file is kept beside it.
    const restored = await runCli(['restore', '--from', 'full.duckdb'], { cwd });
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/previous file is kept/);
    expect(readdirSync(join(cwd, 'data')).some((f) => f.includes('before-restore'))).toBe(true);
    const afterFull = await openDatabase(dbPath);
    expect(await userTables(afterFull)).toBe(before);
    // The audit sequence still hands out fresh ids after a restore.
    await afterFull.run(
      "INSERT INTO user_audit (entity, entity_key, action, actor, occurred_at) VALUES ('x', 'y', 'insert', 'ana', now())",
    );
    await afterFull.close();
  });

  it('backs up through the running server, and refuses to restore under it', async () => {
    const { cwd } = project('online');
    const server = await startCli(['serve', '--port', '0'], /serving (http:\/\/\S+)/, { cwd });
    try {
      const full = await runCli(['backup', '--out', 'online.duckdb'], { cwd });
      expect(full.stderr).toBe('');
      expect(full.stdout).toMatch(/through http:\/\/127\.0\.0\.1:\d+/);
      expect(existsSync(join(cwd, 'online.duckdb'))).toBe(true);
      const user = await runCli(['backup', '--user-data', '--out', 'online.json'], { cwd });
      expect(user.code).toBe(0);
      expect(JSON.parse(readFileSync(join(cwd, 'online.json'), 'utf8')).format).toBe('vigil-user-data');
      const restore = await runCli(['restore', '--from', 'online.duckdb'], { cwd });
      expect(restore.code).toBe(1);
      expect(restore.stderr).toMatch(/in use by process \d+/);
    } finally {
      await stopChild(server.child);
    }
  });

  it('refuses a file that is not a backup, with the reason', async () => {
    const { cwd } = project('bad');
    writeFileSync(join(cwd, 'junk.json'), '{"format":"something else"}');
    const user = await runCli(['restore', '--user-data', '--from', 'junk.json'], { cwd });
    expect(user.code).toBe(2);
    expect(user.stderr).toMatch(/not a Vigil user-data backup/);
    writeFileSync(join(cwd, 'junk.duckdb'), 'this is not a database');
    const full = await runCli(['restore', '--from', 'junk.duckdb'], { cwd });
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/not a Vigil \(DuckDB\) database, or it is damaged/);
    expect(readFileSync(join(cwd, 'junk.duckdb'), 'utf8')).toBe('this is not a database');
  });
});
