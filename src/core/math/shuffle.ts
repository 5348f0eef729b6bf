/**
 * Fisher–Yates shuffles (Knuth, TAOCP vol. 2, Algorithm P) drawing from an injected `Rng`, the one
 * copy every seeded shuffle in the tree uses:
 *
 *   for i = n−1 … 1:  j = draw(i + 1) ∈ [0, i];  swap(a[i], a[j])
 *
 * Two draws exist because seeded results (minibatch orders, corpus orders) depend on them, and each
 * caller keeps the one it has always used:
 *   'float'   j = ⌊nextFloat() · (i + 1)⌋   two uint32 words per swap; bias below 2^-53
 *   'modulo'  j = nextUint32() mod (i + 1)  one uint32 word per swap; bias ≤ (i + 1) / 2^32
 * Must not: read Math.random, change the loop direction or the draw order (every seeded run shifts).
 */
import type { Rng } from './rng';

export type ShuffleDraw = 'float' | 'modulo';

/** A shuffled copy of `items`. */
export function shuffled<T>(items: readonly T[], rng: Rng, draw: ShuffleDraw): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = draw === 'float' ? Math.floor(rng.nextFloat() * (i + 1)) : rng.nextUint32() % (i + 1);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** A random permutation of 0..n−1. */
export function permutation(n: number, rng: Rng, draw: ShuffleDraw): number[] {
  return shuffled(Array.from({ length: n }, (_, i) => i), rng, draw);
}
