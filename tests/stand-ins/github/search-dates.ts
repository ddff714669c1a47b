// GitHub's search date syntax, used by the workflow-runs `created` filter: `2024-01-01`,
// `>=2024-01-01`, `<2024-02-01T10:00:00Z`, `2024-01-01..2024-01-31`, `2024-01-01..*`. The
// stand-in validates it (a malformed value is a 422, as on GitHub) and stores can use
// `createdRange` to apply it. A bare date covers the whole UTC day.

const DATE = String.raw`\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?`;
const SYNTAX = new RegExp(`^(?:(>=|<=|>|<)?(${DATE})|(${DATE}|\\*)\\.\\.(${DATE}|\\*))$`);

function bound(value: string, end: boolean): number {
  if (value.length === 10) {
    const day = Date.parse(`${value}T00:00:00Z`);
    return end ? day + 86_400_000 - 1 : day;
  }
  return Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value.slice(10)) ? value : `${value}Z`);
}

/** Inclusive [from, to] in epoch ms (either may be open), or undefined when the syntax is wrong. */
export function createdRange(created: string): { from?: number; to?: number } | undefined {
  const m = SYNTAX.exec(created.trim());
  if (!m) return undefined;
  const [, op, single, lo, hi] = m;
  if (single) {
    if (op === '>=') return { from: bound(single, false) };
    if (op === '>') return { from: bound(single, true) + 1 };
    if (op === '<=') return { to: bound(single, true) };
    if (op === '<') return { to: bound(single, false) - 1 };
    return { from: bound(single, false), to: bound(single, true) };
  }
  return { from: lo === '*' ? undefined : bound(lo!, false), to: hi === '*' ? undefined : bound(hi!, true) };
}
