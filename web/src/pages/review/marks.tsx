// The small pieces every review row shows: a label as a word and a shape (✓ actionable, ✕ noise,
// ◐ mixed, ○ none) with the colour as a third cue, the suggestion, and page times as chips in the
// recipient's own clock with sleep-hour pages marked (☾) and off-hours ones shaded.
import { formatNumber } from '../../lib/format.ts';
import type { Shown } from './label-plan.ts';
import { type ReviewPage, reasonTitles } from './types.ts';

const marks = {
  actionable: { mark: '✓', word: 'Actionable' },
  non_actionable: { mark: '✕', word: 'Non-actionable' },
  mixed: { mark: '◐', word: 'Mixed labels' },
  partial: { mark: '◔', word: 'Partly labelled' },
  unlabelled: { mark: '○', word: 'Unlabelled' },
} as const;

export type RuleState = keyof typeof marks;

export function StateMark({ state, detail, pending }: { state: RuleState; detail?: string; pending?: boolean }) {
  const m = marks[state];
  return (
    <span
      class={`rv-label rv-label-${state}${pending ? ' rv-pending' : ''}`}
      data-label={state}
      title={pending ? 'Saving…' : undefined}
    >
      <span aria-hidden="true">{m.mark}</span>
      {m.word}
      {detail ? <span style={{ fontWeight: 500 }}> · {detail}</span> : null}
    </span>
  );
}

export function LabelMark({ shown, pending }: { shown: Shown; pending?: boolean }) {
  if (!shown) return <StateMark state="unlabelled" />;
  return <StateMark state={shown.label} detail={shown.reason ? reasonTitles[shown.reason] : undefined} pending={pending} />;
}

export function SuggestedMark({ label, count }: { label: 'actionable' | 'non_actionable'; count?: string }) {
  return (
    <span class={`rv-label rv-label-${label} rv-label-suggested`} title="Vigil's suggestion (no reviewer has labelled it)">
      Suggested: {label === 'actionable' ? 'actionable' : 'non-actionable'}
      {count ? ` (${count})` : ''}
    </span>
  );
}

const weekday = (local: string) =>
  new Date(`${local.slice(0, 10)}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'UTC' });

/** "Tue 03:12" in the recipient's zone. */
export function pageTime(p: ReviewPage): string {
  return `${weekday(p.localTime)} ${p.localTime.slice(11, 16)}`;
}

export function PageTimes({ pages, max = 14 }: { pages: readonly ReviewPage[]; max?: number }) {
  if (pages.length === 0) return null;
  const shown = pages.slice(0, max);
  return (
    <div class="rv-times" title="Page times in each recipient's own zone">
      {shown.map((p) => (
        <span
          key={p.id}
          class={`rv-time rv-time-${p.hourClass}`}
          title={`${p.userName}, ${p.localTime} ${p.zone} (${p.hourClass === 'sleep' ? 'sleep hours' : p.hourClass === 'off' ? 'off hours' : 'business hours'}), by ${p.channel}`}
        >
          {p.hourClass === 'sleep' ? '☾ ' : ''}
          {pageTime(p)}
        </span>
      ))}
      {pages.length > max ? <span class="rv-time">+{formatNumber(pages.length - max)} more</span> : null}
    </div>
  );
}
