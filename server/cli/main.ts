// The vigil command line: dispatches to one command, turns failures into one clear line and an
// exit code (0 ok, 1 runtime failure, 2 usage or config error).
import { VERSION } from '../lib/version.ts';
import { type Command, parseCommandArgs } from './args.ts';
import { backupCommand } from './commands/backup.ts';
import { checkConfigCommand } from './commands/check-config.ts';
import { demoCommand } from './commands/demo.ts';
import { exportCommand } from './commands/export.ts';
import { initCommand } from './commands/init.ts';
import { restoreCommand } from './commands/restore.ts';
import { serveCommand } from './commands/serve.ts';
import { syncCommand } from './commands/sync.ts';
import { EXIT_OK, reportError, UsageError } from './errors.ts';

export const commands: Command[] = [
  serveCommand,
  demoCommand,
  syncCommand,
  exportCommand,
  initCommand,
  checkConfigCommand,
  backupCommand,
  restoreCommand,
];

function formatHelp(command: Command): string {
  const options = Object.entries(command.options)
    .map(
      ([name, spec]) =>
        `  --${name}${spec.short ? `, -${spec.short}` : ''}${spec.type === 'string' ? ' VALUE' : ''}${spec.default !== undefined ? `   (default ${String(spec.default)})` : ''}`,
    )
    .join('\n');
  return `${command.summary}\n\nUsage: ${command.usage}\n${options ? `\nOptions:\n${options}\n` : ''}`;
}

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `vigil ${VERSION}: reliability metrics from GitHub and PagerDuty`,
    '',
    'Usage: vigil <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `vigil <command> --help` for a command's options.",
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(topHelp());
      return EXIT_OK;
    }
    if (name === '--version' || name === '-v') {
      process.stdout.write(`${VERSION}\n`);
      return EXIT_OK;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}.`);
    const { values, positionals } = parseCommandArgs(command, rest);
    if (values.help) {
      process.stdout.write(formatHelp(command));
      return EXIT_OK;
    }
    if (positionals.length > (command.positionals ?? 0)) {
      throw new UsageError(`unexpected argument "${positionals[command.positionals ?? 0]}".`, command.name);
    }
    return await command.run(values, positionals);
  } catch (error) {
    return reportError(error);
  }
}
