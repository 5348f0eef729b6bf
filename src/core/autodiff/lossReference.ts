/**
 * Float64 reference implementations of the training losses (lossGraph.ts has the formulas and the
 * masking conventions), each returning its gradient with respect to the logits beside its value
 * (STYLE.md principle 5). The oracle for the ONNX training graphs, and itself checked by central
 * differences in lossReference.test.ts.
 *
 * Rows are prediction positions: row i holds the logits that predict targets[i], with weight m_i
 * (loss_mask of the predicted token), advantage A_i, old and reference log-probs of targets[i].
 *
 *   logp_i = z_i[y_i] − logsumexp(z_i)          ∂logp_i/∂z_i = onehot(y_i) − p_i
 *   H_i    = −Σ_v p_iv log p_iv                 ∂H_i/∂z_i   = −p_i ⊙ (log p_i + H_i)
 *
 * Not for: training (the graphs compute gradients on onnxruntime); this is O(N·V) float64 loops.
 */
import { k3Term } from '../rl/losses';
import type { LossReduction } from './lossGraph';

export interface TokenRows {
  /** [N, V] row-major. */
  logits: Float64Array;
  vocabSize: number;
  /** [N] the token each row predicts. */
  targets: readonly number[];
  /** [N] loss_mask (0/1, or weights with 'weightedSum'). */
  mask: readonly number[];
  reduction: LossReduction;
}

export interface PolicyRows extends TokenRows {
  advantages: readonly number[]; // [N]
  oldLogProbs: readonly number[]; // [N]
  refLogProbs: readonly number[]; // [N]
  clipEpsilon: number;
  klCoef: number;
  entropyCoef: number;
}

export interface TokenStats {
  logProbs: Float64Array; // [N]
  entropy: Float64Array; // [N]
  /** [N, V] log-softmax of each row. */
  logSoftmax: Float64Array;
}

export interface LossValue {
  loss: number;
  entropyMean: number;
  /** ∂loss/∂logits, [N, V]. */
  dLogits: Float64Array;
  stats: TokenStats;
}

export interface PolicyLossValue extends LossValue {
  pgLoss: number;
  kl: number;
  clipFraction: number;
}

/** log-softmax (max subtracted first), the target's log-prob and the entropy of every row. */
export function tokenStats(logits: Float64Array, vocabSize: number, targets: readonly number[]): TokenStats {
  const n = targets.length;
  const logSoftmax = new Float64Array(n * vocabSize);
  const logProbs = new Float64Array(n);
  const entropy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let v = 0; v < vocabSize; v++) max = Math.max(max, logits[i * vocabSize + v] ?? 0);
    let sum = 0;
    for (let v = 0; v < vocabSize; v++) sum += Math.exp((logits[i * vocabSize + v] ?? 0) - max);
    const lse = max + Math.log(sum);
    let h = 0;
    for (let v = 0; v < vocabSize; v++) {
      const lp = (logits[i * vocabSize + v] ?? 0) - lse;
      logSoftmax[i * vocabSize + v] = lp;
      h -= Math.exp(lp) * lp;
    }
    logProbs[i] = logSoftmax[i * vocabSize + (targets[i] ?? 0)] ?? 0;
    entropy[i] = h;
  }
  return { logProbs, entropy, logSoftmax };
}

/** The masked-mean denominator: max(Σ m, 1) for 'tokenMean', 1 for 'weightedSum'. */
export function maskDenominator(mask: readonly number[], reduction: LossReduction): number {
  return reduction === 'tokenMean' ? Math.max(mask.reduce((a, b) => a + b, 0), 1) : 1;
}

