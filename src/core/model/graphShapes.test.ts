/**
 * config.json against the graph's own shapes, on real tiny ONNX models from the project's builder
 * (every tiny config × fp32 / q4 / q8, and the fused graph): the graph states its sizes, an honest
 * config agrees with all of them, and a config doctored in any one field is caught by that field.
 */
import { describe, expect, it } from 'vitest';
import { buildDecoderModel } from '../onnx/buildDecoder';
import { parseDecoderConfig } from '../onnx/decoderConfig';
import { readModelSummary } from '../onnx/onnxProto';
import { createSeededUniform, randomDecoderWeights } from '../onnx/weights';
import { TINY_DECODER_CONFIGS, type TinyDecoderName } from '../../testing/tinyDecoders';
import { configDisagreements, readGraphShapes } from './graphShapes';

type Variant = { precision: 'fp32' | 'q4' | 'q8'; fused?: boolean; logitsLastOnly?: boolean };
const VARIANTS: Variant[] = [{ precision: 'fp32' }, { precision: 'q4' }, { precision: 'q8' }, { precision: 'fp32', fused: true, logitsLastOnly: true }];

function graphOf(name: TinyDecoderName, v: Variant) {
  const config = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
  const bytes = buildDecoderModel(config, randomDecoderWeights(config, createSeededUniform(7)), v);
  return readGraphShapes(readModelSummary(bytes));
}

const names = Object.keys(TINY_DECODER_CONFIGS) as TinyDecoderName[];

describe('readGraphShapes', () => {
  for (const name of names) {
    for (const v of VARIANTS) {
      it(`reads ${name} ${JSON.stringify(v)} back to its own config`, () => {
        const config = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
        const g = graphOf(name, v);
        expect(g.layers).toBe(config.numLayers);
        expect([g.kvHeads, g.headDim]).toEqual([config.numKvHeads, config.headDim]);
        expect(g.queryWidth?.value).toBe(config.numHeads * config.headDim);
        expect(g.hiddenSize?.value).toBe(config.hiddenSize);
        expect(g.vocabSize?.value).toBe(config.vocabSize);
        expect(g.positions?.value).toBe(config.maxPositionEmbeddings);
        expect(configDisagreements(config, g)).toEqual([]);
      });
    }
  }
});

describe('configDisagreements: one doctored field, named with what the graph has', () => {
  const base = TINY_DECODER_CONFIGS.qwen2WideHead; // 3 layers, hidden 64, 4 heads × 16, 1 KV head, vocab 128, 256 positions
  it.each([
    ['hidden_size', { hidden_size: 1e9 }, 64],
    ['vocab_size', { vocab_size: 129 }, 128],
    ['num_hidden_layers', { num_hidden_layers: 2 }, 3],
    ['num_attention_heads', { num_attention_heads: 8, head_dim: 16 }, 4],
    ['num_key_value_heads', { num_key_value_heads: 2 }, 1],
    ['head_dim', { head_dim: 32 }, 16],
    ['max_position_embeddings', { max_position_embeddings: 1e12 }, 256],
  ] as const)('%s', (field, edit, graphValue) => {
    const g = graphOf('qwen2WideHead', { precision: 'q4' });
    const found = configDisagreements(parseDecoderConfig({ ...base, ...edit }), g);
    expect(found[0]).toMatchObject({ field, graphValue });
    expect(found[0]?.from).toMatch(/\w/);
  });

  it('accepts fewer positions than the rotary cache holds (safe), and nothing it cannot read', () => {
    const g = graphOf('qwen2WideHead', { precision: 'fp32' });
    expect(configDisagreements(parseDecoderConfig({ ...base, max_position_embeddings: 100 }), g)).toEqual([]);
    // A graph that states nothing but its layers (symbolic dims, other names, no cache): only layers are checked.
    expect(configDisagreements(parseDecoderConfig({ ...base, hidden_size: 1e9 }), { layers: 3 })).toEqual([]);
  });
});
