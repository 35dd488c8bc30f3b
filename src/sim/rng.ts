/** Small seeded PRNG (mulberry32): scenario generation, fault rates and jitter must be reproducible from a seed. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  hex(length: number): string;
  /** Lowercase base-36 characters [a-z0-9]. */
  alnum(length: number): string;
  /** Version-4 shaped UUID. */
  uuid(): string;
}

/**
 * A flat copy of a string built by concatenation. V8 keeps concatenations and slices as ropes
 * (several heap objects per string); `normalize()` returns a flat string, which makes the 100k+
 * ids of a large scenario 3-4 times smaller.
 */
export function flat(s: string): string {
  return s.normalize();
}

export function createRng(seed: number): Rng {
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  const u32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => u32() / 4294967296;
  const int = (n: number): number => Math.floor(next() * n);
  const hex = (length: number): string => {
    let out = '';
    while (out.length < length) out += u32().toString(16).padStart(8, '0');
    return flat(out.slice(0, length));
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('rng.pick: empty list');
      return items[int(items.length)] as T;
    },
    chance: (p) => next() < p,
    hex,
    alnum: (length) => {
      let out = '';
      for (let i = 0; i < length; i++) out += int(36).toString(36);
      return flat(out);
    },
    uuid: () => {
      const h = hex(32);
      const variant = '89ab'[parseInt(h[16] ?? '0', 16) & 3];
      return flat(`${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`);
    },
  };
}
