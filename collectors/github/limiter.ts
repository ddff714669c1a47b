// The queues @octokit/plugin-throttling schedules every request through, without Bottleneck.
//
// The plugin keeps its limiters in a state object built from the `throttle` options
// (`state.global = options.global ?? <module-wide Bottleneck group, 10 at a time>`, and likewise
// `retryLimiter`; plugin-throttling 11.0.5, dist-bundle/index.js), so passing our own replaces them.
// Why: Bottleneck runs each job through timers and promise chains; measured against a local
// server, a request through both Octokit plugins took ~17 ms one at a time, against ~1 ms with
// these, and the module-wide group of 10 capped a sync near 250 requests a second. What the
// plugin decides is kept: which answers are rate limits (primary or secondary), and our
// onRateLimit/onSecondaryRateLimit handlers choosing to wait and retry.
//
// A limiter answers `key(id)` with itself, and `schedule([options,] fn, ...args)` runs fn when
// fewer than `maxConcurrent` of its jobs are running; when fn fails, the `failed` listener may
// return a delay in milliseconds, after which fn runs again (Bottleneck's retry contract, which
// the plugin's retry limiter relies on).
type Job = (...args: unknown[]) => Promise<unknown>;
type FailedListener = (error: unknown, info: { args: unknown[]; retryCount: number }) => unknown;

export class DirectLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private failed: FailedListener | null = null;

  constructor(private readonly maxConcurrent = Number.POSITIVE_INFINITY) {}

  key(): DirectLimiter {
    return this;
  }

  on(event: string, listener: FailedListener): void {
    if (event === 'failed') this.failed = listener;
  }

  async schedule(...input: unknown[]): Promise<unknown> {
    // Bottleneck's two forms: schedule(fn, ...args) and schedule(jobOptions, fn, ...args).
    const [first, ...rest] = input;
    const fn = (typeof first === 'function' ? first : rest.shift()) as Job;
    const args = rest;
    for (let retryCount = 0; ; retryCount++) {
      await this.acquire();
      let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, value: await fn(...args) };
      } catch (error) {
        outcome = { ok: false, error };
      } finally {
        this.release();
      }
      if (outcome.ok) return outcome.value;
      const wait = this.failed ? await this.failed(outcome.error, { args, retryCount }) : undefined;
      if (typeof wait !== 'number' || !Number.isFinite(wait)) throw outcome.error;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    }
  }

  private acquire(): Promise<void> | void {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return;
    }
    // The slot is handed over by release(), never counted twice.
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
