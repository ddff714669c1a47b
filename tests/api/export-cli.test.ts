// `vigil export` run as a user would, in a child process, on a database file holding the
// hand-built scenario: the same CSV as the API, usage errors that name the option, and the
// one-line message when a server holds the file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Database } from '../../server/db/index.ts';
import { baseConfig, Fixture } from '../metrics/fixture.ts';
import { buildScenario } from '../metrics/scenario.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir('vigil-export-');
const dbPath = join(dir, 'vigil.duckdb');
const configPath = join(dir, 'vigil.config.yaml');

beforeAll(async () => {
  const f = await buildScenario(await Fixture.create({ database: dbPath }));
  await f.refresh();
  await f.close();
  writeFileSync(configPath, stringify({ ...baseConfig, database: dbPath }));
});

describe('vigil export', () => {
  it('writes records as CSV to a file named like the API download', async () => {
    const r = await runCli(['export', 'pages', '--config', configPath, '--from', '2024-03-01', '--to', '2024-03-31'], {
      cwd: dir,
    });
    expect(r.stderr).toContain('Wrote 13 rows to vigil-pages-2024-03-01-2024-03-31.csv');
    expect(r.code).toBe(0);
    const rows = parse(readFileSync(join(dir, 'vigil-pages-2024-03-01-2024-03-31.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows).toHaveLength(13);
    expect(rows.find((p) => p.id === 'N2')).toMatchObject({ hour_class: 'sleep', local_time: '2024-03-06T22:00:00+01:00' });
  });

  it('writes a metric with filters to stdout', async () => {
    const r = await runCli(
      [
        'export',
        'lead-time',
        '--config',
        configPath,
        '--from',
        '2024-03-01',
        '--to',
        '2024-03-31',
        '--grain',
        'month',
        '--team',
        'payments',
        '--out',
        '-',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(parse(r.stdout, { columns: true })).toEqual([
      expect.objectContaining({ bucket: '2024-03-01', n: '4', median: '169200', p90: '322200' }),
    ]);
  });

  it('names the option and the allowed values on a bad value', async () => {
    const r = await runCli(['export', 'metric:pages', '--config', configPath, '--group-by', 'planet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--group-by: .*Allowed: none, team, service, severity, person, schedule/);
    const records = await runCli(['export', 'pages', '--config', configPath, '--grain', 'week'], { cwd: dir });
    expect(records.code).toBe(2);
    expect(records.stderr).toMatch(/--grain: .*Unknown parameter/i);
    const unknown = await runCli(['export', 'velocity', '--config', configPath], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/nothing called "velocity".*Records: deployments, incidents, pages, oncall-shifts/);
  });

  it('says in one line that the file is held by another process', async () => {
    const held = await Database.open(dbPath);
    try {
      const r = await runCli(['export', 'incidents', '--config', configPath], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^vigil: The database .* is in use by process \d+/);
    } finally {
      await held.close();
    }
  });
});
