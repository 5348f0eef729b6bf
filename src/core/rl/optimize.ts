/**
 * The training half of an RL step: build the batch (old and reference log-probs recomputed by the
 * learner, advantages), then several epochs of minibatch updates (loss and grads from the learner, then
 * learner/updateStep.ts: clipping, AdamW, the non-finite check). A non-finite loss, gradient or parameter
 * stops the updates and reports the reason; the caller restores the params and optimizer state it
 * snapshotted. Must not: sample, score or sync (the loop's phases), or restore state itself.
 */
import type { Rng } from '../math/rng';
import type { AdamWState } from '../learner/adamw';
import { broadcastToTokens, gaeAdvantages, grpoAdvantages, maskedWhiten, terminalRewards } from './advantages';
import type { Learner } from '../learner/learner';
import { rlObjective } from './losses';
import type { KeptRollout } from './rollouts';
import { TrainConfigError, type TrainConfig } from './trainConfig';
import { noUpdate, type UpdateMetrics } from './trainMetrics';
import { buildTrainInputs, sliceTrainBatch, tokenWeights, type TrainBatch } from '../learner/trainBatch';
import { applyUpdateStep, type NonFinite } from '../learner/updateStep';
import { permutation } from '../math/shuffle';

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

export type OptimizeResult = UpdateMetrics;

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
  const r = noUpdate(null);
  const params = o.learner.params();
  for (let epoch = 0; epoch < o.cfg.epochs && r.skipped === null; epoch++) {
    const order = permutation(full.batchSize, o.shuffle(epoch), 'float');
    for (let start = 0; start < order.length && r.skipped === null; start += o.cfg.minibatchSize) {
      o.signal?.throwIfAborted();
      const mb = sliceTrainBatch(full, order.slice(start, start + o.cfg.minibatchSize), o.cfg.aggregation);
      const out = await o.learner.computeLossAndGrads(mb, o.signal === undefined ? {} : { signal: o.signal });
      const step = applyUpdateStep(params, out, o.optimizer, { maxGradNorm: o.cfg.maxGradNorm, adamW: o.cfg.optimizer, lr: o.lr, onNonFiniteParams: 'leave' });
      if (step.status !== 'applied') {
        r.skipped = { reason: `${skipReason(step.nonFinite)} at update ${r.updates + 1}` };
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
      r.gradNorm += step.gradNorm;
    }
  }
  if (r.updates > 0) for (const k of ['loss', 'policyLoss', 'valueLoss', 'kl', 'entropy', 'clipFraction', 'gradNorm'] as const) r[k] /= r.updates;
  return r;
}

/** A skipped update in words; the caller restores the params and optimizer state it snapshotted. */
function skipReason(bad: NonFinite): string {
  if (bad.in === 'loss') return 'non-finite loss';
  if (bad.in === 'gradient') return `non-finite gradient of "${bad.tensor}"`;
  return `parameter "${bad.tensor}" became non-finite`;
}
