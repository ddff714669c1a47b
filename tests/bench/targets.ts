// Issue 9's targets (and issue 3's demo target), judged against the figures of one run: each
// target is PASS or MISS with the measured value and by how much it is over or under, or SKIP
// when its phase did not run.
import type { EndpointFigures } from './endpoints.ts';

export interface Verdict {
  target: string;
  value: string;
  result: 'PASS' | 'MISS' | 'SKIP';
  /** How far from the target: "-32% (68 ms under)" or "+2.1x over". */
  margin: string;
}

const fmt = (n: number, unit: string) =>
  `${unit === 'x' ? n.toFixed(2) : Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1)} ${unit}`;

/** A value that must stay at or under `limit`. */
export function atMost(target: string, value: number | null, limit: number, unit: string): Verdict {
  if (value === null || Number.isNaN(value)) return { target, value: '-', result: 'SKIP', margin: '' };
  const pass = value <= limit;
  const ratio = limit === 0 ? (value === 0 ? 0 : Number.POSITIVE_INFINITY) : value / limit;
  const margin = pass
    ? limit === 0
      ? ''
      : `${fmt(limit - value, unit)} under (${Math.round((1 - ratio) * 100)}% headroom)`
    : `${fmt(value - limit, unit)} over${limit === 0 ? '' : ` (${ratio.toFixed(2)}x the limit)`}`;
  return { target, value: fmt(value, unit), result: pass ? 'PASS' : 'MISS', margin };
}

/** A value that must reach at least `floor`. */
export function atLeast(target: string, value: number | null, floor: number, unit: string): Verdict {
  if (value === null || Number.isNaN(value)) return { target, value: '-', result: 'SKIP', margin: '' };
  const pass = value >= floor;
  const ratio = value / floor;
  const margin = pass ? `${ratio.toFixed(2)}x the floor` : `${fmt(floor - value, unit)} short (${ratio.toFixed(2)}x the floor)`;
  return { target, value: fmt(value, unit), result: pass ? 'PASS' : 'MISS', margin };
}

/** The worst endpoint by `pick` against `limit`, naming it and how many miss. */
export function worstEndpoint(
  target: string,
  endpoints: readonly EndpointFigures[],
  pick: (e: EndpointFigures) => number,
  limit: number,
): Verdict {
  if (endpoints.length === 0) return { target, value: '-', result: 'SKIP', margin: '' };
  const worst = [...endpoints].sort((a, b) => pick(b) - pick(a))[0] as EndpointFigures;
  const misses = endpoints.filter((e) => pick(e) > limit).length;
  const v = atMost(target, pick(worst), limit, 'ms');
  return {
    ...v,
    value: `${v.value} worst (${shortPath(worst.path)})`,
    margin: misses > 0 ? `${misses} of ${endpoints.length} over; worst ${v.margin}` : v.margin,
  };
}

export function shortPath(path: string, max = 60): string {
  return path.length > max ? `${path.slice(0, max - 1)}…` : path;
}
