// The state of one review page: the week's answer, the cursor and selection the keyboard moves,
// the open rules, and the labels as the page shows them. A label command shows at once (an
// overlay per incident) and is sent in order through one queue, each write carrying the versions
// confirmed so far; the server's answer replaces the overlay. A 409 puts the other reviewer's
// labels on screen and keeps the command so it can be applied again; nothing is silently lost.
import { batch, computed, effect, signal } from '@preact/signals';
import { type ApiClient, ApiFailure } from '../../api/client.ts';
import { toFailure } from '../../models/data.ts';
import type { PrefsModel } from '../../models/prefs.ts';
import { type Intent, type PlannedWrite, planWrites, preview, type Shown, type Target } from './label-plan.ts';
import type { FollowUp, HandOffNote, LabelWriteResult, ReviewIncident, ReviewRule, ReviewView, StoredLabel } from './types.ts';

export interface Row {
  key: string;
  kind: 'rule' | 'incident';
  rule: ReviewRule;
  incident?: ReviewIncident;
}

export interface LabelConflict {
  id: number;
  message: string;
  /** The labels as they are now, by whoever changed them. */
  current: (StoredLabel | { incidentId: string; removed: true })[];
  /** Apply the refused write again on top of the current versions. */
  retry: PlannedWrite;
}

export const ruleKey = (r: ReviewRule) => `r:${r.signature}`;
export const incidentKey = (i: ReviewIncident) => `i:${i.id}`;

export class ReviewModel {
  readonly view = signal<ReviewView | null>(null);
  readonly status = signal<'loading' | 'ready' | 'error'>('loading');
  readonly error = signal<ApiFailure | null>(null);
  /** The reviewers' labels as confirmed by the server, by incident. */
  readonly labels = signal<ReadonlyMap<string, StoredLabel | null>>(new Map());
  /** Labels shown before the server confirmed them. */
  readonly overlays = signal<ReadonlyMap<string, Shown>>(new Map());
  readonly open = signal<ReadonlySet<string>>(new Set());
  readonly selected = signal<ReadonlySet<string>>(new Set());
  readonly cursorKey = signal<string | null>(null);
  readonly conflicts = signal<LabelConflict[]>([]);
  readonly writeError = signal<ApiFailure | null>(null);
  readonly saving = signal(0);
  /** Words for the live region: what the last command did. */
  readonly said = signal('');
  /** A command that waits for the reviewer's name. */
  readonly waitingForName = signal<(() => void) | null>(null);

  readonly rows = computed<Row[]>(() => {
    const view = this.view.value;
    if (!view) return [];
    const open = this.open.value;
    const out: Row[] = [];
    for (const rule of view.rules) {
      out.push({ key: ruleKey(rule), kind: 'rule', rule });
      if (open.has(rule.signature))
        for (const incident of rule.incidents) out.push({ key: incidentKey(incident), kind: 'incident', rule, incident });
    }
    return out;
  });

  readonly cursor = computed(() => {
    const rows = this.rows.value;
    const at = rows.findIndex((r) => r.key === this.cursorKey.value);
    return Math.max(at, 0);
  });

  readonly current = computed<Row | undefined>(() => this.rows.value[this.cursor.value]);

  private queue: Promise<void> = Promise.resolve();
  private pending = new Map<string, number>();
  private conflictIds = 0;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private loadToken = 0;
  private url: string | null = null;
  private anchor: string | null = null;

  private readonly stopNameWatch: () => void;

  constructor(
    private readonly api: ApiClient,
    private readonly prefs: PrefsModel,
  ) {
    // The command that waited for the reviewer's name runs the moment the name is given (in the
    // same tick, so a key pressed right after acts on what that command left).
    this.stopNameWatch = effect(() => {
      const name = this.prefs.reviewerName.value;
      const waiting = this.waitingForName.peek();
      if (name && waiting) {
        this.waitingForName.value = null;
        waiting();
      }
    });
  }

  hasName(): boolean {
    return Boolean(this.prefs.reviewerName.value);
  }

  /** The label an incident shows: the pending one, else the confirmed one. */
  shown(incident: ReviewIncident): Shown {
    const overlays = this.overlays.value;
    if (overlays.has(incident.id)) return overlays.get(incident.id) ?? null;
    const stored = this.labels.value.get(incident.id);
    return stored === undefined ? (incident.stored ?? null) : stored;
  }

  stored(incident: ReviewIncident): StoredLabel | null {
    const stored = this.labels.value.get(incident.id);
    return stored === undefined ? incident.stored : stored;
  }

  isPending(incident: ReviewIncident): boolean {
    return this.overlays.value.has(incident.id);
  }

