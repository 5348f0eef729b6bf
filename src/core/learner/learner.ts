/**
 * The Learner port: what the RL loop needs from a trainable policy. The ONNX training graph
 * (src/core/train, run by adapters/ort or adapters/node) implements it for real models; the fake in
 * fakeBigramLearner.ts implements it for tests. The loop never sees a graph, a tensor type or a device.
 *
 * Contract for implementations:
 * - `params()` returns the LIVE trainable tensors, always the same Map and the same arrays, in a fixed
 *   order. The optimizer updates them in place between calls; the next call must use the new values
 *   (an ONNX learner feeds them as graph inputs). Never replace an array.
 * - Every per-token array, in and out, is token-aligned row-major [B, T] (trainBatch.ts); entries
 *   outside `attentionMask` may hold anything finite (0 is customary).
 * - `computeLossAndGrads` returns L = rlObjective(batch, forward).value (losses.ts) computed on the
 *   current params, and ∂L/∂θ for every tensor of `params()` (same names and sizes). It never updates
 *   the params itself. NaN/Inf may be returned as they are: the loop checks and skips the step.
 * - `logProbs(…, { policy: 'reference' })` is the frozen policy the run started from (the base model;
 *   for LoRA, the adapters switched off). It must not change while training.
 * - Calls are not re-entrant; the loop awaits each one. A signal abort rejects with the signal's reason.
 */
import type { ParamMap } from './paramMap';
import type { TrainBatch, TrainInputs } from './trainBatch';

export interface LearnerOutput {
  /** L (scalar). */
  loss: number;
  /** [B, T] log π(x_t | x_<t) under the current params. */
  logProbs: Float32Array;
  /** [B, T] entropy of the distribution each token was drawn from. */
  entropy: Float32Array;
  /** [B, T] value predictions (learners with a value head). */
  values?: Float32Array;
  /** ∂L/∂θ for every tensor of params(). */
  grads: ParamMap;
}

export interface LearnerCallOptions {
  signal?: AbortSignal;
}

export interface Learner {
  /** The live trainable tensors (full weights, or LoRA adapters + a value head). */
  params(): ParamMap;
  /** True when `values` exists (PPO needs it). */
  readonly hasValueHead: boolean;
  /** Forward + backward over one minibatch. */
  computeLossAndGrads(batch: TrainBatch, opts?: LearnerCallOptions): Promise<LearnerOutput>;
  /** Forward only: [B, T] token log-probs of the current (default) or the frozen reference policy. */
  logProbs(inputs: TrainInputs, opts?: LearnerCallOptions & { policy?: 'current' | 'reference' }): Promise<Float32Array>;
  /** Forward only: [B, T] value predictions under the current params (only when hasValueHead). */
  values?(inputs: TrainInputs, opts?: LearnerCallOptions): Promise<Float32Array>;
}
