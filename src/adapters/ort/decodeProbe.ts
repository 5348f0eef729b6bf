/**
 * Times a few decode steps of a loaded session, for "auto"'s measured device choice
 * (core/policy/deviceChoice.ts decides from the timings; worker/autoDevice.ts runs both backends).
 *
 * One warm-up (prefill + two decode steps: WebGPU compiles its shaders here, wasm warms its caches), then
 * the timed run: a PROBE_PROMPT_TOKENS prefill and PROBE_DECODE_STEPS single-token forwards, each ending
 * in the logits download (the GPU→CPU sync point a real decode step pays). The KV cache is freed after;
 * the session stays open for the caller. Costs 2 × (prefill + ~7 steps) on each backend: milliseconds
 * on wasm for the embedded 1 M-parameter policies.
 *
 * Not for: deciding (core) or opening sessions (webSession.ts).
 */
import type { DecodeTiming } from '../../core/policy/deviceChoice';
import { createOrtLanguageModel } from './ortLanguageModel';
import type { WebSession } from './webSession';

/** Short, like the tail of a round's prompt; the decode steps are what the choice compares. */
export const PROBE_PROMPT_TOKENS = 16;
export const PROBE_DECODE_STEPS = 8;

export interface DecodeProbeOptions {
  vocabSize: number;
  /** A monotonic clock in ms (performance.now in the worker). */
  now: () => number;
  signal?: AbortSignal;
}

export async function measureDecode(session: WebSession, o: DecodeProbeOptions): Promise<DecodeTiming> {
  // No recovery on wasm: a WebGPU failure here is the probe's answer, not something to hide.
  const model = createOrtLanguageModel(session, { eosTokenIds: [], vocabSize: o.vocabSize, recoverOnWasm: false });
  const prompt = Array.from({ length: PROBE_PROMPT_TOKENS }, (_, i) => (i * 7 + 3) % o.vocabSize);
  const opts = o.signal === undefined ? {} : { signal: o.signal };
  const next = (step: number): number[] => [(step * 13 + 5) % o.vocabSize];
  try {
    // 1. warm-up: shader compilation and first-run allocations stay out of the timing.
    await model.forward(prompt, opts);
    for (let i = 0; i < 2; i++) await model.forward(next(i), opts);
    model.reset();
    // 2. timed prefill, then decode steps.
    const t0 = o.now();
    await model.forward(prompt, opts);
    const t1 = o.now();
    const stepMs: number[] = [];
    for (let i = 0, last = t1; i < PROBE_DECODE_STEPS; i++) {
      await model.forward(next(i), opts);
      const t = o.now();
      stepMs.push(t - last);
      last = t;
    }
    return { prefillMs: t1 - t0, decodeMs: stepMs.reduce((a, b) => a + b, 0), decodeSteps: PROBE_DECODE_STEPS, stepMs };
  } finally {
    model.reset(); // frees the probe's KV tensors; the session is the caller's
  }
}
