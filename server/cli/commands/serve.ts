// vigil serve: the API, the web app and the scheduled syncs, in one process that owns the file.
import { loadConfig } from '../../config/load.ts';
import { collectorSync, startVigil } from '../../runtime.ts';
import { type Command, configOption, parsePort } from '../args.ts';
import { EXIT_OK } from '../errors.ts';
import { waitForShutdown } from '../shutdown.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the dashboard and API, and run the scheduled syncs',
  usage: 'vigil serve [--config FILE] [--host HOST] [--port PORT]   (HOST and PORT also from the environment)',
  options: { ...configOption, host: { type: 'string' }, port: { type: 'string' } },
  async run(values) {
    const { config } = loadConfig(values.config as string);
    const host = (values.host as string | undefined) ?? process.env.HOST ?? config.server.host;
    const port = parsePort(values.port as string | undefined) ?? parsePort(process.env.PORT, 'PORT') ?? config.server.port;
    const running = await startVigil({ config, host, port, createSync: collectorSync(config) });
    process.stdout.write(`Vigil is serving ${running.url} (database ${config.database}). Press Ctrl-C to stop.\n`);
    await waitForShutdown(running.stop);
    return EXIT_OK;
  },
};
