// Validates stand-in responses against the official OpenAPI descriptions: GitHub's from
// @octokit/openapi, PagerDuty's vendored at tests/stand-ins/pagerduty/openapi.json. The operation is
// picked by path template and method, and the body is checked against its 200 (or error) schema with
// ajv + ajv-formats. Where a description contradicts itself or the real API, a narrow, commented
// patch below makes the validator accept what the real API sends, and nothing more.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, unknown>;
type Spec = { paths: Record<string, Record<string, { responses: Record<string, Json> }>>; components: Json };

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS with a default export; under ESM interop it can arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

export interface SpecValidator {
  /** Errors (empty when valid) for a response body of `METHOD template` with `status`. */
  errors(endpoint: string, status: number, body: unknown): string[];
  /** Throws with every problem listed when the body does not validate. */
  assert(endpoint: string, status: number, body: unknown): void;
  /** Errors of a body against a named component schema (error bodies: basic-error, validation-error). */
  schemaErrors(component: string, body: unknown): string[];
}

function resolvePointer(doc: unknown, ref: string): unknown {
  const parts = ref
    .replace(/^#\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = doc;
  for (const p of parts) node = (node as Json)[p];
  return node;
}

/** Rewrite local refs (`#/…`) to point into the registered document (`id#/…`). */
function rebase(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rebase(n, id));
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node))
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${id}${v}` : rebase(v, id);
    return out;
  }
  return node;
}

/**
 * OpenAPI 3.0's `nullable: true` without a `type` (beside allOf/anyOf/$ref) means "or null"; ajv only
 * supports nullable next to `type`, so rewrite those to `anyOf: [schema, {type: null}]` once.
 */
function normaliseNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) normaliseNullable(n);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Json;
  for (const v of Object.values(obj)) normaliseNullable(v);
  // A nullable enum: the real APIs send null (GitHub's issue state_reason, for one), and OpenAPI
  // 3.0's intent is "or null", but JSON Schema's enum would reject it unless null is listed.
  if (obj.nullable === true && Array.isArray(obj.enum) && !obj.enum.includes(null)) obj.enum = [...obj.enum, null];
  if (obj.nullable === true && obj.type === undefined) {
    const rest: Json = { ...obj };
    delete rest.nullable;
    for (const k of Object.keys(obj)) delete obj[k];
    obj.anyOf = [rest, { type: 'null' }];
  }
}

function makeAjv(): Ajv {
  // strict: false because OpenAPI 3.0 schemas carry keywords JSON Schema does not know (example,
  // readOnly, x-github, discriminator); ajv honours `nullable`, which is the one that matters.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, discriminator: false });
  addFormats(ajv);
  // PagerDuty's own format names: `url` is a URI; `tzinfo` and `activesupport-time-zone` name zones.
  ajv.addFormat('url', /^https?:\/\/\S+$/);
  ajv.addFormat('tzinfo', { validate: (z: string) => isZone(z) });
  ajv.addFormat('activesupport-time-zone', { validate: (z: string) => isZone(z) });
  // Bots' commit addresses, e.g. 49699333+dependabot[bot]@users.noreply.github.com, which the real
  // API returns in `format: email` fields, have brackets that RFC 5322's dot-atom forbids: accept
  // exactly that addition to an ordinary address.
  const ordinaryEmail =
    /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
  ajv.addFormat('email', { validate: (v: string) => ordinaryEmail.test(v.replace(/\[bot\]@/, '@')) });
  ajv.addFormat('partial-time', /^\d{2}:\d{2}:\d{2}(?:\.\d+)?$/);
  return ajv;
}

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function buildValidator(spec: Spec, id: string): SpecValidator {
  normaliseNullable(spec.components);
  normaliseNullable(spec.paths);
  const ajv = makeAjv();
  ajv.addSchema({ ...spec, $id: id } as Json);
  const compiled = new Map<string, ValidateFunction>();

  const schemaFor = (endpoint: string, status: number): ValidateFunction => {
    const key = `${endpoint} ${status}`;
    let fn = compiled.get(key);
    if (fn) return fn;
    const [method, template] = endpoint.split(' ') as [string, string];
    const op = spec.paths[template]?.[method.toLowerCase()];
    if (!op) throw new Error(`The OpenAPI description has no operation ${endpoint}.`);
    let response = op.responses[String(status)] ?? op.responses.default;
    if (!response) throw new Error(`The OpenAPI description of ${endpoint} documents no ${status} response.`);
    while (typeof response.$ref === 'string') response = resolvePointer(spec, response.$ref) as Json;
    const content = response.content as Record<string, { schema: unknown }> | undefined;
    const schema = content?.['application/json']?.schema;
    if (!schema) throw new Error(`The ${status} response of ${endpoint} has no JSON schema.`);
    fn = ajv.compile(rebase(schema, id) as Json);
    compiled.set(key, fn);
    return fn;
  };

  const errors = (endpoint: string, status: number, body: unknown): string[] => {
    const fn = schemaFor(endpoint, status);
    if (fn(body)) return [];
    return (fn.errors ?? []).map(
      (e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)} (${e.schemaPath})`,
    );
  };
  const schemaErrors = (component: string, body: unknown): string[] => {
    const key = `#${component}`;
    let fn = compiled.get(key);
    if (!fn) {
      fn = ajv.compile({ $ref: `${id}#/components/schemas/${component}` });
      compiled.set(key, fn);
    }
    return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`);
  };
  return {
    errors,
    schemaErrors,
    assert(endpoint, status, body) {
      const problems = errors(endpoint, status, body);
      if (problems.length)
        throw new Error(`${endpoint} ${status} does not match the OpenAPI description:\n  ${problems.slice(0, 20).join('\n  ')}`);
    },
  };
}

/** Delete the field at `path` (object keys and array indices as strings); throws if it is not there. */
export function dropPath(body: unknown, path: string[]): void {
  let node = body as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node?.[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (!node || !(last in node)) throw new Error(`Nothing at ${path.join('.')} to remove.`);
  delete node[last];
}

let github: SpecValidator | undefined;
let pagerduty: SpecValidator | undefined;

export function githubSpecValidator(): SpecValidator {
  if (!github) {
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    const spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
    github = buildValidator(patchGitHub(spec), 'github');
  }
  return github;
}

export function pagerdutySpecValidator(): SpecValidator {
  if (!pagerduty) {
    const path = fileURLToPath(new URL('../../stand-ins/pagerduty/openapi.json', import.meta.url));
    const spec = JSON.parse(readFileSync(path, 'utf8')) as Spec;
    pagerduty = buildValidator(patchPagerDuty(spec), 'pagerduty');
  }
  return pagerduty;
}

function schemas(spec: Spec): Record<string, Json> {
  return spec.components.schemas as Record<string, Json>;
}

/** GitHub's description vs the real API. Each patch is as narrow as the contradiction. */
function patchGitHub(spec: Spec): Spec {
  return spec;
}

/**
 * Where `include[]` swaps a reference for the full object: accept either at that property. The full
 * object must still identify itself (id, and its own non-reference type), so a reference with a
 * field missing cannot slip through as a "full object".
 */
function allowFull(prop: Json, full: string, type?: string): void {
  const target = prop.type === 'array' ? (prop.items as Json) : prop;
  const variants = (target.oneOf as Json[] | undefined) ?? [{ ...target }];
  for (const k of Object.keys(target)) delete target[k];
  const identity: Json = { type: 'object', required: ['id', 'type'] };
  if (type) identity.properties = { type: { const: type } };
  target.anyOf = [...variants, { allOf: [{ $ref: `#/components/schemas/${full}` }, identity] }];
}

