/**
 * The committed tiny test policy `public/models/tiny-router/` (STYLE.md test pyramid): a random
 * Qwen2-shaped decoder (2 layers, hidden 64, 4 heads / 2 KV heads, tied embeddings) with the tiny
 * byte-level BPE tokenizer, as a complete model folder — fp32 and q4 ONNX — plus `golden.json`: greedy
 * token ids for a fixed prompt and the first logits, from the float64 reference forward (on the
 * dequantised weights for q4). Seeded and pure: `npm run -s cli -- make-tiny-models` writes exactly these
 * bytes, and a test checks the committed files still equal them.
 *
 * Not for: anything that should route well (that is the trained embedded policy).
 */
import { buildDecoderModel } from '../onnx/buildDecoder';
import { parseDecoderConfig, qwen2ConfigJson, type DecoderConfig } from '../onnx/decoderConfig';
import { dequantizeQ4, quantizeQ4 } from '../onnx/quantizeQ4';
import { referenceForward, type ReferenceKvCache } from '../onnx/referenceForward';
import { createSeededUniform } from '../onnx/weights';
import { LINEAR_NAMES, linearPrefix, randomDecoderWeights, type DecoderWeights, type WeightTensor } from '../onnx/weights';
import { ROUTER_JSON_FORMAT, serializeRouterJson } from './routerJson';
import { createTinyTokenizer, encodeTinyBpe, renderTinyChatml, TINY_CHATML_TEMPLATE } from '../tokenizer/tinyTokenizer';

export const TINY_ROUTER_NAME = 'tiny-router';
export const TINY_ROUTER_SEED = 20250611;
/** The golden prompt (one user message in the ChatML template). */
export const TINY_ROUTER_PROMPT = 'Who wrote the play Hamlet?';
export const GOLDEN_STEPS = 8;
/** How many logits of the last prompt position golden.json keeps. */
export const GOLDEN_LOGITS = 16;

const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';
/** 1e-6 resolution keeps golden.json stable across JS engines' last-ulp differences in Math.exp/sin/cos. */
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function tinyRouterConfigJson(vocabSize: number, specialIds: { eos: number; pad: number }): Record<string, unknown> {
  return qwen2ConfigJson({ hiddenSize: 64, intermediateSize: 128, layers: 2, heads: 4, kvHeads: 2, maxPositions: 512 }, vocabSize, specialIds);
}

/** Replace every linear weight with what MatMulNBits computes with (Ŵ = dequant(quant(W))). */
export function dequantisedWeights(config: DecoderConfig, weights: DecoderWeights): Map<string, WeightTensor> {
  const out = new Map(weights);
  for (let i = 0; i < config.numLayers; i++) {
    for (const l of LINEAR_NAMES) {
      const name = `${linearPrefix(i, l)}.weight`;
      const w = weights.get(name);
      if (w !== undefined) out.set(name, dequantizeQ4(quantizeQ4(w)));
    }
  }
  const head = weights.get('lm_head.weight');
  if (!config.tieWordEmbeddings && head !== undefined) out.set('lm_head.weight', dequantizeQ4(quantizeQ4(head)));
  return out;
}

/** Greedy decoding with the reference forward; argmax over the tokenizer's ids only (padding logits masked). */
export function referenceGreedy(config: DecoderConfig, weights: DecoderWeights, promptIds: readonly number[], steps: number, allowedIds: number): { ids: number[]; firstLogits: number[] } {
  const ids: number[] = [];
  let out = referenceForward(config, weights, promptIds);
  const v = config.vocabSize;
  const last = (logits: Float64Array, rows: number): Float64Array => logits.subarray((rows - 1) * v, rows * v);
  let row = last(out.logits, promptIds.length);
  const firstLogits = Array.from(row.subarray(0, GOLDEN_LOGITS), round6);
  for (let s = 0; s < steps; s++) {
    let best = 0;
    for (let t = 1; t < allowedIds; t++) if ((row[t] ?? -Infinity) > (row[best] ?? -Infinity)) best = t;
    ids.push(best);
    const cache: ReferenceKvCache = out.cache;
    out = referenceForward(config, weights, [best], { cache });
    row = last(out.logits, 1);
  }
  return { ids, firstLogits };
}

