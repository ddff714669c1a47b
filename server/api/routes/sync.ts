// GET /api/sync/status: what is running (with live progress per repository), the last run of each
// source, recent runs and the next scheduled times. POST /api/sync: start syncs now (all configured
// sources, or `{ "sources": ["github"] }`); answers 202 with what started and what was already
// running — a sync already in progress is reported, not an error.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app.ts';
import { ApiError, badRequest } from '../errors.ts';

const sourceNames = ['github', 'pagerduty'] as const;
const startRequest = z
  .object({ sources: z.array(z.enum(sourceNames)).min(1).optional() })
  .strict()
  .optional();

function syncUnavailable(): ApiError {
  return new ApiError(
    503,
    'sync_unavailable',
    'This server runs without collectors, so it cannot sync.',
    'Start Vigil with `vigil serve`, or run `vigil sync` while no server holds the database.',
  );
}

export const syncRoutes = new Hono<AppEnv>()
  .get('/sync/status', async (c) => {
    const { sync } = c.get('deps');
    if (!sync) throw syncUnavailable();
    return c.json(await sync.status());
  })
  .post('/sync', async (c) => {
    const { sync } = c.get('deps');
    if (!sync) throw syncUnavailable();
    const text = await c.req.text();
    let body: unknown;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw badRequest(
          `Malformed JSON body: ${(error as Error).message}`,
          'Send {"sources": ["github"]}, or no body for every source.',
        );
      }
    }
    const parsed = startRequest.safeParse(body);
    if (!parsed.success) {
      throw badRequest(
        'The body must be {"sources": [...]} with sources from github, pagerduty (or no body at all for every configured source).',
        'Example: {"sources": ["github"]}',
      );
    }
    const outcome = (await sync.start({ ...(parsed.data?.sources ? { sources: parsed.data.sources } : {}), trigger: 'api' })) as {
      started: string[];
      alreadyRunning: string[];
      unavailable?: string[];
    };
    const unavailable = outcome.unavailable ?? [];
    if (outcome.started.length === 0 && outcome.alreadyRunning.length === 0 && unavailable.length > 0) {
      throw badRequest(
        `Nothing to sync: ${unavailable.join(', ')} ${unavailable.length === 1 ? 'is' : 'are'} not configured on this server.`,
        'Map repositories (teams[].repos) for GitHub in the config, and set its token, then restart Vigil.',
        { unavailable },
      );
    }
    return c.json({ started: outcome.started, alreadyRunning: outcome.alreadyRunning, unavailable }, 202);
  });
