// vigil init: write the commented starter config, never over an existing file.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { STARTER_CONFIG } from '../../config/starter.ts';
import { type Command, configOption } from '../args.ts';
import { EXIT_OK, UserFacingError } from '../errors.ts';

export const initCommand: Command = {
  name: 'init',
  summary: 'Write a commented starter config',
  usage: 'vigil init [--config FILE] [--force]',
  options: { ...configOption, force: { type: 'boolean' } },
  async run(values) {
    const file = resolve(values.config as string);
    if (existsSync(file) && !values.force) {
      throw new UserFacingError(`${file} already exists; pass --force to overwrite it.`, 1);
    }
    writeFileSync(file, STARTER_CONFIG);
    process.stdout.write(
      `Wrote ${file}.\nEdit the teams, then set GITHUB_TOKEN and PAGERDUTY_TOKEN and run \`vigil check-config\` and \`vigil serve\`.\n`,
    );
    return EXIT_OK;
  },
};
