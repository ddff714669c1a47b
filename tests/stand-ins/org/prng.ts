// The seeded randomness of the simulated organisation. Everything the generator draws comes from
// here, never from Math.random, so the same seed gives the same organisation. Streams are keyed:
// `stream(seed, 'repo', 7)` is the same sequence whichever other streams were drawn first, which
// is what lets the large organisation generate one partition at a time in any order.

/** A 32-bit integer hash of a list of numbers and strings (murmur3-style mixing). */
export function hash32(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    if (typeof part === 'number') {
      // Split doubles into two 32-bit words so large ids and timestamps hash fully.
      const lo = part >>> 0;
      const hi = Math.floor(part / 4294967296) >>> 0;
      h = mixWord(h, lo);
      h = mixWord(h, hi ^ 0x5bd1e995);
    } else {
      for (let i = 0; i < part.length; i++) h = mixWord(h, part.charCodeAt(i));
      h = mixWord(h, part.length ^ 0x27d4eb2f);
    }
  }
  return fmix(h);
}

function mixWord(h: number, k: number): number {
  let x = Math.imul(k, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  let y = h ^ x;
  y = (y << 13) | (y >>> 19);
  return (Math.imul(y, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const HEX = '0123456789abcdef';

// Number#toString(16) is slow for values above 2^31; a byte table is fifty times faster.
const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Eight hex digits of a 32-bit value. */
export function hex32(value: number): string {
  const w = value >>> 0;
  return (
    (BYTE_HEX[w >>> 24] as string) +
    (BYTE_HEX[(w >>> 16) & 255] as string) +
    (BYTE_HEX[(w >>> 8) & 255] as string) +
    (BYTE_HEX[w & 255] as string)
  );
}

/** A 32-bit hash of four numbers (each taken as a 32-bit integer): the hot path of SHA generation. */
export function hash4(a: number, b: number, c: number, d: number): number {
  let h = 0x811c9dc5;
  h = mixWord(h, a | 0);
  h = mixWord(h, b | 0);
  h = mixWord(h, c | 0);
  h = mixWord(h, d | 0);
  return fmix(h);
}

/**
 * `count` hex characters derived from four numbers (for SHAs and tree ids). Two 32-bit hashes
 * seed the words, so distinct keys collide with odds of 2^-64, not 2^-32: a repository of the
 * large organisation has tens of thousands of commits and its SHA index must stay unique.
 */
export function hexOf(count: number, a: number, b: number, c: number, d: number): string {
  const h1 = hash4(a, b, c, d);
  const h2 = hash4(h1, d, c ^ 0x5bd1e995, a);
  let out = '';
  for (let i = 0; out.length < count; i++) {
    const word = (fmix((h1 ^ Math.imul(i + 1, 0x9e3779b9)) + Math.imul(h2, 2 * i + 1)) ^ fmix(h2 + i)) >>> 0;
    out += hex32(word);
  }
  return out.length === count ? out : out.slice(0, count);
}

/** Salts that keep the hex streams of different kinds apart. */
export const HEX_SHA = 0x5a1;
export const HEX_TREE = 0x73e;

/** A small fast generator (sfc32) with the distributions the organisation needs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...key: (number | string)[]) {
    this.a = hash32(...key, 'a');
    this.b = hash32(...key, 'b');
    this.c = hash32(...key, 'c');
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform in [a, b). */
  range(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** Index drawn with the given relative weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape: durations are skewed, a few take far longer. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }

  hex(count: number): string {
    let out = '';
    while (out.length < count) {
      const w = this.u32();
      for (let j = 0; j < 8 && out.length < count; j++) out += HEX[(w >>> (j * 4)) & 15];
    }
    return out;
  }
}