function makeNullable(prop: Json): void {
  const copy = { ...prop };
  for (const k of Object.keys(prop)) delete prop[k];
  prop.anyOf = [copy, { type: 'null' }];
}

/** PagerDuty's description vs itself and the real API. Each patch is as narrow as the contradiction. */
function patchPagerDuty(spec: Spec): Spec {
  const S = schemas(spec);
  const props = (name: string, part = 1) => ((S[name]!.allOf as Json[])[part]!.properties ?? {}) as Record<string, Json>;

  // AcknowledgeLogEntry.type says `acknowledgement_log_entry`, LogEntry and LogEntryReference say
  // `acknowledge_log_entry`, which is what the real API sends: accept both.
  (props('AcknowledgeLogEntry').type as Json).enum = ['acknowledge_log_entry', 'acknowledgement_log_entry'];

  // LogEntry.type lists field_value_change_log_entry (and the custom-field one), and the schemas
  // exist, but the log-entry responses' oneOf forgets them: add them wherever that oneOf appears.
  const addFieldChanges = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) addFieldChanges(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Json;
    const one = o.oneOf as Json[] | undefined;
    if (one?.some((v) => v.$ref === '#/components/schemas/AcknowledgeLogEntry')) {
      for (const name of ['FieldValueChangeLogEntry', 'CustomFieldValueChangeLogEntry']) {
        if (!one.some((v) => v.$ref === `#/components/schemas/${name}`)) one.push({ $ref: `#/components/schemas/${name}` });
      }
    }
    for (const v of Object.values(o)) addFieldChanges(v);
  };
  addFieldChanges(spec.paths);
  addFieldChanges(spec.components.responses);

  // Channel's oneOf variants differ only in a prose description of `type`, so any channel matches
  // several of them and oneOf can never hold; the intent is "one of these shapes".
  const channel = S.Channel as Json;
  channel.anyOf = channel.oneOf;
  delete channel.oneOf;

  // The incident: the real API (and the spec's own examples) send null for an unresolved incident's
  // resolved_at, an incident without priority, a resolve_reason that is not a merge, an alert
  // grouping that has not ended, and no alert_grouping at all when no alert was grouped.
  const incident = props('Incident');
  for (const k of ['resolved_at', 'priority', 'resolve_reason', 'alert_grouping']) makeNullable(incident[k]!);
  makeNullable(((incident.alert_grouping!.anyOf as Json[])[0]!.properties as Record<string, Json>).ended_at!);
  // IncidentBody.details is typed object, but the spec's own incident_body example (and the API)
  // carry a string.
  (S.IncidentBody!.properties as Record<string, Json>).details = { anyOf: [{ type: 'object' }, { type: 'string' }] };

  // An integration acting as an agent (what triggered an incident) is referenced as integrations
  // are everywhere else, with its own reference type (events_api_v2_inbound_integration_reference,
  // …, as IntegrationReference lists them); AgentReference's enum only says integration_reference.
  const integrationTypes = ((S.IntegrationReference!.allOf as Json[])[1]!.properties as Record<string, Json>).type!
    .enum as string[];
  const agentType = ((S.AgentReference!.allOf as Json[])[1]!.properties as Record<string, Json>).type!;
  agentType.enum = [...(agentType.enum as string[]), ...integrationTypes];

  // A permanent on-call (a user named directly in an escalation rule) has no schedule, start or
  // end: Oncall.start and .end say so in their descriptions, but none of the three is nullable.
  const oncallProps = S.Oncall!.properties as Record<string, Json>;
  for (const k of ['schedule', 'start', 'end']) makeNullable(oncallProps[k]!);

  // A service without support hours has support_hours: null on the real API.
  makeNullable(props('Service').support_hours!);

  // A schedule layer that never ends has end: null (the description of ScheduleLayer.end says so).
  const layer = ((S.ScheduleLayer as Json).properties ?? (S.ScheduleLayer as { allOf: Json[] }).allOf?.[1]?.properties) as Record<
    string,
    Json
  >;
  if (layer?.end) makeNullable(layer.end);

  // include[] values each endpoint documents, which the response schemas forget: the full object
  // may stand where the reference is.
  const logEntry = props('LogEntry');
  allowFull(logEntry.service!, 'Service', 'service');
  allowFull(logEntry.incident!, 'Incident', 'incident');
  allowFull(logEntry.teams!, 'Team', 'team');
  const alert = props('Alert');
  allowFull(alert.service!, 'Service', 'service');
  allowFull(alert.incident!, 'Incident', 'incident');
  allowFull((S.Notification!.properties as Record<string, Json>).user!, 'User', 'user');
  const oncall = S.Oncall!.properties as Record<string, Json>;
  allowFull(oncall.user!, 'User', 'user');
  allowFull(oncall.escalation_policy!, 'EscalationPolicy', 'escalation_policy');
  allowFull(oncall.schedule!, 'Schedule', 'schedule');
  const service = props('Service');
  allowFull(service.escalation_policy!, 'EscalationPolicy', 'escalation_policy');
  allowFull(service.teams!, 'Team', 'team');
  allowFull(service.integrations!, 'Integration');
  const user = props('User');
  allowFull(user.teams!, 'Team', 'team');
  allowFull(user.contact_methods!, 'ContactMethod');
  allowFull(user.notification_rules!, 'NotificationRule');
  const ep = props('EscalationPolicy');
  allowFull(ep.services!, 'Service', 'service');
  allowFull(ep.teams!, 'Team', 'team');
  return spec;
}
