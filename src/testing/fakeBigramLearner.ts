/**
 * A test fake of the Learner port: a bigram softmax policy with explicit analytic gradients, small
 * enough that RL on it runs in milliseconds and every number can be checked by hand. Not a model of
 * language: it exists so the train loop, the losses and the optimizer are tested without ONNX.
 *
 *   z(prev)        = W[prev, :]                      logits of the next token given the previous one. W: [V, V]
 *   logπ(x_t | ·)  = logSoftmax(W[x_{t−1}])[x_t]
 *   H_t            = H(softmax(W[x_{t−1}]))
 *   v_t            = u[x_{t−1}]                        optional value head. u: [V]
 * Backward (from rlObjective's ∂L/∂logπ, ∂L/∂H, ∂L/∂v):
 *   ∂L/∂W[x_{t−1}, j] += ∂L/∂logπ_t · ([j = x_t] − p_j) + ∂L/∂H_t · (−p_j (log p_j + H_t))
 *   ∂L/∂u[x_{t−1}]    += ∂L/∂v_t
 */
import { logSoftmax } from '../core/math/logits';
import type { Rng } from '../core/math/rng';
import { rlObjective } from '../core/rl/losses';
import type { Learner, LearnerOutput } from '../core/learner/learner';
import { cloneParams, zerosLike, type ParamMap } from '../core/learner/paramMap';
import type { TrainBatch, TrainInputs } from '../core/learner/trainBatch';

export const BIGRAM_LOGITS = 'bigram.logits';
export const BIGRAM_VALUE = 'value.head';

export interface FakeBigramLearnerOptions {
  vocabSize: number;
  valueHead?: boolean;
  /** Initial logits uniform in [−scale, scale) from `rng`; all zeros (a uniform policy) without rng. */
  rng?: Rng;
  initScale?: number;
}

export interface FakeBigramLearner extends Learner {
  readonly vocabSize: number;
  /** softmax(W[prev]) under the current params, float64. → [V] */
  probs(prev: number): Float64Array;
  /** The forward pass alone (for finite-difference checks). */
  forward(inputs: TrainInputs, params?: ReadonlyMap<string, Float32Array>): { logProbs: Float32Array; entropy: Float32Array; values: Float32Array };
  /** L at explicit params, float64 (the finite-difference oracle). */
  lossAt(batch: TrainBatch, params: ReadonlyMap<string, Float32Array>): number;
}

export function createFakeBigramLearner(o: FakeBigramLearnerOptions): FakeBigramLearner {
  const V = o.vocabSize;
  const W = new Float32Array(V * V); // [V, V]
  const scale = o.initScale ?? 0.5;
  if (o.rng !== undefined) for (let i = 0; i < W.length; i++) W[i] = (2 * o.rng.nextFloat() - 1) * scale;
  const live: ParamMap = new Map([[BIGRAM_LOGITS, W]]);
  if (o.valueHead === true) live.set(BIGRAM_VALUE, new Float32Array(V)); // [V]
  const reference = cloneParams(live);

  const rowLogProbs = (p: ReadonlyMap<string, Float32Array>, prev: number): Float64Array => {
    const w = p.get(BIGRAM_LOGITS) as Float32Array;
    return logSoftmax(w.subarray(prev * V, (prev + 1) * V));
  };

  const forward = (x: TrainInputs, p: ReadonlyMap<string, Float32Array> = live) => {
    const n = x.batchSize * x.seqLen;
    const logProbs = new Float32Array(n); // [B, T]
    const entropy = new Float32Array(n); // [B, T]
    const values = new Float32Array(n); // [B, T]
    const u = p.get(BIGRAM_VALUE);
    eachPosition(x, (i, prev, tok) => {
      const lp = rowLogProbs(p, prev);
      logProbs[i] = lp[tok] as number;
      entropy[i] = entropyOf(lp);
      if (u !== undefined) values[i] = u[prev] as number;
    });
    return { logProbs, entropy, values };
  };

  const objective = (batch: TrainBatch, p: ReadonlyMap<string, Float32Array>) => {
    const f = forward(batch, p);
    return { f, obj: rlObjective(batch, { ...f, values: p.has(BIGRAM_VALUE) ? f.values : null }) };
  };

  return {
    vocabSize: V,
    hasValueHead: o.valueHead === true,
    params: () => live,
    probs: (prev) => rowLogProbs(live, prev).map(Math.exp),
    forward,
    lossAt: (batch, p) => objective(batch, p).obj.value,
    async computeLossAndGrads(batch, opts = {}): Promise<LearnerOutput> {
      opts.signal?.throwIfAborted();
      await Promise.resolve();
      const { f, obj } = objective(batch, live);
      const grads = zerosLike(live);
      const gW = grads.get(BIGRAM_LOGITS) as Float32Array;
      const gU = grads.get(BIGRAM_VALUE);
      const acc = new Float64Array(V * V); // accumulate in float64, store float32
      eachPosition(batch, (i, prev, tok) => {
        const dLp = obj.dLogProbs[i] as number;
        const dH = obj.dEntropy[i] as number;
        if (dLp === 0 && dH === 0) return;
        const lp = rowLogProbs(live, prev);
        const h = entropyOf(lp);
        for (let j = 0; j < V; j++) {
          const pj = Math.exp(lp[j] as number);
          const dz = dLp * ((j === tok ? 1 : 0) - pj) + dH * (-pj * ((lp[j] as number) + h));
          acc[prev * V + j] = (acc[prev * V + j] as number) + dz;
        }
        if (gU !== undefined) gU[prev] = (gU[prev] as number) + (obj.dValues[i] as number);
      });
      gW.set(acc);
      return { loss: obj.value, logProbs: f.logProbs, entropy: f.entropy, ...(gU === undefined ? {} : { values: f.values }), grads };
    },
    async logProbs(inputs, opts = {}) {
      opts.signal?.throwIfAborted();
      await Promise.resolve();
      return forward(inputs, opts.policy === 'reference' ? reference : live).logProbs;
    },
    ...(o.valueHead === true
      ? {
          async values(inputs: TrainInputs, opts: { signal?: AbortSignal } = {}) {
            opts.signal?.throwIfAborted();
            await Promise.resolve();
            return forward(inputs).values;
          },
        }
      : {}),
  };
}

/** f(index, previous token, token) for every attended position t ≥ 1. */
function eachPosition(x: TrainInputs, f: (i: number, prev: number, tok: number) => void): void {
  const T = x.seqLen;
  for (let b = 0; b < x.batchSize; b++) {
    for (let t = 1; t < T; t++) {
      const i = b * T + t;
      if (x.attentionMask[i] !== 1) continue;
      f(i, x.inputIds[i - 1] as number, x.inputIds[i] as number);
    }
  }
}

function entropyOf(logProbs: Float64Array): number {
  let h = 0;
  for (const l of logProbs) if (l > -Infinity) h -= Math.exp(l) * l;
  return h;
}
