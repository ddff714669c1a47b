// The config written for a simulated organisation loads with Vigil's own loader and maps every
// team to its repositories (with their production patterns and deploy workflows), services,
// schedules and time zone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config/load.ts';
import { createOrg, writeVigilConfig } from '../stand-ins/org/index.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir('vigil-org-config-');
const anchor = '2025-06-01T12:00:00Z';

describe('writeVigilConfig', () => {
  it('writes a config that server/config/load.ts accepts, pointing at the stand-ins', async () => {
    const store = await createOrg({ seed: 4, size: 'small', anchor });
    const file = join(dir, 'small', 'vigil.config.yaml');
    writeVigilConfig(store, {
      file,
      githubBaseUrl: 'http://127.0.0.1:4001',
      pagerdutyBaseUrl: 'http://127.0.0.1:4002/',
      database: './demo.duckdb',
    });
    const { config } = loadConfig(file);
    expect(config.github.baseUrl).toBe('http://127.0.0.1:4001');
    expect(config.pagerduty.baseUrl).toBe('http://127.0.0.1:4002');
    expect(config.database).toBe(join(dir, 'small', 'demo.duckdb'));
    expect(config.github.historyDays).toBeGreaterThanOrEqual(90);
    expect(config.teams.map((t) => t.id)).toEqual(store.teams.map((t) => t.id));
    for (const team of store.teams) {
      const written = config.teams.find((t) => t.id === team.id);
      expect(written?.timeZone).toBe(team.timeZone);
      expect(written?.services).toEqual(team.serviceIds);
      expect(written?.schedules).toEqual(team.scheduleIds);
      expect(written?.repos.map((r) => r.name)).toEqual(team.repos);
      for (const repo of written?.repos ?? []) {
        const meta = store.repos.find((r) => r.fullName === repo.name);
        const pattern = new RegExp(repo.productionPattern, 'i');
        expect(pattern.test(meta?.productionEnvironment as string)).toBe(true);
        expect(pattern.test('staging')).toBe(false);
        expect(repo.workflow).toEqual(meta?.workflow ? { file: meta.workflow.file, branch: meta.workflow.branch } : undefined);
      }
    }
    expect(config.teams.flatMap((t) => t.repos).some((r) => r.productionPattern === '^prod$')).toBe(true);
    expect(config.teams.flatMap((t) => t.repos).filter((r) => r.workflow)).toHaveLength(2);
    expect(readFileSync(file, 'utf8')).toMatch(/^# Vigil config for the simulated organisation \(seed 4, size small/);
  });

  it('reaches back to the start of the history from the given now, for the default size too', async () => {
    const store = await createOrg({ seed: 4, size: 'default', anchor });
    const file = join(dir, 'default', 'vigil.config.yaml');
    writeVigilConfig(store, {
      file,
      githubBaseUrl: 'http://127.0.0.1:1',
      pagerdutyBaseUrl: 'http://127.0.0.1:2',
      database: join(dir, 'default', 'vigil.duckdb'),
      now: '2025-07-01T00:00:00Z',
      server: { port: 0 },
    });
    const { config } = loadConfig(file);
    expect(config.server.port).toBe(0);
    const reach = Date.parse('2025-07-01T00:00:00Z') - config.github.historyDays * 86_400_000;
    expect(reach).toBeLessThanOrEqual(Date.parse(store.historyStart));
    expect(config.pagerduty.historyDays).toBe(config.github.historyDays);
    expect(config.teams).toHaveLength(6);
  });
});
