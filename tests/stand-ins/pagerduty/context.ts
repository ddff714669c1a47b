// What every PagerDuty handler and renderer shares: the organisation store, the API base that
// `self` links point at, the web base for `html_url` (a stable fake subdomain), lookups by id, and
// the error type handlers throw (rendered in PagerDuty's `{ error: { code, message, errors } }`).
import { JsonFragments } from '../common/json-fragments.ts';
import type { OrgEscalationPolicy, OrgPriority, OrgSchedule, OrgService, OrgStore, OrgTeam, OrgUser } from '../org/model.ts';

export interface PdContext {
  store: OrgStore;
  /** Base of `self` URLs: the stand-in's own address unless `publicUrl` is set. */
  api: string;
  /** Base of `html_url`s, e.g. https://vigil-sim.pagerduty.com. */
  web: string;
  /** Zone for rendering and for bare since/until when the request names none. */
  accountTimeZone: string;
  users: Map<string, OrgUser>;
  teams: Map<string, OrgTeam>; // by PagerDuty team id
  services: Map<string, OrgService>;
  escalationPolicies: Map<string, OrgEscalationPolicy>;
  schedules: Map<string, OrgSchedule>;
  priorities: Map<string, OrgPriority>;
  /** integration id -> its service. */
  integrations: Map<string, OrgService>;
  /** Serialised references, spliced into pages by `fragments.stringify`. */
  fragments: JsonFragments;
  clockMs(): number;
}

export class PdError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors: string[] = [],
  ) {
    super(message);
  }
}

export const invalidInput = (...errors: string[]) => new PdError(400, 2001, 'Invalid Input Provided', errors);
export const notFound = () => new PdError(404, 2100, 'Not Found');

export function createPdContext(store: OrgStore, api: string, web: string, accountTimeZone: string): PdContext {
  const byId = <T extends { id: string }>(list: readonly T[]) => new Map(list.map((x) => [x.id, x]));
  const integrations = new Map<string, OrgService>();
  for (const s of store.services) for (const i of s.integrationIds) integrations.set(i, s);
  return {
    store,
    api: api.replace(/\/+$/, ''),
    web: web.replace(/\/+$/, ''),
    accountTimeZone,
    users: new Map(store.users.map((u) => [u.pdId, u])),
    teams: new Map(store.teams.map((t) => [t.pdTeamId, t])),
    services: byId(store.services),
    escalationPolicies: byId(store.escalationPolicies),
    schedules: byId(store.schedules),
    priorities: byId(store.priorities),
    integrations,
    fragments: new JsonFragments(),
    clockMs: () => Date.parse(store.clock()),
  };
}
