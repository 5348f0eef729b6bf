/**
 * "auto" in the onnxruntime-web adapter, in Node on the wasm EP: a software adapter (SwiftShader as
 * Chromium reports it) is never taken under "auto" and the report says why, without a fallback event; an
 * explicit WebGPU preference keeps the adapter (here it cannot open WebGPU in Node, so only the
 * description is checked); `isFallbackAdapter` is read from either place browsers put it; and the decode
 * probe times a real session and leaves it usable.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import { parseDecoderConfig } from '../../core/onnx/decoderConfig';
import { createSeededUniform, randomDecoderWeights } from '../../core/onnx/weights';
import { TINY_DECODER_CONFIGS } from '../../testing/tinyDecoders';
import { measureDecode, PROBE_DECODE_STEPS } from './decodeProbe';
import { createOrtLanguageModel } from './ortLanguageModel';
import { createWebSession, describeAdapter, type GpuLike, type LoadProgress } from './webSession';

const env = { wasmPaths: fileURLToPath(new URL('../../../node_modules/onnxruntime-web/dist/', import.meta.url)), numThreads: 1 };
const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
const bytes = buildDecoderModel(config, randomDecoderWeights(config, createSeededUniform(5)), { precision: 'fp32' });
const swiftShader = (isFallbackAdapter: boolean | undefined): GpuLike => ({
  requestAdapter: async () => ({ features: new Set<string>(), info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', ...(isFallbackAdapter === undefined ? {} : { isFallbackAdapter }) } }),
});

describe('createWebSession under auto on a software adapter', () => {
  it.each([true, false, undefined])('SwiftShader (isFallbackAdapter %s) → wasm, auto says why, no fallback event', async (flag) => {
    const events: LoadProgress[] = [];
    const s = await createWebSession(bytes, { preferred: 'auto', gpu: swiftShader(flag), env, onProgress: (e) => events.push(e) });
    expect(s.device).toMatchObject({
      ep: 'wasm',
      fallbackReason: null,
      adapterInfo: { vendor: 'google', architecture: 'swiftshader' },
      softwareAdapter: expect.stringContaining('google · swiftshader'),
      auto: { ep: 'wasm', rule: 'software-adapter', reason: expect.stringMatching(/^auto: wasm — WebGPU is a software adapter \(google · swiftshader/) },
    });
    expect(events.filter((e) => e.type === 'device.fellBack')).toEqual([]);
    expect(events.filter((e) => e.type === 'runtime.loading').map((e) => (e.type === 'runtime.loading' ? e.build : null))).toEqual(['wasm']); // WebGPU never opened
    await s.release();
  });

  it('an fp16 fallback on a software adapter under webgpu still names the adapter as software', async () => {
    const s = await createWebSession(bytes, { preferred: 'webgpu', fp16: true, gpu: swiftShader(true), env });
    expect(s.device).toMatchObject({ ep: 'wasm', softwareAdapter: expect.stringContaining('swiftshader'), fallbackReason: expect.stringMatching(/shader-f16/) });
    expect(s.device.auto).toBeUndefined();
    await s.release();
  });
});

describe('describeAdapter', () => {
  it('reads isFallbackAdapter from GPUAdapterInfo, else from the adapter (older Chromium), else leaves it out', () => {
    expect(describeAdapter({ info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true } })).toEqual({ vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true });
    expect(describeAdapter({ info: { vendor: 'nvidia' }, isFallbackAdapter: false }).isFallbackAdapter).toBe(false);
    expect('isFallbackAdapter' in describeAdapter({ info: { vendor: 'apple' } })).toBe(false);
  });
});

describe('measureDecode', () => {
  it('times a prefill and the decode steps on a real wasm session, then leaves the session open and usable', async () => {
    const session = await createWebSession(bytes, { preferred: 'wasm', env });
    let clock = 0;
    const t = await measureDecode(session, { vocabSize: config.vocabSize, now: () => (clock += 1) });
    // Fake clock: one tick per now() call → prefill 1 ms, then 1 ms per decode step.
    expect(t).toEqual({ prefillMs: 1, decodeMs: PROBE_DECODE_STEPS, decodeSteps: PROBE_DECODE_STEPS, stepMs: Array(PROBE_DECODE_STEPS).fill(1) });
    const model = createOrtLanguageModel(session, { eosTokenIds: [], vocabSize: config.vocabSize });
    expect((await model.forward([1, 2, 3])).length).toBe(config.vocabSize);
    await model.dispose();
  });

  it('an aborted probe throws the abort', async () => {
    const session = await createWebSession(bytes, { preferred: 'wasm', env });
    const ac = new AbortController();
    ac.abort();
    await expect(measureDecode(session, { vocabSize: config.vocabSize, now: () => 0, signal: ac.signal })).rejects.toThrow();
    await session.release();
  });
});
