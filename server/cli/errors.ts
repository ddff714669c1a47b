// How the CLI turns failures into one clear line and an exit code: 0 ok, 1 runtime failure,
// 2 usage or config error. Stack traces only with VIGIL_DEBUG=1.
import { ConfigError } from '../config/load.ts';
import { DatabaseLockedError, DatabaseOpenError, SchemaTooNewError } from '../db/index.ts';
import { UsageError, UserFacingError } from '../lib/errors.ts';

export { UsageError, UserFacingError };

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function reportError(error: unknown, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): number {
  const debug = process.env.VIGIL_DEBUG === '1';
  if (error instanceof UsageError) {
    write(`vigil: ${error.message}`);
    write(`Run \`vigil ${error.command ? `${error.command} ` : ''}--help\` for usage.`);
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    write(error.message);
    return EXIT_USAGE;
  }
  if (error instanceof DatabaseLockedError || error instanceof SchemaTooNewError) {
    write(`vigil: ${error.message}`);
    return EXIT_FAILURE;
  }
  if (error instanceof DatabaseOpenError) {
    write(`vigil: ${error.message}`);
    write(`  ${error.hint}`);
    return EXIT_FAILURE;
  }
  if (error instanceof UserFacingError) {
    write(`vigil: ${error.message}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  write(`vigil: ${message}`);
  if (debug && error instanceof Error && error.stack) write(error.stack);
  else write('  (set VIGIL_DEBUG=1 for details)');
  return EXIT_FAILURE;
}
