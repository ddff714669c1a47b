// Calendar arithmetic on local dates (YYYY-MM-DD strings), the date-range presets and the bucket
// ranges the drill-downs use. Dates are plain strings in the configured zone, exactly as the API
// takes them, so no Date object ever shifts a day across a zone boundary.
import type { Grain } from '../api/types.ts';

const DAY_MS = 86_400_000;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

// One formatter per zone: building an Intl.DateTimeFormat costs far more than formatting with one,
// and the filters ask for today on every read (a CPU profile of the overview's first load spent
// ~65 ms building them).
const dayFormats = new Map<string, Intl.DateTimeFormat | null>();

/** Today's date in an IANA zone. */
export function todayIn(zone: string, now: Date = new Date()): string {
  let format = dayFormats.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      format = null;
    }
    dayFormats.set(zone, format);
  }
  return format ? format.format(now) : now.toISOString().slice(0, 10);
}

export const isIsoDate = (text: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;

export interface RangePreset {
  id: string;
  label: string;
  range(today: string): { from: string; to: string };
}

function quarterStart(date: string): string {
  const m = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
}

function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/** The presets offered above every page; the id is what the URL keeps (range=90d). */
export const rangePresets: readonly RangePreset[] = [
  { id: '7d', label: 'Last 7 days', range: (t) => ({ from: addDays(t, -6), to: t }) },
  { id: '30d', label: 'Last 30 days', range: (t) => ({ from: addDays(t, -29), to: t }) },
  { id: '90d', label: 'Last 90 days', range: (t) => ({ from: addDays(t, -89), to: t }) },
  { id: '180d', label: 'Last 6 months', range: (t) => ({ from: addMonths(addDays(t, 1), -6), to: t }) },
  { id: '365d', label: 'Last 12 months', range: (t) => ({ from: addMonths(addDays(t, 1), -12), to: t }) },
  { id: 'qtd', label: 'This quarter', range: (t) => ({ from: quarterStart(t), to: t }) },
  {
    id: 'pq',
    label: 'Last quarter',
    range: (t) => {
      const start = addMonths(quarterStart(t), -3);
      return { from: start, to: addDays(quarterStart(t), -1) };
    },
  },
  { id: 'ytd', label: 'Year to date', range: (t) => ({ from: `${t.slice(0, 4)}-01-01`, to: t }) },
];

export const DEFAULT_PRESET = '90d';

export function findPreset(id: string | null | undefined): RangePreset | undefined {
  return rangePresets.find((p) => p.id === id);
}

/** A grain that gives a readable number of buckets for a range. */
export function suggestedGrain(from: string, to: string): Grain {
  const days = daysBetween(from, to) + 1;
  if (days <= 31) return 'day';
  if (days <= 200) return 'week';
  if (days <= 800) return 'month';
  return 'quarter';
}

/** The first day of the bucket after `bucket` (the API's bucket starts are local dates). */
export function nextBucket(bucket: string, grain: Grain): string {
  if (grain === 'day') return addDays(bucket, 1);
  if (grain === 'week') return addDays(bucket, 7);
  return addMonths(bucket, grain === 'month' ? 1 : 3);
}

/** The dates a bucket covers inside the range [from, to] (inclusive), for drill-down links. */
export function bucketRange(bucket: string, grain: Grain, range: { from: string; to: string }): { from: string; to: string } {
  const end = addDays(nextBucket(bucket, grain), -1);
  // ISO dates compare as text; the bucket is clipped to the range at both ends.
  const from = [bucket, range.from].sort()[1] as string;
  const to = [end, range.to].sort()[0] as string;
  return { from, to };
}
