/**
 * The onnxruntime-web adapter in Node, on the wasm EP (the same runtime the browser runs, from the
 * package's dist folder): logits parity with the float64 reference for the three tiny configs (fp32
 * within 1e-4, q4 within 1e-3 against the dequantised weights), KV reuse and truncation, atomic abort,
 * device selection and its reasons, and recovery on wasm when a (simulated) WebGPU run fails.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import { dequantizeQ4, quantizeQ4 } from '../../core/onnx/quantizeQ4';
import { referenceForward } from '../../core/onnx/referenceForward';
import { TINY_DECODER_CONFIGS, type TinyDecoderName } from '../../testing/tinyDecoders';
import { createSeededUniform } from '../../core/onnx/weights';
import { LINEAR_NAMES, linearPrefix, randomDecoderWeights, type DecoderWeights, type WeightTensor } from '../../core/onnx/weights';
import { createOrtLanguageModel, halfToFloat, OrtModelInputError } from './ortLanguageModel';
import { createWebSession, WebGpuUnavailableError, type DeviceReport, type GpuLike, type WebSession } from './webSession';
import { slicePositions } from './kvCache';
import { threadCount } from './ortEnvironment';

const env = { wasmPaths: fileURLToPath(new URL('../../../node_modules/onnxruntime-web/dist/', import.meta.url)), numThreads: 1 };
const measured: Record<string, number> = {};
afterAll(() => console.log('ortLanguageModel (onnxruntime-web wasm in Node) max abs logit error:', JSON.stringify(measured, null, 1)));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return Number.isNaN(m) ? Infinity : m;
}

/** The weights a q4 build stores 4-bit: every linear layer, and the head when it is not tied. */
function quantisedNames(config: DecoderConfig): string[] {
  const names: string[] = [];
  for (let i = 0; i < config.numLayers; i++) for (const l of LINEAR_NAMES) names.push(`${linearPrefix(i, l)}.weight`);
  if (!config.tieWordEmbeddings) names.push('lm_head.weight');
  return names;
}

function dequantised(config: DecoderConfig, weights: DecoderWeights): DecoderWeights {
  const out = new Map<string, WeightTensor>(weights);
  for (const name of quantisedNames(config)) out.set(name, dequantizeQ4(quantizeQ4(weights.get(name) as WeightTensor)));
  return out;
}

function tiny(name: TinyDecoderName, precision: 'fp32' | 'q4', fused: boolean, seed = 17) {
  const config = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
  const weights = randomDecoderWeights(config, createSeededUniform(seed));
  return { config, bytes: buildDecoderModel(config, weights, { precision, fused }), oracle: precision === 'q4' ? dequantised(config, weights) : weights };
}

const lastRow = (logits: Float64Array, v: number): Float64Array => logits.subarray(logits.length - v);

describe.each(['qwen2Gqa', 'llamaMha', 'qwen2WideHead'] as const)('createOrtLanguageModel on wasm in Node: %s', (name) => {
  it.each([
    ['fp32', false, true],
    ['q4', false, true],
    ['q4', false, false],
    ['fp32', true, true],
    ['q4', true, true],
  ] as const)('%s (fused %s, q4 expanded %s) matches the reference through prompt, decode, a round and a truncation', async (precision, fused, expand) => {
    const { config, bytes, oracle } = tiny(name, precision, fused);
    const session = await createWebSession(bytes, { preferred: 'wasm', env, ...(expand ? {} : { maxExpandedQ4Bytes: 0 }) });
    const model = createOrtLanguageModel(session, { eosTokenIds: [] });
    try {
      expect(model.device).toMatchObject({ ep: 'wasm', threads: 1, fallbackReason: null });
      // wasm expands the 4-bit layers to float32 at load (core/onnx/expandQ4.ts); fp32 models have none.
      if (precision === 'q4') expect(model.device.q4Layers).toMatch(expand ? /^\d+ 4-bit layers expanded to float32/ : /kept 4-bit: .*limit 0 MiB/);
      else expect(model.device.q4Layers).toBeUndefined();
      // The float32 bytes the expansion adds: every q4 linear layer, 4 bytes a weight.
      const q4Weights = quantisedNames(config).reduce((n, name) => n + (oracle.get(name)?.data.length ?? NaN), 0);
      expect(model.device.q4ExpandedBytes).toBe(precision === 'q4' && expand ? q4Weights * 4 : undefined);
      expect(model.vocabSize).toBe(config.vocabSize);
      const rng = createSeededUniform(5);
      const tokens = Array.from({ length: 16 }, () => Math.floor(rng() * config.vocabSize));
      let err = 0;
      const check = async (feed: number[]): Promise<void> => {
        const got = await model.forward(feed);
        err = Math.max(err, maxAbsDiff(got, lastRow(referenceForward(config, oracle, model.cachedIds()).logits, config.vocabSize)));
      };
      await check(tokens.slice(0, 6));
      for (const t of tokens.slice(6, 9)) await check([t]);
      await check(tokens.slice(9, 13));
      await model.truncate(7);
      expect(model.cachedIds()).toEqual(tokens.slice(0, 7));
      await check(tokens.slice(13, 16));
      measured[`${name}.${precision}${fused ? '.fused' : ''}${expand ? '' : '.kept4bit'}`] = err;
      expect(err).toBeLessThan(precision === 'fp32' ? 1e-4 : 1e-3);
    } finally {
      await model.dispose();
    }
  });
});

