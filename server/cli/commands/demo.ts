// vigil demo: the dashboard on a simulated organisation, synced through the real collectors from
// local GitHub and PagerDuty stand-ins, in its own folder and database.
import { resolve } from 'node:path';
import { startDemo } from '../../demo/demo.ts';
import { PROJECT_ROOT } from '../../lib/version.ts';
import { type Command, parsePort } from '../args.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { waitForShutdown } from '../shutdown.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Serve the dashboard on a simulated organisation (no tokens or config needed)',
  usage: 'vigil demo [--host HOST] [--port PORT] [--seed N] [--size small|default] [--fresh] [--dir DIR]',
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    seed: { type: 'string', default: '42' },
    size: { type: 'string', default: 'default' },
    fresh: { type: 'boolean' },
    dir: { type: 'string' },
  },
  async run(values) {
    const seed = Number(values.seed);
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new UsageError(`--seed must be a non-negative integer, not "${values.seed}".`, 'demo');
    const size = values.size as string;
    if (size !== 'small' && size !== 'default') throw new UsageError(`--size must be small or default, not "${size}".`, 'demo');
    const host = (values.host as string | undefined) ?? process.env.HOST ?? '127.0.0.1';
    const port = parsePort(values.port as string | undefined) ?? parsePort(process.env.PORT, 'PORT') ?? 8787;
    const dir = resolve((values.dir as string | undefined) ?? resolve(PROJECT_ROOT, '.vigil/demo'));
    const demo = await startDemo({
      dir,
      seed,
      size,
      host,
      port,
      fresh: Boolean(values.fresh),
      cron: '*/2 * * * *',
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(
      `\nVigil demo is serving ${demo.url}\n  simulated organisation: seed ${seed}, ${size}; data and config in ${dir}\n  the first sync is running now; the Sync page shows its progress. Press Ctrl-C to stop.\n\n`,
    );
    await waitForShutdown(demo.stop);
    return EXIT_OK;
  },
};
