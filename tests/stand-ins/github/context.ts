// What every GitHub handler and renderer shares: the organisation store, the public base URL that
// `url` fields and Link headers point at, repository and user lookups, and the error type handlers
// throw. Lookups are built once per server; rendered users and repositories are cached because
// every list item embeds them.
import { JsonFragments } from '../common/json-fragments.ts';
import type { OrgRepo, OrgStore, OrgUser } from '../org/model.ts';

export interface GhContext {
  store: OrgStore;
  /** Base for API URLs in bodies and links (the stand-in's own address unless `publicUrl` is set). */
  api: string;
  /** Base for html_url fields. */
  web: string;
  repoByName: Map<string, OrgRepo>; // lower-cased owner/name
  repoById: Map<number, OrgRepo>;
  userByLogin: Map<string, OrgUser>;
  userIndex: Map<string, number>;
  cache: Map<string, unknown>;
  /** Serialised users and repositories, spliced into pages by `fragments.stringify`. */
  fragments: JsonFragments;
  clockMs(): number;
}

/** An error a handler throws; the server renders it in GitHub's error shape. */
export class GhError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl = 'https://docs.github.com/rest',
    readonly errors?: unknown[],
  ) {
    super(message);
  }
}

export function notFound(doc = 'https://docs.github.com/rest'): GhError {
  return new GhError(404, 'Not Found', doc);
}

export function validationFailed(resource: string, field: string, doc: string): GhError {
  return new GhError(422, 'Validation Failed', doc, [{ resource, field, code: 'invalid' }]);
}

export function createGhContext(store: OrgStore, api: string, web = 'https://github.com'): GhContext {
  const repoByName = new Map<string, OrgRepo>();
  const repoById = new Map<number, OrgRepo>();
  for (const r of store.repos) {
    repoByName.set(r.fullName.toLowerCase(), r);
    repoById.set(r.id, r);
  }
  const userByLogin = new Map<string, OrgUser>();
  const userIndex = new Map<string, number>();
  store.users.forEach((u, i) => {
    userByLogin.set(u.login.toLowerCase(), u);
    userIndex.set(u.login.toLowerCase(), i);
  });
  return {
    store,
    api: api.replace(/\/+$/, ''),
    web,
    repoByName,
    repoById,
    userByLogin,
    userIndex,
    cache: new Map(),
    fragments: new JsonFragments(),
    clockMs: () => Date.parse(store.clock()),
  };
}

/** Memoise a rendered sub-object (users, repositories, labels) for the life of the server. */
export function cached<T>(ctx: GhContext, key: string, make: () => T): T {
  let v = ctx.cache.get(key) as T | undefined;
  if (v === undefined) {
    v = make();
    ctx.cache.set(key, v);
  }
  return v;
}
