import { describe, expect, it } from 'vitest';
import { createRng } from '../math/rng';
import { logSoftmax, softmax } from '../math/logits';
import {
  createRepetitionPenalty,
  createTemperatureWarper,
  createTopKWarper,
  createTopPWarper,
  createVocabMask,
  nucleus,
  SamplingParamsError,
  type LogitsContext,
} from './logitsProcessors';
import { checkSamplingParams, createSamplingWarpers, drawCategorical, sampleToken, type SamplingParams } from './sampling';

const ctx = (generatedIds: number[] = []): LogitsContext => ({ generatedIds, generatedText: '', step: generatedIds.length });
const kept = (z: Float32Array): number[] => [...z.keys()].filter((i) => z[i] !== -Infinity);

/** Oracle for top-p: sort every token by probability (desc, ties by id), take the shortest prefix with mass ≥ p. */
function bruteNucleus(z: Float32Array, p: number): number[] {
  const pr = softmax(z);
  const order = [...z.keys()].sort((a, b) => (pr[b] ?? 0) - (pr[a] ?? 0) || a - b);
  const out: number[] = [];
  let cum = 0;
  for (const i of order) {
    if (cum >= p && out.length > 0) break;
    out.push(i);
    cum += pr[i] ?? 0;
  }
  return out.sort((a, b) => a - b);
}

/** Oracle for top-k: every token whose logit is ≥ the k-th largest. */
function bruteTopK(z: Float32Array, k: number): number[] {
  const kth = [...z].sort((a, b) => b - a)[k - 1] ?? -Infinity;
  return [...z.keys()].filter((i) => (z[i] ?? 0) >= kth);
}

const randomLogits = (rng: ReturnType<typeof createRng>, n: number, scale: number): Float32Array =>
  Float32Array.from({ length: n }, () => (rng.nextFloat() * 2 - 1) * scale);

describe('warpers', () => {
  it('temperature divides the logits', () => {
    const z = Float32Array.from([2, -1, 0.5]);
    createTemperatureWarper(0.5)(z, ctx());
    expect([...z]).toEqual([4, -2, 1]);
    expect(() => createTemperatureWarper(0)).toThrow(SamplingParamsError);
  });

  it('top-k keeps exactly the brute-force set (ties with the k-th kept), on random vectors', () => {
    const rng = createRng(2);
    for (let t = 0; t < 100; t++) {
      const n = 2 + (rng.nextUint32() % 40);
      const z = Float32Array.from({ length: n }, () => Math.round(rng.nextFloat() * 6));
      const k = 1 + (rng.nextUint32() % n);
      const w = Float32Array.from(z);
      createTopKWarper(k)(w, ctx());
      expect(kept(w)).toEqual(bruteTopK(z, k));
    }
    const z = Float32Array.from([1, 2, 3]);
    createTopKWarper(0)(z, ctx());
    expect(kept(z)).toEqual([0, 1, 2]);
  });

  it('top-p keeps exactly the brute-force nucleus, on random vectors (small and vocabulary-sized)', () => {
    const rng = createRng(3);
    for (let t = 0; t < 200; t++) {
      const n = 2 + (rng.nextUint32() % 50);
      const z = randomLogits(rng, n, 1 + rng.nextFloat() * 8);
      const p = [0.1, 0.5, 0.9, 0.95, 0.999][t % 5] ?? 0.9;
      const w = Float32Array.from(z);
      createTopPWarper(p)(w, ctx());
      expect(kept(w)).toEqual(bruteNucleus(z, p));
    }
    // A flat-ish 20k vocabulary: the candidate threshold must widen before the nucleus fits.
    const big = randomLogits(rng, 20000, 0.5);
    expect(nucleus(big, 0.95).sort((a, b) => a - b)).toEqual(bruteNucleus(big, 0.95));
  });

  it('top-p keeps at least one token, and all when p = 1', () => {
    const z = Float32Array.from([10, 0, 0]);
    const w = Float32Array.from(z);
    createTopPWarper(0.01)(w, ctx());
    expect(kept(w)).toEqual([0]);
    const all = Float32Array.from(z);
    createTopPWarper(1)(all, ctx());
    expect(kept(all)).toEqual([0, 1, 2]);
  });

  it('repetition penalty divides positive and multiplies negative logits of generated ids, once each', () => {
    const z = Float32Array.from([2, -2, 1, 4]);
    createRepetitionPenalty(2)(z, ctx([0, 1, 0]));
    expect([...z]).toEqual([1, -4, 1, 4]);
  });

  it('the vocabulary mask removes padded ids', () => {
    const z = Float32Array.from([1, 2, 3, 4]);
    createVocabMask(2)(z, ctx());
    expect(kept(z)).toEqual([0, 1]);
  });
});

