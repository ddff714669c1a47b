// How a sync fails, in words the person running Vigil can act on. Collectors translate their
// client's errors into these; the engine decides from the class whether one scope or the whole run
// stops, and what status the run ends with.

/** The whole run stops: a bad token, an exhausted rate limit, an unreachable host. */
export class FatalSyncError extends Error {
  constructor(
    message: string,
    /** 'partial' when what was committed stays valid and the next run resumes (rate limit); else 'failed'. */
    readonly status: 'failed' | 'partial' = 'failed',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FatalSyncError';
  }
}

/** One scope (a repository) cannot be synced this time; the others go on. */
export class ScopeSyncError extends Error {
  constructor(
    message: string,
    readonly url: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ScopeSyncError';
  }
}

/** The run was asked to stop (shutdown) and did so at a batch boundary. */
export class SyncStoppedError extends Error {
  constructor() {
    super('The sync was stopped before it finished; the next sync resumes where it stopped.');
    this.name = 'SyncStoppedError';
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error instanceof SyncStoppedError);
}

export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw new SyncStoppedError();
}