describe('createOrtLanguageModel contract', () => {
  it('an aborted forward leaves the cache unchanged; bad ids are refused', async () => {
    const { config, bytes } = tiny('qwen2Gqa', 'fp32', false);
    const model = createOrtLanguageModel(await createWebSession(bytes, { preferred: 'wasm', env }), { eosTokenIds: [0] });
    try {
      await model.forward([1, 2, 3]);
      const controller = new AbortController();
      const pending = model.forward([4, 5], { signal: controller.signal });
      controller.abort(new Error('stop'));
      await expect(pending).rejects.toThrow('stop');
      expect(model.cachedIds()).toEqual([1, 2, 3]);
      await expect(model.forward([config.vocabSize])).rejects.toBeInstanceOf(OrtModelInputError);
      await expect(model.truncate(4)).rejects.toBeInstanceOf(OrtModelInputError);
      model.reset();
      expect(model.cachedLength()).toBe(0);
      await model.forward([7]);
      expect(model.cachedIds()).toEqual([7]);
    } finally {
      await model.dispose();
    }
  });

  it('a WebGPU run failure reopens the model on wasm, re-prefills the cache and reports why', async () => {
    const { config, bytes, oracle } = tiny('llamaMha', 'fp32', false);
    const real = await createWebSession(bytes, { preferred: 'wasm', env });
    let runs = 0;
    // A "WebGPU" session whose device is lost on its third run.
    const lost: WebSession = {
      ...real,
      device: { ...real.device, ep: 'webgpu', fallbackReason: null },
      run: async (feeds) => {
        if (++runs === 3) throw new Error('Device lost: GPU process crashed');
        return real.run(feeds);
      },
      reopenOnWasm: (reason) => createWebSession(bytes, { preferred: 'wasm', env }).then((s) => ({ ...s, device: { ...s.device, fallbackReason: reason } })),
    };
    const changes: DeviceReport[] = [];
    const model = createOrtLanguageModel(lost, { eosTokenIds: [], onDeviceChanged: (d) => changes.push(d) });
    try {
      await model.forward([1, 2, 3, 4]);
      await model.forward([5]);
      const logits = await model.forward([6, 7]); // fails on "WebGPU", recovers on wasm
      expect(model.device.ep).toBe('wasm');
      expect(changes).toHaveLength(1);
      expect(changes[0]?.fallbackReason).toMatch(/Device lost.*recovered on wasm/);
      expect(model.cachedIds()).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(maxAbsDiff(logits, lastRow(referenceForward(config, oracle, [1, 2, 3, 4, 5, 6, 7]).logits, config.vocabSize))).toBeLessThan(1e-4);
    } finally {
      await model.dispose();
      await real.release();
    }
  });
});

describe('createWebSession device choice', () => {
  const { bytes } = tiny('qwen2Gqa', 'fp32', false);
  const adapter = (f16: boolean): GpuLike => ({
    requestAdapter: async () => ({ features: new Set(f16 ? ['shader-f16'] : []), info: { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader' } }),
  });

  it('no navigator.gpu → wasm, and the report says why', async () => {
    const s = await createWebSession(bytes, { preferred: 'auto', gpu: null, env });
    expect(s.device).toMatchObject({ ep: 'wasm', adapterInfo: null, shaderF16: null, fallbackReason: expect.stringMatching(/navigator\.gpu is missing/) });
    await s.release();
  });

  it('no adapter with requireGpu → WebGpuUnavailableError that says what to do', async () => {
    const none: GpuLike = { requestAdapter: async () => null };
    await expect(createWebSession(bytes, { preferred: 'webgpu', requireGpu: true, gpu: none, env })).rejects.toThrow(WebGpuUnavailableError);
    await expect(createWebSession(bytes, { preferred: 'webgpu', requireGpu: true, gpu: none, env })).rejects.toThrow(/Enable WebGPU/);
  });

  it('an fp16 model on an adapter without shader-f16 → wasm with the reason; adapter info is kept', async () => {
    const s = await createWebSession(bytes, { preferred: 'webgpu', fp16: true, gpu: adapter(false), env });
    expect(s.device).toMatchObject({ ep: 'wasm', shaderF16: false, adapterInfo: { description: 'SwiftShader' }, fallbackReason: expect.stringMatching(/shader-f16/) });
    await s.release();
  });

  it('threads only when cross-origin isolated, at most 4', () => {
    expect(threadCount({ crossOriginIsolated: false, navigator: { hardwareConcurrency: 16 } })).toBe(1);
    expect(threadCount({ crossOriginIsolated: true, navigator: { hardwareConcurrency: 16 } })).toBe(4);
    expect(threadCount({ crossOriginIsolated: true, navigator: { hardwareConcurrency: 2 } })).toBe(2);
  });
});

describe('helpers', () => {
  it('slicePositions keeps the first positions of every head', () => {
    // [1, H=2, P=3, D=2]
    const data = Float32Array.from([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
    expect(Array.from(slicePositions(data, { numKvHeads: 2, headDim: 2 }, 3, 2))).toEqual([0, 1, 2, 3, 10, 11, 12, 13]);
  });

  it('halfToFloat decodes binary16', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00].map(halfToFloat)).toEqual([1, -2, 65504, 2 ** -24, Infinity]);
  });
});
