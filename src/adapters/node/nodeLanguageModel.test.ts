/**
 * The LanguageModel port over onnxruntime-node:
 * (a) logits equal the float64 reference (fp32 within 1e-4; q4 within 1e-3 against the reference on the
 *     dequantised weights), standard and fused graphs, through forward/truncate as the decode loop uses them;
 * (b) a three-round Router-R1 episode (runEpisode + createLanguageModelPolicy, byte tokenizer, scripted
 *     candidates): the logits of every generated token, computed with the cross-round KV cache, equal a
 *     full recompute without cache within 1e-4, and each round prefills only its new tokens.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { duneEpisodeRequest } from '../../testing/duneEpisode';
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import { dequantizeQ4, quantizeQ4 } from '../../core/onnx/quantizeQ4';
import { referenceForward } from '../../core/onnx/referenceForward';
import { TINY_DECODER_CONFIGS, type TinyDecoderName } from '../../testing/tinyDecoders';
import { createSeededUniform } from '../../core/onnx/weights';
import { LINEAR_NAMES, linearPrefix, randomDecoderWeights, type DecoderWeights, type WeightTensor } from '../../core/onnx/weights';
import { createByteTokenizer } from '../../core/tokenizer/byteTokenizer';
import type { LanguageModel } from '../../core/policy/languageModel';
import { createLanguageModelPolicy } from '../../core/policy/languageModelPolicy';
import type { LogitsProcessor } from '../../core/policy/logitsProcessors';
import { frameChatTemplate } from '../../core/policy/tokenizedChat';
import { createCostWindow } from '../../core/reward/costReward';
import { runEpisodeToEnd } from '../../core/run/runEpisode';
import { createScriptedCaller } from '../../core/run/scripted';
import { createNodeLanguageModel, NodeModelInputError, type NodeLanguageModel } from './nodeLanguageModel';

const measured: Record<string, number> = {};
afterAll(() => console.log('nodeLanguageModel max abs logit error:', JSON.stringify(measured, null, 1)));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return Number.isNaN(m) ? Infinity : m;
}

function dequantised(config: DecoderConfig, weights: DecoderWeights): DecoderWeights {
  const out = new Map<string, WeightTensor>(weights);
  const names: string[] = [];
  for (let i = 0; i < config.numLayers; i++) for (const l of LINEAR_NAMES) names.push(`${linearPrefix(i, l)}.weight`);
  if (!config.tieWordEmbeddings) names.push('lm_head.weight');
  for (const name of names) out.set(name, dequantizeQ4(quantizeQ4(weights.get(name) as WeightTensor)));
  return out;
}

const lastRowOf = (logits: Float64Array, v: number): Float64Array => logits.subarray(logits.length - v);

describe.each(['qwen2Gqa', 'llamaMha', 'qwen2WideHead'] as const)('createNodeLanguageModel %s', (name: TinyDecoderName) => {
  it.each([
    ['fp32', false],
    ['q4', false],
    ['fp32', true],
    ['q4', true],
  ] as const)('%s (fused %s): forward, decode and truncate match the reference', async (precision, fused) => {
    const config = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
    const weights = randomDecoderWeights(config, createSeededUniform(17));
    const oracle = precision === 'q4' ? dequantised(config, weights) : weights;
    const model = await createNodeLanguageModel(buildDecoderModel(config, weights, { precision, fused }), { intraOpThreads: 1 });
    try {
      const rng = createSeededUniform(5);
      const tokens = Array.from({ length: 16 }, () => Math.floor(rng() * config.vocabSize));
      const v = config.vocabSize;
      let err = 0;
      const check = async (feed: number[]): Promise<void> => {
        const got = await model.forward(feed);
        err = Math.max(err, maxAbsDiff(got, lastRowOf(referenceForward(config, oracle, model.cachedIds()).logits, v)));
      };
      await check(tokens.slice(0, 6)); // prompt
      for (const t of tokens.slice(6, 9)) await check([t]); // decode
      await check(tokens.slice(9, 13)); // a round on top of the cache
      await model.truncate(7); // fork back to an earlier position
      expect(model.cachedIds()).toEqual(tokens.slice(0, 7));
      await check(tokens.slice(13, 16));
      measured[`${name}.${precision}${fused ? '.fused' : ''}`] = err;
      expect(err).toBeLessThan(precision === 'fp32' ? 1e-4 : 1e-3);
    } finally {
      await model.dispose();
    }
  });
});

describe('createNodeLanguageModel contract', () => {
  const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
  const bytes = buildDecoderModel(config, randomDecoderWeights(config, createSeededUniform(2)), { precision: 'fp32' });

  it('an aborted forward leaves the cache as it was; bad ids are refused', async () => {
    const model = await createNodeLanguageModel(bytes, { intraOpThreads: 1 });
    try {
      const first = await model.forward([1, 2, 3]);
      const controller = new AbortController();
      const pending = model.forward([4, 5], { signal: controller.signal });
      controller.abort(new Error('stop'));
      await expect(pending).rejects.toThrow('stop');
      expect(model.cachedIds()).toEqual([1, 2, 3]);
      await expect(model.forward([config.vocabSize])).rejects.toBeInstanceOf(NodeModelInputError);
      await expect(model.forward([])).rejects.toBeInstanceOf(NodeModelInputError);
      await model.truncate(2);
      expect(maxAbsDiff(await model.forward([3]), first)).toBeLessThan(1e-5); // same prefix, same logits (kernels differ for S = 1 and S = 3)
    } finally {
      await model.dispose();
    }
  });
});

/** A model wrapper that records every forward's logits with the context they belong to. */
function recording(model: LanguageModel): { model: LanguageModel; records: { context: number[]; logits: Float32Array }[] } {
  const records: { context: number[]; logits: Float32Array }[] = [];
  return {
    records,
    model: {
      vocabSize: model.vocabSize,
      eosTokenIds: model.eosTokenIds,
      async forward(ids, opts) {
        const logits = await model.forward(ids, opts);
        records.push({ context: model.cachedIds().slice(), logits: logits.slice() });
        return logits;
      },
      reset: () => model.reset(),
      truncate: (n) => model.truncate(n),
      cachedLength: () => model.cachedLength(),
      cachedIds: () => model.cachedIds(),
    },
  };
}

