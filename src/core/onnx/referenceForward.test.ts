/**
 * Properties of the float64 reference itself (the oracle must be right before it judges the graphs):
 * the KV cache changes nothing, grouped-query attention equals multi-head attention with duplicated KV
 * heads, a tied head equals an untied head holding a copy of the embeddings.
 */
import { describe, expect, it } from 'vitest';
import { parseDecoderConfig, type DecoderConfig } from './decoderConfig';
import { referenceForward } from './referenceForward';
import { TINY_DECODER_CONFIGS } from '../../testing/tinyDecoders';
import { createSeededUniform } from './weights';
import { randomDecoderWeights, type WeightTensor } from './weights';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

describe('referenceForward', () => {
  const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
  const weights = randomDecoderWeights(config, createSeededUniform(9));
  const tokens = [3, 14, 15, 92, 65, 35, 89, 79];

  it('gives the same logits with a KV cache as without, across rounds of several tokens', () => {
    const full = referenceForward(config, weights, tokens).logits;
    const first = referenceForward(config, weights, tokens.slice(0, 3));
    const second = referenceForward(config, weights, tokens.slice(3, 7), { cache: first.cache });
    const third = referenceForward(config, weights, tokens.slice(7), { cache: second.cache });
    const v = config.vocabSize;
    expect(maxAbsDiff(second.logits, full.subarray(3 * v, 7 * v))).toBeLessThan(1e-12);
    expect(maxAbsDiff(third.logits, full.subarray(7 * v))).toBeLessThan(1e-12);
    expect(third.cache.length).toBe(8);
  });

  it('is causal: later tokens do not change earlier logits', () => {
    const a = referenceForward(config, weights, tokens).logits;
    const b = referenceForward(config, weights, [...tokens.slice(0, 5), 1, 2, 3]).logits;
    expect(maxAbsDiff(a.subarray(0, 5 * config.vocabSize), b.subarray(0, 5 * config.vocabSize))).toBe(0);
  });

  it('GQA equals multi-head attention with each KV head repeated for its query group', () => {
    const mha: DecoderConfig = { ...config, numKvHeads: config.numHeads };
    const groups = config.numHeads / config.numKvHeads;
    const rowsPerHead = config.headDim;
    const repeat = (t: WeightTensor): WeightTensor => {
      const width = t.shape[1] ?? 1;
      const out = new Float32Array(t.data.length * groups);
      for (let n = 0; n < mha.numKvHeads; n++) {
        const kv = Math.floor(n / groups);
        out.set(t.data.subarray(kv * rowsPerHead * width, (kv + 1) * rowsPerHead * width), n * rowsPerHead * width);
      }
      return { data: out, shape: t.shape.length === 2 ? [mha.numKvHeads * rowsPerHead, width] : [mha.numKvHeads * rowsPerHead] };
    };
    const expanded = new Map(weights);
    for (const [name, t] of weights) if (/\.(k|v)_proj\./.test(name)) expanded.set(name, repeat(t));
    const gqa = referenceForward(config, weights, tokens).logits;
    expect(maxAbsDiff(referenceForward(mha, expanded, tokens).logits, gqa)).toBeLessThan(1e-12);
  });

  it('a tied head equals an untied head holding a copy of the embeddings', () => {
    const untied = new Map(weights);
    untied.set('lm_head.weight', weights.get('model.embed_tokens.weight') as WeightTensor);
    const a = referenceForward(config, weights, tokens).logits;
    const b = referenceForward({ ...config, tieWordEmbeddings: false }, untied, tokens).logits;
    expect(maxAbsDiff(a, b)).toBe(0);
  });

  it('rejects token ids outside the vocabulary', () => {
    expect(() => referenceForward(config, weights, [config.vocabSize])).toThrow(RangeError);
  });
});
