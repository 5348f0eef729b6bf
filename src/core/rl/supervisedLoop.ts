/**
 * The supervised loop (the warm-up before RL, and train-default's copy pre-training) as an async
 * generator of plain-data events, like trainLoop. One update:
 *   1. batch        the next minibatch of the injected stream, right-padded (trainBatch.ts)
 *   2. loss         token cross-entropy  L = −Σ w·logπ(x_t | x_<t),  w = token-mean over the policy tokens
 *   3. update       clip → AdamW at schedule(update) → non-finite check (learner/updateStep.ts)
 *   4. report       one 'supervised.update' event
 *
 * The hosts own the data: which sequences, how they are shuffled, what is mixed in. A stream is
 * consumed lazily, one minibatch per update, so a host that draws from an rng while it builds batches
 * draws in the same order as a hand-written loop would.
 * Must not: read files, clocks or globals, or decide what a rejected update means for a report.
 */
import type { AdamWConfig } from '../learner/adamw';
import { createAdamWState } from '../learner/adamw';
import type { LearnerCallOptions } from '../learner/learner';
import type { ParamMap } from '../learner/paramMap';
import { buildTrainInputs, tokenWeights, type RolloutSequence, type TrainInputs } from '../learner/trainBatch';
import { applyUpdateStep, type UpdateStepOptions, type UpdateStepResult } from '../learner/updateStep';
import { permutation } from '../math/shuffle';
import type { Rng } from '../math/rng';
import { learningRate, type LrSchedule } from './schedule';

/** What the supervised loop needs from a learner (the ONNX learner has it). */
export interface SupervisedLearner {
  params(): ParamMap;
  crossEntropyLossAndGrads(inputs: TrainInputs, tokenWeights: Float32Array, opts?: LearnerCallOptions): Promise<{ loss: number; grads: ParamMap }>;
}

export interface SupervisedMinibatch {
  epoch: number;
  sequences: readonly RolloutSequence[];
}

export interface SupervisedLoopOptions {
  learner: SupervisedLearner;
  /** The minibatches in update order (read one per update). */
  batches: Iterable<SupervisedMinibatch>;
  /** lr at update u (0-based) = learningRate(schedule, u). */
  schedule: LrSchedule;
  maxGradNorm: number;
  adamW: AdamWConfig;
  onNonFiniteParams: UpdateStepOptions['onNonFiniteParams'];
  signal?: AbortSignal;
}

export interface SupervisedUpdateEvent {
  type: 'supervised.update';
  epoch: number;
  /** Updates done, this one included (1-based). */
  update: number;
  lr: number;
  loss: number;
  /** Σ lossMask: the tokens the loss is on. */
  policyTokens: number;
  /** The padded batch's B and T. */
  batchSize: number;
  seqLen: number;
  result: UpdateStepResult;
}

export async function* supervisedLoop(o: SupervisedLoopOptions): AsyncGenerator<SupervisedUpdateEvent, { updates: number }> {
  const params = o.learner.params();
  const optimizer = createAdamWState(params);
  const call = o.signal === undefined ? {} : { signal: o.signal };
  let update = 0;
  for (const { epoch, sequences } of o.batches) {
    o.signal?.throwIfAborted();
    // 1. batch
    const inputs = buildTrainInputs(sequences);
    const weights = tokenWeights(inputs.lossMask, inputs.batchSize, inputs.seqLen, 'token-mean');
    const lr = learningRate(o.schedule, update);
    // 2. loss and gradients
    const out = await o.learner.crossEntropyLossAndGrads(inputs, weights, call);
    // 3. update
    const result = applyUpdateStep(params, out, optimizer, { maxGradNorm: o.maxGradNorm, adamW: o.adamW, lr, onNonFiniteParams: o.onNonFiniteParams });
    update++;
    // 4. report
    const policyTokens = inputs.lossMask.reduce((n, m) => n + m, 0);
    yield { type: 'supervised.update', epoch, update, lr, loss: out.loss, policyTokens, batchSize: inputs.batchSize, seqLen: inputs.seqLen, result };
  }
  return { updates: update };
}

/** epochs × minibatches of `size` in a fresh Fisher–Yates order per epoch, epoch e's order from rng.fork(String(e)) ('float' draw). */
export function* shuffledMinibatches<T>(items: readonly T[], o: { epochs: number; size: number; rng: Rng }): Generator<{ epoch: number; sequences: T[] }> {
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = permutation(items.length, o.rng.fork(String(epoch)), 'float');
    for (let start = 0; start < order.length; start += o.size) yield { epoch, sequences: order.slice(start, start + o.size).map((i) => items[i] as T) };
  }
}
