/**
 * The RL objective in float64, each term with its gradient beside its value (STYLE principle 5). The
 * TS learner trains with these; an ONNX training graph must reproduce `rlObjective` (test it against
 * this file). Every [B, T] array is token-aligned and row-major (trainBatch.ts); w = tokenWeights.
 *
 * Clipped policy loss (PPO, Schulman et al. 2017; verl `compute_policy_loss`), per token:
 *   ρ   = exp(logπ − logπ_old)
 *   pg  = max(−A·ρ, −A·clip(ρ, 1 − ε, 1 + ε))
 *   ∂pg/∂logπ = −A·ρ where the unclipped term is the max, else 0
 * KL to the reference, k3 estimator (Schulman 2020; verl `low_var_kl`), per token, d = logπ_ref − logπ:
 *   k3  = min(exp(d) − d − 1, 10)                          ≥ 0; unclamped it is unbiased for KL(π‖π_ref)
 *   ∂k3/∂logπ = 1 − exp(d) where exp(d) − d − 1 ≤ 10, else 0   (torch.clamp's gradient)
 *   The clamp is verl's (kld.clamp(−10, 10)); the training graph applies it too (src/core/autodiff/lossGraph.ts).
 *   It acts for d > 2.611 (a token the policy finds far less likely than the reference does, e.g. one the
 *   decoding grammar forced) and for d < −11.0; without it one such token (d = 6: k3 ≈ 397) swamps the KL.
 * Entropy of one position's logits z:
 *   H   = −Σ_j p_j log p_j,   ∂H/∂z_j = −p_j (log p_j + H)
 * Clipped value loss (verl `compute_value_loss`), per token:
 *   v_c = clip(v, v_old − c, v_old + c)
 *   vl  = ½ · max((v − R)², (v_c − R)²),   ∂vl/∂v = (v − R) where the unclipped term is the max, else 0
 * Objective:
 *   L = Σ_{b,t} w·pg + klCoef · Σ w·k3 − entropyCoef · Σ w·H + valueCoef · Σ w·vl
 */
import { logSoftmax } from '../math/logits';
import type { TrainBatch } from '../learner/trainBatch';

export interface TokenTerm {
  value: number;
  /** d value / d input (log-prob, or value prediction). */
  grad: number;
}

/** pg for one token; `clipped` is true when the clipped term is strictly larger (verl's clipfrac). */
export function clippedPolicyTerm(logProb: number, oldLogProb: number, advantage: number, clipRatio: number): TokenTerm & { clipped: boolean } {
  const ratio = Math.exp(logProb - oldLogProb);
  const unclipped = -advantage * ratio;
  const clipped = -advantage * Math.min(Math.max(ratio, 1 - clipRatio), 1 + clipRatio);
  if (clipped > unclipped) return { value: clipped, grad: 0, clipped: true };
  return { value: unclipped, grad: -advantage * ratio, clipped: false };
}

/** Upper clamp of the per-token k3 estimate (verl low_var_kl: kld.clamp(min=−10, max=10); k3 ≥ 0). */
export const K3_MAX = 10;

/** k3 for one token, clamped to ≤ K3_MAX (gradient 0 where the clamp acts; the kink itself keeps it). */
export function k3Term(logProb: number, refLogProb: number): TokenTerm {
  const d = refLogProb - logProb;
  const ratio = Math.exp(d);
  const k3 = ratio - d - 1;
  if (k3 > K3_MAX) return { value: K3_MAX, grad: 0 };
  return { value: k3, grad: 1 - ratio };
}

/** vl for one token. */
export function valueTerm(value: number, oldValue: number, ret: number, clip: number): TokenTerm {
  const vc = Math.min(Math.max(value, oldValue - clip), oldValue + clip);
  const l1 = (value - ret) ** 2;
  const l2 = (vc - ret) ** 2;
  if (l2 > l1) return { value: 0.5 * l2, grad: 0 };
  return { value: 0.5 * l1, grad: value - ret };
}

