// Deterministic identifiers. PagerDuty ids of generated records are a keyed permutation of their
// index, so they look random yet decode back to the record without any index in memory (the large
// organisation must find a log entry by id without holding millions of ids). GitHub ids are plain
// numbers with a repository stride, as GitHub's global sequences look from one repository.
import { hash32 } from './prng.ts';

const MASK26 = (1 << 26) - 1;
const TWO26 = 1 << 26;
const ALPHA36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function round(r: number, key: number): number {
  let x = Math.imul(r ^ key, 0x9e3779b1);
  x ^= x >>> 15;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  return x & MASK26;
}

/** A keyed bijection on [0, 2^52). */
export function permute52(n: number, keys: readonly number[]): number {
  let left = Math.floor(n / TWO26);
  let right = n % TWO26;
  for (const key of keys) {
    const next = left ^ round(right, key);
    left = right;
    right = next;
  }
  return left * TWO26 + right;
}

export function unpermute52(n: number, keys: readonly number[]): number {
  let left = Math.floor(n / TWO26);
  let right = n % TWO26;
  for (let i = keys.length - 1; i >= 0; i--) {
    const prev = right ^ round(left, keys[i] as number);
    right = left;
    left = prev;
  }
  return left * TWO26 + right;
}

function toBase36(n: number, width: number): string {
  let out = '';
  let x = n;
  for (let i = 0; i < width; i++) {
    out = ALPHA36[x % 36] + out;
    x = Math.floor(x / 36);
  }
  return out;
}

function fromBase36(text: string): number {
  let n = 0;
  for (const ch of text) {
    const d = ALPHA36.indexOf(ch);
    if (d < 0) return Number.NaN;
    n = n * 36 + d;
  }
  return n;
}

/**
 * An id codec for one record kind: 14 characters, a prefix letter, two check characters and 11
 * characters of the permuted index (36^11 > 2^52).
 */
export class IdCodec {
  private readonly keys: number[];

  constructor(
    private readonly prefix: string,
    seed: number,
    kind: string,
  ) {
    this.keys = [0, 1, 2, 3].map((i) => hash32(seed, 'id-codec', kind, i));
  }

  encode(index: number): string {
    const p = permute52(index, this.keys);
    const check = hash32(p, this.keys[0] as number) % (36 * 36);
    return this.prefix + toBase36(check, 2) + toBase36(p, 11);
  }

  /** The index an id encodes, or undefined for anything this codec did not make. */
  decode(id: string): number | undefined {
    if (id.length !== 14 || !id.startsWith(this.prefix)) return undefined;
    const p = fromBase36(id.slice(3));
    if (!Number.isFinite(p) || p >= 2 ** 52) return undefined;
    const index = unpermute52(p, this.keys);
    return this.encode(index) === id ? index : undefined;
  }
}

/** Classic 7-character PagerDuty ids ("PABC123") for the organisation's fixed objects. */
export class ShortIdMaker {
  private readonly used = new Set<string>();

  constructor(private readonly seed: number) {}

  make(...key: (number | string)[]): string {
    for (let attempt = 0; ; attempt++) {
      let h = hash32(this.seed, 'short-id', ...key, attempt);
      let id = 'P';
      for (let i = 0; i < 6; i++) {
        id += ALPHA36[h % 36];
        h = Math.floor(h / 36) ^ hash32(h, i);
        h >>>= 0;
      }
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}

/** Repositories are indexed below this stride in every GitHub id sequence. */
export const REPO_STRIDE = 1024;

export const GH_BASE = {
  repo: 300_000_000,
  deployment: 1_000_000_000,
  pull: 1_500_000_000,
  issue: 2_000_000_000,
  release: 150_000_000,
  workflow: 60_000_000,
  run: 5_000_000_000,
} as const;

export function ghId(base: number, repoIndex: number, k: number): number {
  return base + k * REPO_STRIDE + repoIndex;
}

/** The per-repository sequence number k of a GitHub id, if it belongs to this repository. */
export function ghSeq(base: number, repoIndex: number, id: number): number | undefined {
  const rest = id - base - repoIndex;
  if (!Number.isInteger(rest) || rest < 0 || rest % REPO_STRIDE !== 0) return undefined;
  return rest / REPO_STRIDE;
}
