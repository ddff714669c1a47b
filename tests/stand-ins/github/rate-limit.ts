// GitHub's rate limits, backed by real budgets: the primary limit per token (default 5,000 per hour,
// the window starting with the token's first request), and the secondary limits (at most 100
// concurrent requests per token, 900 points per minute per endpoint, a GET costing 1). Exhaustion
// answers as GitHub does: primary with 403 (or 429) and `x-ratelimit-remaining: 0`, secondary with
// 403 and a message saying "You have exceeded a secondary rate limit" plus `retry-after`.
import { type BudgetState, FixedWindowBudget } from '../common/rate-budget.ts';

export interface GitHubRateLimitOptions {
  /** Primary requests per window (default 5,000, a personal access token's limit). */
  limit?: number;
  windowMs?: number;
  /** Status for an exhausted primary limit: GitHub sends 403 or 429 (default 403). */
  exhaustedStatus?: 403 | 429;
  /** Secondary limit: points per minute per endpoint (default 900). */
  pointsPerMinute?: number;
  /** Secondary limit: concurrent requests per token (default 100). */
  maxConcurrent?: number;
}

export class GitHubRateLimits {
  readonly primary: FixedWindowBudget;
  readonly secondary: FixedWindowBudget;
  /** Unauthenticated requests (the 401s) count against the 60-per-hour anonymous budget. */
  readonly anonymous: FixedWindowBudget;
  readonly exhaustedStatus: 403 | 429;
  readonly maxConcurrent: number;
  private readonly inFlight = new Map<string, number>();

  constructor(options: GitHubRateLimitOptions, now: () => number) {
    const windowMs = options.windowMs ?? 3600_000;
    this.primary = new FixedWindowBudget(options.limit ?? 5000, windowMs, now);
    this.secondary = new FixedWindowBudget(options.pointsPerMinute ?? 900, 60_000, now);
    this.anonymous = new FixedWindowBudget(60, 3600_000, now);
    this.exhaustedStatus = options.exhaustedStatus ?? 403;
    this.maxConcurrent = options.maxConcurrent ?? 100;
  }

  /** Use up a token's primary budget (tests and the demo exhaust it on purpose). */
  exhaust(token: string): void {
    this.primary.exhaust(token);
  }

  state(token: string): BudgetState {
    return this.primary.state(token);
  }

  enter(token: string): boolean {
    const n = this.inFlight.get(token) ?? 0;
    if (n >= this.maxConcurrent) return false;
    this.inFlight.set(token, n + 1);
    return true;
  }

  leave(token: string): void {
    const n = (this.inFlight.get(token) ?? 1) - 1;
    if (n <= 0) this.inFlight.delete(token);
    else this.inFlight.set(token, n);
  }

  reset(): void {
    this.primary.reset();
    this.secondary.reset();
    this.anonymous.reset();
  }
}

export function rateHeaders(state: BudgetState): Record<string, string> {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': String(Math.ceil(state.resetAt / 1000)),
    'x-ratelimit-used': String(state.used),
    'x-ratelimit-resource': 'core',
  };
}

/** The body of GET /rate_limit: the live core budget, and fixed budgets for resources we don't serve. */
export function rateLimitBody(core: BudgetState, nowMs: number): unknown {
  const hourReset = Math.ceil((nowMs + 3600_000) / 1000);
  const minuteReset = Math.ceil((nowMs + 60_000) / 1000);
  const fresh = (limit: number, reset: number) => ({ limit, used: 0, remaining: limit, reset });
  const c = { limit: core.limit, used: core.used, remaining: core.remaining, reset: Math.ceil(core.resetAt / 1000) };
  return {
    resources: {
      core: c,
      search: fresh(30, minuteReset),
      graphql: fresh(5000, hourReset),
      integration_manifest: fresh(5000, hourReset),
      source_import: fresh(100, minuteReset),
      code_scanning_upload: fresh(1000, hourReset),
      actions_runner_registration: fresh(10000, hourReset),
      scim: fresh(15000, hourReset),
      dependency_snapshots: fresh(100, minuteReset),
      code_search: fresh(10, minuteReset),
      code_scanning_autofix: fresh(10, minuteReset),
    },
    rate: c,
  };
}
