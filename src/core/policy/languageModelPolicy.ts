/**
 * A router Policy (policy/ports.ts) over a LanguageModel: the episode runner asks for a turn, the
 * decode loop writes it, tokens stream to `onToken`. Generations are serialised: the model and its
 * KV cache have one user at a time, and consecutive calls reuse the cache (kvPrefix.ts).
 *
 * Randomness: one stream per policy (default createRng(seed).fork('policy.sampling')), consumed in
 * call order. For independent, individually reproducible rollouts create one policy per rollout with
 * rng = root.fork(`rollout.${i}`) over the same model; running them one after another shares the
 * prompt in the cache.
 */
import { createRng, type Rng } from '../math/rng';
import type { PolicyRecord } from '../env/trajectory';
import type { GenerateRequest, GenerateResult, Policy, Tokenizer } from './ports';
import { checkTokenizerFitsModel, type LanguageModel } from './languageModel';
import { createVocabMask, type LogitsProcessor } from './logitsProcessors';
import { generateToEnd, type GenerationEvent, type GenerationResult } from './decodeLoop';
import { checkSamplingParams, type SamplingParams } from './sampling';
import type { ChatFraming } from './tokenizedChat';

export type TokenEvent = Extract<GenerationEvent, { type: 'token' }>;

export interface LanguageModelPolicyOptions {
  /** Recorded in Trajectory.policy.id (e.g. the model folder or preset name). */
  id: string;
  sampling: SamplingParams & { seed: number };
  /** Defaults to createRng(sampling.seed).fork('policy.sampling'). */
  rng?: Rng;
  framing?: ChatFraming;
  /** Fixed processors, or built per request (e.g. a cost bias only while routing is enabled). */
  processors?: readonly LogitsProcessor[] | ((req: GenerateRequest) => readonly LogitsProcessor[]);
  /** The tokenizer's vocabulary size: checked against the logits, and padded ids are masked. */
  tokenizerVocabSize?: number;
  now: () => number;
  onToken?: (event: TokenEvent, req: GenerateRequest) => void;
}

export interface LanguageModelPolicy extends Policy {
  generate(req: GenerateRequest, opts: { signal?: AbortSignal }): Promise<GenerationResult & GenerateResult>;
}

export function createLanguageModelPolicy(model: LanguageModel, tokenizer: Tokenizer, o: LanguageModelPolicyOptions): LanguageModelPolicy {
  checkSamplingParams(o.sampling);
  const mask: LogitsProcessor[] = [];
  if (o.tokenizerVocabSize !== undefined) {
    checkTokenizerFitsModel(o.tokenizerVocabSize, model.vocabSize);
    if (o.tokenizerVocabSize < model.vocabSize) mask.push(createVocabMask(o.tokenizerVocabSize));
  }
  const rng = o.rng ?? createRng(o.sampling.seed).fork('policy.sampling');
  const { temperature, topP, topK, seed } = o.sampling;
  let queue: Promise<unknown> = Promise.resolve();

  const run = async (req: GenerateRequest, signal: AbortSignal | undefined): Promise<GenerationResult> => {
    const extra = typeof o.processors === 'function' ? o.processors(req) : (o.processors ?? []);
    return generateToEnd(model, tokenizer, req, {
      sampling: { temperature, topP, topK },
      processors: [...mask, ...extra],
      rng,
      now: o.now,
      ...(signal === undefined ? {} : { signal }),
      ...(o.framing === undefined ? {} : { framing: o.framing }),
      onEvent: (e) => {
        if (e.type === 'token') o.onToken?.(e, req);
      },
    });
  };

  return {
    generate(req, { signal }) {
      const result = queue.then(() => run(req, signal));
      queue = result.catch(() => undefined);
      return result;
    },
    describe(): PolicyRecord {
      return { kind: 'onnx', id: o.id, sampling: { temperature, topP, topK, seed } };
    },
  };
}
