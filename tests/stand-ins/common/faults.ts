// Fault injection for the stand-ins: the failures real APIs produce (5xx bursts, rate limits, resets,
// truncated bodies, slow answers, records appearing while a client pages, revoked tokens, vanished
// repositories), switchable per test through this controller and, for the demo, through the admin
// route `/__stand-in/faults` or the `faults` start option. A rule targets an endpoint and/or a path
// pattern and fires a number of times; the harness asks the controller once per request.
import { z } from 'zod';

export const FAULT_KINDS = [
  'status',
  'rate-limit',
  'secondary-rate-limit',
  'reset',
  'truncate',
  'slow',
  'advance-clock',
  'revoke-token',
  'remove-repository',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const ruleSchema = z
  .object({
    kind: z.enum(FAULT_KINDS),
    /** Endpoint template, e.g. `GET /repos/{owner}/{repo}/deployments`; `*` matches anything. */
    endpoint: z.string().min(1).optional(),
    /** Glob over path + query (`*` matches anything), e.g. `/incidents*offset=100*`. */
    path: z.string().min(1).optional(),
    /** Only requests made with this token. */
    token: z.string().min(1).optional(),
    /** How many matching requests it fires on (default 1); `"always"` until removed. */
    count: z.union([z.number().int().positive(), z.literal('always')]).default(1),
    /** Let this many matching requests through before firing. */
    skip: z.number().int().nonnegative().default(0),
    /** `status`: the status to answer, or a sequence cycled over the burst (e.g. [500, 502, 503]). */
    status: z.union([z.number().int().min(400).max(599), z.array(z.number().int().min(400).max(599)).min(1)]).optional(),
    /** `rate-limit`: answer 403 or 429 (GitHub); `secondary-rate-limit`/`rate-limit`: retry-after seconds. */
    limitStatus: z.union([z.literal(403), z.literal(429)]).optional(),
    retryAfter: z.number().int().nonnegative().optional(),
    /** `reset`/`truncate`: bytes of the body to send before failing (default: half of it). */
    bytes: z.number().int().nonnegative().optional(),
    /**
     * `truncate`: `full` declares the full content-length and closes early (the client sees a
     * premature end); `sent` declares what is sent, a complete HTTP message with cut-off JSON.
     */
    declare: z.enum(['full', 'sent']).default('full'),
    /** `slow`: delay before answering. */
    delayMs: z.number().int().nonnegative().optional(),
    /** `advance-clock`: move the organisation's clock forward before answering. */
    advanceMs: z.number().int().positive().optional(),
    to: z.string().datetime({ offset: true }).optional(),
    /** `revoke-token`: the token to revoke (default: the token of the request that fires it). */
    revoke: z.string().min(1).optional(),
    /** `remove-repository`: owner/name that answers 404 from then on (GitHub). */
    repo: z
      .string()
      .regex(/^[^/\s]+\/[^/\s]+$/)
      .optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const need = (field: keyof typeof rule, why: string) => {
      if (rule[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: why });
    };
    if (rule.kind === 'status') need('status', 'a status fault needs `status` (e.g. 502 or [500, 502, 503])');
    if (rule.kind === 'slow') need('delayMs', 'a slow fault needs `delayMs`');
    if (rule.kind === 'remove-repository') need('repo', 'a remove-repository fault needs `repo` (owner/name)');
    if (rule.kind === 'advance-clock' && rule.advanceMs === undefined && rule.to === undefined) {
      ctx.addIssue({ code: 'custom', path: ['advanceMs'], message: 'an advance-clock fault needs `advanceMs` or `to`' });
    }
  });

export type FaultRuleInput = z.input<typeof ruleSchema>;
export type FaultRule = z.output<typeof ruleSchema> & { id: number; fired: number; seen: number };

/** What fired on one request, in the order the harness applies them. */
export interface FiredFault {
  rule: FaultRule;
  /** For `status` bursts: the status for this firing. */
  status?: number;
}

export class FaultInputError extends Error {}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

interface CompiledRule {
  rule: FaultRule;
  endpoint?: RegExp;
  path?: RegExp;
}

export class FaultController {
  private rules: CompiledRule[] = [];
  private nextId = 1;
  private readonly revoked = new Set<string>();
  private readonly removedRepos = new Set<string>();

  /** Add a rule (validated; throws FaultInputError with a readable reason). Returns its id. */
  add(input: FaultRuleInput): number {
    const parsed = ruleSchema.safeParse(input);
    if (!parsed.success) {
      const reasons = parsed.error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`).join('; ');
      throw new FaultInputError(`Invalid fault rule: ${reasons}`);
    }
    const rule: FaultRule = { ...parsed.data, id: this.nextId++, fired: 0, seen: 0 };
    this.rules.push({
      rule,
      endpoint: rule.endpoint ? globToRegExp(rule.endpoint) : undefined,
      path: rule.path ? globToRegExp(rule.path) : undefined,
    });
    return rule.id;
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.rule.id !== id);
    return this.rules.length < before;
  }

  /** Remove every rule and undo revocations and removed repositories. */
  clear(): void {
    this.rules = [];
    this.revoked.clear();
    this.removedRepos.clear();
  }

  list(): { rules: FaultRule[]; revokedTokens: number; removedRepositories: string[] } {
    return {
      rules: this.rules.map((r) => ({ ...r.rule })),
      // Tokens are secrets even in a stand-in's admin output: report how many, not which.
      revokedTokens: this.revoked.size,
      removedRepositories: [...this.removedRepos],
    };
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  revokeToken(token: string): void {
    this.revoked.add(token);
  }

  restoreToken(token: string): void {
    this.revoked.delete(token);
  }

  isRevoked(token: string): boolean {
    return this.revoked.size > 0 && this.revoked.has(token);
  }

  removeRepository(fullName: string): void {
    this.removedRepos.add(fullName.toLowerCase());
  }

  restoreRepository(fullName: string): void {
    this.removedRepos.delete(fullName.toLowerCase());
  }

  isRepositoryRemoved(fullName: string): boolean {
    return this.removedRepos.size > 0 && this.removedRepos.has(fullName.toLowerCase());
  }

  /**
   * The rules that fire on this request (each firing uses up one of its count). Exhausted rules
   * are dropped so a finished burst costs nothing on later requests.
   */
  take(endpoint: string, pathAndQuery: string, token: string | undefined): FiredFault[] {
    if (this.rules.length === 0) return [];
    const fired: FiredFault[] = [];
    for (const c of this.rules) {
      const r = c.rule;
      if (c.endpoint && !c.endpoint.test(endpoint)) continue;
      if (c.path && !c.path.test(pathAndQuery)) continue;
      if (r.token !== undefined && r.token !== token) continue;
      r.seen++;
      if (r.seen <= r.skip) continue;
      const firing = r.fired++;
      let status: number | undefined;
      if (r.status !== undefined) status = Array.isArray(r.status) ? r.status[firing % r.status.length] : r.status;
      fired.push({ rule: r, status });
    }
    this.rules = this.rules.filter((c) => c.rule.count === 'always' || c.rule.fired < c.rule.count);
    return fired;
  }
}
