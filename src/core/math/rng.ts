/**
 * A seeded, forkable random number generator (STYLE principle 6): one root `Rng` per run, one named
 * fork per consumer, so adding a consumer never shifts the numbers any other consumer draws.
 *
 *   createRng(cfg.seed).fork('policy.sampling')
 *
 * Generator: xoshiro128** (Blackman & Vigna, 2018), 128 bits of state, period 2^128 − 1.
 * Keys: every Rng has a 128-bit key fixed at creation; its running state starts from the key.
 *   key(root)          = absorb([seed_lo, seed_hi])
 *   key(fork(parent,n)) = absorb([...key(parent), 0x666f726b /* "fork" *\/, ...utf8(n)])
 * `absorb` is four independent MurmurHash3-style lanes over the words (each lane its own seed), so a
 * fork depends only on the parent's key and the name — never on how many numbers the parent drew.
 * Not cryptographic. Nothing here reads a clock or Math.random.
 */

export interface Rng {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** An independent stream derived from this one's key and `name` (not from its position). */
  fork(name: string): Rng;
  /** The current state, to checkpoint and resume the stream exactly (restoreRng). */
  snapshot(): RngSnapshot;
}

export interface RngSnapshot {
  /** The 128-bit key (fixes every fork) and the running xoshiro128** state, as unsigned 32-bit words. */
  key: [number, number, number, number];
  state: [number, number, number, number];
}

export class RngSeedError extends Error {
  override name = 'RngSeedError';
}

const FORK_TAG = 0x666f726b;
const LANE_SEEDS = [0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f] as const;
const UTF8 = new TextEncoder();

/** The root generator of a run. `seed` is any safe integer (negative ones included). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new RngSeedError(`The seed must be a safe integer, got ${String(seed)}; use a whole number such as 42.`);
  }
  const lo = seed >>> 0; // low 32 bits (two's complement for negative seeds)
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  const key = absorb([lo, hi]);
  return fromState(key, [...key]);
}

/** Resume a stream from `Rng.snapshot()`. */
export function restoreRng(s: RngSnapshot): Rng {
  const words = [...s.key, ...s.state];
  if (words.length !== 8 || !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
    throw new RngSeedError('An Rng snapshot holds eight unsigned 32-bit words (key and state); this one does not.');
  }
  if (s.state.every((w) => w === 0)) throw new RngSeedError('An all-zero xoshiro128** state is invalid; the snapshot is corrupt.');
  return fromState([...s.key], [...s.state]);
}

type Words4 = [number, number, number, number];

function fromState(key: Words4, start: number[]): Rng {
  const s = Uint32Array.from(start);
  if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) s[0] = 1; // xoshiro's only forbidden state
  const nextUint32 = (): number => xoshiro128ss(s);
  return {
    nextUint32,
    nextFloat() {
      // 27 + 26 bits → a multiple of 2^-53 in [0, 1).
      const a = nextUint32() >>> 5;
      const b = nextUint32() >>> 6;
      return (a * 67108864 + b) / 9007199254740992;
    },
    fork(name: string) {
      const k = absorb([...key, FORK_TAG, ...UTF8.encode(name)]);
      return fromState(k, [...k]);
    },
    snapshot: () => ({ key: [...key], state: [s[0] ?? 0, s[1] ?? 0, s[2] ?? 0, s[3] ?? 0] }),
  };
}

/** One step of xoshiro128** on the state in place; returns the output word. */
export function xoshiro128ss(s: Uint32Array): number {
  const s0 = s[0] ?? 0;
  const s1 = s[1] ?? 0;
  const s2 = s[2] ?? 0;
  const s3 = s[3] ?? 0;
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = (s1 << 9) >>> 0;
  const n2 = (s2 ^ s0) >>> 0;
  const n3 = (s3 ^ s1) >>> 0;
  s[1] = s1 ^ n2;
  s[0] = s0 ^ n3;
  s[2] = n2 ^ t;
  s[3] = rotl(n3, 11);
  return result;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Four MurmurHash3-style lanes over 32-bit words, each with its own seed, finalised with fmix32. */
function absorb(words: readonly number[]): Words4 {
  const out = LANE_SEEDS.map((seed) => {
    let h = seed;
    for (const w of words) {
      let k = Math.imul(w >>> 0, 0xcc9e2d51);
      k = Math.imul(rotl(k >>> 0, 15), 0x1b873593);
      h = (rotl((h ^ k) >>> 0, 13) * 5 + 0xe6546b64) >>> 0;
    }
    return fmix32((h ^ words.length) >>> 0);
  });
  return [out[0] ?? 0, out[1] ?? 0, out[2] ?? 0, out[3] ?? 0];
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
