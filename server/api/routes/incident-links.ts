// Manual incident <-> deployment links (server/links/incident-links.ts):
//   GET    /api/incident-links?incident=ID | ?deployment=ID   the manual decisions, with versions
//   POST   /api/incident-links   { incidentId, deploymentId, action: link|unlink, note?, version? }
//   DELETE /api/incident-links/{incidentId}/{deploymentId}?version=N
// Writes need the writer's name (the signed-in user, else X-Vigil-Actor) and the version the
// writer saw; a stale version gets 409 with the current value.
import { Hono, type TypedResponse } from 'hono';
import { z } from 'zod';
import { deleteLink, type IncidentLink, listLinks, writeLink } from '../../links/incident-links.ts';
import type { AppEnv } from '../app.ts';
import { requireActor } from '../auth.ts';
import { badRequest } from '../errors.ts';

const writeBody = z
  .object({
    incidentId: z.string().min(1).max(64),
    deploymentId: z.string().min(1).max(128),
    action: z.enum(['link', 'unlink']),
    note: z.string().nullable().optional(),
    version: z.number().int().min(0).optional(),
  })
  .strict();

function explain(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

export const incidentLinkRoutes = new Hono<AppEnv>()
  .get('/incident-links', async (c) => {
    const incident = c.req.query('incident');
    const deployment = c.req.query('deployment');
    if (!incident && !deployment) {
      throw badRequest('Give incident=ID or deployment=ID.', 'Example: /api/incident-links?deployment=123');
    }
    const items = await listLinks(c.get('deps').db, {
      ...(incident ? { incident } : {}),
      ...(deployment ? { deployment } : {}),
    });
    return c.json({ items }) as unknown as TypedResponse<{ items: IncidentLink[] }, 200, 'json'>;
  })
  .post('/incident-links', async (c) => {
    const actor = requireActor(c);
    const parsed = writeBody.safeParse(await c.req.json());
    if (!parsed.success) {
      throw badRequest(
        `Bad link: ${explain(parsed.error)}.`,
        'Send {"incidentId": "…", "deploymentId": "…", "action": "link" | "unlink", "note": "…", "version": N}.',
      );
    }
    const { db, config } = c.get('deps');
    const result = await writeLink(db, config, parsed.data, actor);
    return c.json(result, result.created ? 201 : 200);
  })
  .delete('/incident-links/:incidentId/:deploymentId', async (c) => {
    const actor = requireActor(c);
    const text = c.req.query('version');
    const version = text === undefined ? undefined : Number(text);
    if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
      throw badRequest(`version must be a positive whole number; got "${text}".`);
    }
    const { db, config } = c.get('deps');
    const result = await deleteLink(
      db,
      config,
      { incidentId: c.req.param('incidentId'), deploymentId: c.req.param('deploymentId'), version },
      actor,
    );
    return c.json(result);
  });
