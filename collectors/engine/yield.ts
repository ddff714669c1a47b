// Giving the event loop a turn during long synchronous work (normalising big pages), so the API
// served by the same process keeps answering while a sync runs (DUCKDB-NOTES §1: stay well under
// 100 ms per synchronous stretch).

export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Map items, yielding to the event loop every `every` items. */
export async function mapYielding<T, U>(items: readonly T[], fn: (item: T, index: number) => U, every = 200): Promise<U[]> {
  const out: U[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % every === 0) await yieldToLoop();
    out[i] = fn(items[i] as T, i);
  }
  return out;
}

/**
 * Run `fn` over items with at most `limit` in flight, results in input order. Independent requests
 * of one scope (the statuses of a page's deployments, compares) go out a few at a time: API
 * clients queue and pace them, and waiting on them one by one leaves the process idle.
 */
export async function mapConcurrent<T, U>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<U>,
): Promise<U[]> {
  const out: U[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
  return out;
}