  /** The rule's verdict as shown: one label, mixed, partial or none. */
  ruleState(rule: ReviewRule): 'actionable' | 'non_actionable' | 'mixed' | 'partial' | 'unlabelled' {
    const labels = rule.incidents.map((i) => this.shown(i)?.label ?? null);
    const set = new Set(labels.filter((l) => l !== null));
    if (set.size === 0) return 'unlabelled';
    if (set.size > 1) return 'mixed';
    return labels.includes(null) ? 'partial' : ([...set][0] as 'actionable' | 'non_actionable');
  }

  async load(url: string, options: { quiet?: boolean } = {}): Promise<void> {
    const token = ++this.loadToken;
    const sameWeek = this.url === url;
    this.url = url;
    if (!options.quiet) this.status.value = 'loading';
    try {
      const view = await this.api.get<ReviewView>(url);
      if (token !== this.loadToken) return;
      batch(() => {
        this.view.value = view;
        this.labels.value = new Map(view.rules.flatMap((r) => r.incidents.map((i) => [i.id, i.stored] as const)));
        this.status.value = 'ready';
        this.error.value = null;
        if (!sameWeek) {
          this.open.value = new Set();
          this.selected.value = new Set();
          this.cursorKey.value = view.rules[0] ? ruleKey(view.rules[0]) : null;
        }
      });
    } catch (error) {
      if (token !== this.loadToken) return;
      this.error.value = toFailure(error);
      this.status.value = 'error';
    }
  }

