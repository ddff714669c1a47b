// Follow-up actions of an alert rule: a list (done box, title linked to its ticket, owner, the week
// it was opened in and "carried over" while it stays open) and the form to add or change one. A
// stale change shows who changed it first and the current values; nothing is overwritten.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiFailure } from '../../api/client.ts';
import { formatDate } from '../../lib/format.ts';
import type { ReviewModel } from './review-model.ts';
import { type FollowUp, limits } from './types.ts';

function FollowUpForm({
  model,
  rule,
  existing,
  onDone,
}: {
  model: ReviewModel;
  rule: string;
  existing?: FollowUp;
  onDone: () => void;
}) {
  const [title, setTitle] = useState(existing?.title ?? '');
  const [url, setUrl] = useState(existing?.url ?? '');
  const [owner, setOwner] = useState(existing?.owner ?? '');
  const [error, setError] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!title.trim()) return;
    setBusy(true);
    try {
      const saved = await model.saveFollowUp(rule, { title, url: url.trim() || null, owner: owner.trim() || null }, existing);
      if (saved) onDone();
    } catch (failure) {
      setError(failure as ApiFailure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="rv-form"
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onDone();
        }
      }}
      aria-label={existing ? 'Change the follow-up' : 'Add a follow-up'}
    >
      <label class="field" style={{ flex: '2 1 16rem' }}>
        <span class="field-label">What to do</span>
        <input
          ref={first}
          type="text"
          name="title"
          required
          maxLength={limits.followUpTitle}
          value={title}
          placeholder="e.g. Raise the disk threshold to 95%"
          onInput={(e) => setTitle((e.target as HTMLInputElement).value)}
        />
      </label>
      <label class="field" style={{ flex: '1 1 12rem' }}>
        <span class="field-label">Link (ticket)</span>
        <input
          type="url"
          name="url"
          value={url}
          placeholder="https://…"
          onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
        />
      </label>
      <label class="field" style={{ flex: '0 1 9rem' }}>
        <span class="field-label">Owner</span>
        <input
          type="text"
          name="owner"
          maxLength={limits.followUpOwner}
          value={owner}
          onInput={(e) => setOwner((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit" class="button button-primary button-small" disabled={busy || !title.trim()}>
        {existing ? 'Save' : 'Add follow-up'}
      </button>
      <button type="button" class="button button-small" onClick={onDone}>
        Cancel
      </button>
      {error ? (
        <p class="rv-banner" role="alert" style={{ flexBasis: '100%', margin: 0 }}>
          {error.message} {error.hint}
        </p>
      ) : null}
    </form>
  );
}

export function FollowUps({
  model,
  rule,
  items,
  adding,
  onAdding,
}: {
  model: ReviewModel;
  rule: string;
  items: readonly FollowUp[];
  adding: boolean;
  onAdding: (open: boolean) => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (items.length === 0 && !adding) return null;
  const toggle = async (f: FollowUp) => {
    try {
      await model.saveFollowUp(rule, { done: !f.done }, f);
      setError(null);
    } catch (failure) {
      setError(`${(failure as ApiFailure).message} The list shows the current state.`);
    }
  };
  return (
    <div class="rv-followups" data-followups={rule}>
      <strong>Follow-ups</strong>
      <ul>
        {items.map((f) =>
          editing === f.id ? (
            <li key={f.id}>
              <FollowUpForm model={model} rule={rule} existing={f} onDone={() => setEditing(null)} />
            </li>
          ) : (
            <li key={f.id} data-followup={f.id}>
              <input type="checkbox" checked={f.done} onChange={() => void toggle(f)} aria-label={`Done: ${f.title}`} />
              <span class={f.done ? 'rv-done' : ''}>
                {f.url ? (
                  <a href={f.url} target="_blank" rel="noopener noreferrer">
                    {f.title}
                  </a>
                ) : (
                  f.title
                )}
              </span>
              {f.owner ? <span class="muted">· {f.owner}</span> : null}
              <span class="muted" title={`Opened by ${f.createdBy}`}>
                · opened week of {formatDate(f.openedWeek)}
              </span>
              {f.carriedOver ? <span class="badge badge-warn">Carried over</span> : null}
              {f.done ? <span class="badge badge-ok">Done</span> : null}
              <button type="button" class="link-button" onClick={() => setEditing(f.id)}>
                Edit
              </button>
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  if (window.confirm(`Delete the follow-up "${f.title}"?`)) {
                    model.deleteFollowUp(f).catch((failure: ApiFailure) => setError(failure.message));
                  }
                }}
              >
                Delete
              </button>
            </li>
          ),
        )}
      </ul>
      {adding ? <FollowUpForm model={model} rule={rule} onDone={() => onAdding(false)} /> : null}
      {error ? (
        <p class="rv-banner" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
