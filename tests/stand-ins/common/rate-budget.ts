// Fixed-window request budgets per key (a token, or a token and an endpoint), the way GitHub's
// primary limit (a window of an hour that starts with the first request) and PagerDuty's
// per-minute limit behave. Time comes from the stand-in's injected `now` so tests and the
// determinism check control it.

export interface BudgetState {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch ms at which the current window ends (and the budget refills). */
  resetAt: number;
}

interface Window {
  start: number;
  used: number;
}

export class FixedWindowBudget {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number,
  ) {
    if (!(limit > 0) || !(windowMs > 0)) throw new Error('A rate budget needs a positive limit and window.');
  }

  private window(key: string): Window {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t >= w.start + this.windowMs) {
      w = { start: t, used: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  state(key: string): BudgetState {
    const w = this.window(key);
    return { limit: this.limit, used: w.used, remaining: Math.max(0, this.limit - w.used), resetAt: w.start + this.windowMs };
  }

  /** Spend `points`; false (and nothing spent) when the window has not enough left. */
  consume(key: string, points = 1): boolean {
    const w = this.window(key);
    if (w.used + points > this.limit) return false;
    w.used += points;
    return true;
  }

  /** Use up the rest of the window (tests and the demo exhaust a budget on purpose). */
  exhaust(key: string): void {
    this.window(key).used = this.limit;
  }

  reset(): void {
    this.windows.clear();
  }
}
