// What a labelling command means for each incident it covers, as pure functions: the writes to
// send (one bulk write per distinct body, so "accept the suggestions" of a mixed rule is two) and
// the label the page shows at once, before the server answers. The merge mirrors the server's
// (server/review/labels.ts): fields left out are kept, a reason means non-actionable, actionable
// drops the reason.
import type { LabelValue, ReasonValue, StoredLabel } from './types.ts';

export type Intent =
  | { kind: 'label'; label: LabelValue }
  | { kind: 'reason'; reason: ReasonValue }
  | { kind: 'accept' }
  | { kind: 'clear' }
  | { kind: 'note'; note: string };

export interface Target {
  incidentId: string;
  suggested: LabelValue;
  stored: Pick<StoredLabel, 'label' | 'reason' | 'note'> | null;
}

export interface WriteBody {
  label?: LabelValue | null;
  reason?: ReasonValue | null;
  note?: string | null;
}

export interface PlannedWrite {
  incidentIds: string[];
  body: WriteBody;
}

export type Shown = Pick<StoredLabel, 'label' | 'reason' | 'note'> | null;

/** The writes a command needs; incidents it would not change are left out. */
export function planWrites(targets: readonly Target[], intent: Intent): PlannedWrite[] {
  const groups = new Map<string, PlannedWrite>();
  const add = (id: string, body: WriteBody) => {
    const key = JSON.stringify(body);
    const group = groups.get(key) ?? { incidentIds: [], body };
    group.incidentIds.push(id);
    groups.set(key, group);
  };
  for (const t of targets) {
    const now = preview(t, intent);
    const before = t.stored;
    if (
      now === null
        ? before === null
        : before !== null && now.label === before.label && now.reason === before.reason && now.note === before.note
    ) {
      continue;
    }
    switch (intent.kind) {
      case 'label':
        add(t.incidentId, { label: intent.label });
        break;
      case 'reason':
        add(t.incidentId, { label: 'non_actionable', reason: intent.reason });
        break;
      case 'accept':
        add(t.incidentId, { label: t.suggested });
        break;
      case 'clear':
        add(t.incidentId, { label: null });
        break;
      case 'note':
        add(t.incidentId, before ? { note: now?.note ?? null } : { label: t.suggested, note: now?.note ?? null });
        break;
    }
  }
  return [...groups.values()];
}

/** The label an incident shows once the command is applied. */
export function preview(t: Target, intent: Intent): Shown {
  const before = t.stored;
  switch (intent.kind) {
    case 'clear':
      return null;
    case 'label':
      return {
        label: intent.label,
        reason: intent.label === 'actionable' ? null : (before?.reason ?? null),
        note: before?.note ?? null,
      };
    case 'reason':
      return { label: 'non_actionable', reason: intent.reason, note: before?.note ?? null };
    case 'accept':
      return {
        label: t.suggested,
        reason: t.suggested === 'actionable' ? null : (before?.reason ?? null),
        note: before?.note ?? null,
      };
    case 'note': {
      const note = intent.note.trim() ? intent.note.trim() : null;
      return before ? { ...before, note } : { label: t.suggested, reason: null, note };
    }
  }
}
