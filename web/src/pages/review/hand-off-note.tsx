// The hand-off note of the week: what the next person on call should know. Saved with the version
// it was loaded at; when someone else saved first, their note is shown next to the draft, which
// is kept, so the two can be merged by hand and saved again.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiFailure } from '../../api/client.ts';
import { formatAgo } from '../../lib/format.ts';
import type { ReviewModel } from './review-model.ts';
import { limits, type HandOffNote as Note } from './types.ts';

export function HandOffNote({ model, focusToken }: { model: ReviewModel; focusToken: number }) {
  const note = model.view.value?.note;
  const [draft, setDraft] = useState(note?.body ?? '');
  const [theirs, setTheirs] = useState<Note | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const key = `${note?.scopeKey}|${note?.week}`;
  // A different week (or a reload after someone else saved, while nothing was typed) shows its note.
  const loaded = useRef({ key, body: note?.body ?? '' });
  useEffect(() => {
    if (!note) return;
    if (loaded.current.key !== key || draft === loaded.current.body) setDraft(note.body);
    loaded.current = { key, body: note.body };
  }, [key, note?.body]);
  useEffect(() => {
    if (focusToken > 0) {
      area.current?.scrollIntoView({ block: 'center' });
      area.current?.focus();
    }
  }, [focusToken]);
  if (!note) return null;
  const dirty = draft !== note.body;
  const save = async () => {
    setBusy(true);
    try {
      const saved = await model.saveNote(draft);
      if (saved) {
        loaded.current = { key, body: saved.body };
        setTheirs(null);
        setError(null);
      }
    } catch (failure) {
      const f = failure as ApiFailure;
      setError(f);
      const current = f.details.current as Note | undefined;
      if (f.status === 409 && current) {
        setTheirs(current);
        model.adoptNote(current);
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="card" data-card="hand-off">
      <div class="card-body">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void save();
            } else if (e.key === 'Escape') area.current?.blur();
          }}
        >
          <textarea
            ref={area}
            name="hand-off"
            rows={4}
            value={draft}
            placeholder="What should the next person on call know? Alerts to ignore until a fix lands, flaky checks, work in flight…"
            onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
            aria-label="Hand-off note"
          />
          <div class="row" style={{ gap: '8px', marginTop: '8px', alignItems: 'center', flexWrap: 'wrap' }}>
            <button
              type="submit"
              class="button button-primary button-small"
              disabled={busy || !dirty || draft.length > limits.handOffNote}
            >
              Save note <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
            </button>
            <span class="muted" style={{ fontSize: '0.8rem' }}>
              {dirty ? 'Not saved yet. ' : ''}
              {note.updatedBy ? `Last saved by ${note.updatedBy}, ${formatAgo(note.updatedAt)}.` : 'No note for this week yet.'}{' '}
              {draft.length > limits.handOffNote ? `Too long: at most ${limits.handOffNote} characters.` : ''}
            </span>
          </div>
        </form>
        {error ? (
          <div class="rv-banner" role="alert" data-conflict="note">
            <p style={{ margin: 0 }}>
              {error.message} {error.hint}
            </p>
            {theirs ? (
              <>
                <p style={{ margin: '8px 0 4px' }}>
                  Their note ({theirs.updatedBy}, version {theirs.version}):
                </p>
                <div class="rv-note">{theirs.body || '(empty)'}</div>
                <div class="row" style={{ gap: '8px', marginTop: '8px' }}>
                  <button
                    type="button"
                    class="button button-small"
                    onClick={() => {
                      setDraft(theirs.body);
                      setTheirs(null);
                      setError(null);
                    }}
                  >
                    Use theirs
                  </button>
                  <button
                    type="button"
                    class="button button-small"
                    onClick={() => {
                      setDraft(`${theirs.body}\n\n${draft}`.trim());
                      setTheirs(null);
                      setError(null);
                    }}
                  >
                    Put theirs above mine
                  </button>
                </div>
              </>
            ) : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}
