/**
 * The float64 losses' analytic gradients (∂L/∂logits) against central differences of their values, with
 * masked rows, clipped and unclipped ratios of both advantage signs, KL and entropy terms, and both
 * reductions; plus the clip fraction, the ≥ 0 property of k3 and its clamp to 10.
 */
import { describe, expect, it } from 'vitest';
import { createSeededUniform } from '../onnx/weights';
import type { LossReduction } from './lossGraph';
import { clippedPolicyLossFromLogits, crossEntropyFromLogits, tokenStats, type PolicyRows, type TokenRows } from './lossReference';

const V = 7;
const N = 8;

function rows(reduction: LossReduction): TokenRows {
  const rng = createSeededUniform(9);
  const logits = Float64Array.from({ length: N * V }, () => (rng() - 0.5) * 6);
  const targets = Array.from({ length: N }, () => Math.floor(rng() * V));
  const mask = reduction === 'tokenMean' ? [1, 1, 0, 1, 1, 1, 0, 1] : [0.2, 0.1, 0, 0.15, 0.15, 0.2, 0, 0.2];
  return { logits, vocabSize: V, targets, mask, reduction };
}

/** old log-probs so that r = exp(logp − old) takes the given ratios. */
function policy(base: TokenRows, ratios: readonly number[]): PolicyRows {
  const { logProbs } = tokenStats(base.logits, V, base.targets);
  const rng = createSeededUniform(4);
  return {
    ...base,
    advantages: [1, -1, 5, 1, -1, 0.5, -2, -0.7],
    oldLogProbs: Array.from(logProbs, (lp, i) => lp - Math.log(ratios[i] ?? 1)),
    refLogProbs: Array.from(logProbs, (lp) => lp + (rng() - 0.5)),
    clipEpsilon: 0.2,
    klCoef: 0.3,
    entropyCoef: 0.05,
  };
}

function centralDiff(f: (logits: Float64Array) => number, logits: Float64Array, i: number, h = 1e-6): number {
  const plus = Float64Array.from(logits);
  const minus = Float64Array.from(logits);
  plus[i] = (plus[i] ?? 0) + h;
  minus[i] = (minus[i] ?? 0) - h;
  return (f(plus) - f(minus)) / (2 * h);
}

function maxGradError(f: (logits: Float64Array) => { loss: number; dLogits: Float64Array }, logits: Float64Array): number {
  const { dLogits } = f(logits);
  let err = 0;
  for (let i = 0; i < logits.length; i++) err = Math.max(err, Math.abs((dLogits[i] ?? 0) - centralDiff((z) => f(z).loss, logits, i)));
  return err;
}

