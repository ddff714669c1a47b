// The hand-off note of a review week (review_notes, one per team or schedule and week): what the
// next on-call person should know. Written whole each time, with the version the writer loaded
// (0 for a week without a note): a stale write is a 409 with the current note, never an overwrite.
import { ApiError, badRequest, conflict } from '../api/errors.ts';
import type { Database, QueryRunner } from '../db/index.ts';
import { appendAudit } from './audit.ts';
import type { HandOffNote, ReviewScope } from './types.ts';
import { limits } from './types.ts';

const SELECT = `SELECT team_id AS "scopeKey", strftime(week_start, '%Y-%m-%d') AS week, body, updated_by AS "updatedBy",
  strftime(updated_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS "updatedAt", version FROM review_notes`;

export async function readNote(db: Pick<QueryRunner, 'one'>, scope: ReviewScope, week: string): Promise<HandOffNote> {
  const row = await db.one<HandOffNote>(`${SELECT} WHERE team_id = $scope AND week_start = CAST($week AS DATE)`, {
    scope: scope.key,
    week,
  });
  return row ?? { scopeKey: scope.key, week, body: '', updatedBy: null, updatedAt: null, version: 0 };
}

export function parseNoteBody(body: unknown): string {
  if (typeof body !== 'string')
    throw badRequest('body must be the note as text ("" to empty it).', undefined, { parameter: 'body' });
  if (body.length > limits.handOffNote) {
    throw new ApiError(
      413,
      'payload_too_large',
      `The hand-off note has ${body.length} characters; at most ${limits.handOffNote} are kept.`,
      'Shorten it, or link to a longer document.',
      { limit: limits.handOffNote },
    );
  }
  return body;
}

export async function writeNote(
  db: Database,
  scope: ReviewScope,
  week: string,
  body: string,
  version: number,
  actor: string,
): Promise<HandOffNote> {
  return db.write(async (tx) => {
    const before = await readNote(tx, scope, week);
    if (before.version !== version) {
      throw conflict(
        before.version === 0
          ? 'Someone removed this note since you loaded it; your change was not saved.'
          : `${before.updatedBy} changed this note at ${before.updatedAt} (version ${before.version}; you loaded version ${version}); your change was not saved.`,
        'Read the current note, merge your text into it, and save again.',
        { current: before, yourVersion: version },
      );
    }
    if (before.version > 0 && before.body === body) return before;
    await tx.run(
      `INSERT INTO review_notes (team_id, week_start, body, updated_by, updated_at, version)
       VALUES ($scope, CAST($week AS DATE), $body, $actor, now(), 1)
       ON CONFLICT (team_id, week_start) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by,
         updated_at = excluded.updated_at, version = review_notes.version + 1`,
      { scope: scope.key, week, body, actor },
    );
    const after = await readNote(tx, scope, week);
    await appendAudit(
      tx,
      'review_notes',
      [
        {
          key: `${scope.key}|${week}`,
          action: before.version === 0 ? 'insert' : 'update',
          before: before.version ? before : null,
          after,
        },
      ],
      actor,
    );
    return after;
  });
}
