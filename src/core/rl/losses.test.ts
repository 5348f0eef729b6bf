import { describe, expect, it } from 'vitest';
import { createRng } from '../math/rng';
import {
  ppoClipLoss,
  clippedPolicyTerm,
  entropyLoss,
  entropyOfLogits,
  K3_MAX,
  k3Term,
  klPenalty,
  rlObjective,
  valueLoss,
  valueTerm,
} from './losses';
import { tokenWeights, type TrainBatch } from '../learner/trainBatch';

const H = 1e-6;

/** Central difference of f at x[i] in float64. */
function centralDiff(f: (x: Float64Array) => number, x: Float64Array, i: number, h = H): number {
  const p = Float64Array.from(x);
  const m = Float64Array.from(x);
  p[i] = (p[i] as number) + h;
  m[i] = (m[i] as number) - h;
  return (f(p) - f(m)) / (2 * h);
}

function expectClose(actual: number, expected: number, rel = 1e-6): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

function randomArray(rng: ReturnType<typeof createRng>, n: number, lo: number, hi: number): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rng.nextFloat());
}

describe('per-token terms', () => {
  it('clipped policy term: hand values on both sides of the clip', () => {
    expect(clippedPolicyTerm(-1, -1, 2, 0.2)).toEqual({ value: -2, grad: -2, clipped: false });
    const up = Math.log(1.5);
    // A > 0, ρ = 1.5 > 1 + ε: the clipped term −1.2·A is the max, no gradient.
    const pos = clippedPolicyTerm(up, 0, 2, 0.2);
    expect(pos.clipped).toBe(true);
    expect(pos.value).toBeCloseTo(-2.4, 12);
    expect(pos.grad).toBe(0);
    // A < 0, ρ = 1.5: the unclipped term 1.5·|A| is the max, gradient −A·ρ.
    const neg = clippedPolicyTerm(up, 0, -2, 0.2);
    expect(neg.clipped).toBe(false);
    expect(neg.value).toBeCloseTo(3, 12);
    expect(neg.grad).toBeCloseTo(3, 12);
  });

  it('clipped policy term matches central differences away from the kinks', () => {
    const rng = createRng(1);
    for (let k = 0; k < 200; k++) {
      const old = -3 * rng.nextFloat();
      const lp = old + (rng.nextFloat() - 0.5);
      const a = 4 * (rng.nextFloat() - 0.5);
      const r = Math.exp(lp - old);
      if (Math.abs(r - 0.8) < 1e-3 || Math.abs(r - 1.2) < 1e-3) continue;
      const f = (x: Float64Array): number => clippedPolicyTerm(x[0] as number, old, a, 0.2).value;
      expectClose(clippedPolicyTerm(lp, old, a, 0.2).grad, centralDiff(f, Float64Array.of(lp), 0));
    }
  });

  it('k3 is 0 with zero gradient at the reference, positive elsewhere, and matches central differences', () => {
    expect(k3Term(-1.3, -1.3)).toEqual({ value: 0, grad: 0 });
    const rng = createRng(2);
    for (let k = 0; k < 100; k++) {
      const ref = -3 * rng.nextFloat();
      const lp = ref + 4 * (rng.nextFloat() - 0.5);
      expect(k3Term(lp, ref).value).toBeGreaterThanOrEqual(0);
      const f = (x: Float64Array): number => k3Term(x[0] as number, ref).value;
      expectClose(k3Term(lp, ref).grad, centralDiff(f, Float64Array.of(lp), 0));
    }
    // ref − logπ = 2: e² − 2 − 1 ≈ 4.39 (under the clamp), gradient 1 − e².
    expect(k3Term(-2, 0).value).toBeCloseTo(Math.exp(2) - 3, 12);
    expect(k3Term(-2, 0).grad).toBeCloseTo(1 - Math.exp(2), 12);
  });

  it('k3 is clamped to ≤ K3_MAX = 10 (verl low_var_kl) with zero gradient where the clamp acts', () => {
    expect(K3_MAX).toBe(10);
    // ref − logπ = 6: unclamped e⁶ − 7 ≈ 396.4
    expect(k3Term(-6, 0)).toEqual({ value: 10, grad: 0 });
    // ref − logπ = −12 (policy far above the reference): −d − 1 + e^d ≈ 11 > 10
    expect(k3Term(0, -12)).toEqual({ value: 10, grad: 0 });
    // so far below the reference that exp overflows: still 10, no NaN
    expect(k3Term(-800, 0)).toEqual({ value: 10, grad: 0 });
    // just inside the kinks (d ≈ 2.6109 and d ≈ −10.99998) the unclamped branch holds
    expect(k3Term(-2.6, 0).value).toBeCloseTo(Math.exp(2.6) - 3.6, 12);
    expect(k3Term(0, -10.9).grad).toBeCloseTo(1 - Math.exp(-10.9), 12);
    // central differences on both sides of each kink, away from it
    for (const d of [-14, -10.5, -3, 1, 2.5, 2.7, 4, 9]) {
      const f = (x: Float64Array): number => k3Term(x[0] as number, 0).value;
      expectClose(k3Term(-d, 0).grad, centralDiff(f, Float64Array.of(-d), 0));
    }
  });

  it('value term: hand values and central differences', () => {
    expect(valueTerm(1, 1, 3, 0.5)).toEqual({ value: 2, grad: -2 });
    // v moved toward the target past old + c: the clipped term is larger, no gradient.
    expect(valueTerm(3, 1, 3, 0.5)).toEqual({ value: 0.5 * 1.5 ** 2, grad: 0 });
    // v moved away from the target: the unclipped term is larger, full gradient.
    expect(valueTerm(0, 1, 3, 0.5)).toEqual({ value: 4.5, grad: -3 });
    const rng = createRng(3);
    for (let k = 0; k < 100; k++) {
      const old = rng.nextFloat();
      const v = old + 2 * (rng.nextFloat() - 0.5);
      const ret = 2 * rng.nextFloat();
      if (Math.abs(Math.abs(v - old) - 0.5) < 1e-3) continue;
      const f = (x: Float64Array): number => valueTerm(x[0] as number, old, ret, 0.5).value;
      expectClose(valueTerm(v, old, ret, 0.5).grad, centralDiff(f, Float64Array.of(v), 0));
    }
  });

  it('entropy of logits: log V for uniform logits, gradient by central differences', () => {
    expect(entropyOfLogits.value([0, 0, 0, 0])).toBeCloseTo(Math.log(4), 12);
    const rng = createRng(4);
    const z = randomArray(rng, 7, -3, 3);
    const g = entropyOfLogits.grad(z);
    for (let j = 0; j < z.length; j++) expectClose(g[j] as number, centralDiff((x) => entropyOfLogits.value(x), z, j));
    // Masked (−∞) logits take no part.
    expect(entropyOfLogits.value([0, 0, -Infinity])).toBeCloseTo(Math.log(2), 12);
  });
});

