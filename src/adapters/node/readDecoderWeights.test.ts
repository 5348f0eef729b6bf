/**
 * core/onnx/readDecoderWeights.ts against onnxruntime-node: the weights read back from a q4 model, rebuilt
 * as fp32, give the q4 model's logits (within 1e-4) — for the tiny random configs and for the shipped
 * embedded policy public/models/router-nano-a0 (what training from that folder starts from).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import { readDecoderWeights } from '../../core/onnx/readDecoderWeights';
import { TINY_DECODER_CONFIGS, type TinyDecoderName } from '../../testing/tinyDecoders';
import { createSeededUniform } from '../../core/onnx/weights';
import { randomDecoderWeights } from '../../core/onnx/weights';
import { createNodeSession, runDecoder } from './ortNode';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return Number.isNaN(m) ? Infinity : m;
}

/** Logits of the same 12-token prompt on both files. */
async function logitsGap(config: DecoderConfig, a: Uint8Array, b: Uint8Array): Promise<number> {
  const rng = createSeededUniform(5);
  const ids = Array.from({ length: 12 }, () => Math.floor(rng() * config.vocabSize));
  const layout = { numLayers: config.numLayers, numKvHeads: config.numKvHeads, headDim: config.headDim };
  const out = [];
  for (const bytes of [a, b]) {
    const session = await createNodeSession(bytes, { intraOpThreads: 1 });
    out.push((await runDecoder(session, layout, { inputIds: [ids] })).logits);
    await session.release();
  }
  return maxAbsDiff(out[0] as Float32Array, out[1] as Float32Array);
}

describe('readDecoderWeights on onnxruntime-node', () => {
  it.each(['qwen2Gqa', 'llamaMha', 'qwen2WideHead'] as TinyDecoderName[])('%s: fp32 rebuilt from the read-back q4 weights = the q4 model (1e-4)', async (name) => {
    const config = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
    const q4 = buildDecoderModel(config, randomDecoderWeights(config, createSeededUniform(21)), { precision: 'q4' });
    const fp32 = buildDecoderModel(config, readDecoderWeights(q4, config).weights, { precision: 'fp32' });
    expect(await logitsGap(config, q4, fp32)).toBeLessThan(1e-4);
  });

  it('router-nano-a0 (the shipped q4 policy): fp32 rebuilt from its read-back weights = the q4 file (1e-4)', async () => {
    const dir = resolve(__dirname, '../../../public/models/router-nano-a0');
    const config = parseDecoderConfig(JSON.parse(readFileSync(resolve(dir, 'config.json'), 'utf8')));
    const q4 = new Uint8Array(readFileSync(resolve(dir, 'onnx/model_q4.onnx')));
    const read = readDecoderWeights(q4, config);
    expect(read.precision).toBe('q4');
    expect(await logitsGap(config, q4, buildDecoderModel(config, read.weights, { precision: 'fp32' }))).toBeLessThan(1e-4);
  });
});
