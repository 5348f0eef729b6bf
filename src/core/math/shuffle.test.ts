/**
 * The shared Fisher–Yates against the two copies it replaced (optimize.ts / supervisedWarmup.ts drew
 * ⌊nextFloat·(i+1)⌋, defaultPolicy/corpus.ts nextUint32 mod (i+1), both from the top down): every seeded
 * order must stay what it was, so the references are those loops verbatim.
 */
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from './rng';
import { permutation, shuffled } from './shuffle';

function referenceFloat(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}

function referenceModulo<T>(items: readonly T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

describe('shuffled / permutation', () => {
  it("'float' repeats the old minibatch permutation and 'modulo' the old corpus shuffle, and leave the rng where they did", () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const n of [0, 1, 2, 5, 17, 64]) {
        const [a, b] = [createRng(seed).fork(`p${n}`), createRng(seed).fork(`p${n}`)];
        expect(permutation(n, a, 'float')).toEqual(referenceFloat(n, b));
        expect(a.nextUint32()).toBe(b.nextUint32());
        const items = Array.from({ length: n }, (_, i) => `x${i}`);
        const [c, d] = [createRng(seed).fork(`s${n}`), createRng(seed).fork(`s${n}`)];
        expect(shuffled(items, c, 'modulo')).toEqual(referenceModulo(items, d));
        expect(c.nextUint32()).toBe(d.nextUint32());
      }
    }
  });

  it('the two draws give different orders (a caller switched to the other draw would shift its seeded results)', () => {
    expect(permutation(32, createRng(3), 'float')).not.toEqual(permutation(32, createRng(3), 'modulo'));
  });

  it('returns a copy holding every item once', () => {
    const items = [3, 1, 4, 1, 5, 9, 2, 6];
    const out = shuffled(items, createRng(1), 'modulo');
    expect(items).toEqual([3, 1, 4, 1, 5, 9, 2, 6]);
    expect([...out].sort()).toEqual([...items].sort());
  });
});
