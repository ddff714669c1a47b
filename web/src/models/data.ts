// Answers of the API, cached by URL for this visit: each is a signal that goes loading -> ready or
// error, keeping the previous answer while a new one loads so charts do not flicker. A new data
// version (a sync committed, a reviewer's change) invalidates them all, at most every so often,
// so an open dashboard follows the data without refetching on every batch of a running sync.
import { type Signal, signal } from '@preact/signals';
import { type ApiClient, ApiFailure } from '../api/client.ts';

export type Resource<T> =
  | { status: 'loading'; data: T | undefined; error: null }
  | { status: 'ready'; data: T; error: null }
  | { status: 'error'; data: T | undefined; error: ApiFailure };

interface Entry {
  state: Signal<Resource<unknown>>;
  generation: number;
  used: number;
}

export function toFailure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error;
  return new ApiFailure(0, 'client', (error as Error)?.message ?? String(error), 'Reload the page; if it persists, report it.');
}

export class DataModel {
  /** Bumped to make every resource load again on its next read. */
  readonly generation = signal(0);
  private readonly entries = new Map<string, Entry>();
  private used = 0;
  private lastVersion = 0;
  private lastInvalidated = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly options: { maxEntries?: number; minRefreshMs?: number; now?: () => number } = {},
  ) {}

  resource<T>(url: string): Signal<Resource<T>> {
    const generation = this.generation.peek();
    let entry = this.entries.get(url);
    if (!entry || entry.generation !== generation) {
      const stale = entry?.state.peek().data;
      entry = { state: signal<Resource<unknown>>({ status: 'loading', data: stale, error: null }), generation, used: 0 };
      this.entries.set(url, entry);
      this.load(url, entry);
      this.evict();
    }
    entry.used = ++this.used;
    return entry.state as Signal<Resource<T>>;
  }

  /**
   * Start loading a resource a component will read soon (the same URL, so it shares the answer),
   * when its URL is known before that component renders: its request then runs alongside others.
   */
  prefetch(url: string): void {
    this.resource(url);
  }

  /** Load one resource again (the error state's "Retry"). */
  retry(url: string): void {
    const entry = this.entries.get(url);
    if (!entry) return;
    entry.state.value = { status: 'loading', data: entry.state.peek().data, error: null };
    this.load(url, entry);
  }

  invalidate(): void {
    this.lastInvalidated = this.now();
    this.generation.value++;
  }

  /** Called with each answer's data version: newer data refreshes the views (throttled). */
  noteDataVersion(version: number): void {
    if (version <= this.lastVersion) return;
    const first = this.lastVersion === 0;
    this.lastVersion = version;
    if (first || this.pending) return;
    const wait = Math.max(1000, (this.options.minRefreshMs ?? 20_000) - (this.now() - this.lastInvalidated));
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.invalidate();
    }, wait);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private load(url: string, entry: Entry): void {
    this.api.get<unknown>(url).then(
      (data) => {
        if (this.entries.get(url) === entry) entry.state.value = { status: 'ready', data, error: null };
      },
      (error: unknown) => {
        if (this.entries.get(url) === entry) {
          entry.state.value = { status: 'error', data: entry.state.peek().data, error: toFailure(error) };
        }
      },
    );
  }

  private evict(): void {
    const max = this.options.maxEntries ?? 200;
    if (this.entries.size <= max) return;
    const oldest = [...this.entries.entries()].sort((a, b) => a[1].used - b[1].used).slice(0, this.entries.size - max);
    for (const [url] of oldest) this.entries.delete(url);
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
  }
}