/** Entropy of softmax(logits) and its gradient. logits: [V] → value, grad [V] */
export const entropyOfLogits = {
  value(logits: ArrayLike<number>): number {
    const lp = logSoftmax(logits);
    let h = 0;
    for (let j = 0; j < lp.length; j++) {
      const l = lp[j] as number;
      if (l > -Infinity) h -= Math.exp(l) * l;
    }
    return h;
  },
  grad(logits: ArrayLike<number>): Float64Array {
    const lp = logSoftmax(logits);
    const h = entropyOfLogits.value(logits);
    const g = new Float64Array(lp.length); // [V]
    for (let j = 0; j < lp.length; j++) {
      const l = lp[j] as number;
      g[j] = l > -Infinity ? -Math.exp(l) * (l + h) : 0;
    }
    return g;
  },
};

export interface PolicyLossInput {
  logProbs: ArrayLike<number>; // [B, T]
  oldLogProbs: ArrayLike<number>; // [B, T]
  advantages: ArrayLike<number>; // [B, T]
  weights: ArrayLike<number>; // [B, T]
  clipRatio: number;
}

/** Σ w·pg and ∂/∂logπ. */
export const ppoClipLoss = {
  value(x: PolicyLossInput): number {
    let s = 0;
    forWeighted(x.weights, (i, w) => (s += w * clippedPolicyTerm(x.logProbs[i] as number, x.oldLogProbs[i] as number, x.advantages[i] as number, x.clipRatio).value));
    return s;
  },
  grad(x: PolicyLossInput): Float64Array {
    const g = new Float64Array(x.weights.length); // [B, T]
    forWeighted(x.weights, (i, w) => (g[i] = w * clippedPolicyTerm(x.logProbs[i] as number, x.oldLogProbs[i] as number, x.advantages[i] as number, x.clipRatio).grad));
    return g;
  },
};

export interface KlInput {
  logProbs: ArrayLike<number>; // [B, T]
  refLogProbs: ArrayLike<number>; // [B, T]
  weights: ArrayLike<number>; // [B, T]
}

/** Σ w·k3 and ∂/∂logπ. */
export const klPenalty = {
  value(x: KlInput): number {
    let s = 0;
    forWeighted(x.weights, (i, w) => (s += w * k3Term(x.logProbs[i] as number, x.refLogProbs[i] as number).value));
    return s;
  },
  grad(x: KlInput): Float64Array {
    const g = new Float64Array(x.weights.length); // [B, T]
    forWeighted(x.weights, (i, w) => (g[i] = w * k3Term(x.logProbs[i] as number, x.refLogProbs[i] as number).grad));
    return g;
  },
};

/** −Σ w·H (minimising it raises the entropy) and ∂/∂H = −w. */
export const entropyLoss = {
  value(x: { entropy: ArrayLike<number>; weights: ArrayLike<number> }): number {
    let s = 0;
    forWeighted(x.weights, (i, w) => (s -= w * (x.entropy[i] as number)));
    return s;
  },
  grad(x: { entropy: ArrayLike<number>; weights: ArrayLike<number> }): Float64Array {
    const g = new Float64Array(x.weights.length); // [B, T]
    forWeighted(x.weights, (i, w) => (g[i] = -w));
    return g;
  },
};

export interface ValueLossInput {
  values: ArrayLike<number>; // [B, T]
  oldValues: ArrayLike<number>; // [B, T]
  returns: ArrayLike<number>; // [B, T]
  weights: ArrayLike<number>; // [B, T]
  clip: number;
}

