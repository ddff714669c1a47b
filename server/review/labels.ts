// Reviewers' labels (review_labels): actionable or non-actionable, a reason from METRICS.md's list,
// a note, per PagerDuty incident id. One write labels any number of incidents (a whole alert rule,
// a selection) and is all-or-nothing: one transaction with its audit rows, so a crash mid-write
// leaves every label as it was or every label written, never a part.
//
// Optimistic concurrency: each item carries the version the reviewer saw (0 when the incident had
// no label). If any stored version differs, nothing is written and the answer is a 409 with the
// current rows of the stale items, so the page can show what the other reviewer decided.
//
// Fields left out of a write are kept per incident (labelling a rule non-actionable keeps each
// incident's own note); a reason implies non-actionable; actionable clears the reason; label null
// removes the label, so the suggestion stands again. The derived label columns of the incidents
// are updated in the same transaction (derived.ts), so the metrics show the write at once.
import { ApiError, badRequest, conflict, notFound } from '../api/errors.ts';
import type { VigilConfig } from '../config/schema.ts';
import type { Database, WriteTx } from '../db/index.ts';
import { type AuditEntry, appendAudit } from './audit.ts';
import { applyLabelsToDerived } from './derived.ts';
import {
  type LabelValue,
  type LabelWriteResult,
  labelValues,
  limits,
  type ReasonValue,
  reasonValues,
  type StoredLabel,
} from './types.ts';

export interface LabelWrite {
  items: { incidentId: string; version: number }[];
  label?: LabelValue | null;
  reason?: ReasonValue | null;
  note?: string | null;
}

const SELECT = `SELECT incident_id AS "incidentId", label, reason, note, labelled_by AS "labelledBy",
  strftime(labelled_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS "labelledAt", version FROM review_labels`;

/** Validate the shape and values of a label write; every message names what is allowed. */
export function parseLabelWrite(body: unknown): LabelWrite {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(
      'The body must be a JSON object.',
      'Send {"items": [{"incidentId": "…", "version": 0}], "label": "non_actionable", "reason": "duplicate", "note": "…"}.',
    );
  }
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !['items', 'label', 'reason', 'note'].includes(k));
  if (unknown.length > 0) {
    throw badRequest(`Unknown field ${unknown.map((k) => `"${k}"`).join(', ')}.`, 'Fields: items, label, reason, note.');
  }
  if (!Array.isArray(b.items) || b.items.length === 0) {
    throw badRequest(
      'items must be a non-empty list of {"incidentId": "…", "version": N}.',
      'version is the one you loaded (0 when unlabelled).',
    );
  }
  if (b.items.length > limits.labelItems) {
    throw new ApiError(
      413,
      'payload_too_large',
      `One write may label at most ${limits.labelItems} incidents; this one lists ${b.items.length}.`,
      'Split the selection into several writes.',
    );
  }
  const seen = new Set<string>();
  const items = b.items.map((raw, i) => {
    const item = raw as Record<string, unknown> | null;
    const id = item?.incidentId;
    const version = item?.version ?? 0;
    if (typeof id !== 'string' || id.trim() === '' || id.length > 64) {
      throw badRequest(`items[${i}].incidentId must be a PagerDuty incident id (1-64 characters).`);
    }
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
      throw badRequest(`items[${i}].version must be a whole number >= 0 (the version you loaded; 0 when unlabelled).`);
    }
    if (seen.has(id)) throw badRequest(`Incident ${id} is listed twice in items.`, 'List each incident once.');
    seen.add(id);
    return { incidentId: id, version };
  });
  const out: LabelWrite = { items };
  if ('label' in b) {
    if (b.label !== null && !labelValues.includes(b.label as LabelValue)) {
      throw badRequest(
        `label must be one of ${labelValues.join(', ')} (or null to remove the label); got ${JSON.stringify(b.label)}.`,
        undefined,
        { parameter: 'label', allowed: [...labelValues] },
      );
    }
    out.label = b.label as LabelValue | null;
  }
  if ('reason' in b) {
    if (b.reason !== null && !reasonValues.includes(b.reason as ReasonValue)) {
      throw badRequest(
        `reason must be one of ${reasonValues.join(', ')} (or null); got ${JSON.stringify(b.reason)}.`,
        'Reasons explain a non-actionable label (METRICS.md "Noise").',
        { parameter: 'reason', allowed: [...reasonValues] },
      );
    }
    out.reason = b.reason as ReasonValue | null;
  }
  if ('note' in b) {
    if (b.note !== null && typeof b.note !== 'string') throw badRequest('note must be text (or null to remove it).');
    const note = typeof b.note === 'string' ? b.note : null;
    if (note !== null && note.length > limits.labelNote) {
      throw new ApiError(
        413,
        'payload_too_large',
        `The note has ${note.length} characters; a label's note keeps at most ${limits.labelNote}.`,
        'Shorten it, or link to a longer write-up (a follow-up has a link field).',
        { limit: limits.labelNote },
      );
    }
    out.note = note;
  }
  if (!('label' in out) && !('reason' in out) && !('note' in out)) {
    throw badRequest('Say what to write: label, reason or note (or label null to remove labels).');
  }
  if (out.label === null && (out.reason || out.note)) {
    throw badRequest('label null removes the labels, with their reason and note; send no reason or note with it.');
  }
  if (out.label === 'actionable' && out.reason) {
    throw badRequest(
      `A reason only goes with non_actionable (got reason "${out.reason}" with actionable).`,
      'Send label "non_actionable" with the reason, or no reason.',
      { parameter: 'reason' },
    );
  }
  return out;
}

