import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, stopChild } from '../support/cli.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir();

describe('the vigil command', () => {
  it('prints help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Commands:[\s\S]*serve[\s\S]*check-config/);
    const serveHelp = await runCli(['serve', '--help']);
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.stdout).toMatch(/--port/);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const bad = await runCli(['check-config', '--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--nope'/);
  });

  it('writes a starter config that check-config accepts, and will not overwrite it', async () => {
    const cwd = join(dir, 'init');
    await import('node:fs').then((fs) => fs.mkdirSync(cwd));
    expect((await runCli(['init'], { cwd })).code).toBe(0);
    expect(readFileSync(join(cwd, 'vigil.config.yaml'), 'utf8')).toMatch(/^# Vigil configuration/);
    const check = await runCli(['check-config'], { cwd });
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/is valid/);
    expect((await runCli(['init'], { cwd })).code).toBe(1);
  });

  it('prints the field path of a broken config and exits 2, with no stack trace', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      'teams:\n  - id: core\n    name: Core\n    repos:\n      - name: acme/api\n        productionPattern: "(unclosed"\n',
    );
    const result = await runCli(['check-config', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('teams[0].repos[0].productionPattern: expected a regular expression');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('tells a second process which process holds the database, and exits 1', async () => {
    const cwd = join(dir, 'held');
    await import('node:fs').then((fs) => fs.mkdirSync(cwd));
    writeFileSync(join(cwd, 'vigil.config.yaml'), 'teams:\n  - id: core\n    name: Core\n');
    const server = await startCli(['serve', '--port', '0'], /serving (http:\/\/\S+)/, { cwd });
    try {
      const second = await runCli(['serve', '--port', '0'], { cwd });
      expect(second.code).toBe(1);
      const lines = second.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`in use by process ${server.child.pid}`);
      expect(lines[0]).toContain(`${server.match[1]}/api/sync`);
    } finally {
      expect(await stopChild(server.child)).toBe(0);
    }
  });
});
