/**
 * One optimizer update from a learner's loss and gradients, the one copy every training loop uses
 * (RL minibatches, the supervised warm-up, train-default's copy pre-training):
 *
 *   1. check      a non-finite loss or gradient rejects the update; nothing is touched
 *   2. clip       global-norm clipping of the gradients to maxGradNorm (adamw.ts clipGradNorm)
 *   3. AdamW      in place on the params and the optimizer state, at the given lr
 *   4. check      a parameter that became non-finite: 'restore' copies the params back (the optimizer
 *                 state keeps the update), 'leave' leaves them for a caller that rolls back a larger
 *                 snapshot (the RL step restores params and optimizer together)
 *
 * Must not: decide what a rejected update means for the loop (stop, skip, log) — it reports, the loop decides.
 */
import { adamWStep, clipGradNorm, type AdamWConfig, type AdamWState } from './adamw';
import { cloneParams, copyParamsInto, firstNonFinite, type ParamMap } from './paramMap';

export interface UpdateStepOptions {
  maxGradNorm: number;
  adamW: AdamWConfig;
  lr: number;
  /** What to do when the update made a parameter non-finite ('restore' costs one copy of the params per update). */
  onNonFiniteParams: 'restore' | 'leave';
}

/** Where a non-finite value showed up: the loss, or the first tensor (by name) of the gradients or the updated params. */
export type NonFinite = { in: 'loss' } | { in: 'gradient'; tensor: string } | { in: 'parameter'; tensor: string };

export type UpdateStepResult =
  /** The update is in the params; gradNorm is the norm before clipping. */
  | { status: 'applied'; gradNorm: number }
  /** Non-finite loss or gradient: params and optimizer untouched, no norm. */
  | { status: 'rejected'; nonFinite: NonFinite }
  /** The update made a parameter non-finite: restored or left as onNonFiniteParams says; the optimizer state advanced. */
  | { status: 'diverged'; nonFinite: NonFinite; gradNorm: number };

export function applyUpdateStep(params: ParamMap, out: { loss: number; grads: ParamMap }, optimizer: AdamWState, o: UpdateStepOptions): UpdateStepResult {
  // 1. check the loss and the gradients
  if (!Number.isFinite(out.loss)) return { status: 'rejected', nonFinite: { in: 'loss' } };
  const badGrad = firstNonFinite(out.grads);
  if (badGrad !== undefined) return { status: 'rejected', nonFinite: { in: 'gradient', tensor: badGrad } };
  const before = o.onNonFiniteParams === 'restore' ? cloneParams(params) : null;
  // 2. clip
  const gradNorm = clipGradNorm(out.grads, o.maxGradNorm);
  // 3. AdamW
  adamWStep(params, out.grads, optimizer, { ...o.adamW, lr: o.lr });
  // 4. check the params (and restore them)
  const badParam = firstNonFinite(params);
  if (badParam === undefined) return { status: 'applied', gradNorm };
  if (before !== null) copyParamsInto(params, before);
  return { status: 'diverged', nonFinite: { in: 'parameter', tensor: badParam }, gradNorm };
}
