// A real Vigil on the small simulated organisation, synced through the real collectors from the
// GitHub and PagerDuty stand-ins over HTTP, serving the built web app: what the end-to-end tests
// drive with a browser. It is `vigil demo` (server/demo/demo.ts) with a fixed seed, a free port,
// its own folder and no scheduled syncs during the test, started once the first sync has ended.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningDemo, startDemo } from '../../server/demo/demo.ts';
import { DEFAULT_WEB_ROOT } from '../../server/runtime.ts';

export interface SimulatedVigil {
  url: string;
  demo: RunningDemo;
  /** GET a JSON path of the API (for comparing what the page shows with what the API says). */
  json<T = unknown>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startSimulatedVigil(options: { dir: string; seed?: number; timeoutMs?: number }): Promise<SimulatedVigil> {
  if (!existsSync(join(DEFAULT_WEB_ROOT, 'index.html'))) {
    throw new Error(`The web app is not built (${DEFAULT_WEB_ROOT} has no index.html): run \`npm run build\` (npm test does).`);
  }
  const log: string[] = [];
  const demo = await startDemo({
    dir: options.dir,
    seed: options.seed ?? 7,
    size: 'small',
    host: '127.0.0.1',
    port: 0,
    fresh: true,
    // 1 January only: no scheduled sync changes the data while a test reads it.
    cron: '0 0 1 1 *',
    log: (line) => log.push(line),
  });
  const deadline = Date.now() + (options.timeoutMs ?? 150_000);
  try {
    await demo.firstSync;
    for (;;) {
      const status = await demo.vigil.sync?.status();
      if (status && status.running.length === 0 && status.lastRuns.github && status.lastRuns.pagerduty) {
        const failed = Object.values(status.lastRuns).filter((r) => r && r.status !== 'succeeded');
        if (failed.length > 0)
          throw new Error(
            `The first sync did not succeed: ${JSON.stringify(failed.map((r) => [r?.source, r?.status, r?.error]))}`,
          );
        break;
      }
      if (Date.now() > deadline) throw new Error(`The first sync did not finish in time.\n${log.join('\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await demo.stop();
    throw error;
  }
  return {
    url: demo.url,
    demo,
    json: async <T>(path: string) => {
      const res = await fetch(`${demo.url}${path}`);
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    stop: () => demo.stop(),
  };
}
