/**
 * The training losses as ONNX nodes on top of the decoder's logits (DESIGN.md §4, §2.5; verl's
 * `compute_policy_loss`, `kl_penalty('low_var_kl')`, `entropy_from_logits`). Every per-token tensor is
 * [B, S] and TOKEN-ALIGNED with input_ids (core/learner/trainBatch.ts): entry [b, t] belongs to token t,
 *
 *   logp[b, t] = log π(x_t | x_<t)           H[b, t] = −Σ_v π(v | x_<t) log π(v | x_<t)
 *
 * and column 0 (no predecessor) is 0 and never trained. Inside the graph the logits at position t
 * predict token t + 1, so the token-aligned inputs are shifted one left and the outputs one right.
 *
 * With m = loss_mask (0 on prompt, observation and padding tokens, so they leave every term) and
 *   mean_m(x) = Σ m·x / max(Σ m, 1)                                  ('tokenMean', verl's masked_mean)
 *             = Σ m·x                 (m already holds weights Σ = 1)   ('weightedSum', trainBatch.tokenWeights)
 *
 * supervised warm-up (token cross-entropy):
 *   L_ce = −mean_m(logp)
 * clipped policy gradient (PPO/GRPO) with KL to the reference (k3) and an entropy bonus:
 *   r    = exp(logp − old_logp)
 *   L_pg = −mean_m(min(r·A, clip(r, 1 − ε, 1 + ε)·A))
 *   d    = min(ref − logp, 20)                                        (exp(d) cannot overflow float32)
 *   k3   = min(exp(d) − d − 1, 10)        (Schulman's ≥ 0 estimator, clamped like verl's low_var_kl)
 *   L    = L_pg + β·mean_m(k3) − c_ent·mean_m(H)
 * The clamp's gradient is 0 where it acts (Min's rule, like torch.clamp), so a token far from the
 * reference (ref − logp > 2.61, e.g. one the decoding grammar forced, or < −11.0) adds 10 to the KL and
 * no gradient.
 * Capping d at 20 changes nothing (k3(20) ≈ 4.9e8 is clamped anyway) but keeps exp finite: an infinite
 * exp would turn the clamp's zero gradient into 0·∞ = NaN through Exp's rule.
 * Masked positions pass 0 (not their log-ratio) into exp, so garbage old/ref values there cannot overflow
 * into the masked sums or their gradients.
 *
 * With a value head (PPO; trainGraph.ts builds v[b, t] = final-norm hidden state · wᵀ + b, token-aligned like
 * logp: the value of the state before token t), the clipped value loss (verl compute_value_loss;
 * core/rl/losses.ts valueTerm) joins the objective:
 *   v_c  = min(max(v, v_old − c), v_old + c)                          (Clip takes scalar bounds only)
 *   vl   = ½·max((v − R)², (v_c − R)²)
 *   L   += value_coef · mean_m(vl)
 * Max's rule sends the gradient to (v − R)² on ties, as valueTerm does; masked positions pass 0 into the
 * squares, so garbage returns or old values there stay out of the sums.
 *
 * Not for: the optimizer.
 */
import { attr, type GraphBuilder } from '../onnx/graphBuilder';
import type { ValueInfo } from '../onnx/onnxProto';
import { K3_MAX } from '../rl/losses';

export type TrainingLoss = 'crossEntropy' | 'policy';
export type LossReduction = 'tokenMean' | 'weightedSum';

/** Graph input names of the loss (ONNX I/O names stay verbatim). */
export const LOSS_INPUTS = {
  lossMask: 'loss_mask',
  advantages: 'advantages',
  oldLogProbs: 'old_log_probs',
  refLogProbs: 'ref_log_probs',
  clipEpsilon: 'clip_epsilon',
  klCoef: 'kl_coef',
  entropyCoef: 'entropy_coef',
  /** Value head only. */
  returns: 'returns',
  oldValues: 'old_values',
  valueCoef: 'value_coef',
  valueClip: 'value_clip',
} as const;

/** Graph output names of the loss. */
export const LOSS_OUTPUTS = {
  loss: 'loss',
  logProbs: 'log_probs',
  entropy: 'entropy',
  pgLoss: 'pg_loss',
  kl: 'kl',
  entropyMean: 'entropy_mean',
  clipFraction: 'clip_fraction',
  /** Value head only: [B, S] token-aligned value predictions and the scalar mean_m(vl). */
  values: 'values',
  valueLoss: 'value_loss',
} as const;

const TOKENS = ['batch_size', 'sequence_length'] as const;