  /** Load the week again soon (after a burst of writes), keeping the cursor and what is open. */
  scheduleReload(ms = 700): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      if (this.saving.value > 0) return this.scheduleReload(ms);
      if (this.url) void this.load(this.url, { quiet: true });
    }, ms);
  }

  // ---- cursor, open rules, selection

  move(by: 1 | -1, extend = false): void {
    const rows = this.rows.value;
    if (rows.length === 0) return;
    const from = rows[this.cursor.value];
    const next = rows[Math.min(rows.length - 1, Math.max(0, this.cursor.value + by))];
    if (!next) return;
    batch(() => {
      if (extend && from) {
        const selected = new Set(this.selected.value);
        selected.add(from.key);
        selected.add(next.key);
        this.selected.value = selected;
        this.anchor = this.anchor ?? from.key;
      }
      this.cursorKey.value = next.key;
    });
  }

  moveTo(key: string): void {
    this.cursorKey.value = key;
  }

  moveRule(by: 1 | -1): void {
    const view = this.view.value;
    const row = this.current.value;
    if (!view || !row) return;
    const at = view.rules.indexOf(row.rule);
    const next = view.rules[Math.min(view.rules.length - 1, Math.max(0, at + by))];
    if (next) this.cursorKey.value = ruleKey(next);
  }

  first(): void {
    const rows = this.rows.value;
    if (rows[0]) this.cursorKey.value = rows[0].key;
  }

  last(): void {
    const rows = this.rows.value;
    const row = rows[rows.length - 1];
    if (row) this.cursorKey.value = row.key;
  }

  nextUnlabelled(): boolean {
    const view = this.view.value;
    const row = this.current.value;
    if (!view) return false;
    const start = row ? view.rules.indexOf(row.rule) : -1;
    const order = [...view.rules.slice(start + 1), ...view.rules.slice(0, start + 1)];
    const next = order.find((r) => r.incidents.some((i) => this.shown(i) === null));
    if (next) this.cursorKey.value = ruleKey(next);
    return next !== undefined;
  }

  toggleOpen(signature?: string): void {
    const row = this.current.value;
    const sig = signature ?? row?.rule.signature;
    if (!sig) return;
    const open = new Set(this.open.value);
    if (open.has(sig)) {
      open.delete(sig);
      const rule = this.view.value?.rules.find((r) => r.signature === sig);
      if (rule && row?.kind === 'incident' && row.rule.signature === sig) this.cursorKey.value = ruleKey(rule);
    } else open.add(sig);
    this.open.value = open;
  }

  close(): void {
    const row = this.current.value;
    if (!row) return;
    if (this.open.value.has(row.rule.signature)) this.toggleOpen(row.rule.signature);
  }

  toggleSelect(key?: string): void {
    const k = key ?? this.current.value?.key;
    if (!k) return;
    const selected = new Set(this.selected.value);
    if (selected.has(k)) selected.delete(k);
    else {
      selected.add(k);
      this.anchor = k;
    }
    this.selected.value = selected;
  }

  /** Select every row between the last selected one and the cursor. */
  selectRange(): void {
    const rows = this.rows.value;
    const to = this.cursor.value;
    const from = this.anchor ? rows.findIndex((r) => r.key === this.anchor) : -1;
    const [lo, hi] = from < 0 ? [to, to] : [Math.min(from, to), Math.max(from, to)];
    const selected = new Set(this.selected.value);
    for (let i = lo; i <= hi; i++) {
      const row = rows[i];
      if (row) selected.add(row.key);
    }
    this.selected.value = selected;
  }

  selectAll(): void {
    this.selected.value = new Set((this.view.value?.rules ?? []).map(ruleKey));
  }

  clearSelection(): boolean {
    if (this.selected.value.size === 0) return false;
    this.selected.value = new Set();
    this.anchor = null;
    return true;
  }

  /** The incidents a command acts on: the selection's, else the row under the cursor's. */
  targetIncidents(): ReviewIncident[] {
    const rows = this.rows.value;
    const keys = this.selected.value.size > 0 ? this.selected.value : new Set([this.current.value?.key ?? '']);
    const out = new Map<string, ReviewIncident>();
    const view = this.view.value;
    for (const key of keys) {
      const rule = view?.rules.find((r) => ruleKey(r) === key);
      if (rule) for (const i of rule.incidents) out.set(i.id, i);
      const row = rows.find((r) => r.key === key);
      if (row?.incident) out.set(row.incident.id, row.incident);
      if (!row && key.startsWith('i:')) {
        const incident = view?.rules.flatMap((r) => r.incidents).find((i) => incidentKey(i) === key);
        if (incident) out.set(incident.id, incident);
      }
    }
    return [...out.values()];
  }

  // ---- writing labels

  /**
   * Apply a labelling command to the selection (or the row under the cursor). Returns false when
   * it could not be applied (nothing under the cursor, or the reviewer's name is still needed);
   * a command that changes nothing (already labelled so) counts as done.
   */
  apply(intent: Intent, incidents: ReviewIncident[] = this.targetIncidents()): boolean {
    if (incidents.length === 0) return false;
    if (!this.prefs.reviewerName.value) {
      this.waitingForName.value = () => this.apply(intent, incidents);
      return false;
    }
    const targets: Target[] = incidents.map((i) => ({ incidentId: i.id, suggested: i.suggested, stored: this.shown(i) }));
    const writes = planWrites(targets, intent);
    if (writes.length === 0) {
      this.said.value = 'Already labelled so: nothing to change.';
      return true;
    }
    const overlays = new Map(this.overlays.value);
    for (const t of targets)
      if (writes.some((w) => w.incidentIds.includes(t.incidentId))) overlays.set(t.incidentId, preview(t, intent));
    this.overlays.value = overlays;
    for (const w of writes) this.enqueue(w);
    const n = writes.reduce((a, w) => a + w.incidentIds.length, 0);
    this.said.value = `${describe(intent)}: ${n} incident${n === 1 ? '' : 's'}.`;
    return true;
  }

  private enqueue(write: PlannedWrite): void {
    for (const id of write.incidentIds) this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
    this.saving.value++;
    this.queue = this.queue.then(() => this.send(write));
  }

  private async send(write: PlannedWrite): Promise<void> {
    const versions = this.labels.value;
    const items = write.incidentIds.map((incidentId) => ({ incidentId, version: versions.get(incidentId)?.version ?? 0 }));
    try {
      const result = await this.api.send<LabelWriteResult>('POST', '/api/review/labels', { items, ...write.body });
      const labels = new Map(this.labels.value);
      for (const row of result.items) labels.set(row.incidentId, row);
      for (const id of result.cleared) labels.set(id, null);
      this.labels.value = labels;
      this.writeError.value = null;
    } catch (error) {
      const failure = toFailure(error);
      if (failure.status === 409 && Array.isArray(failure.details.current)) {
        const current = failure.details.current as LabelConflict['current'];
        const labels = new Map(this.labels.value);
        for (const c of current) labels.set(c.incidentId, 'removed' in c ? null : c);
        this.labels.value = labels;
        this.conflicts.value = [
          ...this.conflicts.value,
          { id: ++this.conflictIds, message: failure.message, current, retry: write },
        ];
        this.said.value = `Not saved: ${failure.message}`;
      } else {
        this.writeError.value = failure;
        this.said.value = `Not saved: ${failure.message}`;
      }
      // Nothing of this write was stored: show what is stored.
      this.settle(write.incidentIds, true);
      this.saving.value--;
      this.scheduleReload();
      return;
    }
    this.settle(write.incidentIds, false);
    this.saving.value--;
    this.scheduleReload();
  }

  private settle(ids: readonly string[], failed: boolean): void {
    const overlays = new Map(this.overlays.value);
    for (const id of ids) {
      const left = (this.pending.get(id) ?? 1) - 1;
      if (left <= 0 || failed) {
        this.pending.delete(id);
        overlays.delete(id);
      } else this.pending.set(id, left);
    }
    this.overlays.value = overlays;
  }

  /** Apply a refused write again, over the labels now stored (the reviewer has seen them). */
  retryConflict(id: number): void {
    const conflict = this.conflicts.value.find((c) => c.id === id);
    if (!conflict) return;
    this.dismissConflict(id);
    this.enqueue(conflict.retry);
  }

  dismissConflict(id: number): void {
    this.conflicts.value = this.conflicts.value.filter((c) => c.id !== id);
  }

  // ---- follow-ups and the hand-off note (rarer writes: sent at once, answered in place)

  private scopeBody(): Record<string, string> {
    const view = this.view.value;
    if (!view) throw new Error('no review loaded');
    return { [view.scope.kind]: view.scope.id, week: view.week.start };
  }

  /** Run a write that needs the reviewer's name; asks for it first when unknown. */
  private withName<T>(fn: () => Promise<T>): Promise<T | null> {
    if (this.prefs.reviewerName.value) return fn();
    return new Promise((resolve) => {
      this.waitingForName.value = () => void fn().then(resolve, () => resolve(null));
    });
  }

  private patchFollowUps(update: (list: FollowUp[]) => FollowUp[]): void {
    const view = this.view.value;
    if (!view) return;
    this.view.value = {
      ...view,
      rules: view.rules.map((r) => ({ ...r, followUps: update(r.followUps).filter((f) => f.ruleSignature === r.signature) })),
      otherFollowUps: update(view.otherFollowUps).filter((f) => !view.rules.some((r) => r.signature === f.ruleSignature)),
    };
  }

  /** Create a follow-up, or change one (with the version it was loaded at). Throws ApiFailure (409 carries the current one). */
  async saveFollowUp(
    rule: string,
    fields: { title?: string; url?: string | null; owner?: string | null; done?: boolean },
    existing?: FollowUp,
  ): Promise<FollowUp | null> {
    return this.withName(async () => {
      try {
        const saved = existing
          ? await this.api.send<FollowUp>('PUT', `/api/review/follow-ups/${encodeURIComponent(existing.id)}`, {
              ...fields,
              version: existing.version,
            })
          : await this.api.send<FollowUp>('POST', '/api/review/follow-ups', {
              ...this.scopeBody(),
              ruleSignature: rule,
              ...fields,
            });
        const shown = { ...saved, carriedOver: existing?.carriedOver ?? false };
        this.patchFollowUps((list) => (existing ? list.map((f) => (f.id === saved.id ? shown : f)) : [...list, shown]));
        this.said.value = existing ? 'Follow-up saved.' : 'Follow-up added.';
        this.scheduleReload();
        return shown;
      } catch (error) {
        const failure = toFailure(error);
        const current = failure.details.current as FollowUp | undefined;
        if (failure.status === 409 && current && existing) {
          this.patchFollowUps((list) =>
            list.map((f) => (f.id === current.id ? { ...current, carriedOver: existing.carriedOver } : f)),
          );
        }
        throw failure;
      }
    });
  }

  async deleteFollowUp(existing: FollowUp): Promise<void> {
    await this.withName(async () => {
      await this.api.send('DELETE', `/api/review/follow-ups/${encodeURIComponent(existing.id)}?version=${existing.version}`);
      this.patchFollowUps((list) => list.filter((f) => f.id !== existing.id));
      this.said.value = 'Follow-up deleted.';
      this.scheduleReload();
    });
  }

  /** Save the hand-off note over the version loaded. Throws ApiFailure (409 carries the current note). */
  async saveNote(body: string): Promise<HandOffNote | null> {
    const view = this.view.value;
    if (!view) return null;
    return this.withName(async () => {
      const note = await this.api.send<HandOffNote>('PUT', '/api/review/notes', {
        ...this.scopeBody(),
        body,
        version: this.view.value?.note.version ?? 0,
      });
      const now = this.view.value;
      if (now) this.view.value = { ...now, note };
      this.said.value = 'Hand-off note saved.';
      return note;
    });
  }

  /** Take the note as another reviewer saved it (after a 409). */
  adoptNote(note: HandOffNote): void {
    const view = this.view.value;
    if (view) this.view.value = { ...view, note };
  }

  /** Resolves when every queued write has been answered. */
  settled(): Promise<void> {
    return this.queue;
  }

  dispose(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.stopNameWatch();
  }
}

export function describe(intent: Intent): string {
  switch (intent.kind) {
    case 'label':
      return intent.label === 'actionable' ? 'Labelled actionable' : 'Labelled non-actionable';
    case 'reason':
      return `Non-actionable (${intent.reason.replace(/_/g, ' ')})`;
    case 'accept':
      return 'Accepted the suggestion';
    case 'clear':
      return 'Label removed';
    case 'note':
      return 'Note saved';
  }
}

export { ApiFailure };
