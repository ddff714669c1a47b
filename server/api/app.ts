// The HTTP application: every /api route, the error envelope, and the built web app, on one port.
// createApp has no side effects (no listening, no timers), so tests call app.request() directly.
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import type { VigilConfig } from '../config/schema.ts';
import type { Database } from '../db/index.ts';
import type { SyncController } from '../lib/sync-controller.ts';
import { type AuthSettings, authMiddleware } from './auth.ts';
import { errorBody, renderError } from './errors.ts';
import { adminRoutes } from './routes/admin.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { healthRoutes } from './routes/health.ts';
import { incidentLinkRoutes } from './routes/incident-links.ts';
import { reportingRoutes } from './routes/reporting.ts';
import { reviewRoutes } from './routes/review.ts';
import { syncRoutes } from './routes/sync.ts';
import { closeAfterRefusedBody, limitBody, loopbackHostsOnly, sameOriginWrites, securityHeaders } from './security.ts';
import { serveWeb } from './static.ts';

export interface AppDeps {
  db: Database;
  config: VigilConfig;
  /** The folder with the built web app; omitted in API-only tests. */
  webRoot?: string;
  /** Starts and reports syncs; absent when the app runs without collectors (tests). */
  sync?: SyncController;
  log?: (message: string) => void;
  /** Authentication settings; undefined = open (only allowed on loopback, see runtime.ts). */
  auth?: AuthSettings;
  /** Answer only requests addressed to a loopback name (a listening server without auth). */
  loopbackOnly?: boolean;
}

export type AppEnv = { Variables: { deps: AppDeps; user?: string } };

/**
 * Every /api route in one chain, built once at module level so its type carries every path: the
 * web app's typed client (hono/client) is `hc<ApiRoutes>('/api')`.
 */
export const apiRoutes = new Hono<AppEnv>()
  .route('/', healthRoutes)
  .route('/', adminRoutes)
  .route('/', syncRoutes)
  .route('/', reportingRoutes)
  .route('/', dashboardRoutes)
  .route('/', incidentLinkRoutes)
  .route('/', reviewRoutes);
export type ApiRoutes = typeof apiRoutes;

export function createApp(deps: AppDeps) {
  const log = deps.log ?? ((message: string) => console.error(message));
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use('*', securityHeaders(), closeAfterRefusedBody());
  if (deps.loopbackOnly && !deps.auth) app.use('*', loopbackHostsOnly());
  app.use('/api/*', authMiddleware(deps.auth), sameOriginWrites(), limitBody());
  // JSON answers gzipped for clients that accept it (catalogue lists and metric answers shrink
  // ~7x over a real network); CSV streams are left as they are, read at full speed.
  app.use('/api/*', compress({ contentTypeFilter: /^application\/json/ }));

  app.route('/api', apiRoutes);

  if (deps.webRoot) {
    const web = serveWeb(deps.webRoot);
    // API paths never fall through to the web app: an unknown one is a JSON 404 (notFound below).
    app.get('*', (c, next) => (c.req.path.startsWith('/api/') ? next() : web(c)));
  }

  app.notFound((c) =>
    c.json(
      c.req.path.startsWith('/api/')
        ? errorBody(
            'not_found',
            `No API endpoint ${c.req.method} ${c.req.path}.`,
            'GET /api/health answers when the server is up; the README lists the endpoints.',
          )
        : errorBody('not_found', `Nothing at ${c.req.path}.`),
      404,
    ),
  );
  app.onError((error, c) => renderError(error, c, log));
  return app;
}

export type VigilApp = ReturnType<typeof createApp>;
