// Number, duration, ratio and time formatting for every page and chart, in one place so a value
// reads the same in a card, a tooltip, a table and a CSV header. Durations pick a unit a person
// reads at a glance (minutes, hours or days) and keep it for a whole chart.

export type DurationUnit = 'minutes' | 'hours' | 'days';

export const durationUnitSeconds: Record<DurationUnit, number> = { minutes: 60, hours: 3600, days: 86_400 };
const unitShort: Record<DurationUnit, string> = { minutes: 'min', hours: 'h', days: 'd' };

/** The unit that shows values of this size with the fewest awkward digits. */
export function pickDurationUnit(maxSeconds: number): DurationUnit {
  if (!Number.isFinite(maxSeconds) || maxSeconds < 2 * 3600) return 'minutes';
  if (maxSeconds < 3 * 86_400) return 'hours';
  return 'days';
}

/** Seconds in a unit, rounded to what a chart shows (and its CSV holds). */
export function inUnit(seconds: number | null | undefined, unit: DurationUnit): number | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  return round(seconds / durationUnitSeconds[unit], unit === 'minutes' ? 1 : 2);
}

export function unitLabel(unit: DurationUnit): string {
  return unitShort[unit];
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A duration as people say it: 45 s, 12 min, 3.5 h, 2.1 d. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.abs(seconds);
  if (s < 60) return `${Math.round(seconds)} s`;
  if (s < 3600) return `${trim(seconds / 60, s < 600 ? 1 : 0)} min`;
  if (s < 86_400) return `${trim(seconds / 3600, s < 36_000 ? 1 : 0)} h`;
  return `${trim(seconds / 86_400, s < 864_000 ? 1 : 0)} d`;
}

function trim(value: number, digits: number): string {
  return String(round(value, digits));
}

// Intl formatters are built once and reused: building one costs far more than using it, and a page
// formats hundreds of numbers and dates on its first render.
const numberFormats = new Map<number, Intl.NumberFormat>();
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' });
const dateTimeFormats = new Map<string, Intl.DateTimeFormat | null>();

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  let format = numberFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    numberFormats.set(digits, format);
  }
  return format.format(value);
}

export function formatPercent(ratio: number | null | undefined, digits = 0): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  return `${formatNumber(ratio * 100, digits)}%`;
}

/** 'YYYY-MM-DD' as '3 Mar 2024'. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '–';
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return dateFormat.format(d);
}

/** An instant in the viewer's configured zone: '3 Mar 2024, 14:05'. */
export function formatDateTime(iso: string | null | undefined, zone = 'UTC'): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  let format = dateTimeFormats.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-GB', {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: zone,
      });
    } catch {
      format = null;
    }
    dateTimeFormats.set(zone, format);
  }
  return format ? format.format(d) : d.toISOString().replace('T', ' ').slice(0, 16);
}

/** How long ago, for sync status: 'just now', '5 min ago', '3 h ago', '2 d ago'. */
export function formatAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return 'never';
  const s = (now - Date.parse(iso)) / 1000;
  if (!Number.isFinite(s)) return iso;
  if (s < -60) return 'in the future';
  if (s < 45) return 'just now';
  return `${formatDuration(s)} ago`;
}

/** A bucket label for a grain: 'Mar 2024', 'Q1 2024', 'w/c 4 Mar', '4 Mar'. */
export function formatBucket(bucket: string, grain: 'day' | 'week' | 'month' | 'quarter'): string {
  const d = new Date(`${bucket}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return bucket;
  const month = monthFormat.format(d);
  const year = d.getUTCFullYear();
  if (grain === 'quarter') return `Q${Math.floor(d.getUTCMonth() / 3) + 1} ${year}`;
  if (grain === 'month') return `${month} ${year}`;
  const day = d.getUTCDate();
  return grain === 'week' ? `w/c ${day} ${month}` : `${day} ${month}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}
