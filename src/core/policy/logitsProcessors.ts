/**
 * Logits processors: plain functions that rewrite one position's logits `[V]` in place, applied in
 * order before sampling (transformers.js: logits processors → sampler → stopping → streamer).
 * Two kinds, in this order (as in transformers' generate):
 *   1. processors that change the model's preferences: vocabulary mask, repetition penalty, the
 *      cost-aware bias (costBias.ts), any token bias;
 *   2. warpers that shape the sampling distribution: temperature, top-k, top-p.
 * A processor removes a token by setting its logit to −Infinity. Nothing here draws random numbers.
 */
import { maxLogit, topK } from '../math/logits';

export interface LogitsContext {
  /** Ids sampled so far in this generation (the context is not included). */
  readonly generatedIds: readonly number[];
  /** The decoded text of generatedIds (including a not-yet-stable tail, e.g. half a UTF-8 character). */
  readonly generatedText: string;
  /** 0 for the first new token. */
  readonly step: number;
}

/** Rewrites `logits` ([V]) in place. */
export type LogitsProcessor = (logits: Float32Array, ctx: LogitsContext) => void;

export class SamplingParamsError extends Error {
  override name = 'SamplingParamsError';
}

/** z_i ← z_i / T (T > 0). Temperature 0 is greedy decoding and is handled by the sampler, not here. */
export function createTemperatureWarper(temperature: number): LogitsProcessor {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new SamplingParamsError(`Temperature must be a positive number for the warper, got ${temperature}; use 0 for greedy decoding through the sampler.`);
  }
  return (logits) => {
    if (temperature === 1) return;
    for (let i = 0; i < logits.length; i++) logits[i] = (logits[i] ?? 0) / temperature;
  };
}

/**
 * Keep the k highest logits: z_i ← −∞ where z_i < z_(k) (the k-th largest). Ties with the k-th value
 * are kept, as transformers' TopKLogitsWarper does. k ≤ 0 or k ≥ V: no-op.
 */
export function createTopKWarper(k: number): LogitsProcessor {
  if (!Number.isInteger(k)) throw new SamplingParamsError(`top-k must be an integer (0 disables it), got ${k}.`);
  return (logits) => {
    if (k <= 0 || k >= logits.length) return;
    const kth = logits[topK(logits, k)[k - 1] ?? 0] ?? -Infinity;
    for (let i = 0; i < logits.length; i++) if ((logits[i] ?? 0) < kth) logits[i] = -Infinity;
  };
}

/**
 * Nucleus sampling (Holtzman et al., 2020): keep the smallest set of most probable tokens whose
 * probability mass is ≥ p, at least `minKeep` of them; the rest ← −∞. Order: probability descending,
 * ties by lower id. p ≥ 1: no-op.
 *
 * Cost: instead of sorting all V tokens each step, sort only the candidates with prob ≥ τ; if their
 * mass already reaches p the nucleus lies inside them (every other token is less probable). τ starts
 * at 1e-4 (at most 10^4 candidates) and drops ×1e-3 until that holds; the fourth try takes every token.
 */
export function createTopPWarper(p: number, minKeep = 1): LogitsProcessor {
  if (!(p > 0 && p <= 1)) throw new SamplingParamsError(`top-p must be in (0, 1], got ${p}.`);
  return (logits) => {
    if (p >= 1) return;
    const keep = nucleus(logits, p, minKeep);
    const kept = new Uint8Array(logits.length);
    for (const i of keep) kept[i] = 1;
    for (let i = 0; i < logits.length; i++) if (kept[i] === 0) logits[i] = -Infinity;
  };
}

/** The ids of the nucleus of softmax(logits) at mass p, most probable first. */
export function nucleus(logits: Float32Array, p: number, minKeep = 1): number[] {
  const m = maxLogit(logits);
  const probs = new Float64Array(logits.length); // unnormalised exp(z − m)
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i] ?? 0) - m);
    probs[i] = e;
    total += e;
  }
  const target = p * total;
  for (let attempt = 0; ; attempt++) {
    const floor = attempt >= 3 ? -1 : 1e-4 * 1e-3 ** attempt * total;
    const candidates: number[] = [];
    let mass = 0;
    for (let i = 0; i < probs.length; i++) {
      const e = probs[i] ?? 0;
      if (e >= floor && e > 0) {
        candidates.push(i);
        mass += e;
      }
    }
    if (mass < target && floor >= 0) continue;
    candidates.sort((a, b) => (probs[b] ?? 0) - (probs[a] ?? 0) || a - b);
    let cum = 0;
    let n = 0;
    while (n < candidates.length && (cum < target || n < minKeep)) cum += probs[candidates[n++] ?? 0] ?? 0;
    return candidates.slice(0, Math.max(1, n));
  }
}

/**
 * Repetition penalty (CTRL, Keskar et al., 2019; transformers' RepetitionPenaltyLogitsProcessor) over
 * the ids generated in this turn: z_i ← z_i / θ if z_i > 0, else z_i · θ, once per distinct id.
 * θ = 1: no-op. The context (prompt, observations) is not penalised: the policy must be free to copy
 * model names and answers from it.
 */
export function createRepetitionPenalty(theta: number): LogitsProcessor {
  if (!(theta > 0)) throw new SamplingParamsError(`The repetition penalty must be > 0 (1 disables it), got ${theta}.`);
  return (logits, ctx) => {
    if (theta === 1) return;
    for (const id of new Set(ctx.generatedIds)) {
      const z = logits[id];
      if (z === undefined) continue;
      logits[id] = z > 0 ? z / theta : z * theta;
    }
  };
}

/** Ids at or above `vocabSize` (padding rows of an embedding larger than the tokenizer) ← −∞. */
export function createVocabMask(vocabSize: number): LogitsProcessor {
  return (logits) => {
    for (let i = vocabSize; i < logits.length; i++) logits[i] = -Infinity;
  };
}

/** z_i ← z_i + bias_i for a fixed map of token biases (applied every step). */
export function createTokenBias(bias: ReadonlyMap<number, number>): LogitsProcessor {
  return (logits) => {
    for (const [id, b] of bias) {
      const z = logits[id];
      if (z !== undefined) logits[id] = z + b;
    }
  };
}

/** Run processors in order. */
export function applyProcessors(processors: readonly LogitsProcessor[], logits: Float32Array, ctx: LogitsContext): void {
  for (const p of processors) p(logits, ctx);
}