/** Σ w·vl and ∂/∂v. */
export const valueLoss = {
  value(x: ValueLossInput): number {
    let s = 0;
    forWeighted(x.weights, (i, w) => (s += w * valueTerm(x.values[i] as number, x.oldValues[i] as number, x.returns[i] as number, x.clip).value));
    return s;
  },
  grad(x: ValueLossInput): Float64Array {
    const g = new Float64Array(x.weights.length); // [B, T]
    forWeighted(x.weights, (i, w) => (g[i] = w * valueTerm(x.values[i] as number, x.oldValues[i] as number, x.returns[i] as number, x.clip).grad));
    return g;
  },
};

/** What a learner's forward pass produced for a batch (token-aligned [B, T]). */
export interface LearnerForward {
  logProbs: ArrayLike<number>;
  entropy: ArrayLike<number>;
  values?: ArrayLike<number> | null;
}

export interface ObjectiveParts {
  /** Σ w·pg */
  policyLoss: number;
  /** Σ w·k3 (token-weighted KL to the reference; 0 without one) */
  kl: number;
  /** Σ w·H (token-weighted entropy) */
  entropy: number;
  /** Σ w·vl (0 without a value head) */
  valueLoss: number;
  /** Share of weighted tokens where the clipped term was taken. */
  clipFraction: number;
  /** Σ w·(logπ_old − logπ): drift since the rollout policy (verl ppo_kl). */
  approxKlOld: number;
}

export interface ObjectiveResult {
  value: number;
  parts: ObjectiveParts;
  /** ∂L/∂logπ, ∂L/∂H, ∂L/∂v — each [B, T]; a learner chains these into its parameters. */
  dLogProbs: Float64Array;
  dEntropy: Float64Array;
  dValues: Float64Array;
}

/** The full objective of a batch given the learner's forward outputs. */
export function rlObjective(batch: TrainBatch, f: LearnerForward): ObjectiveResult {
  const { loss: c, tokenWeights: w, seqLen, batchSize } = batch;
  const n = seqLen * batchSize;
  const dLogProbs = new Float64Array(n); // [B, T]
  const dEntropy = new Float64Array(n); // [B, T]
  const dValues = new Float64Array(n); // [B, T]
  const parts: ObjectiveParts = { policyLoss: 0, kl: 0, entropy: 0, valueLoss: 0, clipFraction: 0, approxKlOld: 0 };
  const withValue = c.valueCoef !== 0 && batch.returns !== null && batch.oldValues !== null && f.values != null;
  forWeighted(w, (i, wi) => {
    const lp = f.logProbs[i] as number;
    const pg = clippedPolicyTerm(lp, batch.oldLogProbs[i] as number, batch.advantages[i] as number, c.clipRatio);
    parts.policyLoss += wi * pg.value;
    parts.clipFraction += pg.clipped ? wi : 0;
    parts.approxKlOld += wi * ((batch.oldLogProbs[i] as number) - lp);
    let d = pg.grad;
    if (batch.refLogProbs !== null) {
      const kl = k3Term(lp, batch.refLogProbs[i] as number);
      parts.kl += wi * kl.value;
      d += c.klCoef * kl.grad;
    }
    dLogProbs[i] = wi * d;
    parts.entropy += wi * (f.entropy[i] as number);
    dEntropy[i] = -c.entropyCoef * wi;
    if (withValue) {
      const vt = valueTerm(f.values?.[i] as number, batch.oldValues?.[i] as number, batch.returns?.[i] as number, c.valueClip);
      parts.valueLoss += wi * vt.value;
      dValues[i] = c.valueCoef * wi * vt.grad;
    }
  });
  const klTerm = batch.refLogProbs === null ? 0 : c.klCoef * parts.kl;
  const value = parts.policyLoss + klTerm - c.entropyCoef * parts.entropy + (withValue ? c.valueCoef * parts.valueLoss : 0);
  return { value, parts, dLogProbs, dEntropy, dValues };
}

/** Calls f(i, w_i) for each nonzero weight. */
function forWeighted(weights: ArrayLike<number>, f: (i: number, w: number) => void): void {
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (w !== 0) f(i, w);
  }
}
