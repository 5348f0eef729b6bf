/**
 * Reading the weights back out of our own ONNX decoders (no onnxruntime; the logits check against
 * onnxruntime-node is adapters/node/readDecoderWeights.test.ts). Oracles: fp32 reads back bit-equal to the
 * weights it was built from; q4 and q8 read back bit-equal to effectiveWeights (what the graph computes
 * with); files that are not ours, or not for this config, fail with the initializer named.
 */
import { describe, expect, it } from 'vitest';
import { buildDecoderModel } from './buildDecoder';
import { parseDecoderConfig, type DecoderConfig } from './decoderConfig';
import type { Precision } from './decoderGraph';
import { effectiveWeights } from './effectiveWeights';
import { encodeModel } from './onnxProto';
import { ProtoWriter } from './protobuf';
import { DecoderWeightsReadError, readDecoderWeights, readOnnxInitializers } from './readDecoderWeights';
import { TINY_DECODER_CONFIGS, type TinyDecoderName } from '../../testing/tinyDecoders';
import { createSeededUniform } from './weights';
import { expectedWeightShapes, randomDecoderWeights, type DecoderWeights } from './weights';

/** Same names, shapes, and every value bit-equal (Object.is: −0 ≠ 0, NaN = NaN). */
function expectBitEqual(actual: DecoderWeights, expected: DecoderWeights, config: DecoderConfig): void {
  expect([...actual.keys()].sort()).toEqual([...expectedWeightShapes(config).keys()].sort());
  for (const [name, e] of expectedWeightShapes(config)) {
    const a = actual.get(name);
    const x = expected.get(name);
    expect(a?.shape, name).toEqual(e);
    expect(a?.data).toBeInstanceOf(Float32Array);
    const bad = a?.data.findIndex((v, i) => !Object.is(v, x?.data[i])) ?? 0;
    expect(bad, `${name}: first differing value at ${bad}`).toBe(-1);
  }
}

const CASES: [TinyDecoderName, Precision, boolean][] = [
  ['qwen2Gqa', 'fp32', false],
  ['llamaMha', 'fp32', false],
  ['qwen2WideHead', 'fp32', true],
  ['qwen2Gqa', 'q4', false],
  ['llamaMha', 'q4', false], // MLP width 48: the padded last q4 block
  ['qwen2WideHead', 'q4', true],
  ['qwen2Gqa', 'q8', false], // tied q8: the embedding is int8 [H, V] too
  ['llamaMha', 'q8', false],
];

describe('readDecoderWeights', () => {
  it.each(CASES)('%s %s (fused %s): reads back what the graph computes with, bit for bit', (name, precision, fused) => {
    const config = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
    const weights = randomDecoderWeights(config, createSeededUniform(11));
    const bytes = buildDecoderModel(config, weights, { precision, fused });
    const read = readDecoderWeights(bytes, config);
    expect(read.precision).toBe(precision);
    expectBitEqual(read.weights, effectiveWeights(config, weights, precision), config);
    if (precision === 'fp32') expectBitEqual(read.weights, weights, config);
  });

  it('the read-back q4 weights rebuild the same q4 file (quantising Ŵ again is exact)', () => {
    const config = parseDecoderConfig(TINY_DECODER_CONFIGS.llamaMha);
    const bytes = buildDecoderModel(config, randomDecoderWeights(config, createSeededUniform(12)), { precision: 'q4' });
    const again = buildDecoderModel(config, readDecoderWeights(bytes, config).weights, { precision: 'q4' });
    expect(again.byteLength).toBe(bytes.byteLength);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  it('reads from a view at an odd offset into a larger buffer (as a pooled Node Buffer is)', () => {
    const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
    const weights = randomDecoderWeights(config, createSeededUniform(14));
    const bytes = buildDecoderModel(config, weights, { precision: 'fp32' });
    const padded = new Uint8Array(bytes.byteLength + 7);
    padded.set(bytes, 3);
    expectBitEqual(readDecoderWeights(padded.subarray(3, 3 + bytes.byteLength), config).weights, weights, config);
    expectBitEqual(readDecoderWeights(Buffer.from(bytes), config).weights, weights, config);
  });

  it('reads float_data (packed or not) as well as raw_data', () => {
    const tensor = (name: string, values: number[], packed: boolean): ProtoWriter => {
      const w = new ProtoWriter().packedVarints(1, [values.length]).int(2, 1);
      if (packed) w.packedFloat32(4, values);
      else for (const v of values) w.float32(4, v);
      return w.string(8, name);
    };
    const graph = new ProtoWriter().message(5, tensor('a', [1.5, -2], true)).message(5, tensor('b', [0.25, 3], false));
    const { initializers } = readOnnxInitializers(new ProtoWriter().int(1, 8).message(7, graph).finish());
    expect(initializers.get('a')?.floatData).toEqual([1.5, -2]);
    expect(initializers.get('b')?.floatData).toEqual([0.25, 3]);
  });

  it('a file that is not ONNX, or not built by us, or for another config, fails naming what is wrong', () => {
    const qwen = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
    const bytes = buildDecoderModel(qwen, randomDecoderWeights(qwen, createSeededUniform(13)), { precision: 'q4' });
    // truncated / garbage
    expect(() => readDecoderWeights(bytes.subarray(0, bytes.byteLength - 1000), qwen, 'x.onnx')).toThrow(DecoderWeightsReadError);
    expect(() => readDecoderWeights(bytes.subarray(0, bytes.byteLength - 1000), qwen, 'x.onnx')).toThrow(/x\.onnx is not a readable ONNX model/);
    expect(() => readDecoderWeights(new TextEncoder().encode('{"not": "onnx"}'), qwen, 'x.onnx')).toThrow(DecoderWeightsReadError);
    // valid ONNX, other initializer names (e.g. another exporter's)
    const foreign = encodeModel({
      graph: { name: 'g', nodes: [], inputs: [], outputs: [], initializers: [{ name: 'onnx::MatMul_123', dims: [2], data: new Float32Array(2) }] },
      opsets: [{ domain: '', version: 17 }],
    });
    expect(() => readDecoderWeights(foreign, qwen, 'x.onnx')).toThrow(/Initializer model\.embed_tokens\.weight is missing; x\.onnx must be a decoder built by this project/);
    // another config: the shapes do not fit
    const wider = parseDecoderConfig({ ...TINY_DECODER_CONFIGS.qwen2Gqa, intermediate_size: 96 });
    expect(() => readDecoderWeights(bytes, wider, 'x.onnx')).toThrow(/model\.layers\.0\.mlp\.gate_proj\.weight_q4 has shape \[64, 1, 16\], expected \[96, 1, 16\]/);
    const deeper = parseDecoderConfig({ ...TINY_DECODER_CONFIGS.qwen2Gqa, num_hidden_layers: 3 });
    expect(() => readDecoderWeights(bytes, deeper, 'x.onnx')).toThrow(/model\.layers\.2\.self_attn\.q_proj\.weight \(fp32\).* is missing/);
  });
});