/** Every file of the tiny-router folder, path → contents (text or bytes). */
export function makeTinyRouterFolder(seed = TINY_ROUTER_SEED): Map<string, string | Uint8Array> {
  const tok = createTinyTokenizer();
  const eos = tok.specialIds['<|im_end|>'];
  const pad = tok.specialIds['<|endoftext|>'];
  const vocabSize = Math.ceil(tok.size / 16) * 16; // padded logits, like Qwen2.5's 151,936 for 151,665 tokens
  const configJson = tinyRouterConfigJson(vocabSize, { eos, pad });
  const config = parseDecoderConfig(configJson);
  const weights = randomDecoderWeights(config, createSeededUniform(seed));

  const promptText = renderTinyChatml(TINY_ROUTER_PROMPT);
  const promptIds = encodeTinyBpe(tok, promptText);
  const fp32 = referenceGreedy(config, weights, promptIds, GOLDEN_STEPS, tok.size);
  const q4 = referenceGreedy(config, dequantisedWeights(config, weights), promptIds, GOLDEN_STEPS, tok.size);
  const golden = {
    description: 'Greedy ids (argmax over the tokenizer ids, padding logits masked) and the first logits of the last prompt position, from the float64 reference forward; q4 uses the dequantised weights.',
    seed,
    promptText,
    promptIds,
    steps: GOLDEN_STEPS,
    fp32: { file: 'onnx/model.onnx', greedyIds: fp32.ids, firstLogits: fp32.firstLogits, tolerance: 1e-4 },
    q4: { file: 'onnx/model_q4.onnx', greedyIds: q4.ids, firstLogits: q4.firstLogits, tolerance: 1e-3 },
  };

  const files = new Map<string, string | Uint8Array>();
  files.set('config.json', json(configJson));
  files.set('generation_config.json', json({ bos_token_id: null, eos_token_id: [eos, pad], pad_token_id: pad, do_sample: false }));
  files.set('tokenizer.json', json(tok.json));
  files.set('tokenizer_config.json', json({ chat_template: TINY_CHATML_TEMPLATE, bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>', unk_token: null, clean_up_tokenization_spaces: false, model_max_length: 512, tokenizer_class: 'Qwen2Tokenizer' }));
  files.set('router.json', serializeRouterJson({
    format: ROUTER_JSON_FORMAT,
    prompt_template: 'compact',
    pool: 'offline',
    alpha: null,
    provenance: { source: 'random', producer: `router-r1-studio make-tiny-models (seed ${seed})`, notes: 'random weights: a test fixture, not a router' },
  }));
  files.set('onnx/model.onnx', buildDecoderModel(config, weights, { precision: 'fp32' }));
  files.set('onnx/model_q4.onnx', buildDecoderModel(config, weights, { precision: 'q4' }));
  files.set('golden.json', json(golden));
  files.set('MODEL_CARD.md', modelCard(seed, config, tok.size));
  return files;
}

function modelCard(seed: number, c: DecoderConfig, tokenizerSize: number): string {
  return [
    '# tiny-router (test fixture)',
    '',
    'Random weights; it does not route. It exists so tests and the app can load a real model folder without downloads.',
    '',
    `- Architecture: Qwen2 decoder, ${c.numLayers} layers, hidden ${c.hiddenSize}, ${c.numHeads} heads / ${c.numKvHeads} KV heads, MLP ${c.intermediateSize}, tied embeddings.`,
    `- Tokenizer: byte-level BPE written in code (256 bytes, a few merges, ChatML special tokens): ${tokenizerSize} tokens, ${c.vocabSize} logits.`,
    `- Weights: uniform random, seed ${seed}. Files: onnx/model.onnx (fp32), onnx/model_q4.onnx (MatMulNBits, block 32).`,
    '- golden.json: greedy ids and first logits from the float64 TypeScript reference (q4: on the dequantised weights).',
    '- Regenerate: `npm run -s cli -- make-tiny-models` (a test checks the committed bytes equal the output).',
    '',
  ].join('\n');
}
