// Running a collector's work over its scopes (repositories) a few at a time, so one failing scope
// is recorded and skipped while the others go on, and a fatal failure (bad token, rate limit
// exhausted) stops the run without starting more work.
import { FatalSyncError, isAbort, type ScopeSyncError, SyncStoppedError } from './errors.ts';
import type { RunContext } from './types.ts';

export interface ScopeRunOptions<S> {
  /** At most this many scopes in flight. GitHub asks for serial requests; a few in parallel stay well inside its limits. */
  concurrency: number;
  name(scope: S): string;
  work(scope: S): Promise<void>;
  /** Turn any error into a scope failure or a fatal one, in words the user can act on. */
  classify(error: unknown, scope: S): FatalSyncError | ScopeSyncError;
}

export async function runScopes<S>(ctx: RunContext, scopes: readonly S[], options: ScopeRunOptions<S>): Promise<void> {
  let next = 0;
  let fatal: FatalSyncError | null = null;
  let stopped = false;
  const worker = async () => {
    while (!fatal && !stopped && next < scopes.length) {
      if (ctx.signal.aborted) {
        stopped = true;
        return;
      }
      const scope = scopes[next++] as S;
      const name = options.name(scope);
      try {
        ctx.progress.scopeStarted(name);
        await options.work(scope);
        ctx.progress.scopeDone(name);
      } catch (error) {
        if (ctx.signal.aborted || error instanceof SyncStoppedError || (isAbort(error) && ctx.signal.aborted)) {
          stopped = true;
          return;
        }
        const classified = options.classify(error, scope);
        if (classified instanceof FatalSyncError) {
          fatal ??= classified;
          ctx.progress.scopeFailed(name, classified.message);
          return;
        }
        await ctx.scopeFailed(
          { scope: name, stream: ctx.progress.currentStream(name) ?? 'sync' },
          classified.message,
          classified.url,
        );
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency, scopes.length)) }, worker);
  await Promise.all(workers);
  if (fatal) throw fatal;
  if (stopped) throw new SyncStoppedError();
}