/** The loss's graph inputs, in order. */
export function lossInputs(loss: TrainingLoss, valueHead = false): ValueInfo[] {
  const perToken = (name: string): ValueInfo => ({ name, dtype: 'float32', dims: TOKENS });
  const scalar = (name: string): ValueInfo => ({ name, dtype: 'float32', dims: [] });
  if (loss === 'crossEntropy') return [perToken(LOSS_INPUTS.lossMask)];
  return [
    perToken(LOSS_INPUTS.lossMask),
    perToken(LOSS_INPUTS.advantages),
    perToken(LOSS_INPUTS.oldLogProbs),
    perToken(LOSS_INPUTS.refLogProbs),
    scalar(LOSS_INPUTS.clipEpsilon),
    scalar(LOSS_INPUTS.klCoef),
    scalar(LOSS_INPUTS.entropyCoef),
    ...(valueHead ? [perToken(LOSS_INPUTS.returns), perToken(LOSS_INPUTS.oldValues), scalar(LOSS_INPUTS.valueCoef), scalar(LOSS_INPUTS.valueClip)] : []),
  ];
}

/** The loss's graph outputs (before the gradients), in order. */
export function lossOutputs(loss: TrainingLoss, valueHead = false): ValueInfo[] {
  const perToken = (name: string): ValueInfo => ({ name, dtype: 'float32', dims: TOKENS });
  const scalar = (name: string): ValueInfo => ({ name, dtype: 'float32', dims: [] });
  const common = [scalar(LOSS_OUTPUTS.loss), perToken(LOSS_OUTPUTS.logProbs), perToken(LOSS_OUTPUTS.entropy), scalar(LOSS_OUTPUTS.entropyMean)];
  if (loss === 'crossEntropy') return common;
  const policy = [...common, scalar(LOSS_OUTPUTS.pgLoss), scalar(LOSS_OUTPUTS.kl), scalar(LOSS_OUTPUTS.clipFraction)];
  return valueHead ? [...policy, perToken(LOSS_OUTPUTS.values), scalar(LOSS_OUTPUTS.valueLoss)] : policy;
}

/** Shifts for [B, S] tensors; Reshape to shape(input_ids) restates the static shape after Slice + Pad. */
function shifts(g: GraphBuilder, inputIds: string) {
  const idsShape = g.node('Shape', [inputIds]);
  const one = g.constI64([1]);
  const shift = (x: string, starts: number, ends: number, pads: number[]): string => {
    const sliced = g.node('Slice', [x, g.constI64([starts]), g.constI64([ends]), one]);
    return g.node('Reshape', [g.node('Pad', [sliced, g.constI64(pads)]), idsShape]);
  };
  return {
    /** y[b, t] = x[b, t + 1], 0 in the last column: token-aligned → "predicted at t". */
    left: (x: string): string => shift(x, 1, 2 ** 62, [0, 0, 0, 1]),
    /** y[b, t] = x[b, t − 1], 0 in column 0: "predicted at t" → token-aligned. */
    right: (x: string): string => shift(x, 0, -1, [0, 1, 0, 0]),
  };
}

export interface LossOptions {
  loss: TrainingLoss;
  reduction: LossReduction;
  vocabSize: number;
  /** Policy loss only: [B, S] value predictions per position (predicted at t, like the logits) → the value loss. */
  values?: string;
}

/**
 * Appends the loss over `logits` [B, S, V]; writes every output of lossOutputs(). Returns the loss name.
 *   logπ = LogSoftmax(logits)                                  [B, S, V]
 *   logp = Σ_v logπ · [v = x_{t+1}]                            [B, S]   (one-hot by Equal, no scatter)
 *   H    = −Σ_v exp(logπ) · logπ                               [B, S]
 */
