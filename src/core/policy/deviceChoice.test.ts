/**
 * "auto"'s device rules on adapter descriptions as browsers report them (GPUAdapterInfo), the measured
 * decision on injected timings, and the session cache. The SwiftShader shape is Chromium's with
 * --enable-unsafe-webgpu and no GPU: vendor "google", architecture "swiftshader", empty device and
 * description; Chromium reports isFallbackAdapter true or false for it depending on version and flags,
 * so the name alone must be enough.
 */
import { describe, expect, it } from 'vitest';
import { adapterLabel, chooseMeasuredDevice, createDeviceChoiceCache, deviceChoiceKey, formatCount, isSoftwareAdapter, largeModelChoice, probeFailedChoice, PROBE_MAX_MODEL_BYTES, shouldProbe, softwareAdapterChoice, softwareAdapterEvidence, type AdapterDescription } from './deviceChoice';

const info = (vendor: string, architecture: string, device = '', description = '', isFallbackAdapter?: boolean): AdapterDescription => ({ vendor, architecture, device, description, ...(isFallbackAdapter === undefined ? {} : { isFallbackAdapter }) });

const SOFTWARE: [string, AdapterDescription][] = [
  ['Chromium SwiftShader, isFallbackAdapter true', info('google', 'swiftshader', '', '', true)],
  ['Chromium SwiftShader, isFallbackAdapter false', info('google', 'swiftshader', '', '', false)],
  ['Chromium SwiftShader, flag not reported', info('google', 'swiftshader')],
  ['SwiftShader named only in the description', info('google', '', '', 'SwiftShader Device (Subzero)')],
  ['Mesa llvmpipe (Vulkan on Linux)', info('mesa', '', '', 'llvmpipe (LLVM 15.0.6, 256 bits)')],
  ['Mesa lavapipe', info('mesa', '', 'lavapipe', '')],
  ['Windows WARP', info('microsoft', '', '', 'Microsoft Basic Render Driver')],
  ['an unnamed adapter the browser flags as fallback', info('', '', '', '', true)],
  ['a description that says software', info('acme', '', '', 'Acme Software Rasterizer')],
];

const HARDWARE: [string, AdapterDescription][] = [
  ['NVIDIA on Linux (Vulkan)', info('nvidia', 'ampere', '', 'NVIDIA GeForce RTX 3080', false)],
  ['Apple silicon (Metal)', info('apple', 'metal-3', '', '', false)],
  ['Intel integrated', info('intel', 'gen-12lp', '0x9a49', 'Intel(R) Iris(R) Xe Graphics')],
  ['AMD, flag not reported', info('amd', 'rdna-2')],
  ['Qualcomm Adreno (Android)', info('qualcomm', 'adreno-7xx', '', '', false)],
];

describe('isSoftwareAdapter', () => {
  it.each(SOFTWARE)('software: %s', (_, a) => {
    expect(isSoftwareAdapter(a)).toBe(true);
    expect(softwareAdapterChoice(a)).toMatchObject({ ep: 'wasm', rule: 'software-adapter', cached: false });
  });
  it.each(HARDWARE)('hardware: %s', (_, a) => expect(isSoftwareAdapter(a)).toBe(false));

  it("names SwiftShader as Chromium reports it, and the browser's flag when only the flag tells", () => {
    expect(softwareAdapterChoice(info('google', 'swiftshader', '', '', true)).reason).toBe('auto: wasm — WebGPU is a software adapter (google · swiftshader)');
    expect(softwareAdapterEvidence(info('', '', '', '', true))).toBe('an unnamed adapter, flagged isFallbackAdapter');
    expect(adapterLabel(info('mesa', '', 'llvmpipe', 'llvmpipe'))).toBe('mesa · llvmpipe');
  });
});

