// vigil check-config: validate the config file and say what it maps.
import { loadConfig, readTokens } from '../../config/load.ts';
import { type Command, configOption } from '../args.ts';
import { EXIT_OK } from '../errors.ts';

export const checkConfigCommand: Command = {
  name: 'check-config',
  summary: 'Validate the config file and summarise it',
  usage: 'vigil check-config [--config FILE]',
  options: { ...configOption },
  async run(values) {
    const { file, config } = loadConfig(values.config as string);
    const tokens = readTokens();
    const repos = config.teams.reduce((n, t) => n + t.repos.length, 0);
    const services = config.teams.reduce((n, t) => n + t.services.length, 0);
    const schedules = config.teams.reduce((n, t) => n + t.schedules.length, 0);
    const lines = [
      `${file} is valid.`,
      `  ${config.teams.length} team(s), ${repos} repositor${repos === 1 ? 'y' : 'ies'}, ${services} PagerDuty service(s), ${schedules} schedule(s).`,
      `  Database: ${config.database}`,
      `  GitHub: ${config.github.baseUrl} (GITHUB_TOKEN ${tokens.github ? 'set' : 'not set'}), sync "${config.github.cron}"`,
      `  PagerDuty: ${config.pagerduty.baseUrl} (PAGERDUTY_TOKEN ${tokens.pagerduty ? 'set' : 'not set'}), sync "${config.pagerduty.cron}"`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_OK;
  },
};
