// Reviewers' manual incident <-> deployment links (METRICS.md "Incident attribution", rule 2):
// stored in the user-owned table incident_links, which no sync or rebuild touches, with who and
// when, and an audit row per change. Every write is checked against the version the reviewer saw
// (optimistic concurrency): a stale write is refused with the current value, never applied over
// someone else's change. After a write the derived attribution is refreshed, so the dashboard and
// the metrics show the decision at once.
//
// One row per (incident, deployment): action 'link' (this deployment caused it) or 'unlink' (it
// did not; the deployment leaves the explicit and window candidates). Deployment '*' with
// 'unlink' means "caused by no deployment". Deleting the row returns the incident to the
// automatic rules.

import { ApiError, badRequest, conflict, notFound } from '../api/errors.ts';
import type { VigilConfig } from '../config/schema.ts';
import type { Database, WriteTx } from '../db/index.ts';
import { refreshDerived } from '../metrics/refresh.ts';

export const MAX_NOTE_CHARS = 2000;
export const NO_DEPLOYMENT = '*';

export interface IncidentLink {
  incidentId: string;
  deploymentId: string;
  action: 'link' | 'unlink';
  note: string | null;
  createdBy: string;
  createdAt: string;
  version: number;
}

export interface Attribution {
  incidentId: string;
  cause: string | null;
  method: string | null;
  deploymentId: string | null;
  evidenceText: string | null;
}

export interface LinkInput {
  incidentId: string;
  deploymentId: string;
  action: 'link' | 'unlink';
  note?: string | null;
  /** The version the reviewer saw; absent (or 0) when they saw no manual decision. */
  version?: number;
}

const SELECT = `SELECT incident_id AS "incidentId", deployment_id AS "deploymentId", action, note,
  created_by AS "createdBy", created_at AS "createdAt", version FROM incident_links`;

export async function listLinks(db: Pick<Database, 'all'>, filter: { incident?: string; deployment?: string }) {
  const where: string[] = [];
  if (filter.incident) where.push('incident_id = $incident');
  if (filter.deployment) where.push('deployment_id = $deployment');
  return db.all<IncidentLink>(
    `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, incident_id, deployment_id`,
    {
      ...(filter.incident ? { incident: filter.incident } : {}),
      ...(filter.deployment ? { deployment: filter.deployment } : {}),
    },
  );
}

async function current(tx: Pick<WriteTx, 'one'>, incidentId: string, deploymentId: string) {
  return tx.one<IncidentLink>(`${SELECT} WHERE incident_id = $i AND deployment_id = $d`, { i: incidentId, d: deploymentId });
}

async function attribution(db: Pick<Database, 'one'>, incidentId: string): Promise<Attribution> {
  const row = await db.one<Attribution>(
    `SELECT incident_id AS "incidentId", cause, method, deployment_id AS "deploymentId", evidence_text AS "evidenceText"
     FROM d_attribution WHERE incident_id = $id`,
    { id: incidentId },
  );
  return row ?? { incidentId, cause: null, method: null, deploymentId: null, evidenceText: null };
}

async function audit(tx: WriteTx, key: string, action: string, before: unknown, after: unknown, actor: string) {
  await tx.run(
    `INSERT INTO user_audit (entity, entity_key, action, before_json, after_json, actor, occurred_at)
     VALUES ('incident_links', $key, $action, $before, $after, $actor, now())`,
    {
      key,
      action,
      before: before ? JSON.stringify(before) : null,
      after: after ? JSON.stringify(after) : null,
      actor,
    },
  );
}

