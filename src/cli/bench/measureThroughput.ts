/**
 * The benchmark procedure over any LanguageModel (core port), so the browser harness (onnxruntime-web,
 * e2e/harness/runtimeWorker.ts) and the CLI (onnxruntime-node) measure exactly the same thing.
 * Pure: takes the clock; imports only core types. Timings are wall-clock around `forward`, which
 * includes copying the logits out (the [S, V] logits of a prefill are most of its output).
 *
 *   prefill_tok_s  = P / time(forward(P ids)) on an empty cache                 (median of `repeats`)
 *   decode_tok_s   = 1 / median time(forward([id])) after the prompt, N tokens
 *   observation_prefill_ms.ctxC = median time(forward(100 ids)) after C cached ids (truncated back each time)
 * The context is prefilled in chunks (`chunk` ids): one forward over 2,000 ids would return
 * 2,000 × 151,936 float32 logits (1.2 GB).
 */
import type { LanguageModel } from '../../core/policy/languageModel';

export interface ThroughputOptions {
  now: () => number;
  prefillTokens: number;
  decodeTokens: number;
  observationTokens: number;
  contexts: readonly number[];
  repeats: number;
  chunk: number;
  log?: (line: string) => void;
}

export interface ThroughputResult {
  prefill_tok_s: number;
  decode_tok_s: number;
  /** keyed `ctx${C}` */
  observation_prefill_ms: Record<string, number>;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

/** Deterministic ids in [0, vocab): a Weyl sequence (no rng needed for timing). */
const ids = (n: number, vocab: number, offset: number): number[] => Array.from({ length: n }, (_, i) => (offset + i * 7919) % vocab);

async function timed(o: ThroughputOptions, f: () => Promise<unknown>): Promise<number> {
  const t = o.now();
  await f();
  return o.now() - t;
}

export async function measureThroughput(model: LanguageModel, o: ThroughputOptions): Promise<ThroughputResult> {
  const v = model.vocabSize;
  const log = o.log ?? (() => undefined);
  // 0. warm-up: first runs allocate and pre-pack
  model.reset();
  await model.forward(ids(8, v, 1));
  await model.forward([3]);

  // 1. prefill
  const prefill: number[] = [];
  for (let r = 0; r < o.repeats; r++) {
    model.reset();
    prefill.push(await timed(o, () => model.forward(ids(o.prefillTokens, v, 11 + r))));
  }
  const prefillTokS = o.prefillTokens / (median(prefill) / 1000);
  log(`prefill ${o.prefillTokens} tokens: ${prefill.map((x) => x.toFixed(0)).join(', ')} ms → ${prefillTokS.toFixed(1)} tok/s`);

  // 2. decode after the last prompt
  const decode: number[] = [];
  for (let i = 0; i < o.decodeTokens; i++) decode.push(await timed(o, () => model.forward([(i * 31 + 5) % v])));
  const decodeTokS = 1000 / median(decode);
  log(`decode ${o.decodeTokens} tokens: median ${median(decode).toFixed(1)} ms → ${decodeTokS.toFixed(2)} tok/s`);

  // 3. a 100-token observation after C tokens of context
  const observation: Record<string, number> = {};
  for (const c of o.contexts) {
    model.reset();
    const context = ids(c, v, 101);
    for (let at = 0; at < c; at += o.chunk) await model.forward(context.slice(at, at + o.chunk));
    const times: number[] = [];
    for (let r = 0; r < o.repeats; r++) {
      await model.truncate(c);
      times.push(await timed(o, () => model.forward(ids(o.observationTokens, v, 1009 + r))));
    }
    observation[`ctx${c}`] = median(times);
    log(`observation of ${o.observationTokens} tokens after ${c}: ${times.map((x) => x.toFixed(0)).join(', ')} ms`);
  }
  model.reset();
  return { prefill_tok_s: prefillTokS, decode_tok_s: decodeTokS, observation_prefill_ms: observation };
}