async function currentRows(tx: Pick<WriteTx, 'all'>, ids: readonly string[]): Promise<Map<string, StoredLabel>> {
  const rows = await tx.all<StoredLabel>(`${SELECT} WHERE incident_id IN (SELECT unnest($ids))`, { ids: [...ids] });
  return new Map(rows.map((r) => [r.incidentId, r]));
}

export async function readLabels(db: Pick<Database, 'all'>, ids: readonly string[]): Promise<StoredLabel[]> {
  return [...(await currentRows(db, ids)).values()];
}

type Desired = Omit<StoredLabel, 'labelledBy' | 'labelledAt' | 'version'>;

function merge(write: LabelWrite, before: StoredLabel | undefined, incidentId: string): Desired | null | 'invalid' {
  if (write.label === null) return null;
  let label = write.label ?? before?.label;
  if (write.reason) label = write.label ?? 'non_actionable';
  if (!label) return 'invalid';
  const reason = label === 'actionable' ? null : write.reason !== undefined ? write.reason : (before?.reason ?? null);
  const note = write.note !== undefined ? (write.note?.trim() ? write.note.trim() : null) : (before?.note ?? null);
  return { incidentId, label, reason, note };
}

const same = (a: StoredLabel | undefined, b: Desired) =>
  a !== undefined && a.label === b.label && a.reason === b.reason && a.note === b.note;

/** Apply a label write; answers 404 for unknown incidents and 409 for stale versions, writing nothing. */
export async function writeLabels(
  db: Database,
  config: VigilConfig,
  write: LabelWrite,
  actor: string,
): Promise<LabelWriteResult> {
  const ids = write.items.map((i) => i.incidentId);
  return db.write(async (tx) => {
    const known = await tx.all<{ id: string }>('SELECT id FROM incidents WHERE id IN (SELECT unnest($ids))', { ids });
    const knownIds = new Set(known.map((r) => r.id));
    const missing = ids.filter((id) => !knownIds.has(id));
    if (missing.length > 0) {
      throw notFound(
        `No incident ${missing
          .slice(0, 10)
          .map((id) => `"${id}"`)
          .join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}; nothing was labelled.`,
        'Labels are kept per PagerDuty incident id; reload the review to get the current incidents.',
        { missing: missing.slice(0, 100) },
      );
    }
    const before = await currentRows(tx, ids);
    const stale = write.items.filter((i) => (before.get(i.incidentId)?.version ?? 0) !== i.version);
    if (stale.length > 0) {
      const current = stale.map((i) => before.get(i.incidentId) ?? { incidentId: i.incidentId, removed: true });
      const first = before.get(stale[0]?.incidentId ?? '');
      const who = first
        ? ` (${first.labelledBy} labelled incident ${first.incidentId} ${first.label.replace('_', '-')} at ${first.labelledAt})`
        : ' (a label was removed)';
      throw conflict(
        `${stale.length === 1 ? 'An incident' : `${stale.length} of the ${ids.length} incidents`} changed since you loaded ${
          stale.length === 1 ? 'it' : 'them'
        }${who}; nothing was saved.`,
        'Look at the current labels, then apply yours again if they still stand.',
        { current, yourVersions: Object.fromEntries(stale.map((i) => [i.incidentId, i.version])) },
      );
    }
    const upserts: Desired[] = [];
    const deletes: string[] = [];
    const unchanged: string[] = [];
    for (const id of ids) {
      const old = before.get(id);
      const next = merge(write, old, id);
      if (next === 'invalid') {
        throw badRequest(
          `Incident ${id} has no label yet: give label (actionable or non_actionable) along with the note.`,
          undefined,
          { parameter: 'label', allowed: [...labelValues] },
        );
      }
      if (next === null) {
        if (old) deletes.push(id);
        else unchanged.push(id);
      } else if (same(old, next)) unchanged.push(id);
      else upserts.push(next);
    }
    if (upserts.length > 0) {
      await tx.stage(
        't_review_labels',
        ['incident_id', 'label', 'reason', 'note'],
        upserts.map((u) => [u.incidentId, u.label, u.reason, u.note]),
      );
      await tx.run(
        `INSERT INTO review_labels (incident_id, label, reason, note, labelled_by, labelled_at, version)
         SELECT incident_id, label, reason, note, $actor, now(), 1 FROM t_review_labels
         ON CONFLICT (incident_id) DO UPDATE SET label = excluded.label, reason = excluded.reason, note = excluded.note,
           labelled_by = excluded.labelled_by, labelled_at = excluded.labelled_at, version = review_labels.version + 1`,
        { actor },
      );
      await tx.run('DROP TABLE t_review_labels');
    }
    if (deletes.length > 0) {
      await tx.run('DELETE FROM review_labels WHERE incident_id IN (SELECT unnest($ids))', { ids: deletes });
    }
    const after = await currentRows(
      tx,
      upserts.map((u) => u.incidentId),
    );
    const audit: AuditEntry[] = [
      ...upserts.map((u) => ({
        key: u.incidentId,
        action: before.has(u.incidentId) ? ('update' as const) : ('insert' as const),
        before: before.get(u.incidentId) ?? null,
        after: after.get(u.incidentId) ?? null,
      })),
      ...deletes.map((id) => ({ key: id, action: 'delete' as const, before: before.get(id), after: null })),
    ];
    await appendAudit(tx, 'review_labels', audit, actor);
    await applyLabelsToDerived(tx, config, [...upserts.map((u) => u.incidentId), ...deletes]);
    return {
      items: [...after.values(), ...unchanged.flatMap((id) => before.get(id) ?? [])],
      cleared: deletes,
      unchanged,
    };
  });
}
