import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database, openDatabase, SCHEMA_VERSION, SchemaTooNewError } from '../../server/db/index.ts';
import { currentSchemaVersion, type Migration, migrate } from '../../server/db/migrate.ts';
import { migrations } from '../../server/db/migrations/index.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir();

describe('migrations', () => {
  it('creates every table on an empty file and records the version', async () => {
    const path = join(dir, 'empty.duckdb');
    const db = await openDatabase(path);
    expect(await currentSchemaVersion(db)).toBe(SCHEMA_VERSION);
    const tables = (
      await db.all<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main'")
    ).map((t) => t.name);
    for (const t of [
      'raw_github',
      'raw_pagerduty',
      'deployments',
      'incidents',
      'notifications',
      'review_labels',
      'follow_ups',
      'sync_runs',
    ]) {
      expect(tables).toContain(t);
    }
    await db.close();
    // Re-opening applies nothing and keeps the version.
    const again = await openDatabase(path);
    expect(await currentSchemaVersion(again)).toBe(SCHEMA_VERSION);
    await again.close();
  });

  it('upgrades an existing older database and keeps its data', async () => {
    const path = join(dir, 'older.duckdb');
    const first = await Database.open(path);
    await migrate(first, migrations);
    await first.run(
      "INSERT INTO review_labels (incident_id, label, labelled_by, labelled_at) VALUES ('PINC1', 'actionable', 'ana', now())",
    );
    const later: Migration = {
      version: migrations.length + 1,
      name: 'add a column',
      statements: ['ALTER TABLE review_labels ADD COLUMN confidence DOUBLE'],
    };
    const result = await migrate(first, [...migrations, later]);
    expect(result).toEqual({ from: migrations.length, to: migrations.length + 1, applied: [migrations.length + 1] });
    const row = await first.one<{ label: string; confidence: number | null }>('SELECT label, confidence FROM review_labels');
    expect(row).toEqual({ label: 'actionable', confidence: null });
    await first.close();
  });

  it('rolls back every pending migration when one fails', async () => {
    const db = await Database.open(':memory:');
    const broken: Migration[] = [
      ...migrations,
      { version: migrations.length + 1, name: 'fine', statements: ['CREATE TABLE fine (x INTEGER)'] },
      { version: migrations.length + 2, name: 'broken', statements: ['CREATE TABLE oops (x NOTATYPE)'] },
    ];
    await expect(migrate(db, broken)).rejects.toThrow();
    expect(await currentSchemaVersion(db)).toBe(0);
    await db.close();
  });

  it('refuses a database newer than the code, leaving it untouched', async () => {
    const path = join(dir, 'newer.duckdb');
    const db = await openDatabase(path);
    await db.run("INSERT INTO schema_version VALUES (999, 'from the future', now())");
    await db.close();
    const error = await openDatabase(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect((error as Error).message).toMatch(/schema version 999, newer than this Vigil understands/);
    const check = await Database.open(path);
    expect(await currentSchemaVersion(check)).toBe(999);
    await check.close();
  });
});
