// The fuzz test's request generator: from a seed and the app's own route list, random and hostile
// requests: a plausible request with one parameter made hostile (SQL fragments, huge and negative
// numbers, ten-year and impossible ranges, odd Unicode, bytes that are not UTF-8), requests made of
// random parameters, write bodies that are malformed, oversized, deeply nested or of the wrong
// shape, path tricks aimed at files outside the web folder, methods no route takes, and headers
// that lie. The same seed gives the same requests in the same order.
import { recordKinds } from '../../server/metrics/records/index.ts';
import { metrics } from '../../server/metrics/registry.ts';
import { type Known, REVIEW_WEEK, type Route } from '../reliability/endpoints.ts';
import {
  ACTORS,
  BAD_METHODS,
  DATES,
  JSONISH,
  JUNK_HEADERS,
  NUMBERS,
  PATH_TRICKS,
  PATHISH,
  RAW_ENCODED,
  SQL,
  UNICODE,
  ZONES,
} from './values.ts';

export type { Known, Route };

export interface FuzzRequest {
  n: number;
  kind: 'mutated' | 'chaos' | 'write' | 'path' | 'method' | 'headers' | 'oversized';
  /** The route template it aims at (for coverage), or '-' for paths no route has. */
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** A function for a large body, made only when the request is sent. */
  body?: string | Buffer | (() => Buffer);
  /** Send the body chunked, without a content-length. */
  chunked?: boolean;
  /** mutated: the one parameter made hostile (a 400 must name it). */
  mutated?: string;
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Rng, p: number) => rng() < p;

function hostile(rng: Rng): string {
  const pool = pick(rng, [SQL, NUMBERS, DATES, ZONES, UNICODE, PATHISH, JSONISH]);
  const base = pick(rng, pool);
  if (chance(rng, 0.05)) return base.repeat(1 + Math.floor(rng() * 200)).slice(0, 6000);
  return base;
}

