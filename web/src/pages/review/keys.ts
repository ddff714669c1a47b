// The review's keyboard: one table of keys, the commands they give and the words the page shows
// for them (the legend and the ? help are drawn from it, so what is documented is what works).
// keyCommand() is a pure function of a keyboard event's fields, tested without a browser.
import type { ReasonValue } from './types.ts';
import { reasonOrder } from './types.ts';

export type Command =
  | { kind: 'move'; by: 1 | -1; extend: boolean }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'nextUnlabelled' }
  | { kind: 'toggleOpen' }
  | { kind: 'close' }
  | { kind: 'label'; label: 'actionable' | 'non_actionable' }
  | { kind: 'reason'; reason: ReasonValue }
  | { kind: 'reasonMenu' }
  | { kind: 'acceptSuggestion' }
  | { kind: 'clearLabel' }
  | { kind: 'note' }
  | { kind: 'followUp' }
  | { kind: 'handOff' }
  | { kind: 'select' }
  | { kind: 'selectRange' }
  | { kind: 'selectAll' }
  | { kind: 'escape' }
  | { kind: 'openInPagerDuty' }
  | { kind: 'meeting' }
  | { kind: 'week'; by: 1 | -1 }
  | { kind: 'help' };

export interface KeyInput {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** The keys as the page documents them, in the order of the help. */
export const keyHelp: readonly { keys: string[]; does: string; group: 'Move' | 'Label' | 'Select' | 'Write' | 'View' }[] = [
  { keys: ['j', '↓'], does: 'Next alert rule (or incident, when a rule is open)', group: 'Move' },
  { keys: ['k', '↑'], does: 'Previous', group: 'Move' },
  { keys: ['.'], does: 'Next rule still unlabelled', group: 'Move' },
  { keys: ['g', 'G'], does: 'First / last', group: 'Move' },
  { keys: ['o', 'Enter', '→'], does: "Open or close the rule's incidents", group: 'Move' },
  { keys: ['←'], does: 'Close the rule (back to its row)', group: 'Move' },
  { keys: ['a'], does: 'Actionable (and move on)', group: 'Label' },
  { keys: ['n'], does: 'Non-actionable (stay, to add a reason)', group: 'Label' },
  { keys: ['1', '…', '6'], does: 'Non-actionable with reason 1–6 (and move on)', group: 'Label' },
  { keys: ['r'], does: 'Choose a reason from the list', group: 'Label' },
  { keys: ['s'], does: "Accept Vigil's suggestion (and move on)", group: 'Label' },
  { keys: ['u'], does: 'Remove the label (the suggestion stands again)', group: 'Label' },
  { keys: ['x'], does: 'Select or unselect the row', group: 'Select' },
  { keys: ['Shift', 'j/k'], does: 'Extend the selection down or up', group: 'Select' },
  { keys: ['X'], does: 'Select the range from the last selected row', group: 'Select' },
  { keys: ['*'], does: 'Select every rule', group: 'Select' },
  { keys: ['Esc'], does: 'Clear the selection, close a dialog or leave meeting mode', group: 'Select' },
  { keys: ['e'], does: 'Write a note on the label', group: 'Write' },
  { keys: ['f'], does: 'Add a follow-up to the rule', group: 'Write' },
  { keys: ['w'], does: 'Write the hand-off note', group: 'Write' },
  { keys: ['p'], does: 'Open the incident(s) in PagerDuty', group: 'View' },
  { keys: ['m'], does: 'Meeting mode: full screen, one rule at a time', group: 'View' },
  { keys: ['[', ']'], does: 'Previous / next week', group: 'View' },
  { keys: ['?'], does: 'Show or hide these keys', group: 'View' },
];

/** The command a key press gives, or null (typing, shortcuts of the browser). */
export function keyCommand(e: KeyInput): Command | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const shift = Boolean(e.shiftKey);
  switch (e.key) {
    case 'j':
    case 'ArrowDown':
      return { kind: 'move', by: 1, extend: shift };
    case 'J':
      return { kind: 'move', by: 1, extend: true };
    case 'k':
    case 'ArrowUp':
      return { kind: 'move', by: -1, extend: shift };
    case 'K':
      return { kind: 'move', by: -1, extend: true };
    case 'g':
    case 'Home':
      return { kind: 'first' };
    case 'G':
    case 'End':
      return { kind: 'last' };
    case '.':
      return { kind: 'nextUnlabelled' };
    case 'o':
    case 'Enter':
    case 'ArrowRight':
      return { kind: 'toggleOpen' };
    case 'ArrowLeft':
      return { kind: 'close' };
    case 'a':
      return { kind: 'label', label: 'actionable' };
    case 'n':
      return { kind: 'label', label: 'non_actionable' };
    case 'r':
      return { kind: 'reasonMenu' };
    case 's':
      return { kind: 'acceptSuggestion' };
    case 'u':
      return { kind: 'clearLabel' };
    case 'e':
      return { kind: 'note' };
    case 'f':
      return { kind: 'followUp' };
    case 'w':
      return { kind: 'handOff' };
    case 'x':
      return { kind: 'select' };
    case 'X':
      return { kind: 'selectRange' };
    case '*':
      return { kind: 'selectAll' };
    case 'Escape':
      return { kind: 'escape' };
    case 'p':
      return { kind: 'openInPagerDuty' };
    case 'm':
      return { kind: 'meeting' };
    case '[':
      return { kind: 'week', by: -1 };
    case ']':
      return { kind: 'week', by: 1 };
    case '?':
      return { kind: 'help' };
    default: {
      const digit = /^[1-6]$/.test(e.key) ? Number(e.key) : 0;
      const reason = digit ? reasonOrder[digit - 1] : undefined;
      return reason ? { kind: 'reason', reason } : null;
    }
  }
}

/** Keys are ignored while a person types in a field (Escape still closes what is open). */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean; type?: string } | null;
  if (!el?.tagName) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag !== 'input') return false;
  return !['checkbox', 'radio', 'button', 'submit'].includes((el.type ?? 'text').toLowerCase());
}
