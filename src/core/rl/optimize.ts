/**
 * The training half of an RL step: build the batch (old and reference log-probs recomputed by the
 * learner, advantages), then several epochs of minibatch updates (loss and grads from the learner,
 * global-norm clipping, AdamW). A non-finite loss, gradient or parameter stops the updates and
 * reports the reason; the caller restores the params and optimizer state it snapshotted.
 */
import type { Rng } from '../math/rng';
import { adamWStep, clipGradNorm, type AdamWState } from '../learner/adamw';
import { broadcastToTokens, gaeAdvantages, grpoAdvantages, maskedWhiten, terminalRewards } from './advantages';
import type { Learner } from '../learner/learner';
import { rlObjective } from './losses';
import { firstNonFinite } from '../learner/paramMap';
import type { KeptRollout } from './rollouts';
import { TrainConfigError, type TrainConfig } from './trainConfig';
import { buildTrainInputs, sliceTrainBatch, tokenWeights, type TrainBatch } from '../learner/trainBatch';

/** The step's full batch: one row per kept rollout, in kept order. */
export async function buildStepBatch(cfg: TrainConfig, learner: Learner, kept: readonly KeptRollout[], rewards: readonly number[], signal?: AbortSignal): Promise<TrainBatch> {
  const inputs = buildTrainInputs(kept.map((k) => k.rollout.sequence));
  const { batchSize: B, seqLen: T, lossMask } = inputs;
  const call = signal === undefined ? {} : { signal };
  // Old log-probs come from the learner, not the rollout: rollouts may run quantised or re-tokenised.
  const oldLogProbs = await learner.logProbs(inputs, call);
  const refLogProbs = cfg.loss.klCoef > 0 ? await learner.logProbs(inputs, { ...call, policy: 'reference' }) : null;
  let advantages: Float32Array;
  let returns: Float32Array | null = null;
  let oldValues: Float32Array | null = null;
  if (cfg.algorithm === 'grpo') {
    advantages = broadcastToTokens(grpoAdvantages(rewards, kept.map((k) => k.questionIndex), cfg.grpo), lossMask, B, T);
  } else {
    if (learner.values === undefined) throw new TrainConfigError(['PPO needs a learner with a value head; use GRPO or a learner built with one.']);
    oldValues = await learner.values(inputs, call);
    const gae = gaeAdvantages({ rewards: terminalRewards(rewards, lossMask, B, T), values: oldValues, mask: lossMask, batchSize: B, seqLen: T, gamma: cfg.gae.gamma, lambda: cfg.gae.lambda });
    advantages = Float32Array.from(cfg.gae.whiten ? maskedWhiten(gae.advantages, lossMask) : gae.advantages);
    returns = Float32Array.from(gae.returns);
  }
  const loss = cfg.algorithm === 'grpo' ? { ...cfg.loss, valueCoef: 0 } : cfg.loss;
  return { ...inputs, tokenWeights: tokenWeights(lossMask, B, T, cfg.aggregation), advantages, oldLogProbs, refLogProbs, returns, oldValues, loss };
}

export interface OptimizeResult {
  updates: number;
  loss: number;
  policyLoss: number;
  valueLoss: number;
  kl: number;
  entropy: number;
  clipFraction: number;
  gradNorm: number;
  skipped: { reason: string } | null;
}

export interface OptimizeOptions {
  learner: Learner;
  optimizer: AdamWState;
  cfg: TrainConfig;
  lr: number;
  /** Minibatch order stream for epoch e: shuffle(e). */
  shuffle: (epoch: number) => Rng;
  signal?: AbortSignal;
}

/** epochs × minibatches of updates, in place on the learner's params and the optimizer state. */
export async function optimize(full: TrainBatch, o: OptimizeOptions): Promise<OptimizeResult> {
  const r: OptimizeResult = { updates: 0, loss: 0, policyLoss: 0, valueLoss: 0, kl: 0, entropy: 0, clipFraction: 0, gradNorm: 0, skipped: null };
  const params = o.learner.params();
  for (let epoch = 0; epoch < o.cfg.epochs && r.skipped === null; epoch++) {
    const order = shuffled(full.batchSize, o.shuffle(epoch));
    for (let start = 0; start < order.length && r.skipped === null; start += o.cfg.minibatchSize) {
      o.signal?.throwIfAborted();
      const mb = sliceTrainBatch(full, order.slice(start, start + o.cfg.minibatchSize), o.cfg.aggregation);
      const out = await o.learner.computeLossAndGrads(mb, o.signal === undefined ? {} : { signal: o.signal });
      const bad = !Number.isFinite(out.loss) ? 'the loss' : firstNonFinite(out.grads);
      if (bad !== undefined) {
        r.skipped = { reason: `non-finite ${bad === 'the loss' ? 'loss' : `gradient of "${bad}"`} at update ${r.updates + 1}` };
        break;
      }
      const norm = clipGradNorm(out.grads, o.cfg.maxGradNorm);
      adamWStep(params, out.grads, o.optimizer, { ...o.cfg.optimizer, lr: o.lr });
      const badParam = firstNonFinite(params);
      if (badParam !== undefined) {
        r.skipped = { reason: `parameter "${badParam}" became non-finite at update ${r.updates + 1}` };
        break;
      }
      const parts = rlObjective(mb, { logProbs: out.logProbs, entropy: out.entropy, values: out.values ?? null }).parts;
      r.updates++;
      r.loss += out.loss;
      r.policyLoss += parts.policyLoss;
      r.valueLoss += parts.valueLoss;
      r.kl += parts.kl;
      r.entropy += parts.entropy;
      r.clipFraction += parts.clipFraction;
      r.gradNorm += norm;
    }
  }
  if (r.updates > 0) for (const k of ['loss', 'policyLoss', 'valueLoss', 'kl', 'entropy', 'clipFraction', 'gradNorm'] as const) r[k] /= r.updates;
  return r;
}

/** A Fisher–Yates permutation of 0..n−1. */
function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}