describe('sampleToken', () => {
  const params = (over: Partial<SamplingParams> = {}): SamplingParams => ({ temperature: 1, topP: 1, topK: 0, ...over });
  const sample = (z: Float32Array, p: SamplingParams, seed: number, processors = [] as ReturnType<typeof createVocabMask>[]) =>
    sampleToken(z, { params: p, processors, warpers: createSamplingWarpers(p), ctx: ctx(), rng: createRng(seed) });

  it('is greedy at temperature 0: argmax of the processed logits, log π at T = 1, no random draw', () => {
    const z = Float32Array.from([0.1, 3, 2.9, -1]);
    const s = sample(z, params({ temperature: 0 }), 1);
    expect(s.id).toBe(1);
    expect(s.logProb).toBeCloseTo(logSoftmax(z)[1] ?? 0, 6);
    expect(s.samplingLogProb).toBe(0);
    // A processor changes the greedy choice but not the reported log π.
    const masked = sample(z, params({ temperature: 0 }), 1, [createVocabMask(1)]);
    expect(masked.id).toBe(0);
    expect(masked.logProb).toBeCloseTo(logSoftmax(z)[0] ?? 0, 6);
  });

  it('reports log π under softmax(z / T) over the full vocabulary, and log q under the truncated distribution', () => {
    const z = Float32Array.from([2, 1, 0, -1, -3]);
    const p = params({ temperature: 0.7, topK: 2 });
    const s = sample(z, p, 4);
    expect([0, 1]).toContain(s.id);
    const scaled = Float32Array.from(z, (x) => x / 0.7);
    expect(s.logProb).toBeCloseTo(logSoftmax(scaled)[s.id] ?? 0, 5);
    const q = logSoftmax(Float32Array.from([2 / 0.7, 1 / 0.7]));
    expect(s.samplingLogProb).toBeCloseTo(q[s.id] ?? 0, 5);
    expect(z[0]).toBe(2); // the caller's logits are untouched
  });

  it('is reproducible for a seed, differs across seeds, and draws with the right frequencies', () => {
    const z = Float32Array.from([1, 0.5, 0, -0.5]);
    const p = params();
    const seq = (seed: number): number[] => {
      const rng = createRng(seed);
      const w = createSamplingWarpers(p);
      return Array.from({ length: 40 }, () => sampleToken(z, { params: p, processors: [], warpers: w, ctx: ctx(), rng }).id);
    };
    expect(seq(1)).toEqual(seq(1));
    expect(seq(1)).not.toEqual(seq(2));
    const rng = createRng(7);
    const counts = [0, 0, 0, 0];
    const n = 40000;
    for (let i = 0; i < n; i++) counts[drawCategorical(z, rng)]! += 1;
    softmax(z).forEach((pr, i) => expect((counts[i] ?? 0) / n).toBeCloseTo(pr, 2));
  });

  it('never draws a masked token', () => {
    const z = Float32Array.from([0, -Infinity, 0, -Infinity]);
    const rng = createRng(8);
    for (let i = 0; i < 500; i++) expect([0, 2]).toContain(drawCategorical(z, rng));
  });

  it('validates its parameters', () => {
    expect(() => checkSamplingParams(params({ topP: 0 }))).toThrow(SamplingParamsError);
    expect(() => checkSamplingParams(params({ topK: -1 }))).toThrow(SamplingParamsError);
    expect(() => checkSamplingParams(params({ temperature: -1 }))).toThrow(SamplingParamsError);
  });
});
