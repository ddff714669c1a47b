// The one way the web app talks to the API: typed URLs from the server's route chain (hono/client
// over ApiRoutes, so a renamed endpoint fails the build), JSON with the error envelope turned into
// an ApiFailure that carries the server's message and hint, the reviewer's name on every write
// (X-Vigil-Actor) and the data version of every answer, so cached views know when to refetch.
import { hc } from 'hono/client';
import type { RecordKindName } from './records.ts';
import type { ApiRoutes } from './types.ts';

export type QueryValue = string | number | boolean | readonly string[] | null | undefined;
export type Query = Record<string, QueryValue>;

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | undefined,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Query values as the API takes them: lists repeated, empty values left out. */
export function cleanQuery(query: Query): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) out[key] = [...value];
    } else out[key] = String(value);
  }
  return out;
}

export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(cleanQuery(query))) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface ApiClientOptions {
  /** The page's origin (hono/client builds absolute URLs). */
  origin: string;
  /** The reviewer's name for writes, when known. */
  actor?: () => string | null;
  fetch?: typeof fetch;
  /** Called with the data version each answer carries. */
  onDataVersion?: (version: number) => void;
}

export class ApiClient {
  readonly routes: ReturnType<typeof hc<ApiRoutes>>;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.routes = hc<ApiRoutes>(`${options.origin}/api`);
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  private path(url: URL): string {
    return `${url.pathname}${url.search}`;
  }

  metricUrl(name: string, query: Query = {}, csv = false): string {
    return this.path(
      this.routes.metrics[':name'].$url({ param: { name: csv ? `${name}.csv` : name }, query: cleanQuery(query) }),
    );
  }

  distributionUrl(name: string, query: Query = {}, csv = false): string {
    return this.path(
      this.routes.distributions[':name'].$url({ param: { name: csv ? `${name}.csv` : name }, query: cleanQuery(query) }),
    );
  }

  doraUrl(query: Query = {}): string {
    return this.path(this.routes.dora.summary.$url({ query: cleanQuery(query) }));
  }

  /** The record endpoints are registered in a loop on the server, so their paths are built here. */
  recordsUrl(kind: RecordKindName, query: Query = {}, csv = false): string {
    return `/api/${kind}${csv ? '.csv' : ''}${queryString(query)}`;
  }

  deploymentUrl(id: string): string {
    return `/api/deployments/${encodeURIComponent(id)}`;
  }

  incidentUrl(id: string): string {
    return `/api/incidents/${encodeURIComponent(id)}`;
  }

  alertRulesUrl(query: Query = {}): string {
    return this.path(this.routes['alert-rules'].$url({ query: cleanQuery(query) }));
  }

  linksUrl(query: { incident?: string; deployment?: string }): string {
    return this.path(this.routes['incident-links'].$url({ query: cleanQuery(query) }));
  }

  /** Fixed endpoints, by name. */
  get paths() {
    const r = this.routes;
    const p = (url: URL) => this.path(url);
    return {
      health: p(r.health.$url()),
      settings: p(r.settings.$url()),
      teams: p(r.teams.$url()),
      services: p(r.services.$url()),
      repos: p(r.repos.$url()),
      people: p(r.people.$url()),
      metrics: p(r.metrics.$url()),
      syncStatus: p(r.sync.status.$url()),
      sync: p(r.sync.$url()),
      links: p(r['incident-links'].$url()),
      definitions: p(r.docs.metrics.$url()),
    };
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  async send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return this.request<T>(method, path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const actor = method === 'GET' ? null : (this.options.actor?.() ?? null);
    if (actor) headers['X-Vigil-Actor'] = encodeURIComponent(actor);
    let response: Response;
    try {
      response = await this.fetcher(path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiFailure(
        0,
        'network',
        'Vigil did not answer.',
        'Check that `vigil serve` (or `vigil demo`) is still running and reachable, then retry.',
      );
    }
    const version = Number(response.headers.get('x-vigil-data-version'));
    if (Number.isFinite(version) && version > 0) this.options.onDataVersion?.(version);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const envelope = (parsed as { error?: { code?: string; message?: string; hint?: string } } | null)?.error;
      const { code, message, hint, ...details } = envelope ?? {};
      throw new ApiFailure(
        response.status,
        code ?? 'http_error',
        message ?? `The server answered ${response.status} ${response.statusText}.`,
        hint ??
          (response.status >= 500 ? 'Try again; if it persists, the server log says why.' : 'Check the filters, then retry.'),
        details,
      );
    }
    if (parsed === null && text) {
      throw new ApiFailure(response.status, 'bad_response', 'The server answered with something that is not JSON.', undefined);
    }
    return parsed as T;
  }
}