describe.each(['tokenMean', 'weightedSum'] as const)('float64 losses (%s)', (reduction) => {
  it('cross-entropy: value is −mean_m(logp), gradient matches central differences', () => {
    const x = rows(reduction);
    const v = crossEntropyFromLogits(x);
    const { logProbs } = tokenStats(x.logits, V, x.targets);
    const denom = reduction === 'tokenMean' ? 6 : 1;
    expect(v.loss).toBeCloseTo(-x.mask.reduce((s, m, i) => s + m * (logProbs[i] ?? 0), 0) / denom, 12);
    expect(maxGradError((z) => crossEntropyFromLogits({ ...x, logits: z }), x.logits)).toBeLessThan(1e-8);
    // masked rows get no gradient
    for (let k = 0; k < V; k++) expect(Math.abs(v.dLogits[2 * V + k] ?? NaN)).toBe(0);
  });

  it('clipped policy loss with KL and entropy: gradient matches central differences, clipped tokens only through KL/entropy', () => {
    // row: 0 unclipped (A>0, r<1−ε)  1 clipped (A<0, r<1−ε)  3 clipped (A>0, r>1+ε)  4 unclipped (A<0, r>1+ε)  5 inside
    const x = policy(rows(reduction), [0.5, 0.5, 1, 1.5, 1.5, 1.05, 0.9, 1.1]);
    const v = clippedPolicyLossFromLogits(x);
    expect(maxGradError((z) => clippedPolicyLossFromLogits({ ...x, logits: z }), x.logits)).toBeLessThan(1e-8);
    const denom = reduction === 'tokenMean' ? 6 : 1;
    expect(v.clipFraction).toBeCloseTo(((x.mask[1] ?? 0) + (x.mask[3] ?? 0)) / denom, 12);
    expect(v.kl).toBeGreaterThan(0);
    expect(v.loss).toBeCloseTo(v.pgLoss + 0.3 * v.kl - 0.05 * v.entropyMean, 12);
    // without KL and entropy, a clipped token has no gradient at all
    const pgOnly = clippedPolicyLossFromLogits({ ...x, klCoef: 0, entropyCoef: 0 });
    for (let k = 0; k < V; k++) expect(Math.abs(pgOnly.dLogits[1 * V + k] ?? NaN)).toBe(0);
    expect(Math.hypot(...pgOnly.dLogits.subarray(0, V))).toBeGreaterThan(0);
  });

  it('k3 is clamped to 10 (verl low_var_kl): clamped rows add 10·m/N to the KL and get no KL gradient', () => {
    const x = policy(rows(reduction), [0.5, 0.5, 1, 1.5, 1.5, 1.05, 0.9, 1.1]);
    const { logProbs } = tokenStats(x.logits, V, x.targets);
    // row 0: ref − logp = 6 (unclamped k3 ≈ 396); row 4: ref − logp = −12 (≈ 11); both far from the kinks
    const refLogProbs = x.refLogProbs.map((r, i) => (i === 0 ? (logProbs[0] ?? 0) + 6 : i === 4 ? (logProbs[4] ?? 0) - 12 : r));
    const c = { ...x, refLogProbs };
    const v = clippedPolicyLossFromLogits(c);
    expect(maxGradError((z) => clippedPolicyLossFromLogits({ ...c, logits: z }), c.logits)).toBeLessThan(1e-8);
    const denom = reduction === 'tokenMean' ? 6 : 1;
    const others = clippedPolicyLossFromLogits({ ...c, mask: c.mask.map((m, i) => (i === 0 || i === 4 ? 0 : m)) });
    const othersDenom = reduction === 'tokenMean' ? 4 : 1;
    expect(v.kl).toBeCloseTo((10 * ((c.mask[0] ?? 0) + (c.mask[4] ?? 0))) / denom + (others.kl * othersDenom) / denom, 12);
    // the clamped rows' logit gradients are those of the loss without the KL term
    const noKl = clippedPolicyLossFromLogits({ ...c, klCoef: 0 });
    for (const row of [0, 4]) for (let k = 0; k < V; k++) expect(v.dLogits[row * V + k]).toBeCloseTo(noKl.dLogits[row * V + k] ?? NaN, 14);
  });

  it('masked rows ignore garbage old/ref log-probs', () => {
    const x = policy(rows(reduction), [1, 1, 1, 1, 1, 1, 1, 1]);
    const garbage = { ...x, oldLogProbs: x.oldLogProbs.map((v, i) => (x.mask[i] === 0 ? 1e9 : v)), refLogProbs: x.refLogProbs.map((v, i) => (x.mask[i] === 0 ? -1e9 : v)) };
    expect(clippedPolicyLossFromLogits(garbage).loss).toBe(clippedPolicyLossFromLogits(x).loss);
  });
});

it('at the sampling policy (r = 1, ref = logp) the policy loss is −mean_m(A) − c·mean_m(H)', () => {
  const base = rows('tokenMean');
  const x = policy(base, new Array<number>(N).fill(1));
  const { logProbs } = tokenStats(base.logits, V, base.targets);
  const v = clippedPolicyLossFromLogits({ ...x, refLogProbs: Array.from(logProbs) });
  const meanA = x.advantages.reduce((s, a, i) => s + a * (x.mask[i] ?? 0), 0) / 6;
  expect(v.kl).toBeCloseTo(0, 12);
  expect(v.loss).toBeCloseTo(-meanA - 0.05 * v.entropyMean, 12);
});
