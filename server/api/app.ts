// The HTTP application: every /api route, the error envelope, and the built web app, on one port.
// createApp has no side effects (no listening, no timers), so tests call app.request() directly.
import { Hono } from 'hono';
import type { VigilConfig } from '../config/schema.ts';
import type { Database } from '../db/index.ts';
import type { SyncController } from '../lib/sync-controller.ts';
import { errorBody, renderError } from './errors.ts';
import { healthRoutes } from './routes/health.ts';
import { serveWeb } from './static.ts';

export interface AppDeps {
  db: Database;
  config: VigilConfig;
  /** The folder with the built web app; omitted in API-only tests. */
  webRoot?: string;
  /** Starts and reports syncs; absent when the app runs without collectors (tests). */
  sync?: SyncController;
  log?: (message: string) => void;
}

export type AppEnv = { Variables: { deps: AppDeps } };

export function createApp(deps: AppDeps) {
  const log = deps.log ?? ((message: string) => console.error(message));
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });

  const api = new Hono<AppEnv>().route('/', healthRoutes);
  app.route('/api', api);

  app.all('/api/*', (c) =>
    c.json(
      errorBody(
        'not_found',
        `No API endpoint ${c.req.method} ${c.req.path}.`,
        'GET /api/health lists the version; the README lists the endpoints.',
      ),
      404,
    ),
  );

  if (deps.webRoot) {
    const web = serveWeb(deps.webRoot);
    app.get('*', (c) => web(c));
  }

  app.notFound((c) => c.json(errorBody('not_found', `Nothing at ${c.req.path}.`), 404));
  app.onError((error, c) => renderError(error, c, log));
  return app;
}

export type VigilApp = ReturnType<typeof createApp>;
