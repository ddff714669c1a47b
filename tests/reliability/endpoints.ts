// Every endpoint of the app, from its own route table (a new route is covered without editing
// the tests), and the ids that exist in a running Vigil's database, so requests reach the code
// behind validation. Shared by the fuzz, load, token and auth tests.
import { createApp } from '../../server/api/app.ts';
import { parseConfig } from '../../server/config/load.ts';
import { openDatabase } from '../../server/db/index.ts';
import { distributionNames } from '../../server/metrics/distributions.ts';
import { metrics } from '../../server/metrics/registry.ts';
import { DEFAULT_WEB_ROOT } from '../../server/runtime.ts';

export interface Route {
  method: string;
  path: string;
}

/** Ids and names that exist in the database. */
export interface Known {
  teams: string[];
  services: string[];
  repos: string[];
  schedules: string[];
  people: string[];
  incidents: string[];
  deployments: string[];
  followUps: string[];
  distributions: string[];
  ruleSignatures: string[];
}

/** Dates to ask about: the last three months before the organisation's clock, and a review week. */
export interface Era {
  from: string;
  to: string;
  /** The Monday of a full week shortly before the clock. */
  week: string;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The era of an organisation whose clock is `anchor`. */
export function eraOf(anchor: string): Era {
  const t = Date.parse(anchor);
  const twoWeeksBefore = new Date(t - 14 * 86_400_000);
  const monday = t - 14 * 86_400_000 - ((twoWeeksBefore.getUTCDay() + 6) % 7) * 86_400_000;
  return { from: day(t - 92 * 86_400_000), to: day(t), week: day(monday) };
}

/** The era of the organisation at its default clock (2026-06-01). */
export const ERA = eraOf('2026-06-01T00:00:00Z');
/** The week the simulated organisation's reviews are read for at its default clock. */
export const REVIEW_WEEK = ERA.week;

/** The app's routes (method and path template), middleware and the web app's catch-all left out. */
export async function appRoutes(): Promise<Route[]> {
  const db = await openDatabase(':memory:');
  try {
    const app = createApp({
      db,
      config: parseConfig('routes.yaml', { teams: [{ id: 'core', name: 'Core' }], database: ':memory:' }),
      webRoot: DEFAULT_WEB_ROOT,
    });
    const seen = new Set<string>();
    const out: Route[] = [];
    for (const r of app.routes) {
      if (r.method === 'ALL' || r.path.includes('*') || seen.has(`${r.method} ${r.path}`)) continue;
      seen.add(`${r.method} ${r.path}`);
      out.push({ method: r.method, path: r.path });
    }
    return out;
  } finally {
    await db.close();
  }
}

export const isWrite = (route: Route) => route.method !== 'GET' && route.method !== 'HEAD';

/**
 * Read what exists from a running Vigil (and create one follow-up, so its routes have an id).
 * `headers` carries credentials when auth is on.
 */
export async function knownValues(url: string, headers: Record<string, string> = {}, era: Era = ERA): Promise<Known> {
  const get = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${url}${path}`, { ...init, headers: { ...headers, ...(init.headers as object) } });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  type Items = { items: Record<string, unknown>[] };
  const range = `from=${era.from}&to=${era.to}`;
  const ids = (items: Record<string, unknown>[], key = 'id') => items.map((i) => String(i[key]));
  const teams = ids((await get<Items>('/api/teams')).items);
  const ruleSignatures: string[] = [];
  let followUp = '';
  for (const team of teams) {
    const view = await get<{ rules: { signature: string }[] }>(`/api/review?team=${encodeURIComponent(team)}&week=${era.week}`);
    ruleSignatures.push(...view.rules.map((r) => r.signature));
    if (!followUp && view.rules[0]) {
      const created = await get<{ id: string }>('/api/review/follow-ups', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-vigil-actor': 'tester' },
        body: JSON.stringify({ team, week: era.week, ruleSignature: view.rules[0].signature, title: 'Tune it' }),
      });
      followUp = created.id;
    }
  }
  const known: Known = {
    teams,
    services: ids((await get<Items>('/api/services')).items),
    repos: (await get<Items>('/api/repos')).items.map((r) => String(r.repo ?? r.name ?? r.id)),
    schedules: (await get<{ schedules: { id: string }[] }>('/api/review/options')).schedules.map((s) => s.id),
    people: ids((await get<Items>('/api/people')).items),
    incidents: ids((await get<Items>(`/api/incidents?${range}&limit=40`)).items),
    deployments: ids((await get<Items>(`/api/deployments?${range}&limit=40&environment=all`)).items),
    followUps: [followUp],
    distributions: [...distributionNames],
    ruleSignatures,
  };
  for (const [name, values] of Object.entries(known)) {
    if (values.length === 0 || values.includes('')) throw new Error(`Nothing known for ${name}: is the database synced?`);
  }
  return known;
}

/**
 * One or more well-formed GET URLs for every GET route: every metric and distribution as JSON and
 * CSV, records over the organisation's history, the review of a team's week, a record by id.
 */
export function getUrls(routes: readonly Route[], known: Known, era: Era = ERA): string[] {
  const range = `from=${era.from}&to=${era.to}`;
  const team = known.teams[0] as string;
  const out: string[] = [];
  for (const route of routes) {
    if (route.method !== 'GET' || !route.path.startsWith('/api/')) continue;
    const p = route.path;
    if (p === '/api/metrics/:name') {
      for (const m of metrics) out.push(`/api/metrics/${m.name}?${range}`, `/api/metrics/${m.name}.csv?${range}`);
    } else if (p === '/api/distributions/:name') {
      for (const d of known.distributions) out.push(`/api/distributions/${d}?${range}`, `/api/distributions/${d}.csv?${range}`);
    } else if (p === '/api/deployments/:id') {
      out.push(...known.deployments.slice(0, 3).map((id) => `/api/deployments/${encodeURIComponent(id)}`));
    } else if (p === '/api/incidents/:id') {
      out.push(...known.incidents.slice(0, 3).map((id) => `/api/incidents/${encodeURIComponent(id)}`));
    } else if (p.includes(':')) {
      throw new Error(`No URL for ${p}: teach getUrls (tests/reliability/endpoints.ts) its parameters.`);
    } else if (p === '/api/incident-links') {
      out.push(`${p}?incident=${encodeURIComponent(known.incidents[0] as string)}`);
    } else if (p.startsWith('/api/review') && p !== '/api/review/options') {
      out.push(`${p}?team=${encodeURIComponent(team)}&week=${era.week}`);
    } else if (p === '/api/deployments' || p === '/api/deployments.csv') {
      out.push(`${p}?${range}&environment=all`);
    } else if (
      /^\/api\/(incidents|pages|oncall-shifts)(\.csv)?$/.test(p) ||
      p === '/api/dora/summary' ||
      p === '/api/alert-rules'
    ) {
      out.push(`${p}?${range}`);
    } else {
      out.push(p);
    }
  }
  return out;
}