/** ∂/∂z of Σ_i (gLogp_i · logp_i + gH_i · H_i), [N, V]. */
function logitGradient(stats: TokenStats, vocabSize: number, targets: readonly number[], gLogp: Float64Array, gEntropy: Float64Array): Float64Array {
  const d = new Float64Array(stats.logSoftmax.length);
  for (let i = 0; i < targets.length; i++) {
    const h = stats.entropy[i] ?? 0;
    for (let v = 0; v < vocabSize; v++) {
      const lp = stats.logSoftmax[i * vocabSize + v] ?? 0;
      const p = Math.exp(lp);
      const onehot = v === targets[i] ? 1 : 0;
      d[i * vocabSize + v] = (gLogp[i] ?? 0) * (onehot - p) - (gEntropy[i] ?? 0) * p * (lp + h);
    }
  }
  return d;
}

/** L_ce = −mean_m(logp). */
export function crossEntropyFromLogits(x: TokenRows): LossValue {
  const stats = tokenStats(x.logits, x.vocabSize, x.targets);
  const denom = maskDenominator(x.mask, x.reduction);
  let loss = 0;
  let entropyMean = 0;
  const gLogp = new Float64Array(x.targets.length);
  x.mask.forEach((m, i) => {
    loss -= (m * (stats.logProbs[i] ?? 0)) / denom;
    entropyMean += (m * (stats.entropy[i] ?? 0)) / denom;
    gLogp[i] = -m / denom;
  });
  return { loss, entropyMean, stats, dLogits: logitGradient(stats, x.vocabSize, x.targets, gLogp, new Float64Array(x.targets.length)) };
}

/**
 * L = −mean_m(min(r·A, clip(r, 1−ε, 1+ε)·A)) + β·mean_m(k3) − c·mean_m(H),  r = exp(logp − old),
 * k3 = min(exp(ref − logp) − (ref − logp) − 1, 10)   (verl low_var_kl's clamp; core/rl/losses.ts k3Term)
 *   ∂L/∂logp_i = m_i/N · ( −A_i·r_i·[r_i·A_i ≤ clip(r_i)·A_i  or  1−ε ≤ r_i ≤ 1+ε]  +  β·∂k3_i/∂logp_i )
 *   ∂k3_i/∂logp_i = 1 − exp(ref_i − logp_i) where the clamp is inactive, else 0
 *   ∂L/∂H_i    = −c·m_i/N
 */
export function clippedPolicyLossFromLogits(x: PolicyRows): PolicyLossValue {
  const stats = tokenStats(x.logits, x.vocabSize, x.targets);
  const denom = maskDenominator(x.mask, x.reduction);
  const n = x.targets.length;
  const gLogp = new Float64Array(n);
  const gEntropy = new Float64Array(n);
  let pgLoss = 0;
  let kl = 0;
  let entropyMean = 0;
  let clipFraction = 0;
  const [lo, hi] = [1 - x.clipEpsilon, 1 + x.clipEpsilon];
  for (let i = 0; i < n; i++) {
    const m = x.mask[i] ?? 0;
    if (m === 0) continue;
    const logp = stats.logProbs[i] ?? 0;
    const a = x.advantages[i] ?? 0;
    const r = Math.exp(logp - (x.oldLogProbs[i] ?? 0));
    const clipped = Math.min(Math.max(r, lo), hi);
    const takesUnclipped = r * a <= clipped * a;
    pgLoss -= (m * Math.min(r * a, clipped * a)) / denom;
    if (clipped * a < r * a) clipFraction += m / denom;
    const inside = r >= lo && r <= hi;
    const dObjective = takesUnclipped || inside ? a * r : 0;
    const k3 = k3Term(logp, x.refLogProbs[i] ?? 0);
    kl += (m * k3.value) / denom;
    entropyMean += (m * (stats.entropy[i] ?? 0)) / denom;
    gLogp[i] = (m / denom) * (-dObjective + x.klCoef * k3.grad);
    gEntropy[i] = (-x.entropyCoef * m) / denom;
  }
  const loss = pgLoss + x.klCoef * kl - x.entropyCoef * entropyMean;
  return { loss, pgLoss, kl, entropyMean, clipFraction, stats, dLogits: logitGradient(stats, x.vocabSize, x.targets, gLogp, gEntropy) };
}
