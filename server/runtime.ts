// Starting and stopping a Vigil server process: the database, the config mapping, the HTTP
// server (API + web app) and, when collectors are wired in, the scheduler. Used by `vigil serve`
// and `vigil demo`.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { createSyncService, type SyncSetupOptions } from '../collectors/index.ts';
import { createApp } from './api/app.ts';
import { type AuthSettings, assertSafeBinding, readAuthSettings } from './api/auth.ts';
import { answerMalformedRequests } from './api/client-errors.ts';
import { applyConfig } from './config/apply.ts';
import type { VigilConfig } from './config/schema.ts';
import { type Database, openDatabase, ownerFilePath } from './db/index.ts';
import { UserFacingError } from './lib/errors.ts';
import type { SyncController } from './lib/sync-controller.ts';
import { PROJECT_ROOT } from './lib/version.ts';
import { startCacheWarmer, WARM_REQUEST } from './metrics/cache-warmer.ts';
import { refreshDerived } from './metrics/refresh.ts';

export const DEFAULT_WEB_ROOT = resolve(PROJECT_ROOT, 'dist/web');

export interface StartOptions {
  config: VigilConfig;
  host?: string;
  port?: number;
  webRoot?: string;
  log?: (message: string) => void;
  /** Authentication; read from VIGIL_AUTH_TOKEN / VIGIL_USERS when omitted. */
  auth?: AuthSettings | null;
  /** Build the sync controller once the database is open (collectors wire themselves in here). */
  createSync?: (db: Database) => Promise<SyncController & { stop?: () => Promise<void> }>;
}

/**
 * The collectors with their scheduler (each source on its cron from the config), for `vigil serve`
 * and `vigil demo`: pass as `createSync`. Runs left 'running' by a killed process are marked
 * interrupted when it starts; stop() aborts a running sync at its next batch boundary.
 */
export function collectorSync(config: VigilConfig, options: SyncSetupOptions = {}): NonNullable<StartOptions['createSync']> {
  return (db) => createSyncService(db, config, { schedule: true, ...options });
}

export interface RunningVigil {
  db: Database;
  url: string;
  /** The sync controller, when collectors are wired in. */
  sync?: SyncController;
  stop(): Promise<void>;
}

export async function startVigil(options: StartOptions): Promise<RunningVigil> {
  const { config } = options;
  const log = options.log ?? ((m: string) => console.error(m));
  const host = options.host ?? config.server.host;
  const port = options.port ?? config.server.port;
  const auth = options.auth === null ? undefined : (options.auth ?? readAuthSettings());
  assertSafeBinding(host, auth);
  const db = await openDatabase(config.database);
  let sync: (SyncController & { stop?: () => Promise<void> }) | undefined;
  try {
    await applyConfig(db, config);
    // The derived metric tables follow the config (team mapping, hours, targets): a changed config
    // or a new Vigil version rebuilds them here, before the first request.
    const refreshed = await refreshDerived(db, config);
    if (refreshed.mode === 'full') log(`Metrics rebuilt (${refreshed.reason}) in ${refreshed.ms} ms.`);
    sync = options.createSync ? await options.createSync(db) : undefined;
  } catch (error) {
    await db.close();
    throw error;
  }
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  if (!existsSync(resolve(webRoot, 'index.html'))) {
    log(`The web app is not built (${webRoot} has no index.html); the API still answers. Run \`npm run build\`.`);
  }
  // Without auth (loopback only), names other than loopback ones are refused: DNS rebinding.
  const app = createApp({ db, config, webRoot, ...(sync ? { sync } : {}), ...(auth ? { auth } : { loopbackOnly: true }), log });
  const warmer = startCacheWarmer(db, async (path) => app.request(`http://127.0.0.1${path}`, {}, { [WARM_REQUEST]: true }));
  const server = await new Promise<ReturnType<typeof serve>>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolveServer(s));
    s.once('error', reject);
    answerMalformedRequests(s);
  }).catch(async (error: NodeJS.ErrnoException) => {
    await sync?.stop?.();
    await warmer.stop();
    await db.close();
    if (error.code === 'EADDRINUSE') {
      throw new UserFacingError(`Port ${port} on ${host} is already in use. Pass --port (or set PORT) to use another one.`);
    }
    throw error;
  });
  const address = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${address.port}`;
  const ownerFile = db.path === ':memory:' ? undefined : ownerFilePath(db.path);
  if (ownerFile) writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, url, startedAt: new Date().toISOString() }));

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await sync?.stop?.();
      await warmer.stop();
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        // Idle keep-alive connections would hold close() open.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await db.close();
      if (ownerFile) rmSync(ownerFile, { force: true });
    })();
    return stopping;
  };
  return { db, url, stop, ...(sync ? { sync } : {}) };
}
