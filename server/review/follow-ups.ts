// Follow-up actions per alert rule (follow_ups): "raise the disk threshold to 95%", with a link to
// the ticket, an owner and a done flag. Keyed by the alert-rule signature, so a follow-up stays with
// its rule through every resync. Opened in a review week, it is shown in every later week's review
// of the same team (or schedule) until it is done, and in the week it was closed.
//
// Every change is checked against the version the writer loaded (409 with the current row when
// someone else changed it first) and appended to user_audit in the same transaction.
import { randomUUID } from 'node:crypto';
import { ApiError, badRequest, conflict, notFound } from '../api/errors.ts';
import type { Database, QueryRunner, WriteTx } from '../db/index.ts';
import { appendAudit } from './audit.ts';
import type { FollowUp, ReviewScope } from './types.ts';
import { limits } from './types.ts';

const COLUMNS = `f.id, f.team_id AS "scopeKey", f.rule_signature AS "ruleSignature",
  (SELECT any_value(i.rule_title) FROM d_incidents i WHERE i.signature = f.rule_signature) AS "ruleTitle",
  f.title, f.url, f.owner, f.done, strftime(f.opened_week, '%Y-%m-%d') AS "openedWeek", f.created_by AS "createdBy",
  strftime(f.created_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS "createdAt", strftime(f.done_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS "doneAt",
  f.updated_by AS "updatedBy", strftime(f.updated_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS "updatedAt", f.version`;

type StoredFollowUp = Omit<FollowUp, 'carriedOver'>;

export interface FollowUpFields {
  title?: string;
  url?: string | null;
  owner?: string | null;
  done?: boolean;
}

export interface FollowUpCreate extends FollowUpFields {
  ruleSignature: string;
  week: string;
  title: string;
}

function tooLong(field: string, length: number, max: number): ApiError {
  return new ApiError(
    413,
    'payload_too_large',
    `The ${field} has ${length} characters; at most ${max} are kept.`,
    `Shorten the ${field}.`,
    {
      parameter: field,
      limit: max,
    },
  );
}

/** Validate the editable fields (shared by create and update). */
export function parseFollowUpFields(b: Record<string, unknown>, allowed: readonly string[]): FollowUpFields {
  const unknown = Object.keys(b).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw badRequest(`Unknown field ${unknown.map((k) => `"${k}"`).join(', ')}.`, `Fields: ${allowed.join(', ')}.`);
  }
  const out: FollowUpFields = {};
  if ('title' in b) {
    if (typeof b.title !== 'string' || b.title.trim() === '') {
      throw badRequest('title must be a short sentence saying what to do (not empty).', undefined, { parameter: 'title' });
    }
    if (b.title.trim().length > limits.followUpTitle) throw tooLong('title', b.title.trim().length, limits.followUpTitle);
    out.title = b.title.trim();
  }
  if ('url' in b) {
    if (b.url === null || b.url === '') out.url = null;
    else {
      if (typeof b.url !== 'string') throw badRequest('url must be an http(s) link or null.', undefined, { parameter: 'url' });
      const url = b.url.trim();
      if (url.length > limits.followUpUrl) throw tooLong('url', url.length, limits.followUpUrl);
      let ok = false;
      try {
        ok = /^https?:$/.test(new URL(url).protocol);
      } catch {
        ok = false;
      }
      if (!ok) {
        throw badRequest(`url must be an http(s) link, e.g. https://tracker.example.com/OPS-12; got "${url}".`, undefined, {
          parameter: 'url',
        });
      }
      out.url = url;
    }
  }
  if ('owner' in b) {
    if (b.owner === null || b.owner === '') out.owner = null;
    else {
      if (typeof b.owner !== 'string') throw badRequest('owner must be a name or null.', undefined, { parameter: 'owner' });
      if (b.owner.trim().length > limits.followUpOwner) throw tooLong('owner', b.owner.trim().length, limits.followUpOwner);
      out.owner = b.owner.trim() || null;
    }
  }
  if ('done' in b) {
    if (typeof b.done !== 'boolean') throw badRequest('done must be true or false.', undefined, { parameter: 'done' });
    out.done = b.done;
  }
  return out;
}

async function readOne(db: Pick<QueryRunner, 'one'>, id: string): Promise<StoredFollowUp | undefined> {
  return db.one<StoredFollowUp>(`SELECT ${COLUMNS} FROM follow_ups f WHERE f.id = $id`, { id });
}

async function ruleExists(db: Pick<QueryRunner, 'one'>, signature: string): Promise<boolean> {
  const row = await db.one('SELECT 1 AS ok FROM d_incidents WHERE signature = $s LIMIT 1', { s: signature });
  return row !== undefined;
}