/** A query value, percent-encoded; sometimes with raw bytes that decode to nothing sensible. */
function encodeValue(rng: Rng, value: string): string {
  if (chance(rng, 0.08)) return encodeURIComponent(value) + pick(rng, RAW_ENCODED);
  if (chance(rng, 0.04)) return pick(rng, RAW_ENCODED);
  return encodeURIComponent(value).replace(/'/g, chance(rng, 0.5) ? "'" : '%27');
}

/**
 * A query string. Names are sometimes garbled and values sometimes given bytes that decode to
 * nothing sensible; `hostileOnly` limits that to one parameter, so a 400 must be about it.
 */
function queryString(rng: Rng, params: [string, string][], hostileOnly?: string): string {
  if (params.length === 0) return '';
  const name = (k: string) => (hostileOnly === undefined && chance(rng, 0.02) ? pick(rng, RAW_ENCODED) : encodeURIComponent(k));
  const value = (k: string, v: string) =>
    hostileOnly === undefined || k === hostileOnly ? encodeValue(rng, v) : encodeURIComponent(v);
  return `?${params.map(([k, v]) => `${name(k)}=${value(k, v)}`).join('&')}`;
}

const RANGES: [string, string][] = [
  ['2026-03-01', '2026-05-31'],
  ['2016-06-10', '2026-06-01'], // ten years: the longest range allowed
  ['2026-05-01', '2026-05-07'],
  ['2026-02-01T00:00:00Z', '2026-06-01T00:00:00Z'],
];

/** A plausible query for a GET route: the parameters its page would send. */
function baseQuery(rng: Rng, route: string, known: Known): [string, string][] {
  const [from, to] = pick(rng, RANGES);
  const range: [string, string][] = [
    ['from', from],
    ['to', to],
  ];
  const team = pick(rng, known.teams);
  if (route === '/api/metrics/:name' || route === '/api/distributions/:name' || route === '/api/alert-rules') {
    return [
      ...range,
      ['grain', pick(rng, ['day', 'week', 'month'])],
      ...(chance(rng, 0.5) ? [['team', team] as [string, string]] : []),
    ];
  }
  if (route === '/api/dora/summary') return [...range, ['thresholds', 'latest']];
  const kind = recordKinds.find((k) => route === `/api/${k.name}` || route === `/api/${k.name}.csv`);
  if (kind) {
    const out: [string, string][] = [...range];
    const csv = route.endsWith('.csv');
    for (const [name, values] of Object.entries(kind.params)) {
      // A CSV export is every record: it takes no page size or cursor.
      if (name === 'cursor' || (csv && name === 'limit') || !chance(rng, 0.3)) continue;
      if (name === 'limit') out.push(['limit', String(1 + Math.floor(rng() * 200))]);
      else if (values) out.push([name, pick(rng, values)]);
    }
    return out;
  }
  if (route === '/api/review' || route === '/api/review/export.csv')
    return [
      ['team', team],
      ['week', REVIEW_WEEK],
    ];
  if (route === '/api/review/trends')
    return [
      ['team', team],
      ['week', REVIEW_WEEK],
      ['weeks', '8'],
    ];
  if (route === '/api/incident-links') return [['incident', pick(rng, known.incidents)]];
  if (route === '/api/teams' || route === '/api/services' || route === '/api/repos') return range;
  return [];
}

/** Every parameter name any route takes, plus some no route takes. */
const VOCABULARY = [
  ...new Set([
    'from',
    'to',
    'grain',
    'tz',
    'groupBy',
    'team',
    'service',
    'repo',
    'severity',
    'thresholds',
    'week',
    'weeks',
    'schedule',
    'incident',
    'deployment',
    'version',
    'kind',
    'sources',
    'person',
    'environment',
    'outcome',
    'hourClass',
    'onCall',
    'level',
    ...recordKinds.flatMap((k) => Object.keys(k.params)),
    ...metrics.flatMap((m) => Object.keys(m.params ?? {})),
    'drop',
    '__proto__',
    'constructor',
    'from[]',
    'a'.repeat(300),
  ]),
];

function valueFor(rng: Rng, name: string, known: Known): string {
  switch (name) {
    case 'team':
      return pick(rng, known.teams);
    case 'service':
      return pick(rng, known.services);
    case 'repo':
      return pick(rng, known.repos);
    case 'schedule':
      return pick(rng, known.schedules);
    case 'person':
      return pick(rng, known.people);
    case 'incident':
      return pick(rng, known.incidents);
    case 'deployment':
      return pick(rng, known.deployments);
    case 'severity':
      return pick(rng, ['sev1', 'sev2', 'sev3', 'sev4', 'sev5', 'none']);
    case 'grain':
      return pick(rng, ['day', 'week', 'month', 'quarter']);
    case 'groupBy':
      return pick(rng, ['none', 'team', 'service', 'repo', 'severity', 'person', 'schedule']);
    case 'from':
    case 'to':
      return pick(rng, DATES);
    case 'tz':
      return pick(rng, ZONES);
    case 'limit':
    case 'weeks':
    case 'version':
      return pick(rng, NUMBERS);
    default:
      return hostile(rng);
  }
}

function fillPath(rng: Rng, template: string, known: Known, valid: boolean): string {
  return template.replace(/:(\w+)/g, (_m, name: string) => {
    if (!valid) return encodeValue(rng, hostile(rng));
    switch (name) {
      case 'name':
        return template.startsWith('/api/distributions')
          ? pick(rng, known.distributions) + (chance(rng, 0.3) ? '.csv' : '')
          : pick(rng, metrics).name + (chance(rng, 0.3) ? '.csv' : '');
      case 'id':
        return encodeURIComponent(
          template.includes('follow-ups')
            ? pick(rng, known.followUps)
            : template.includes('deployments')
              ? pick(rng, known.deployments)
              : pick(rng, known.incidents),
        );
      case 'incidentId':
        return encodeURIComponent(pick(rng, known.incidents));
      case 'deploymentId':
        return encodeURIComponent(pick(rng, known.deployments));
      default:
        return 'x';
    }
  });
}

function writeHeaders(rng: Rng): Record<string, string> {
  const h: Record<string, string> = {};
  const type = pick(rng, [
    'application/json',
    'application/json',
    'application/json',
    'application/json; charset=utf-16',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonp',
    '',
  ]);
  if (type) h['content-type'] = type;
  if (chance(rng, 0.85)) {
    const actor = pick(rng, ACTORS);
    h['x-vigil-actor'] = actor === 'Zoë Reviewer' ? encodeURIComponent(actor) : actor;
  }
  if (chance(rng, 0.1)) h.origin = pick(rng, ['https://evil.example', 'null', 'http://127.0.0.1', 'not a url']);
  return h;
}

/** A body for a write route: the shape it takes with one field made hostile, or garbage. */
function writeBody(rng: Rng, route: Route, known: Known): string {
  const version = chance(rng, 0.5) ? 0 : pick(rng, [-1, 1.5, 1e308, 2 ** 53 + 1, 7]);
  const team = pick(rng, known.teams);
  const shapes: Record<string, () => Record<string, unknown>> = {
    '/api/review/labels': () => ({
      items: [{ incidentId: pick(rng, known.incidents), version }],
      label: pick(rng, ['actionable', 'non_actionable', null, 'maybe']),
      ...(chance(rng, 0.5) ? { reason: pick(rng, ['expected', 'other', 'threshold_needs_tuning', 'bogus']) } : {}),
      ...(chance(rng, 0.3) ? { note: hostile(rng) } : {}),
    }),
    '/api/review/follow-ups': () => ({
      team,
      week: REVIEW_WEEK,
      ruleSignature: pick(rng, known.ruleSignatures),
      title: hostile(rng),
      url: pick(rng, ['https://x.example/1', 'javascript:alert(1)', hostile(rng)]),
      owner: hostile(rng),
    }),
    '/api/review/follow-ups/:id': () => ({ title: hostile(rng), done: chance(rng, 0.5), version }),
    '/api/review/notes': () => ({ team, week: pick(rng, [REVIEW_WEEK, hostile(rng)]), body: hostile(rng), version }),
    '/api/incident-links': () => ({
      incidentId: pick(rng, known.incidents),
      deploymentId: pick(rng, [...known.deployments, '*']),
      action: pick(rng, ['link', 'unlink', 'both']),
      note: hostile(rng),
      version,
    }),
    '/api/sync': () => ({ sources: pick(rng, [['github'], ['pagerduty'], ['jira'], [], 'github']) }),
    '/api/admin/backup': () => ({ kind: pick(rng, ['user-data', 'user-data', 'everything', hostile(rng)]) }),
  };
  const shape = shapes[route.path]?.() ?? {};
  const r = rng();
  if (r < 0.45) {
    // One field replaced with something hostile or of the wrong type.
    const keys = Object.keys(shape);
    if (keys.length > 0)
      shape[pick(rng, keys)] = pick(rng, [hostile(rng), -1, 1e308, null, [], {}, true, [hostile(rng)], { $gt: '' }]);
    if (chance(rng, 0.2)) shape[pick(rng, ['__proto__', 'constructor', 'extra', hostile(rng)])] = { polluted: true };
    return JSON.stringify(shape);
  }
  if (r < 0.6) return JSON.stringify(shape);
  return pick(rng, [
    '{"unclosed": ',
    '{"a":1}{"b":2}',
    "{'single': 'quotes'}",
    '[1,2,3]',
    '"just a string"',
    'null',
    '',
    '\u0000\u0001\u0002',
    '{"a":"\\ud800"}',
    `{"n": ${'9'.repeat(400)}}`,
    `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    `{"deep": ${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
    JSON.stringify({ items: Array.from({ length: 5000 }, (_, i) => ({ incidentId: `X${i}`, version: 0 })), label: 'actionable' }),
    '\ufeff{"bom": true}',
  ]);
}

export function generateRequests(
  seed: number,
  count: number,
  routes: readonly Route[],
  known: Known,
  rngOf: (seed: number) => Rng,
): FuzzRequest[] {
  const rng = rngOf(seed);
  const gets = routes.filter((r) => r.method === 'GET' && r.path.startsWith('/api/'));
  const writes = routes.filter((r) => r.method !== 'GET');
  const out: FuzzRequest[] = [];
  for (let n = 0; n < count; n++) {
    const r = rng();
    if (r < 0.4) {
      const route = pick(rng, gets);
      const params = baseQuery(rng, route.path, known);
      const name = chance(rng, 0.85)
        ? pick(rng, [...params.map(([k]) => k), 'from', 'to', 'tz', 'grain', 'team', 'limit'])
        : pick(rng, VOCABULARY);
      const value = name === 'from' || name === 'to' || name === 'tz' ? valueFor(rng, name, known) : hostile(rng);
      const query = params.filter(([k]) => k !== name);
      query.splice(Math.floor(rng() * (query.length + 1)), 0, [name, value]);
      if (chance(rng, 0.05)) query.push([name, value]);
      out.push({
        n,
        kind: 'mutated',
        route: route.path,
        method: 'GET',
        path: fillPath(rng, route.path, known, true) + queryString(rng, query, name),
        headers: {},
        mutated: name,
      });
    } else if (r < 0.6) {
      const route = pick(rng, gets);
      const params: [string, string][] = [];
      const k = Math.floor(rng() * 6);
      for (let i = 0; i < k; i++) {
        const name = pick(rng, VOCABULARY);
        params.push([name, chance(rng, 0.5) ? valueFor(rng, name, known) : hostile(rng)]);
      }
      if (chance(rng, 0.03)) params.push(['team', Array.from({ length: 3000 }, (_, i) => `t${i}`).join(',')]);
      out.push({
        n,
        kind: 'chaos',
        route: route.path,
        method: 'GET',
        path: fillPath(rng, route.path, known, chance(rng, 0.7)) + queryString(rng, params),
        headers: {},
      });
    } else if (r < 0.8) {
      const route = pick(rng, writes);
      const query: [string, string][] = route.method === 'DELETE' ? [['version', chance(rng, 0.5) ? '1' : hostile(rng)]] : [];
      const body = route.method === 'DELETE' && chance(rng, 0.7) ? undefined : writeBody(rng, route, known);
      out.push({
        n,
        kind: 'write',
        route: route.path,
        method: route.method,
        path: fillPath(rng, route.path, known, chance(rng, 0.8)) + queryString(rng, query),
        headers: writeHeaders(rng),
        ...(body !== undefined ? { body } : {}),
      });
    } else if (r < 0.87) {
      const path = pick(rng, PATH_TRICKS);
      out.push({ n, kind: 'path', route: '-', method: pick(rng, ['GET', 'GET', 'HEAD']), path, headers: {} });
    } else if (r < 0.93) {
      const route = pick(
        rng,
        routes.filter((x) => x.path.startsWith('/api/')),
      );
      out.push({
        n,
        kind: 'method',
        route: route.path,
        method: pick(rng, BAD_METHODS),
        path: fillPath(rng, route.path, known, true),
        headers: chance(rng, 0.5) ? writeHeaders(rng) : {},
        ...(chance(rng, 0.3) ? { body: '{}' } : {}),
      });
    } else if (r < 0.985) {
      const route = pick(rng, gets);
      const path = fillPath(rng, route.path, known, true) + queryString(rng, baseQuery(rng, route.path, known));
      out.push({
        n,
        kind: 'headers',
        route: route.path,
        method: 'GET',
        path,
        headers: { ...pick(rng, JUNK_HEADERS), ...(chance(rng, 0.3) ? pick(rng, JUNK_HEADERS) : {}) },
      });
    } else {
      const route = pick(rng, writes);
      const size = 1024 * 1024 + 1 + Math.floor(rng() * 1024 * 1024);
      // Made when sent: 10,000 requests hold ~150 of these, a quarter of a gigabyte if made up front.
      const body = () => Buffer.from(`{"note":"${'x'.repeat(size)}"}`);
      out.push({
        n,
        kind: 'oversized',
        route: route.path,
        method: route.method,
        path: fillPath(rng, route.path, known, true),
        headers: { 'content-type': 'application/json', 'x-vigil-actor': 'fuzz' },
        body,
        chunked: chance(rng, 0.5),
      });
    }
  }
  return out;
}
