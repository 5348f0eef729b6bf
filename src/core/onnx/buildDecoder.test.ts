/** The emitted file's structure, read back without onnxruntime (numerics are tested in adapters/node). */
import { describe, expect, it } from 'vitest';
import { buildDecoderModel, DecoderBuildError } from './buildDecoder';
import { parseDecoderConfig } from './decoderConfig';
import { encodeModel, readModelSummary } from './onnxProto';
import { TINY_DECODER_CONFIGS } from '../../testing/tinyDecoders';
import { createSeededUniform } from './weights';
import { randomDecoderWeights, WeightShapeError } from './weights';

describe('buildDecoderModel', () => {
  const qwen = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
  const llama = parseDecoderConfig(TINY_DECODER_CONFIGS.llamaMha);

  it('has the standard decoder inputs and outputs, in order', () => {
    const s = readModelSummary(buildDecoderModel(qwen, randomDecoderWeights(qwen, createSeededUniform(1)), { precision: 'fp32' }));
    expect(s.irVersion).toBe(8);
    expect(s.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(s.inputs).toEqual([
      'input_ids', 'attention_mask', 'position_ids',
      'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value',
    ]);
    expect(s.outputs).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(s.opTypes).not.toContain('MatMulNBits');
    // tied: the embedding is stored once and there is no lm_head initializer
    expect(s.initializers.filter((t) => t.name === 'model.embed_tokens.weight')).toHaveLength(1);
    expect(s.initializers.some((t) => t.name.startsWith('lm_head'))).toBe(false);
  });

  it('q4 turns every linear layer and the untied head into MatMulNBits with [N, blocks, 16] codes', () => {
    const s = readModelSummary(buildDecoderModel(llama, randomDecoderWeights(llama, createSeededUniform(2)), { precision: 'q4' }));
    expect(s.opsets).toContainEqual({ domain: 'com.microsoft', version: 1 });
    expect(s.opTypes.filter((op) => op === 'MatMulNBits')).toHaveLength(7 * llama.numLayers + 1);
    const down = s.initializers.find((t) => t.name === 'model.layers.0.mlp.down_proj.weight_q4');
    expect(down).toMatchObject({ dims: [32, 2, 16], dataType: 2, rawBytes: 32 * 2 * 16 }); // K = 48 → 2 blocks
    const head = s.initializers.find((t) => t.name === 'lm_head.weight_scales');
    expect(head).toMatchObject({ dims: [80], dataType: 1 });
  });

  it('names a mis-shaped tensor before building anything', () => {
    const w = randomDecoderWeights(qwen, createSeededUniform(3));
    w.set('model.norm.weight', { data: new Float32Array(31), shape: [31] });
    expect(() => buildDecoderModel(qwen, w, { precision: 'fp32' })).toThrow(WeightShapeError);
    expect(() => buildDecoderModel(qwen, w, { precision: 'fp32' })).toThrow(/model\.norm\.weight/);
  });

  it('fused: contrib ops replace attention, rotary and norms; same interface', () => {
    const s = readModelSummary(buildDecoderModel(qwen, randomDecoderWeights(qwen, createSeededUniform(4)), { precision: 'fp32', fused: true, attention: 'gqa' }));
    expect(s.opsets).toContainEqual({ domain: 'com.microsoft', version: 1 });
    const count = (op: string): number => s.opTypes.filter((o) => o === op).length;
    expect([count('GroupQueryAttention'), count('RotaryEmbedding'), count('SkipSimplifiedLayerNormalization')]).toEqual([2, 4, 4]);
    expect([count('Softmax'), count('ReduceMean')]).toEqual([0, 0]);
    expect(s.outputs).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
  });

  it("fused with attention: 'matmul' (the default): fused rotary and norms, MatMul/Softmax attention over the in-graph KV concat", () => {
    const s = readModelSummary(buildDecoderModel(qwen, randomDecoderWeights(qwen, createSeededUniform(4)), { precision: 'fp32', fused: true }));
    const count = (op: string): number => s.opTypes.filter((o) => o === op).length;
    expect([count('GroupQueryAttention'), count('RotaryEmbedding'), count('SkipSimplifiedLayerNormalization')]).toEqual([0, 4, 4]);
    expect([count('Softmax'), count('ReduceMean')]).toEqual([2, 0]);
    expect(s.outputs).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(() => buildDecoderModel(qwen, randomDecoderWeights(qwen, createSeededUniform(4)), { precision: 'fp32', fused: true, attention: 'flash' as 'gqa' })).toThrow(DecoderBuildError);
  });

  it('q8: int8 MatMulInteger linear layers, and one int8 [H, V] matrix for the tied embedding and head', () => {
    const s = readModelSummary(buildDecoderModel(qwen, randomDecoderWeights(qwen, createSeededUniform(4)), { precision: 'q8' }));
    const count = (op: string): number => s.opTypes.filter((o) => o === op).length;
    expect(count('MatMulInteger')).toBe(qwen.numLayers * 7 + 1);
    expect(count('DynamicQuantizeLinear')).toBe(qwen.numLayers * 7 + 1);
    expect(s.opTypes).not.toContain('MatMulNBits');
    expect(s.opsets).not.toContainEqual({ domain: 'com.microsoft', version: 1 });
    expect(s.initializers.find((t) => t.name === 'model.embed_tokens.weight')).toBeUndefined();
    expect(s.initializers.find((t) => t.name === 'model.embed_tokens.weight_q8')).toMatchObject({ dims: [qwen.hiddenSize, qwen.vocabSize] });
  });

  it('standard graph: RoPE reads precomputed cos/sin caches (no in-graph Sin/Cos)', () => {
    const s = readModelSummary(buildDecoderModel(qwen, randomDecoderWeights(qwen, createSeededUniform(5)), { precision: 'fp32' }));
    expect(s.opTypes).not.toContain('Sin');
    expect(s.opTypes).not.toContain('Cos');
    expect(s.initializers.find((t) => t.name === 'rotary.cos_cache')).toMatchObject({ dims: [qwen.maxPositionEmbeddings, qwen.headDim / 2] });
  });

  it('logitsLastOnly slices to the last position before the head; logits are [batch, 1, V]', () => {
    for (const fused of [false, true]) {
      const s = readModelSummary(buildDecoderModel(qwen, randomDecoderWeights(qwen, createSeededUniform(6)), { precision: 'q4', fused, logitsLastOnly: true }));
      expect(s.opTypes).toContain('Slice');
      expect(s.outputs[0]).toBe('logits');
    }
  });

  it('rejects an unknown precision', () => {
    const w = randomDecoderWeights(qwen, createSeededUniform(4));
    expect(() => buildDecoderModel(qwen, w, { precision: 'fp16' as 'fp32' })).toThrow(DecoderBuildError);
  });
});

describe('encodeModel', () => {
  it('round-trips initializers, value infos and metadata through readModelSummary', () => {
    const bytes = encodeModel({
      opsets: [{ domain: '', version: 21 }],
      graph: {
        name: 'g',
        nodes: [{ opType: 'Add', inputs: ['x', 'c'], outputs: ['y'] }],
        initializers: [
          { name: 'c', dims: [2, 3], data: new Float32Array(6) },
          { name: 'i', dims: [], data: BigInt64Array.from([-5n]) },
        ],
        inputs: [{ name: 'x', dtype: 'float32', dims: ['batch', 3] }],
        outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 3] }],
      },
      metadata: { k: 'v' },
    });
    const s = readModelSummary(bytes);
    expect(s.initializers).toEqual([
      { name: 'c', dims: [2, 3], dataType: 1, rawBytes: 24 },
      { name: 'i', dims: [], dataType: 7, rawBytes: 8 },
    ]);
    expect([s.inputs, s.outputs, s.opTypes]).toEqual([['x'], ['y'], ['Add']]);
  });

  it('refuses a tensor whose data does not fill its dims', () => {
    const graph = { name: 'g', nodes: [], inputs: [], outputs: [], initializers: [{ name: 'w', dims: [2, 2], data: new Float32Array(3) }] };
    expect(() => encodeModel({ opsets: [], graph })).toThrow(/w: dims \[2, 2\] hold 4 elements, data has 3/);
  });
});
