import { describe, expect, it } from 'vitest';
import { parseDecoderConfig } from './decoderConfig';
import { TINY_DECODER_CONFIGS } from '../../testing/tinyDecoders';
import { createSeededUniform } from './weights';
import { assertDecoderWeights, expectedWeightShapes, mixWeights, randomDecoderWeights, WeightShapeError, type WeightTensor } from './weights';

describe('decoder weights', () => {
  const qwen = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
  const llama = parseDecoderConfig(TINY_DECODER_CONFIGS.llamaMha);

  it('lists HF names with [out, in] linear shapes, biases only where the family has them', () => {
    const q = expectedWeightShapes(qwen);
    expect(q.get('model.layers.1.self_attn.k_proj.weight')).toEqual([16, 32]); // 2 kv heads × 8
    expect(q.get('model.layers.0.self_attn.q_proj.bias')).toEqual([32]);
    expect(q.has('model.layers.0.self_attn.o_proj.bias')).toBe(false);
    expect(q.has('lm_head.weight')).toBe(false); // tied
    const l = expectedWeightShapes(llama);
    expect(l.get('model.layers.0.mlp.down_proj.weight')).toEqual([32, 48]);
    expect(l.has('model.layers.0.self_attn.q_proj.bias')).toBe(false);
    expect(l.get('lm_head.weight')).toEqual([80, 32]);
  });

  it('random weights are reproducible from the seed and pass the shape check', () => {
    const a = randomDecoderWeights(qwen, createSeededUniform(1));
    const b = randomDecoderWeights(qwen, createSeededUniform(1));
    expect(a.get('model.norm.weight')?.data).toEqual(b.get('model.norm.weight')?.data);
    expect(() => assertDecoderWeights(qwen, a)).not.toThrow();
    // an Rng-style object ({ nextFloat }) draws the same stream as the bare function
    const uniform = createSeededUniform(1);
    const c = randomDecoderWeights(qwen, { nextFloat: uniform });
    expect(c.get('model.embed_tokens.weight')?.data).toEqual(a.get('model.embed_tokens.weight')?.data);
  });

  it('names the tensor whose shape is wrong, or that is missing', () => {
    const w = randomDecoderWeights(qwen, createSeededUniform(2));
    const bad = new Map<string, WeightTensor>(w);
    bad.set('model.layers.1.mlp.up_proj.weight', { data: new Float32Array(32 * 64), shape: [32, 64] });
    expect(() => assertDecoderWeights(qwen, bad)).toThrow(/model\.layers\.1\.mlp\.up_proj\.weight has shape \[32, 64\], expected \[64, 32\]/);
    bad.delete('model.layers.1.mlp.up_proj.weight');
    expect(() => assertDecoderWeights(qwen, bad)).toThrow(WeightShapeError);
    expect(() => assertDecoderWeights(qwen, bad)).toThrow(/Missing tensor model\.layers\.1\.mlp\.up_proj\.weight/);
  });

  it('mixWeights: (1 − t)·a + t·b tensor by tensor (t = 0.5: the mean); weights of another config are refused', () => {
    const a = randomDecoderWeights(qwen, createSeededUniform(1));
    const b = randomDecoderWeights(qwen, createSeededUniform(2));
    const name = 'model.layers.0.self_attn.q_proj.weight';
    const [x, y] = [a.get(name)?.data as Float32Array, b.get(name)?.data as Float32Array];
    const mid = mixWeights(a, b, 0.5);
    expect(mid.size).toBe(a.size);
    expect(mid.get(name)?.shape).toEqual(a.get(name)?.shape);
    for (const i of [0, 5, x.length - 1]) expect(mid.get(name)?.data[i]).toBeCloseTo(((x[i] as number) + (y[i] as number)) / 2, 6);
    expect(Array.from(mixWeights(a, b, 0).get(name)?.data ?? [])).toEqual(Array.from(x));
    expect(x).not.toBe(mixWeights(a, b, 0).get(name)?.data); // a copy, never the input
    expect(() => mixWeights(a, randomDecoderWeights(llama, createSeededUniform(1)), 0.5)).toThrow(WeightShapeError);
  });
});
