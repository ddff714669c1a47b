// Time helpers for the generator: whole-second UTC instants as numbers (ms), ISO rendering without
// milliseconds (as GitHub and PagerDuty print them), and local wall-clock hours in an IANA zone,
// cached because the generator asks millions of times and Intl is slow.

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** ISO 8601 in UTC without milliseconds: 2024-05-01T12:34:56Z. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** Parse an ISO instant; throws a clear error for anything else. */
export function parseIso(text: string, what = 'time'): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new Error(`${what} must be an ISO 8601 instant such as 2025-01-31T12:00:00Z, got "${text}"`);
  return ms;
}

/** Round down to the whole second (every generated instant is whole seconds). */
export function sec(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}

/** Midnight UTC of the day containing ms. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

function computeOffset(zone: string, ms: number): number {
  const parts = formatter(zone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - Math.floor(ms / MINUTE) * MINUTE) / MINUTE) * MINUTE;
}

/**
 * Offsets of one zone per UTC day, with the exact instant of any change inside a day. Intl is
 * asked about once per day (zones change offset twice a year at most), and lookups are an array
 * read, because the generator asks millions of times.
 */
class ZoneOffsets {
  private readonly days = new Map<number, { offset: number; change: number; after: number }>();

  constructor(private readonly zone: string) {}

  at(ms: number): number {
    const day = Math.floor(ms / DAY);
    let entry = this.days.get(day);
    if (!entry) {
      const start = day * DAY;
      // Consecutive days share their boundary: reuse yesterday's closing offset.
      const offset = this.days.get(day - 1)?.after ?? computeOffset(this.zone, start);
      const after = computeOffset(this.zone, start + DAY);
      let change = Number.POSITIVE_INFINITY;
      if (after !== offset) {
        // Find the minute the offset changed.
        let lo = start;
        let hi = start + DAY;
        while (hi - lo > MINUTE) {
          const mid = Math.floor((lo + hi) / 2 / MINUTE) * MINUTE;
          if (computeOffset(this.zone, mid) === offset) lo = mid;
          else hi = mid;
        }
        change = hi;
      }
      entry = { offset, change, after };
      this.days.set(day, entry);
    }
    return ms < entry.change ? entry.offset : entry.after;
  }
}

const zones = new Map<string, ZoneOffsets>();

/** The zone's UTC offset in ms at `ms`. */
export function zoneOffset(zone: string, ms: number): number {
  if (zone === 'UTC') return 0;
  let z = zones.get(zone);
  if (!z) {
    z = new ZoneOffsets(zone);
    zones.set(zone, z);
  }
  return z.at(ms);
}

/** Local hour of day (fractional) in the zone. */
export function localHour(zone: string, ms: number): number {
  const local = ms + zoneOffset(zone, ms);
  return (((local % DAY) + DAY) % DAY) / HOUR;
}

/** Local ISO weekday 1 (Mon) .. 7 (Sun) in the zone. */
export function localWeekday(zone: string, ms: number): number {
  const local = ms + zoneOffset(zone, ms);
  const dow = new Date(local).getUTCDay();
  return dow === 0 ? 7 : dow;
}

/** The UTC instant of local wall-clock `hour` on the calendar date whose UTC midnight is `dayUtc`. */
export function atLocal(zone: string, dayUtc: number, hour: number): number {
  const guess = dayUtc + hour * HOUR;
  return guess - zoneOffset(zone, guess - zoneOffset(zone, guess));
}

/** True in the sleep hours (22:00-08:00) of the zone. */
export function isNight(zone: string, ms: number): boolean {
  const h = localHour(zone, ms);
  return h >= 22 || h < 8;
}

/** First instant of the UTC calendar month containing ms. */
export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Months since 1970-01 (a partition key). */
export function monthIndex(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth() - 1970 * 12;
}

export function monthIndexStart(index: number): number {
  return Date.UTC(1970 + Math.floor(index / 12), index % 12, 1);
}
