/** The streaming assembly equals buildDecoderModel byte for byte, and external data encodes the same graph. */
import { describe, expect, it } from 'vitest';
import { buildDecoderModel } from '../onnx/buildDecoder';
import { parseDecoderConfig } from '../onnx/decoderConfig';
import { encodeModel, readModelSummary } from '../onnx/onnxProto';
import { TINY_DECODER_CONFIGS, type TinyDecoderName } from '../../testing/tinyDecoders';
import { createSeededUniform } from '../onnx/weights';
import { randomDecoderWeights } from '../onnx/weights';
import { encodeModelWithExternalData, needsExternalData } from './externalData';
import { findExternalData } from './onnxExternalRefs';
import { streamDecoderGraph, type TensorLoadedEvent } from './streamingDecoder';

async function drain<T, R>(gen: AsyncGenerator<T, R>): Promise<{ events: T[]; result: R }> {
  const events: T[] = [];
  for (;;) {
    const step = await gen.next();
    if (step.done === true) return { events, result: step.value };
    events.push(step.value);
  }
}

describe('streamDecoderGraph', () => {
  for (const name of Object.keys(TINY_DECODER_CONFIGS) as TinyDecoderName[]) {
    for (const precision of ['fp32', 'q4', 'q8'] as const) {
      it(`${name} ${precision}: same bytes as buildDecoderModel, loading each tensor once`, async () => {
        const config = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
        const weights = randomDecoderWeights(config, createSeededUniform(5));
        const loads: string[] = [];
        const { events, result } = await drain(streamDecoderGraph(config, async (n) => (loads.push(n), weights.get(n) ?? { data: new Float32Array(), shape: [] }), { precision }));
        expect(encodeModel(result)).toEqual(buildDecoderModel(config, weights, { precision }));
        expect(new Set(loads)).toEqual(new Set(weights.keys()));
        expect(loads).toHaveLength(weights.size);
        expect(events.at(-1)).toMatchObject<Partial<TensorLoadedEvent>>({ tensorIndex: weights.size, tensorCount: weights.size });
        expect(loads[0]).toBe('model.embed_tokens.weight');
      });
    }
  }

  it('logitsLastOnly: same bytes as buildDecoderModel with the option', async () => {
    for (const name of ['qwen2Gqa', 'llamaMha'] as const) {
      const config = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
      const weights = randomDecoderWeights(config, createSeededUniform(8));
      const { result } = await drain(streamDecoderGraph(config, async (n) => weights.get(n)!, { precision: 'q4', logitsLastOnly: true }));
      expect(encodeModel(result)).toEqual(buildDecoderModel(config, weights, { precision: 'q4', logitsLastOnly: true }));
      expect(encodeModel(result)).not.toEqual(buildDecoderModel(config, weights, { precision: 'q4' }));
    }
  });

  it('names a mis-shaped tensor and stops at an abort', async () => {
    const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
    const weights = randomDecoderWeights(config, createSeededUniform(6));
    weights.set('model.layers.1.mlp.up_proj.weight', { data: new Float32Array(4), shape: [2, 2] });
    await expect(drain(streamDecoderGraph(config, async (n) => weights.get(n)!, { precision: 'q4' }))).rejects.toThrow(/model\.layers\.1\.mlp\.up_proj\.weight has shape \[2, 2\], expected \[64, 32\]/);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(drain(streamDecoderGraph(config, async (n) => weights.get(n)!, { precision: 'q4', signal: ac.signal }))).rejects.toThrow('stop');
  });
});

describe('encodeModelWithExternalData', () => {
  it('moves large initializers to aligned offsets in the data file and keeps the graph', async () => {
    const config = parseDecoderConfig(TINY_DECODER_CONFIGS.llamaMha);
    const weights = randomDecoderWeights(config, createSeededUniform(7));
    const { result: model } = await drain(streamDecoderGraph(config, async (n) => weights.get(n)!, { precision: 'q4' }));
    expect(needsExternalData(model)).toBe(false);
    const enc = encodeModelWithExternalData(model, { location: 'model_q4.onnx_data' });
    const data = enc.externalData!;
    expect(data.byteLength).toBe(data.chunks.reduce((n, c) => n + c.byteLength, 0));
    expect(findExternalData(enc.model)).toEqual(new Map([['model_q4.onnx_data', data.byteLength]]));
    const inline = readModelSummary(encodeModel(model));
    const ext = readModelSummary(enc.model);
    expect(ext.inputs).toEqual(inline.inputs);
    expect(ext.opTypes).toEqual(inline.opTypes);
    expect(ext.initializers.map((t) => [t.name, t.dims])).toEqual(inline.initializers.map((t) => [t.name, t.dims]));
    expect(enc.model.byteLength + data.byteLength).toBeGreaterThan(encodeModel(model).byteLength - 8192); // same payload, moved
    expect(enc.model.byteLength).toBeLessThan(encodeModel(model).byteLength - data.byteLength / 2);
    // every external tensor starts on a 64-byte boundary
    let at = 0;
    for (const c of data.chunks) {
      if (c.some((b) => b !== 0)) expect(at % 64).toBe(0);
      at += c.byteLength;
    }
  });
});