/** A random [B, T] batch with masked positions, old log-probs near the current ones (some clipped). */
function randomBatch(seed: number, B = 3, T = 6) {
  const rng = createRng(seed);
  const n = B * T;
  const lossMask = Uint8Array.from({ length: n }, (_, i) => (i % T === 0 ? 0 : rng.nextFloat() < 0.7 ? 1 : 0));
  const logProbs = randomArray(rng, n, -4, -0.1);
  const batch: TrainBatch = {
    batchSize: B,
    seqLen: T,
    inputIds: new Int32Array(n),
    attentionMask: new Uint8Array(n).fill(1),
    lossMask,
    tokenWeights: tokenWeights(lossMask, B, T, 'seq-mean-token-mean'),
    advantages: Float32Array.from(randomArray(rng, n, -2, 2)),
    oldLogProbs: Float32Array.from(logProbs.map((l) => l + 0.6 * (rng.nextFloat() - 0.5))),
    refLogProbs: Float32Array.from(logProbs.map((l) => l + (rng.nextFloat() - 0.5))),
    returns: Float32Array.from(randomArray(rng, n, -1, 1)),
    oldValues: Float32Array.from(randomArray(rng, n, -1, 1)),
    loss: { clipRatio: 0.2, klCoef: 0.05, entropyCoef: 0.01, valueCoef: 0.5, valueClip: 0.3 },
  };
  const values = Float64Array.from(batch.oldValues ?? [], (v) => v + 0.8 * (rng.nextFloat() - 0.5));
  const entropy = randomArray(rng, n, 0, 2);
  return { batch, logProbs, values, entropy };
}

