// PagerDuty's query conventions: array parameters with `[]` (`statuses[]=a&statuses[]=b`, as pdjs
// sends them when the key is named so), `include[]` checked against each endpoint's list, classic
// offset paging (`limit` default 25 and at most 100, `offset`, `total=true`, `more`) with the
// 10,000-record cap (offset + limit over 10,000 is a 400, as the real API answers), `time_zone`,
// and since/until read in the request's (or the account's) time zone.
import { isKnownTimeZone, parseInstant } from '../common/util.ts';
import { invalidInput, PdError } from './context.ts';

export const MAX_LIMIT = 100;
export const PAGINATION_CAP = 10_000;

export interface PdPaging {
  limit: number;
  offset: number;
  total: boolean;
}

export function arrayParam(q: URLSearchParams, name: string): string[] {
  return q.getAll(`${name}[]`).filter((v) => v !== '');
}

/** Array filters go to the store as undefined when absent (an empty list would mean "none match"). */
export function nonEmpty(values: string[]): string[] | undefined {
  return values.length ? values : undefined;
}

export function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalidInput(`${name} must be true or false`);
}

export function readPaging(q: URLSearchParams, defaultLimit = 25): PdPaging {
  const int = (name: string, fallback: number) => {
    const raw = q.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^\d+$/.test(raw)) throw invalidInput(`${name} must be a non-negative integer`);
    return Number(raw);
  };
  const asked = int('limit', defaultLimit);
  if (asked < 1) throw invalidInput('limit must be at least 1');
  const limit = Math.min(asked, MAX_LIMIT);
  const offset = int('offset', 0);
  if (offset + limit > PAGINATION_CAP) {
    throw new PdError(400, 2002, 'Arguments Caused Error', [
      `Offset+limit exceeds maximum allowed value of ${PAGINATION_CAP}. Please try to refine your search to reduce the returned set of records below this number, like adding a date range.`,
    ]);
  }
  return { limit, offset, total: boolParam(q, 'total') ?? false };
}

/** The classic paginated envelope. `more` is exact; `total` is null unless asked for. */
export function envelope(key: string, items: unknown[], paging: PdPaging, total: number): Record<string, unknown> {
  return {
    [key]: items,
    limit: paging.limit,
    offset: paging.offset,
    more: paging.offset + items.length < total,
    total: paging.total ? total : null,
  };
}

export function includes(q: URLSearchParams, allowed: readonly string[]): Set<string> {
  const asked = arrayParam(q, 'include');
  const bad = asked.filter((i) => !allowed.includes(i));
  if (bad.length) throw invalidInput(`include[] values ${bad.join(', ')} are not one of ${allowed.join(', ')}`);
  return new Set(asked);
}

export function timeZone(q: URLSearchParams, fallback: string): string {
  const z = q.get('time_zone');
  if (z === null || z === '') return fallback;
  if (!isKnownTimeZone(z)) throw invalidInput(`time_zone '${z}' is not a valid time zone`);
  return z;
}

/** A since/until value as epoch ms, read in `zone` when it carries no offset; undefined when absent. */
export function instantParam(q: URLSearchParams, name: string, zone: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const ms = parseInstant(raw, zone);
  if (Number.isNaN(ms)) throw invalidInput(`${name} '${raw}' is not a valid date-time`);
  return ms;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Page a list held in memory (static resources, alerts of one incident, pulls of one commit). */
export function pageOf<T>(all: T[], paging: PdPaging): T[] {
  return all.slice(paging.offset, paging.offset + paging.limit);
}

export function queryFilter<T>(list: readonly T[], q: URLSearchParams, text: (x: T) => string): T[] {
  const query = q.get('query');
  if (!query) return [...list];
  const needle = query.toLowerCase();
  return list.filter((x) => text(x).toLowerCase().includes(needle));
}