describe('three-round episode on onnxruntime-node with the cross-round KV cache', () => {
  const bytesTok = createByteTokenizer();
  const MARKER = '<assistant>\n';
  const framing = frameChatTemplate((c) => `<sys>\n<user>\n${c}\n${MARKER}`, bytesTok);
  const SMALL = 'LLaMA-3.1-8B-Instruct';
  const LARGE = 'LLaMA-3.1-70B-Instruct';
  const TURNS = [`<think>small first</think>\n<search>${SMALL}: Who wrote Dune?</search>`, `<think>ask the large one</think>\n<search>${LARGE}: Who wrote Dune?</search>`, '<think>Herbert</think>\n<answer>Frank Herbert</answer>'];
  const EOS = 256;
  // Byte ids 0–255 plus EOS: the model's logits cover the byte tokenizer.
  const config = parseDecoderConfig({ ...TINY_DECODER_CONFIGS.qwen2Gqa, vocab_size: 257, max_position_embeddings: 4096 });

  /** Random weights write random bytes; a large bias on the scripted next byte makes greedy decoding follow the turn. */
  const script = (round: number): LogitsProcessor[] => [
    (logits, ctx) => {
      const target = bytesTok.encode(TURNS[round] ?? '');
      const next = target[ctx.generatedIds.length] ?? EOS;
      logits[next] = (logits[next] ?? 0) + 1e4;
    },
  ];

  it.each([
    ['fp32', false],
    ['q4', true],
  ] as const)('%s (fused %s): every generated token’s logits equal a recompute without cache within 1e-4; rounds prefill only new tokens', async (precision, fused) => {
    const onnx = buildDecoderModel(config, randomDecoderWeights(config, createSeededUniform(99)), { precision, fused });
    const cached = await createNodeLanguageModel(onnx, { intraOpThreads: 1, eosTokenIds: [EOS] });
    const fresh: NodeLanguageModel = await createNodeLanguageModel(onnx, { intraOpThreads: 1 });
    try {
      const rec = recording(cached);
      const prefilled: number[] = [];
      const policy = createLanguageModelPolicy(rec.model, bytesTok, { id: 'tiny', sampling: { temperature: 0, topP: 1, topK: 0, seed: 1 }, framing, now: () => 0, processors: (req) => script(req.roundIndex) });
      const generate = policy.generate.bind(policy);
      policy.generate = async (req, o) => {
        const r = await generate(req, o);
        prefilled.push(r.prefilledTokens);
        return r;
      };
      const t = await runEpisodeToEnd(
        duneEpisodeRequest(),
        { policy, caller: createScriptedCaller({ [SMALL]: "Sorry, I can't help.", [LARGE]: 'Frank Herbert wrote Dune.' }), tokenizer: bytesTok, costWindow: createCostWindow(), now: () => 0 },
      );
      expect(t.status).toBe('answered');
      expect(t.rounds.map((r) => r.text)).toEqual(TURNS);
      // Only new tokens: the prompt once, then per round the previous turn's last token + the observation.
      const obs = t.rounds.map((r) => bytesTok.encode(r.observation?.text ?? '').length);
      expect(prefilled[0]).toBe(rec.records[0]?.context.length);
      expect(prefilled.slice(1)).toEqual([1 + (obs[0] ?? 0), 1 + (obs[1] ?? 0)]);
      // Every forward's logits (each one produced a sampled token) against a from-scratch forward of its context.
      let err = 0;
      for (const r of rec.records) {
        fresh.reset();
        err = Math.max(err, maxAbsDiff(r.logits, await fresh.forward(r.context)));
      }
      const generated = TURNS.reduce((n, turn) => n + bytesTok.encode(turn).length, 0);
      expect(rec.records.length).toBe(generated); // one forward per generated token (the last of each turn is fed by the next prefill or never)
      measured[`episode.${precision}${fused ? '.fused' : ''}.kvVsRecompute`] = err;
      expect(err).toBeLessThan(1e-4);
    } finally {
      await cached.dispose();
      await fresh.dispose();
    }
  });
});
