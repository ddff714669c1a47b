// Small helpers shared by the GitHub and PagerDuty stand-ins: stable hashing (ids, ETags, request
// ids that must be identical for the same seed and request), ISO timestamp normalisation and
// time-zone rendering. Everything here runs per request or per rendered record, so it stays cheap.
import { createHash } from 'node:crypto';

/** 32-bit FNV-1a: a fast, stable hash for deterministic fake ids (not for security). */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A 40-hex-digit SHA-1 of the text: git-shaped ids (tree SHAs, blob SHAs) that never change. */
export function sha1Hex(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Hex digest used for ETags: the body plus the token, as GitHub's ETags differ per credential. */
export function etagOf(body: string, token: string): string {
  return `W/"${createHash('sha256').update(token).update('\n').update(body).digest('hex')}"`;
}

/** Normalise any ISO-8601 instant to GitHub's and PagerDuty's shape: seconds, UTC, `Z`. */
export function isoSeconds(iso: string): string {
  // Fast path for what the generator emits: 2024-01-02T03:04:05Z or 2024-01-02T03:04:05.678Z.
  if (iso.length === 20 && iso.charCodeAt(19) === 90 /* Z */) return iso;
  if (iso.length === 24 && iso.charCodeAt(23) === 90 && iso.charCodeAt(19) === 46 /* . */) return iso.slice(0, 19) + 'Z';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`Not an ISO-8601 instant: ${iso}`);
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** Epoch milliseconds of an ISO instant, or NaN. */
export function toMs(iso: string): number {
  return Date.parse(iso);
}

export function msToIso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** Whether `iso` is at or before `clock` (both ISO instants). */
export function atOrBefore(iso: string | null | undefined, clockMs: number): iso is string {
  return iso != null && Date.parse(iso) <= clockMs;
}

/** True when the string names a time zone this runtime knows (IANA). */
const zoneValidity = new Map<string, boolean>();
export function isKnownTimeZone(zone: string): boolean {
  let ok = zoneValidity.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    zoneValidity.set(zone, ok);
  }
  return ok;
}

// Offsets change only at DST transitions, which fall on whole quarter hours: caching the offset per
// (zone, quarter hour) keeps rendering a page of incidents in a zone to a few Map lookups.
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();
const QUARTER_HOUR = 15 * 60 * 1000;

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Minutes east of UTC of `zone` at instant `ms`. */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const bucket = Math.floor(ms / QUARTER_HOUR);
  const key = zone + '|' + bucket;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const at = bucket * QUARTER_HOUR;
  const parts = formatterFor(zone).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = Math.round((asUtc - at) / 60000);
  if (offsetCache.size > 200_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/**
 * Render an instant in a time zone the way PagerDuty does: local wall time with the numeric
 * offset (`2024-03-10T01:30:00-05:00`), or `Z` for UTC.
 */
export function renderInZone(iso: string, zone: string): string {
  if (zone === 'UTC' || zone === 'Etc/UTC') return isoSeconds(iso);
  const ms = Date.parse(iso);
  const offset = zoneOffsetMinutes(zone, ms);
  const local = new Date(ms + offset * 60000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/**
 * Parse a since/until value. An explicit offset or `Z` is absolute; a bare date or date-time is
 * wall time in `zone` (PagerDuty interprets since/until in the request's time zone). Returns
 * epoch ms or NaN.
 */
export function parseInstant(value: string, zone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    value.trim(),
  );
  if (!m) return Number.NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', tz] = m;
  const wall = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number(frac.slice(0, 3).padEnd(3, '0')),
  );
  if (Number.isNaN(wall)) return Number.NaN;
  if (tz) {
    if (tz.toUpperCase() === 'Z') return wall;
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000;
  }
  // Wall time in `zone`: subtract the zone's offset at that moment (iterate once for DST edges).
  let guess = wall - zoneOffsetMinutes(zone, wall) * 60000;
  guess = wall - zoneOffsetMinutes(zone, guess) * 60000;
  return guess;
}

/** Add calendar months in UTC (clamping the day, as Rails' `months.since` does). */
export function addMonthsUtc(ms: number, months: number): number {
  const d = new Date(ms);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

/** base64 of a string (GitHub's legacy node ids are base64 of "NN:Type<id>"). */
export function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}
