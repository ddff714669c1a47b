// The review's overlays: the keys (?), the reason menu (r, then 1-6), the note editor (e; Ctrl+Enter
// saves, Esc cancels) and the one-time question for the reviewer's name, asked when the first
// change is made while Vigil runs without sign-in.
import { type ComponentChildren, Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ReviewerName } from '../../components/reviewer-name.tsx';
import { keyHelp } from './keys.ts';
import { limits, type ReasonValue, reasonOrder, reasonTitles } from './types.ts';

function Overlay({ label, onClose, children }: { label: string; onClose: () => void; children: ComponentChildren }) {
  return (
    <div
      class="rv-overlay"
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div class="rv-dialog" role="dialog" aria-modal="true" aria-label={label}>
        {children}
      </div>
    </div>
  );
}

export function HelpDialog({ onClose }: { onClose: () => void }) {
  const groups = [...new Set(keyHelp.map((k) => k.group))];
  return (
    <Overlay label="Keyboard" onClose={onClose}>
      <h2>Keyboard</h2>
      <p class="muted">
        A command acts on the selected rows, or on the row under the cursor when none is selected. Labelling a rule labels every
        incident of it this week.
      </p>
      <div class="rv-help">
        {groups.map((g) => (
          <Fragment key={g}>
            <h3>{g}</h3>
            {keyHelp
              .filter((k) => k.group === g)
              .map((k) => (
                <Fragment key={k.does}>
                  <span>
                    {k.keys.map((key, i) => (
                      <Fragment key={key}>
                        {i > 0 ? ' ' : ''}
                        {key === '…' ? '…' : <kbd>{key}</kbd>}
                      </Fragment>
                    ))}
                  </span>
                  <span>{k.does}</span>
                </Fragment>
              ))}
          </Fragment>
        ))}
      </div>
      <p class="muted">Reasons:</p>
      <ol>
        {reasonOrder.map((r) => (
          <li key={r}>{reasonTitles[r]}</li>
        ))}
      </ol>
      <button type="button" class="button" onClick={onClose}>
        Close <kbd>Esc</kbd>
      </button>
    </Overlay>
  );
}

export function ReasonMenu({ onPick, onClose }: { onPick: (reason: ReasonValue) => void; onClose: () => void }) {
  return (
    <Overlay label="Why is it not actionable?" onClose={onClose}>
      <h2>Why is it not actionable?</h2>
      <ul class="rv-reasons">
        {reasonOrder.map((r, i) => (
          <li key={r}>
            <button type="button" class="button" onClick={() => onPick(r)} data-reason={r}>
              <kbd>{i + 1}</kbd> {reasonTitles[r]}
            </button>
          </li>
        ))}
      </ul>
      <p class="muted">
        Press <kbd>1</kbd>–<kbd>6</kbd>, or <kbd>Esc</kbd> to cancel.
      </p>
    </Overlay>
  );
}

export function NoteEditor({
  what,
  initial,
  hint,
  onSave,
  onClose,
}: {
  what: string;
  initial: string;
  hint?: string;
  onSave: (note: string) => void;
  onClose: () => void;
}) {
  const [text, setText] = useState(initial);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    area.current?.focus();
    area.current?.select();
  }, []);
  const tooLong = text.length > limits.labelNote;
  return (
    <Overlay label={`Note on ${what}`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!tooLong) onSave(text);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            if (!tooLong) onSave(text);
          }
        }}
      >
        <h2>Note on {what}</h2>
        {hint ? <p class="muted">{hint}</p> : null}
        <textarea
          ref={area}
          rows={5}
          name="note"
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
        <p class={tooLong ? 'rv-banner' : 'muted'} style={{ fontSize: '0.8rem' }}>
          {text.length} / {limits.labelNote} characters{tooLong ? ': too long to keep, shorten it or link to a write-up.' : ''}
        </p>
        <div class="row" style={{ gap: '8px' }}>
          <button type="submit" class="button button-primary" disabled={tooLong}>
            Save <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
          </button>
          <button type="button" class="button" onClick={onClose}>
            Cancel <kbd>Esc</kbd>
          </button>
        </div>
      </form>
    </Overlay>
  );
}

export function NamePrompt({ onClose }: { onClose: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  // Straight into the name field: the reviewer was typing commands a moment ago.
  useEffect(() => box.current?.querySelector('input')?.focus(), []);
  return (
    <Overlay label="Who is reviewing?" onClose={onClose}>
      <h2>Who is reviewing?</h2>
      <p>
        Labels, follow-ups and notes record who made them. Give your name once; this browser remembers it. Your command runs as
        soon as you press Enter.
      </p>
      <div ref={box}>
        <ReviewerName purpose="Your labels and notes are recorded with your name." />
      </div>
    </Overlay>
  );
}