export function appendLoss(g: GraphBuilder, logits: string, inputIds: string, o: LossOptions): string {
  const prevScope = g.scope;
  g.scope = 'loss';
  const shift = shifts(g, inputIds);
  const last = g.constI64([-1]);
  const logSoftmax = g.node('LogSoftmax', [logits], { attributes: { axis: attr.int(-1) } }); // [B, S, V]
  const vocab = g.node('Range', [g.constI64([0], []), g.constI64([o.vocabSize], []), g.constI64([1], [])]); // [V]
  const targets = g.node('Unsqueeze', [shift.left(inputIds), last]); // [B, S, 1]
  const oneHot = g.node('Cast', [g.node('Equal', [targets, vocab])], { attributes: { to: attr.int(1) } }); // [B, S, V]
  const sumLast = (x: string): string => g.node('ReduceSum', [x, last], { attributes: { keepdims: attr.int(0) } });
  const logp = sumLast(g.node('Mul', [logSoftmax, oneHot])); // [B, S], predicted at t
  const entropy = g.node('Neg', [sumLast(g.node('Mul', [g.node('Exp', [logSoftmax]), logSoftmax]))]); // [B, S]
  g.node('Identity', [shift.right(logp)], { outputs: [LOSS_OUTPUTS.logProbs] });
  g.node('Identity', [shift.right(entropy)], { outputs: [LOSS_OUTPUTS.entropy] });

  const mask = shift.left(LOSS_INPUTS.lossMask); // [B, S]
  const sumAll = (x: string): string => g.node('ReduceSum', [x], { attributes: { keepdims: attr.int(0) } });
  const count = o.reduction === 'tokenMean' ? g.node('Max', [sumAll(mask), g.constF32([1])]) : g.constF32([1]);
  const maskedMean = (x: string, output?: string): string => g.node('Div', [sumAll(g.node('Mul', [x, mask])), count], output === undefined ? {} : { outputs: [output] });
  const entropyMean = maskedMean(entropy, LOSS_OUTPUTS.entropyMean);

  let loss: string;
  if (o.loss === 'crossEntropy') {
    if (o.values !== undefined) throw new RangeError('A value head needs the policy loss.');
    loss = g.node('Neg', [maskedMean(logp)], { outputs: [LOSS_OUTPUTS.loss] });
  } else {
    const valid = g.node('Greater', [mask, g.constF32([0])]);
    const zero = g.constF32([0]);
    const one = g.constF32([1]);
    const masked = (x: string): string => g.node('Where', [valid, x, zero]);
    const advantages = shift.left(LOSS_INPUTS.advantages);
    const ratio = g.node('Exp', [masked(g.node('Sub', [logp, shift.left(LOSS_INPUTS.oldLogProbs)]))]);
    const eps = LOSS_INPUTS.clipEpsilon;
    const clipped = g.node('Clip', [ratio, g.node('Sub', [one, eps]), g.node('Add', [one, eps])]);
    const unclippedObj = g.node('Mul', [ratio, advantages]);
    const clippedObj = g.node('Mul', [clipped, advantages]);
    const pg = g.node('Neg', [maskedMean(g.node('Min', [unclippedObj, clippedObj]))], { outputs: [LOSS_OUTPUTS.pgLoss] });
    g.node('Identity', [maskedMean(g.node('Cast', [g.node('Less', [clippedObj, unclippedObj])], { attributes: { to: attr.int(1) } }))], { outputs: [LOSS_OUTPUTS.clipFraction] });
    const logRatioRef = g.node('Min', [masked(g.node('Sub', [shift.left(LOSS_INPUTS.refLogProbs), logp])), g.constF32([20])]);
    const k3 = g.node('Min', [g.node('Sub', [g.node('Sub', [g.node('Exp', [logRatioRef]), logRatioRef]), one]), g.constF32([K3_MAX])]);
    const kl = maskedMean(k3, LOSS_OUTPUTS.kl);
    const penalties = g.node('Sub', [g.node('Mul', [LOSS_INPUTS.klCoef, kl]), g.node('Mul', [LOSS_INPUTS.entropyCoef, entropyMean])]);
    if (o.values === undefined) {
      loss = g.node('Add', [pg, penalties], { outputs: [LOSS_OUTPUTS.loss] });
    } else {
      g.node('Identity', [shift.right(o.values)], { outputs: [LOSS_OUTPUTS.values] });
      const returns = shift.left(LOSS_INPUTS.returns);
      const oldValues = shift.left(LOSS_INPUTS.oldValues);
      const c = LOSS_INPUTS.valueClip;
      const clippedValue = g.node('Min', [g.node('Max', [o.values, g.node('Sub', [oldValues, c])]), g.node('Add', [oldValues, c])]);
      const square = (x: string): string => g.node('Mul', [x, x]);
      const unclippedErr = masked(g.node('Sub', [o.values, returns]));
      const clippedErr = masked(g.node('Sub', [clippedValue, returns]));
      const vl = g.node('Mul', [g.node('Max', [square(unclippedErr), square(clippedErr)]), g.constF32([0.5])]);
      const valueLoss = maskedMean(vl, LOSS_OUTPUTS.valueLoss);
      loss = g.node('Add', [g.node('Add', [pg, penalties]), g.node('Mul', [LOSS_INPUTS.valueCoef, valueLoss])], { outputs: [LOSS_OUTPUTS.loss] });
    }
  }
  g.scope = prevScope;
  return loss;
}
