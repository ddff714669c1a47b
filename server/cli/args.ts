// Argument parsing shared by the commands, on node:util parseArgs (no dependency needed).
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec;
  /** How many positional arguments the command takes (default none). */
  positionals?: number;
  /** Returns the exit code. */
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

export const configOption: OptionSpec = {
  config: { type: 'string', short: 'c', default: 'vigil.config.yaml' },
};

export function parseCommandArgs(command: Command, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify .*$/s, '.'), command.name);
  }
}

export function parsePort(text: string | undefined, name = '--port'): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`${name} must be a port number from 0 to 65535, not "${text}".`);
  return n;
}
