// The audit trail of reviewers' writes: every change to a label, follow-up or hand-off note is
// appended to user_audit (before and after as JSON, who, when) in the same transaction as the
// change itself, so the trail and the data can never disagree, even after a crash.
import type { WriteTx } from '../db/index.ts';

export type AuditEntity = 'review_labels' | 'follow_ups' | 'review_notes';

export interface AuditEntry {
  key: string;
  action: 'insert' | 'update' | 'delete';
  before: unknown;
  after: unknown;
}

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/** Append audit rows; many at once go through the appender (one statement, however many rows). */
export async function appendAudit(
  tx: WriteTx,
  entity: AuditEntity,
  entries: readonly AuditEntry[],
  actor: string,
): Promise<void> {
  if (entries.length === 0) return;
  if (entries.length <= 3) {
    for (const e of entries) {
      await tx.run(
        `INSERT INTO user_audit (entity, entity_key, action, before_json, after_json, actor, occurred_at)
         VALUES ($entity, $key, $action, $before, $after, $actor, now())`,
        { entity, key: e.key, action: e.action, before: json(e.before), after: json(e.after), actor },
      );
    }
    return;
  }
  await tx.stage(
    't_review_audit',
    ['entity_key', 'action', 'before_json', 'after_json'],
    entries.map((e) => [e.key, e.action, json(e.before), json(e.after)]),
  );
  await tx.run(
    `INSERT INTO user_audit (entity, entity_key, action, before_json, after_json, actor, occurred_at)
     SELECT $entity, entity_key, action, before_json, after_json, $actor, now() FROM t_review_audit`,
    { entity, actor },
  );
  await tx.run('DROP TABLE t_review_audit');
}
