// Response cache keyed by (data version, request), with identical requests in flight computed once.
// Every committed write bumps the database's
// data version (a sync, a derived refresh, a reviewer's label), which empties the cache, so a
// cached answer is never staler than the data; a short lifetime also bounds answers that depend
// on the clock (incidents open "now"). Bounded by entries and bytes, least recently used first out.
import { availableParallelism } from 'node:os';
import type { Database } from '../db/index.ts';

interface Entry {
  body: string;
  contentType: string;
  bytes: number;
  at: number;
}

export interface CacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  ttlMs?: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Requests answered by waiting for an identical one's computation. */
  coalesced = 0;
  private bytes = 0;
  hits = 0;
  misses = 0;
  /** Off: every request computes its answer (the benchmark measures the computation this way). */
  enabled = true;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;

  constructor(options: CacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 2000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
  }

  get(key: string): Entry | undefined {
    if (!this.enabled) {
      this.misses++;
      return undefined;
    }
    const entry = this.entries.get(key);
    if (!entry || Date.now() - entry.at > this.ttlMs) {
      if (entry) this.delete(key);
      this.misses++;
      return undefined;
    }
    // Re-insert: Map keeps insertion order, so the oldest key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry;
  }

  set(key: string, body: string, contentType: string): void {
    if (!this.enabled) return;
    const bytes = body.length * 2;
    if (bytes > this.maxBytes / 4) return;
    this.delete(key);
    this.entries.set(key, { body, contentType, bytes, at: Date.now() });
    this.bytes += bytes;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as string | undefined;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  /**
   * Compute `key`'s answer once for every caller that asks while it is being computed (a failure
   * reaches each of them; nothing is kept). With the cache off, every caller computes.
   */
  once(key: string, compute: () => Promise<string>): Promise<string> {
    if (!this.enabled) return compute();
    const running = this.inFlight.get(key);
    if (running) {
      this.coalesced++;
      return running;
    }
    const promise = compute().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry) {
      this.bytes -= entry.bytes;
      this.entries.delete(key);
    }
  }
}

/**
 * At most `slots` answers computed at once; the others wait their turn. DuckDB's memory limit is
 * shared by every query of the process, and eight heavy dashboard queries at once ran out of it on
 * the large organisation (500s for the lead time, at Vigil's default limit) while on 2 cores they
 * finish no sooner together than in turn.
 */
export class ComputeSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly slots: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

const slotsByDb = new WeakMap<Database, ComputeSlots>();

/** The compute slots of one database: as many as the machine has cores, at least 2. */
export function computeSlotsFor(db: Database): ComputeSlots {
  let slots = slotsByDb.get(db);
  if (!slots) {
    slots = new ComputeSlots(Math.max(2, availableParallelism()));
    slotsByDb.set(db, slots);
  }
  return slots;
}

const caches = new WeakMap<Database, ResponseCache>();

/** The cache of one database, emptied on every data change. */
export function cacheFor(db: Database): ResponseCache {
  let cache = caches.get(db);
  if (!cache) {
    const created = new ResponseCache();
    db.onChange(() => created.clear());
    caches.set(db, created);
    cache = created;
  }
  return cache;
}

/** Key of a request: data version, path and its parameters in a canonical order. */
export function requestKey(db: Database, path: string, params: Record<string, string[]>, day: string): string {
  const sorted = Object.keys(params)
    .sort()
    .map((k) => `${k}=${[...(params[k] ?? [])].join('\u0001')}`)
    .join('&');
  return `${db.dataVersion}|${path}|${sorted}|${day}`;
}
