import { describe, expect, it } from 'vitest';
import { createRng } from './rng';
import { argmax, logSoftmax, logSumExp, NonFiniteLogitsError, softmax, topK } from './logits';

/** Oracle: the definitions, term by term, in float64 without max subtraction (small inputs only). */
const naiveLogSoftmax = (z: number[]): number[] => {
  const s = z.reduce((a, x) => a + Math.exp(x), 0);
  return z.map((x) => x - Math.log(s));
};

describe('logSoftmax / softmax', () => {
  it('match the definitions on small logits', () => {
    const z = [0.5, -1.25, 2, 0, 3.5];
    const ls = logSoftmax(Float32Array.from(z));
    naiveLogSoftmax(z).forEach((v, i) => expect(ls[i]).toBeCloseTo(v, 12));
    const p = softmax(Float32Array.from(z));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    p.forEach((v, i) => expect(Math.log(v)).toBeCloseTo(ls[i] ?? 0, 12));
  });

  it('do not overflow on large logits (the max is subtracted first) and keep −Infinity masked', () => {
    const ls = logSoftmax(Float32Array.from([1000, 1000, -Infinity]));
    expect(ls[0]).toBeCloseTo(Math.log(0.5), 12);
    expect(ls[2]).toBe(-Infinity);
    expect(softmax(Float32Array.from([1e4, 0]))[0]).toBe(1);
  });

  it('logSumExp at a temperature equals logsumexp(z / T)', () => {
    const z = [1, 2, 3];
    expect(logSumExp(z, 0.5)).toBeCloseTo(Math.log(Math.exp(2) + Math.exp(4) + Math.exp(6)), 12);
  });

  it('refuse NaN, +Infinity and all-masked vectors', () => {
    expect(() => logSoftmax(Float32Array.from([0, Number.NaN]))).toThrow(NonFiniteLogitsError);
    expect(() => softmax(Float32Array.from([0, Infinity]))).toThrow(NonFiniteLogitsError);
    expect(() => logSoftmax(Float32Array.from([-Infinity, -Infinity]))).toThrow(/masked the whole vocabulary/);
  });
});

describe('argmax / topK', () => {
  it('argmax takes the first maximum', () => {
    expect(argmax([1, 3, 3, 2])).toBe(1);
  });

  it('topK equals a full sort (value descending, ties by index) on random vectors', () => {
    const rng = createRng(1);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + (rng.nextUint32() % 60);
      // Rounded values make ties common.
      const v = Float32Array.from({ length: n }, () => Math.round(rng.nextFloat() * 8) / 2);
      const k = rng.nextUint32() % (n + 3);
      const oracle = [...v.keys()].sort((a, b) => (v[b] ?? 0) - (v[a] ?? 0) || a - b).slice(0, k);
      expect(topK(v, k)).toEqual(oracle);
    }
  });
});
