/**
 * The decode loop: one policy turn as an async generator of token events (transformers.js split:
 * logits processors → sampler → stopping → streamer). Reuses the model's KV cache across rounds
 * (kvPrefix.ts). The caller owns the model for the duration (one generation at a time per model).
 *
 * Abort: the signal is checked before every model call and every token; an abort throws the
 * signal's reason out of the generator. Tokens already yielded are the caller's partial text.
 */
import type { Rng } from '../math/rng';
import type { LanguageModel } from './languageModel';
import type { LogitsProcessor } from './logitsProcessors';
import type { GenerateRequest, GenerateResult, Tokenizer } from './ports';
import { prefillContext } from './kvPrefix';
import { createSamplingWarpers, sampleToken, type SamplingParams } from './sampling';
import { createIncrementalDecoder, findStopString, stopSearchStart, type StopReason } from './stopping';
import { buildModelInput, NO_CHAT_FRAMING, type ChatFraming } from './tokenizedChat';

export type GenerationEvent =
  /** The context is in the cache: `reusedTokens` kept from before, `prefilledTokens` fed now. */
  | { type: 'prefilled'; reusedTokens: number; prefilledTokens: number }
  /** One sampled token; `text` is its newly stable text (empty while a character is incomplete). */
  | { type: 'token'; index: number; id: number; text: string; logProb: number; samplingLogProb: number };

export interface GenerationResult extends GenerateResult {
  text: string;
  /** Every sampled id, the EOS id included when generation ended on it. */
  tokenIds: number[];
  /** log π per token (sampling.ts: at the sampling temperature, before truncation and processors). */
  logProbs: number[];
  samplingLogProbs: number[];
  generationMs: number;
  stopReason: StopReason;
  reusedTokens: number;
  prefilledTokens: number;
}

export interface GenerateTokensOptions {
  sampling: SamplingParams;
  /** Preference processors (vocabulary mask, cost bias, penalty), before the sampling warpers. */
  processors?: readonly LogitsProcessor[];
  rng: Rng;
  signal?: AbortSignal;
  now: () => number;
  /** The chat template around the prompt; none by default. */
  framing?: ChatFraming;
}

export async function* generateTokens(
  model: LanguageModel,
  tokenizer: Tokenizer,
  req: GenerateRequest,
  o: GenerateTokensOptions,
): AsyncGenerator<GenerationEvent, GenerationResult> {
  const { signal } = o;
  const started = o.now();
  const eos = new Set(model.eosTokenIds);
  const warpers = createSamplingWarpers(o.sampling);
  const stops = req.stop;
  const decoder = createIncrementalDecoder(tokenizer);
  const ids: number[] = [];
  const logProbs: number[] = [];
  const samplingLogProbs: number[] = [];
  let stopReason: StopReason = 'max-tokens';
  signal?.throwIfAborted();
  if (req.maxNewTokens <= 0) return finish(0, 0);

  // 1. prefill: bring the cache to the context, feeding only what it lacks.
  const input = buildModelInput(o.framing ?? NO_CHAT_FRAMING, tokenizer, req);
  let { logits, plan } = await prefillContext(model, input, signal === undefined ? {} : { signal });
  yield { type: 'prefilled', reusedTokens: plan.keep, prefilledTokens: plan.feed.length };

  let tail = '';
  let checked = 0;
  for (let step = 0; step < req.maxNewTokens; step++) {
    signal?.throwIfAborted();
    // 2. process and sample one token.
    const ctx = { generatedIds: ids, generatedText: decoder.text + tail, step };
    const tok = sampleToken(logits, { params: o.sampling, processors: o.processors ?? [], warpers, ctx, rng: o.rng });
    ids.push(tok.id);
    logProbs.push(tok.logProb);
    samplingLogProbs.push(tok.samplingLogProb);
    const event = { type: 'token' as const, index: step, id: tok.id, logProb: tok.logProb, samplingLogProb: tok.samplingLogProb };
    // 3. stop on EOS: the id is kept (its log-prob is trained), its text is not.
    if (eos.has(tok.id)) {
      stopReason = 'eos';
      yield { ...event, text: decoder.flush() };
      break;
    }
    // 4. stream the text and check stop strings on it.
    const piece = decoder.push(tok.id);
    tail = piece.tail;
    const full = decoder.text + tail;
    const hit = stops.length > 0 ? findStopString(full, stops, stopSearchStart(checked, stops)) : null;
    checked = full.length;
    const last = hit !== null || step + 1 >= req.maxNewTokens;
    yield { ...event, text: piece.stable + (last ? decoder.flush() : '') };
    if (last) {
      stopReason = hit !== null ? 'stop-string' : 'max-tokens';
      break;
    }
    // 5. feed the sampled token (the last one is never fed: the next round's prefill does it).
    logits = await model.forward([tok.id], signal === undefined ? {} : { signal });
  }
  return finish(plan.keep, plan.feed.length);

  function finish(reusedTokens: number, prefilledTokens: number): GenerationResult {
    const textIds = stopReason === 'eos' ? ids.slice(0, -1) : ids;
    return {
      text: textIds.length === 0 ? '' : tokenizer.decode(textIds),
      tokenIds: ids,
      logProbs,
      samplingLogProbs,
      generationMs: o.now() - started,
      stopReason,
      reusedTokens,
      prefilledTokens,
    };
  }
}

/** Drain generateTokens, calling `onEvent` for each event; returns the result. */
export async function generateToEnd(
  model: LanguageModel,
  tokenizer: Tokenizer,
  req: GenerateRequest,
  o: GenerateTokensOptions & { onEvent?: (e: GenerationEvent) => void },
): Promise<GenerationResult> {
  const events = generateTokens(model, tokenizer, req, o);
  for (;;) {
    const next = await events.next();
    if (next.done === true) return next.value;
    o.onEvent?.(next.value);
  }
}

/**
 * G samples of one request for an RL group, one after another on the same model: sample i draws
 * from rng.fork(`sample.${i}`), so each is reproducible on its own, and each run after the first
 * keeps the shared context in the KV cache and feeds one token (kvPrefix.ts). Sequential rather than
 * a batched forward: simple, exact, and the prompt is prefilled once; decode throughput is that of
 * batch 1. Episodes of a group (multi-round) get the same sharing by running one after another.
 */
export async function generateGroup(
  model: LanguageModel,
  tokenizer: Tokenizer,
  req: GenerateRequest,
  count: number,
  o: GenerateTokensOptions,
): Promise<GenerationResult[]> {
  const out: GenerationResult[] = [];
  for (let i = 0; i < count; i++) out.push(await generateToEnd(model, tokenizer, req, { ...o, rng: o.rng.fork(`sample.${i}`) }));
  return out;
}
