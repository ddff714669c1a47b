// Who is making a change: when Vigil runs without sign-in, the reviewer gives a name once and the
// browser remembers it (sent as X-Vigil-Actor with every write). Shows the name with a way to
// change it, or asks for it.
import { useState } from 'preact/hooks';
import { useApp } from '../models/app-model.ts';

export function ReviewerName({ purpose = 'Your changes are recorded with your name.' }: { purpose?: string }) {
  const { prefs } = useApp();
  const name = prefs.reviewerName.value;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(name ?? '');
  if (name && !editing) {
    return (
      <p class="muted reviewer" style={{ margin: 0, fontSize: '0.85rem' }}>
        Recording changes as <strong>{name}</strong>.{' '}
        <button
          type="button"
          class="link-button"
          onClick={() => {
            setDraft(name);
            setEditing(true);
          }}
        >
          Not you?
        </button>
      </p>
    );
  }
  return (
    <form
      class="inline-form reviewer"
      onSubmit={(e) => {
        e.preventDefault();
        if (!draft.trim()) return;
        prefs.setReviewerName(draft);
        setEditing(false);
      }}
    >
      <label class="field grow">
        <span class="field-label">Your name</span>
        <input
          type="text"
          name="reviewer"
          maxLength={80}
          value={draft}
          placeholder="e.g. Ana Lopez"
          onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
          required
        />
      </label>
      <button type="submit" class="button" disabled={!draft.trim()}>
        Save
      </button>
      <span class="muted" style={{ fontSize: '0.82rem', flexBasis: '100%' }}>
        {purpose} It is kept in this browser.
      </span>
    </form>
  );
}