describe('chooseMeasuredDevice', () => {
  const t = (decodeMs: number, decodeSteps = 8) => ({ prefillMs: 1, decodeMs, decodeSteps });

  it('keeps the backend with more decode tokens/s, and says both rates and what the probe cost', () => {
    // A 1 M-parameter policy: wasm 8 steps in 7.3 ms (1,096 tok/s), WebGPU in 26.7 ms (300 tok/s).
    const c = chooseMeasuredDevice({ webgpu: t(26.67), wasm: t(7.3), probeMs: 412.4 });
    expect(c).toMatchObject({ ep: 'wasm', rule: 'measured', cached: false });
    expect(c.measured?.wasmTokensPerS).toBeCloseTo(1095.9, 1);
    expect(c.measured?.webgpuTokensPerS).toBeCloseTo(300, 0);
    expect(c.reason).toBe('auto: wasm — measured 1,096 vs 300 tok/s on WebGPU (8 decode steps each, probe 412 ms)');
    // A 0.5 B model on a real GPU.
    const big = chooseMeasuredDevice({ webgpu: t(80), wasm: t(2000), probeMs: 3000 });
    expect(big).toMatchObject({ ep: 'webgpu', measured: { webgpuTokensPerS: 100, wasmTokensPerS: 4 } });
    expect(big.reason).toMatch(/^auto: webgpu — measured 100 vs 4 tok\/s on wasm/);
  });

  it('with the steps recorded, the median step decides: one stall does not hand the choice to the slower backend', () => {
    // wasm: 1 ms steps with one 40 ms stall (total 47 ms → 170 tok/s by the sum); WebGPU: steady 3 ms (333 tok/s).
    const wasm = { prefillMs: 1, decodeMs: 47, decodeSteps: 8, stepMs: [1, 1, 1, 40, 1, 1, 1, 1] };
    const webgpu = { prefillMs: 1, decodeMs: 24, decodeSteps: 8, stepMs: Array(8).fill(3) };
    const c = chooseMeasuredDevice({ webgpu, wasm, probeMs: 100 });
    expect(c).toMatchObject({ ep: 'wasm', measured: { wasmTokensPerS: 1000 } });
    expect(c.measured?.webgpuTokensPerS).toBeCloseTo(333.3, 1);
  });

  it('a tie goes to wasm; a timer too coarse to see the steps does not divide by zero', () => {
    expect(chooseMeasuredDevice({ webgpu: t(10), wasm: t(10), probeMs: 30 }).ep).toBe('wasm');
    const c = chooseMeasuredDevice({ webgpu: t(5), wasm: t(0), probeMs: 5 });
    expect(c.ep).toBe('wasm');
    expect(Number.isFinite(c.measured?.wasmTokensPerS)).toBe(true);
  });

  it('large models are not probed; a failed backend hands over to the other', () => {
    expect(shouldProbe(4 * 2 ** 20)).toBe(true);
    expect(shouldProbe(PROBE_MAX_MODEL_BYTES + 1)).toBe(false);
    expect(largeModelChoice(400 * 2 ** 20)).toMatchObject({ ep: 'webgpu', rule: 'large-model', reason: expect.stringContaining('400 MiB') });
    expect(probeFailedChoice('webgpu', 'device lost')).toMatchObject({ ep: 'wasm', rule: 'probe-failed', reason: 'auto: wasm — WebGPU failed during the device probe (device lost)' });
    expect(probeFailedChoice('wasm', 'out of memory').ep).toBe('webgpu');
  });

  it('formatCount groups thousands without the host locale', () => {
    expect(formatCount(1234567.6)).toBe('1,234,568');
    expect(formatCount(999)).toBe('999');
  });
});

describe('createDeviceChoiceCache', () => {
  const nvidia = info('nvidia', 'ampere', '', 'RTX 3080');
  const choice = chooseMeasuredDevice({ webgpu: { prefillMs: 1, decodeMs: 20, decodeSteps: 8 }, wasm: { prefillMs: 1, decodeMs: 8, decodeSteps: 8 }, probeMs: 100 });

  it('returns a choice per (model, adapter), marked cached, and nothing for another model or adapter', () => {
    const cache = createDeviceChoiceCache();
    const key = deviceChoiceKey('models/router-nano-a0/onnx/model.onnx:4200000', nvidia);
    expect(cache.get(key)).toBeNull();
    cache.set(key, choice);
    expect(cache.get(key)).toMatchObject({ ep: 'wasm', rule: 'measured', cached: true, measured: choice.measured, reason: `${choice.reason} (cached)` });
    expect(cache.get(key)?.reason).toBe(cache.get(key)?.reason); // "(cached)" once, however often it is read
    expect(cache.get(deviceChoiceKey('models/router-nano-a08/onnx/model.onnx:4200000', nvidia))).toBeNull();
    expect(cache.get(deviceChoiceKey('models/router-nano-a0/onnx/model.onnx:4200000', info('intel', 'gen-12lp')))).toBeNull();
  });

  it('a choice set twice keeps the latest; a choice read back and stored again is not marked twice', () => {
    const cache = createDeviceChoiceCache();
    cache.set('k', choice);
    cache.set('k', largeModelChoice(200 * 2 ** 20));
    expect(cache.get('k')?.rule).toBe('large-model');
    cache.set('k', cache.get('k') ?? choice);
    expect(cache.get('k')?.reason.match(/\(cached\)/g)).toHaveLength(1);
  });
});
