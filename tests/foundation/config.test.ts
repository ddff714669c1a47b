import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig, parseConfig, readTokens } from '../../server/config/load.ts';
import { durationMinutes } from '../../server/config/schema.ts';
import { STARTER_CONFIG } from '../../server/config/starter.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir();
const minimal = { teams: [{ id: 'core', name: 'Core' }] };

function problemsOf(raw: unknown): { path: string; message: string }[] {
  try {
    parseConfig('/x/vigil.config.yaml', raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills every default from METRICS.md into a minimal config', () => {
    const config = parseConfig('/x/vigil.config.yaml', minimal);
    expect(config.timeZone).toBe('UTC');
    expect(config.severity.targets).toEqual({ SEV1: '1h', SEV2: '4h', SEV3: '24h', SEV4: null });
    expect(config.severity.priorities.P5).toBe('SEV4');
    expect(config.onCall.pageChannels).toEqual(['sms', 'phone', 'push']);
    expect(config.onCall.pagesPerWeekTarget).toBe(5);
    expect(config.attribution.window).toBe('24h');
    expect(config.database).toBe('/x/data/vigil.duckdb');
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8787 });
  });

  it('accepts the starter config that `vigil init` writes', () => {
    const config = parseConfig('/x/vigil.config.yaml', parse(STARTER_CONFIG));
    expect(config.teams[0]?.repos[0]).toEqual({ name: 'acme/payments-api', productionPattern: '^(prod|production)$' });
    expect(config.teams[0]?.repos[1]?.workflow).toEqual({ file: 'deploy.yml', branch: 'main' });
  });

  it('accepts repositories written as plain strings', () => {
    const config = parseConfig('/x/c.yaml', { teams: [{ id: 'a', name: 'A', repos: ['Acme/API'] }] });
    expect(config.teams[0]?.repos[0]).toEqual({ name: 'acme/api', productionPattern: '^(prod|production)$' });
  });

  it.each([
    ['a missing teams list', {}, 'teams', /required|expected array/],
    ['an empty teams list', { teams: [] }, 'teams', /at least one team/],
    ['a wrong type', { teams: [{ id: 'a', name: 'A', services: 'PX' }] }, 'teams[0].services', /expected array/],
    ['an unknown field', { ...minimal, colour: 'red' }, '', /unknown field "colour"/],
    ['a bad time zone', { ...minimal, timeZone: 'Mars/Base' }, 'timeZone', /IANA time zone/],
    ['a bad cron', { ...minimal, github: { cron: 'every hour' } }, 'github.cron', /cron expression/],
    ['a bad URL', { ...minimal, pagerduty: { baseUrl: 'ftp://x' } }, 'pagerduty.baseUrl', /http\(s\) URL/],
    [
      'a bad regular expression',
      { teams: [{ id: 'a', name: 'A', repos: [{ name: 'o/r', productionPattern: '(' }] }] },
      'teams[0].repos[0].productionPattern',
      /regular expression/,
    ],
    ['a bad repository name', { teams: [{ id: 'a', name: 'A', repos: ['no-slash'] }] }, 'teams[0].repos[0].name', /owner\/name/],
    ['a bad severity', { ...minimal, severity: { priorities: { P1: 'SEV9' } } }, 'severity.priorities.P1', /SEV1/],
    ['a bad duration', { ...minimal, attribution: { window: 'a day' } }, 'attribution.window', /duration/],
    ['a bad clock time', { ...minimal, onCall: { sleepHours: { start: '25:00' } } }, 'onCall.sleepHours.start', /HH:MM/],
    ['a duplicate team id', { teams: [minimal.teams[0], minimal.teams[0]] }, 'teams[1].id', /duplicate team id/],
    ['a bad team id', { teams: [{ id: 'Not OK', name: 'x' }] }, 'teams[0].id', /lower-case id/],
    ['an out-of-range port', { ...minimal, server: { port: 70000 } }, 'server.port', /65535/],
  ])('names the field path for %s', (_label, raw, path, message) => {
    const problems = problemsOf(raw);
    const problem = problems.find((p) => p.path === path);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem?.message).toMatch(message);
  });

  it('reports YAML syntax errors with the line', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'teams:\n  - id: a\n    name: [unclosed\n');
    expect(() => loadConfig(file)).toThrow(/line \d+/);
  });

  it('says how to create a missing config file', () => {
    expect(() => loadConfig(join(dir, 'missing.yaml'))).toThrow(/vigil init/);
  });

  it('takes tokens only from the environment', () => {
    expect(readTokens({ GITHUB_TOKEN: ' ghp_x ', PAGERDUTY_TOKEN: '' })).toEqual({ github: 'ghp_x' });
  });

  it('parses durations', () => {
    expect(durationMinutes('90m')).toBe(90);
    expect(durationMinutes('4h')).toBe(240);
    expect(durationMinutes('2d')).toBe(2880);
  });
});