/** Check the input names a known incident and a successful production deployment. */
async function validate(db: Pick<Database, 'one'>, input: LinkInput): Promise<void> {
  if (input.action !== 'link' && input.action !== 'unlink') {
    throw badRequest(`action must be "link" or "unlink"; got "${String(input.action)}".`, 'Allowed values: link, unlink.', {
      allowed: ['link', 'unlink'],
    });
  }
  if (input.note && input.note.length > MAX_NOTE_CHARS) {
    throw new ApiError(
      413,
      'payload_too_large',
      `The note has ${input.note.length} characters; at most ${MAX_NOTE_CHARS} are kept.`,
      'Shorten the note, or link to a longer write-up.',
    );
  }
  const incident = await db.one('SELECT 1 AS ok FROM incidents WHERE id = $id', { id: input.incidentId });
  if (!incident) throw notFound(`No incident "${input.incidentId}".`, 'GET /api/incidents lists them.');
  if (input.deploymentId === NO_DEPLOYMENT) {
    if (input.action !== 'unlink') {
      throw badRequest('Deployment "*" means "caused by no deployment" and only goes with action "unlink".');
    }
    return;
  }
  const deployment = await db.one<{ production: boolean; outcome: string }>(
    'SELECT production, outcome FROM d_deployments WHERE id = $id',
    { id: input.deploymentId },
  );
  if (!deployment) throw notFound(`No deployment "${input.deploymentId}".`, 'GET /api/deployments lists them.');
  if (input.action === 'link' && !(deployment.production && deployment.outcome === 'success')) {
    throw badRequest(
      `Deployment ${input.deploymentId} is not a successful production deployment, so it cannot have caused an incident.`,
      'Link the incident to the production deployment that shipped the change.',
    );
  }
}

function stale(now: IncidentLink | undefined, seen: number | undefined): ApiError {
  return conflict(
    now
      ? `${now.createdBy} changed this link at ${now.createdAt} (version ${now.version}); your change was not saved.`
      : 'Someone removed this link since you loaded it; your change was not saved.',
    'Reload to see the current decision, then apply yours again if it still stands.',
    { current: now ?? null, yourVersion: seen ?? 0 },
  );
}

/** Create or change a manual decision; returns the stored row and the incident's new attribution. */
export async function writeLink(db: Database, config: VigilConfig, input: LinkInput, actor: string) {
  await validate(db, input);
  const note = input.note?.trim() ? input.note.trim() : null;
  const link = await db.write(async (tx) => {
    const before = await current(tx, input.incidentId, input.deploymentId);
    const seen = input.version ?? 0;
    if ((before?.version ?? 0) !== seen) throw stale(before, input.version);
    await tx.run(
      `INSERT INTO incident_links (incident_id, deployment_id, action, note, created_by, created_at, version)
       VALUES ($i, $d, $action, $note, $actor, now(), 1)
       ON CONFLICT (incident_id, deployment_id) DO UPDATE SET action = excluded.action, note = excluded.note,
         created_by = excluded.created_by, created_at = excluded.created_at, version = incident_links.version + 1`,
      { i: input.incidentId, d: input.deploymentId, action: input.action, note, actor },
    );
    const after = await current(tx, input.incidentId, input.deploymentId);
    await audit(tx, `${input.incidentId}|${input.deploymentId}`, before ? 'update' : 'insert', before, after, actor);
    return after as IncidentLink;
  });
  await refreshDerived(db, config);
  return { link, created: link.version === 1, attribution: await attribution(db, input.incidentId) };
}

/** Remove a manual decision (the automatic rules decide again). */
export async function deleteLink(
  db: Database,
  config: VigilConfig,
  key: { incidentId: string; deploymentId: string; version: number | undefined },
  actor: string,
) {
  const removed = await db.write(async (tx) => {
    const before = await current(tx, key.incidentId, key.deploymentId);
    if (!before) {
      throw notFound(
        `No manual link between incident ${key.incidentId} and deployment ${key.deploymentId}.`,
        'GET /api/incident-links?incident=… lists the manual decisions.',
      );
    }
    if (key.version === undefined) {
      throw badRequest('Say which version you are removing: ?version=N (the version you loaded).', undefined, {
        current: before,
      });
    }
    if (before.version !== key.version) throw stale(before, key.version);
    await tx.run('DELETE FROM incident_links WHERE incident_id = $i AND deployment_id = $d', {
      i: key.incidentId,
      d: key.deploymentId,
    });
    await audit(tx, `${key.incidentId}|${key.deploymentId}`, 'delete', before, null, actor);
    return before;
  });
  await refreshDerived(db, config);
  return { removed, attribution: await attribution(db, key.incidentId) };
}