export async function createFollowUp(db: Database, scope: ReviewScope, input: FollowUpCreate, actor: string): Promise<FollowUp> {
  if (!(await ruleExists(db, input.ruleSignature))) {
    throw notFound(
      `No alert rule "${input.ruleSignature}".`,
      'Follow-ups belong to an alert rule of the review; reload the review to get the current rules.',
    );
  }
  const id = randomUUID();
  const row = await db.write(async (tx) => {
    await tx.run(
      `INSERT INTO follow_ups (id, team_id, rule_signature, title, url, owner, done, opened_week, created_by, created_at, done_at,
         updated_by, updated_at, version)
       VALUES ($id, $scope, $rule, $title, $url, $owner, $done, CAST($week AS DATE), $actor, now(),
         CASE WHEN $done THEN now() END, $actor, now(), 1)`,
      {
        id,
        scope: scope.key,
        rule: input.ruleSignature,
        title: input.title,
        url: input.url ?? null,
        owner: input.owner ?? null,
        done: input.done ?? false,
        week: input.week,
        actor,
      },
    );
    const after = (await readOne(tx, id)) as StoredFollowUp;
    await appendAudit(tx, 'follow_ups', [{ key: id, action: 'insert', before: null, after }], actor);
    return after;
  });
  return { ...row, carriedOver: false };
}

function staleFollowUp(now: StoredFollowUp, seen: number): ApiError {
  return conflict(
    `${now.updatedBy} changed this follow-up at ${now.updatedAt} (version ${now.version}; you loaded version ${seen}); your change was not saved.`,
    'Look at the current follow-up, then apply your change again if it still stands.',
    { current: now, yourVersion: seen },
  );
}

async function lockedCurrent(tx: WriteTx, id: string): Promise<StoredFollowUp> {
  const before = await readOne(tx, id);
  if (!before) throw notFound(`No follow-up "${id}".`, 'It may have been deleted; reload the review.');
  return before;
}

export async function updateFollowUp(
  db: Database,
  id: string,
  fields: FollowUpFields,
  version: number,
  actor: string,
): Promise<FollowUp> {
  const row = await db.write(async (tx) => {
    const before = await lockedCurrent(tx, id);
    if (before.version !== version) throw staleFollowUp(before, version);
    const next = {
      title: fields.title ?? before.title,
      url: fields.url !== undefined ? fields.url : before.url,
      owner: fields.owner !== undefined ? fields.owner : before.owner,
      done: fields.done ?? before.done,
    };
    if (next.title === before.title && next.url === before.url && next.owner === before.owner && next.done === before.done) {
      return before;
    }
    await tx.run(
      `UPDATE follow_ups SET title = $title, url = $url, owner = $owner, done = $done,
         done_at = CASE WHEN $done AND NOT done THEN now() WHEN $done THEN done_at END,
         updated_by = $actor, updated_at = now(), version = version + 1
       WHERE id = $id`,
      { id, ...next, actor },
    );
    const after = (await readOne(tx, id)) as StoredFollowUp;
    await appendAudit(tx, 'follow_ups', [{ key: id, action: 'update', before, after }], actor);
    return after;
  });
  return { ...row, carriedOver: false };
}

export async function deleteFollowUp(db: Database, id: string, version: number, actor: string): Promise<StoredFollowUp> {
  return db.write(async (tx) => {
    const before = await lockedCurrent(tx, id);
    if (before.version !== version) throw staleFollowUp(before, version);
    await tx.run('DELETE FROM follow_ups WHERE id = $id', { id });
    await appendAudit(tx, 'follow_ups', [{ key: id, action: 'delete', before, after: null }], actor);
    return before;
  });
}

/**
 * The follow-ups to show in a review week: those of the scope or of the week's rules, opened in
 * this week or before, and still open or closed this week or later.
 */
export async function followUpsForWeek(
  db: QueryRunner,
  scope: ReviewScope,
  week: { start: string; lo: string },
  signatures: readonly string[],
): Promise<FollowUp[]> {
  const rows = await db.all<StoredFollowUp>(
    `SELECT ${COLUMNS} FROM follow_ups f
     WHERE (f.team_id = $scope OR f.rule_signature IN (SELECT unnest($sigs)))
       AND f.opened_week <= CAST($week AS DATE)
       AND (NOT f.done OR f.done_at >= CAST($lo AS TIMESTAMPTZ))
     ORDER BY f.done, f.created_at, f.id`,
    { scope: scope.key, sigs: [...signatures], week: week.start, lo: week.lo },
  );
  return rows.map((r) => ({ ...r, carriedOver: r.openedWeek < week.start && !r.done }));
}
