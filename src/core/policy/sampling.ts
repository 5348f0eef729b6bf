/**
 * The sampler: processed logits → one token id, plus the log-probabilities RL needs.
 *
 * Order (transformers.js): processors (mask, penalty, cost bias) → warpers (temperature, top-k, top-p)
 * → draw. Temperature 0 is greedy: argmax of the processed logits, no random draw.
 *
 * Log-prob convention (what `logProb` means, and why):
 *   logProb         = log softmax(z / T)_t   z: the model's raw logits, T: temperature (T = 1 when greedy)
 *   samplingLogProb = log q(t)               q: the distribution actually sampled (after every processor
 *                                            and warper; 0 when greedy)
 * `logProb` is the policy π_θ(t | context) at the sampling temperature, over the FULL vocabulary,
 * before top-k/top-p truncation and before any bias or penalty. That is what verl's actor recomputes
 * as old_log_prob (logits.div_(temperature), then log-softmax over the vocabulary, no top-p) and what
 * our trainer recomputes from the same weights, so rollout and trainer log-probs are comparable and
 * the PPO/GRPO ratio π_new/π_old is 1 at the first step. `samplingLogProb` is reported beside it for
 * off-policy diagnostics (the cost bias and truncation make q ≠ π).
 */
import type { Rng } from '../math/rng';
import { argmax, logSumExp, NonFiniteLogitsError } from '../math/logits';
import {
  applyProcessors,
  createTemperatureWarper,
  createTopKWarper,
  createTopPWarper,
  SamplingParamsError,
  type LogitsContext,
  type LogitsProcessor,
} from './logitsProcessors';

export interface SamplingParams {
  /** 0 = greedy. Reference rollouts: 1.0. */
  temperature: number;
  /** Nucleus mass; 1 disables it. Reference rollouts: 0.95. */
  topP: number;
  /** 0 disables it. */
  topK: number;
}

export interface SampledToken {
  id: number;
  /** log π(id) at the sampling temperature, before truncation and processors (see the module doc). */
  logProb: number;
  /** log q(id) under the distribution actually sampled (0 when greedy). */
  samplingLogProb: number;
}

export function checkSamplingParams(p: SamplingParams): void {
  if (!(p.temperature >= 0) || !Number.isFinite(p.temperature)) throw new SamplingParamsError(`Temperature must be ≥ 0, got ${p.temperature}.`);
  if (!(p.topP > 0 && p.topP <= 1)) throw new SamplingParamsError(`top-p must be in (0, 1], got ${p.topP}.`);
  if (!Number.isInteger(p.topK) || p.topK < 0) throw new SamplingParamsError(`top-k must be a whole number ≥ 0 (0 disables it), got ${p.topK}.`);
}

/** Temperature, top-k, top-p, in that order (the order transformers applies them). */
export function createSamplingWarpers(p: SamplingParams): LogitsProcessor[] {
  checkSamplingParams(p);
  if (p.temperature === 0) return [];
  return [createTemperatureWarper(p.temperature), createTopKWarper(p.topK), createTopPWarper(p.topP)];
}

export interface SampleOptions {
  params: SamplingParams;
  /** Preference processors, applied before the warpers. */
  processors: readonly LogitsProcessor[];
  /** createSamplingWarpers(params), built once per generation. */
  warpers: readonly LogitsProcessor[];
  ctx: LogitsContext;
  rng: Rng;
}

/** Process a copy of `logits` ([V], left untouched), draw one token and report its log-probs. */
export function sampleToken(logits: Float32Array, o: SampleOptions): SampledToken {
  const work = Float32Array.from(logits); // [V]
  applyProcessors(o.processors, work, o.ctx);
  if (o.params.temperature === 0) {
    const id = argmax(work);
    if (work[id] === -Infinity) throw new NonFiniteLogitsError('Every logit is −Infinity after the processors; greedy decoding has nothing to pick.');
    return { id, logProb: (logits[id] ?? 0) - logSumExp(logits), samplingLogProb: 0 };
  }
  applyProcessors(o.warpers, work, o.ctx);
  const id = drawCategorical(work, o.rng);
  const t = o.params.temperature;
  return {
    id,
    logProb: (logits[id] ?? 0) / t - logSumExp(logits, t),
    samplingLogProb: (work[id] ?? 0) - logSumExp(work),
  };
}

/**
 * One draw from softmax(z): u ~ U[0, 1) from the rng (one nextFloat), then the first i with
 * Σ_{j ≤ i} exp(z_j − m) > u · Σ_j exp(z_j − m). −∞ entries have zero mass and are never drawn.
 */
export function drawCategorical(logits: Float32Array, rng: Rng): number {
  const m = logSumExp(logits); // also validates the vector
  const u = rng.nextFloat();
  let cum = 0;
  let last = -1;
  for (let i = 0; i < logits.length; i++) {
    const pr = Math.exp((logits[i] ?? -Infinity) - m);
    if (pr === 0) continue;
    cum += pr;
    last = i;
    if (cum > u) return i;
  }
  return last; // rounding: Σ p may fall a hair short of 1
}
