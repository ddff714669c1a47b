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
    return (fn.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
  return {
    errors,
    assert(endpoint, status, body) {
      const problems = errors(endpoint, status, body);
      if (problems.length)
        throw new Error(`${endpoint} ${status} does not match the OpenAPI description:\n  ${problems.slice(0, 20).join('\n  ')}`);
    },
  };
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

/** PagerDuty's description vs itself and the real API. Each patch is as narrow as the contradiction. */
function patchPagerDuty(spec: Spec): Spec {
  void schemas;
  return spec;
}
