// A compact multi-select for filters: a button that says what is selected ("All teams",
// "Payments +1") and opens a list of checkboxes with a search box for long lists. Built on
// <details>, so it works with the keyboard and closes with Escape or a click elsewhere.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface Option {
  value: string;
  label: string;
  hint?: string;
}

export interface MultiSelectProps {
  label: string;
  allLabel: string;
  options: readonly Option[];
  selected: readonly string[];
  onChange: (values: string[]) => void;
  name: string;
}

export function MultiSelect({ label, allLabel, options, selected, onChange, name }: MultiSelectProps) {
  const ref = useRef<HTMLDetailsElement>(null);
  const [query, setQuery] = useState('');
  useEffect(() => {
    const close = (event: Event) => {
      const el = ref.current;
      if (el?.open && !el.contains(event.target as Node)) el.open = false;
    };
    const onEscape = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && ref.current?.open) {
        ref.current.open = false;
        ref.current.querySelector('summary')?.focus();
      }
    };
    document.addEventListener('click', close);
    document.addEventListener('keydown', onEscape);
    return () => {
      document.removeEventListener('click', close);
      document.removeEventListener('keydown', onEscape);
    };
  }, []);
  const names = selected.map((v) => options.find((o) => o.value === v)?.label ?? v);
  const summary = names.length === 0 ? allLabel : names.length === 1 ? names[0] : `${names[0]} +${names.length - 1}`;
  const shown = query ? options.filter((o) => o.label.toLowerCase().includes(query.toLowerCase())) : options;
  const toggle = (value: string) =>
    onChange(selected.includes(value) ? selected.filter((v) => v !== value) : [...selected, value]);
  return (
    <details class="select" ref={ref} data-filter={name}>
      <summary class={`select-button${selected.length ? ' active' : ''}`} aria-label={`${label}: ${summary}`}>
        <span class="select-label">{label}</span>
        <span class="select-value">{summary}</span>
        <span class="select-caret" aria-hidden="true">
          ▾
        </span>
      </summary>
      <fieldset class="select-menu">
        <legend class="sr-only">{label}</legend>
        {options.length > 8 ? (
          <input
            type="search"
            class="select-search"
            placeholder={`Find a ${label.toLowerCase()}…`}
            value={query}
            onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          />
        ) : null}
        <div class="select-options">
          {shown.map((o) => (
            <label key={o.value} class="select-option">
              <input type="checkbox" checked={selected.includes(o.value)} onChange={() => toggle(o.value)} value={o.value} />
              <span>{o.label}</span>
              {o.hint ? <span class="select-hint">{o.hint}</span> : null}
            </label>
          ))}
          {shown.length === 0 ? <p class="muted select-none">Nothing matches.</p> : null}
        </div>
        {selected.length ? (
          <button type="button" class="link-button" onClick={() => onChange([])}>
            Clear ({allLabel.toLowerCase()})
          </button>
        ) : null}
      </fieldset>
    </details>
  );
}