describe('aggregated losses: value and grad agree with central differences on every coordinate', () => {
  const { batch, logProbs, values, entropy } = randomBatch(7);
  const w = batch.tokenWeights;

  it('clipped policy loss', () => {
    const at = (lp: Float64Array) => ({ logProbs: lp, oldLogProbs: batch.oldLogProbs, advantages: batch.advantages, weights: w, clipRatio: 0.2 });
    const g = ppoClipLoss.grad(at(logProbs));
    for (let i = 0; i < logProbs.length; i++) expectClose(g[i] as number, centralDiff((x) => ppoClipLoss.value(at(x)), logProbs, i));
    // Some weighted tokens sit in the clipped region: their gradient is exactly 0.
    expect(Array.from(g).some((x, i) => x === 0 && w[i] !== 0)).toBe(true);
  });

  it('k3 KL penalty', () => {
    const at = (lp: Float64Array) => ({ logProbs: lp, refLogProbs: batch.refLogProbs ?? [], weights: w });
    const g = klPenalty.grad(at(logProbs));
    for (let i = 0; i < logProbs.length; i++) expectClose(g[i] as number, centralDiff((x) => klPenalty.value(at(x)), logProbs, i));
  });

  it('entropy bonus', () => {
    const g = entropyLoss.grad({ entropy, weights: w });
    for (let i = 0; i < entropy.length; i++) expectClose(g[i] as number, centralDiff((x) => entropyLoss.value({ entropy: x, weights: w }), entropy, i));
  });

  it('clipped value loss', () => {
    const at = (v: Float64Array) => ({ values: v, oldValues: batch.oldValues ?? [], returns: batch.returns ?? [], weights: w, clip: 0.3 });
    const g = valueLoss.grad(at(values));
    for (let i = 0; i < values.length; i++) expectClose(g[i] as number, centralDiff((x) => valueLoss.value(at(x)), values, i));
  });

  it('the full objective: value = sum of its weighted parts; ∂L/∂logπ, ∂L/∂H, ∂L/∂v by central differences', () => {
    const L = (lp: Float64Array, h: Float64Array, v: Float64Array): number => rlObjective(batch, { logProbs: lp, entropy: h, values: v }).value;
    const r = rlObjective(batch, { logProbs, entropy, values });
    const c = batch.loss;
    expect(r.value).toBeCloseTo(r.parts.policyLoss + c.klCoef * r.parts.kl - c.entropyCoef * r.parts.entropy + c.valueCoef * r.parts.valueLoss, 12);
    expect(r.parts.clipFraction).toBeGreaterThan(0);
    expect(r.parts.clipFraction).toBeLessThan(1);
    for (let i = 0; i < logProbs.length; i++) {
      expectClose(r.dLogProbs[i] as number, centralDiff((x) => L(x, entropy, values), logProbs, i));
      expectClose(r.dEntropy[i] as number, centralDiff((x) => L(logProbs, x, values), entropy, i));
      expectClose(r.dValues[i] as number, centralDiff((x) => L(logProbs, entropy, x), values, i));
    }
  });

  it('masked positions get no gradient and the weights sum to 1', () => {
    const r = rlObjective(batch, { logProbs, entropy, values });
    expect(Array.from(w).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    batch.lossMask.forEach((m, i) => {
      if (m === 0) expect([r.dLogProbs[i], r.dEntropy[i], r.dValues[i]]).toEqual([0, 0, 0]);
    });
  });

  it('a clamped token (ref − logπ = 6) adds 10·w to the KL and no KL gradient; an unclamped one (0.5) keeps 1 − e^0.5', () => {
    const lp = Float64Array.from(logProbs);
    const [far, near] = Array.from(w.keys()).filter((i) => w[i] !== 0);
    if (far === undefined || near === undefined) throw new Error('the batch needs two weighted tokens');
    const ref = Float32Array.from(batch.refLogProbs ?? []);
    ref[far] = (lp[far] = -3) + 6; // exact in float32: d = 6 exactly
    ref[near] = (lp[near] = -2) + 0.5;
    const clamped = { ...batch, refLogProbs: ref };
    const [wFar, wNear] = [w[far] as number, w[near] as number];
    const k = klPenalty.grad({ logProbs: lp, refLogProbs: ref, weights: w });
    expect(k[far]).toBe(0);
    expect(k[near]).toBeCloseTo(wNear * (1 - Math.exp(0.5)), 12);
    // the KL part: Σ w·k3 = 10·w_far + w_near·(e^0.5 − 1.5) + the other tokens
    const others = klPenalty.value({ logProbs: lp, refLogProbs: ref, weights: w.map((x, i) => (i === far || i === near ? 0 : x)) });
    const r = rlObjective(clamped, { logProbs: lp, entropy, values });
    expect(r.parts.kl).toBeCloseTo(10 * wFar + wNear * (Math.exp(0.5) - 1.5) + others, 12);
    // ∂L/∂logπ at the clamped token is the policy-gradient term alone
    const pgOnly = rlObjective({ ...clamped, loss: { ...batch.loss, klCoef: 0 } }, { logProbs: lp, entropy, values });
    expect(r.dLogProbs[far]).toBe(pgOnly.dLogProbs[far]);
    expect(r.dLogProbs[near]).toBeCloseTo((pgOnly.dLogProbs[near] as number) + batch.loss.klCoef * wNear * (1 - Math.exp(0.5)), 12);
    // and central differences agree everywhere (every token is far from the kink at d ≈ 2.61)
    const L = (x: Float64Array): number => rlObjective(clamped, { logProbs: x, entropy, values }).value;
    for (let i = 0; i < lp.length; i++) expectClose(r.dLogProbs[i] as number, centralDiff(L, lp, i));
  });

  it('without a reference or value targets those terms vanish', () => {
    const r = rlObjective({ ...batch, refLogProbs: null, returns: null, oldValues: null }, { logProbs, entropy, values });
    expect(r.parts.kl).toBe(0);
    expect(r.parts.valueLoss).toBe(0);
    expect(r.value).toBeCloseTo(r.parts.policyLoss - batch.loss.entropyCoef * r.parts.entropy, 12);
  });
});
