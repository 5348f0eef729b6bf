/**
 * "auto"'s orchestration with fake sessions and injected timings: explicit choices open what was asked;
 * no adapter or a software one leaves the choice to webSession (no probe); a hardware adapter is probed
 * once per (model, adapter) — the faster backend is kept, the other released — and a reload reads the
 * cache and opens only the chosen backend; large models and failing backends are handled without a probe
 * or with the other backend.
 */
import { describe, expect, it } from 'vitest';
import { createDeviceChoiceCache, type AdapterDescription, type DecodeTiming } from '../core/index';
import type { DeviceReport, WebSession, WebSessionOptions } from '../adapters/ort/webSession';
import { openPolicySession, type AutoDeviceDeps } from './autoDevice';

const NVIDIA: AdapterDescription = { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'RTX 3080', isFallbackAdapter: false };
const SWIFTSHADER: AdapterDescription = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true };

interface Harness {
  deps: AutoDeviceDeps;
  opened: string[];
  released: string[];
  measured: string[];
}

/** Sessions whose ep is what they were opened with (auto/webgpu → webgpu), timed by `decodeMs[ep]`. */
function harness(adapter: AdapterDescription | null, decodeMs: { webgpu: number | Error; wasm: number | Error }, cache = createDeviceChoiceCache()): Harness {
  const h: Harness = { opened: [], released: [], measured: [], deps: undefined as unknown as AutoDeviceDeps };
  const open = async (_bytes: Uint8Array, o: WebSessionOptions): Promise<WebSession> => {
    const ep = o.preferred === 'wasm' || adapter === null ? 'wasm' : 'webgpu';
    h.opened.push(`${o.preferred}→${ep}`);
    const device: DeviceReport = { ep, adapterInfo: adapter, shaderF16: false, threads: 1, fallbackReason: null };
    return { device, release: async () => void h.released.push(ep) } as unknown as WebSession;
  };
  const measure = async (s: WebSession): Promise<DecodeTiming> => {
    h.measured.push(s.device.ep);
    const ms = decodeMs[s.device.ep as 'webgpu' | 'wasm'];
    if (ms instanceof Error) throw ms;
    return { prefillMs: 1, decodeMs: ms, decodeSteps: 8 };
  };
  let clock = 0;
  h.deps = { cache, now: () => (clock += 50), adapter: async () => adapter, open, measure };
  return h;
}

const req = (preferred: WebSessionOptions['preferred'], bytes = new Uint8Array(1000)) => ({ bytes, modelKey: 'models/router-nano-a0/onnx/model.onnx:1000', vocabSize: 272, session: { preferred } });

describe('openPolicySession', () => {
  it('explicit choices open exactly what was asked, with no probe', async () => {
    const h = harness(NVIDIA, { webgpu: 1, wasm: 100 });
    expect((await openPolicySession(req('wasm'), h.deps)).device.ep).toBe('wasm');
    expect((await openPolicySession(req('webgpu'), h.deps)).device).not.toHaveProperty('auto');
    expect(h.opened).toEqual(['wasm→wasm', 'webgpu→webgpu']);
    expect(h.measured).toEqual([]);
  });

  it('a software adapter (or none) is left to webSession: one open, never probed', async () => {
    for (const adapter of [SWIFTSHADER, null]) {
      const h = harness(adapter, { webgpu: 1, wasm: 100 });
      await openPolicySession(req('auto'), h.deps);
      expect(h.opened).toEqual([adapter === null ? 'auto→wasm' : 'auto→webgpu']); // the fake does not apply webSession's rule
      expect(h.measured).toEqual([]);
    }
  });

  it('a hardware adapter: both backends timed, the faster kept (wasm for a tiny model), the other released, the reason reported', async () => {
    const h = harness(NVIDIA, { webgpu: 26.7, wasm: 7.3 });
    const s = await openPolicySession(req('auto'), h.deps);
    expect(h.measured).toEqual(['webgpu', 'wasm']);
    expect(h.released).toEqual(['webgpu']);
    expect(s.device).toMatchObject({ ep: 'wasm', fallbackReason: null, auto: { ep: 'wasm', rule: 'measured', cached: false, reason: expect.stringMatching(/^auto: wasm — measured 1,096 vs 300 tok\/s on WebGPU/) } });
  });

  it('a GPU that is faster is kept, and the wasm session released', async () => {
    const h = harness(NVIDIA, { webgpu: 4, wasm: 400 });
    const s = await openPolicySession(req('auto'), h.deps);
    expect(s.device).toMatchObject({ ep: 'webgpu', auto: { rule: 'measured', measured: { webgpuTokensPerS: 2000, wasmTokensPerS: 20 } } });
    expect(h.released).toEqual(['wasm']);
  });

  it('a second load of the same model on the same adapter reads the cache: the chosen backend only, no probe', async () => {
    const cache = createDeviceChoiceCache();
    await openPolicySession(req('auto'), harness(NVIDIA, { webgpu: 26.7, wasm: 7.3 }, cache).deps);
    const again = harness(NVIDIA, { webgpu: 26.7, wasm: 7.3 }, cache);
    const s = await openPolicySession(req('auto'), again.deps);
    expect(again.opened).toEqual(['wasm→wasm']);
    expect(again.measured).toEqual([]);
    expect(s.device.auto).toMatchObject({ ep: 'wasm', cached: true, reason: expect.stringMatching(/\(cached\)$/) });
    // Another model is probed afresh.
    const other = harness(NVIDIA, { webgpu: 26.7, wasm: 7.3 }, cache);
    await openPolicySession({ ...req('auto'), modelKey: 'models/router-nano-a08/onnx/model.onnx:1000' }, other.deps);
    expect(other.measured).toEqual(['webgpu', 'wasm']);
  });

  it('a model too large to probe stays on the hardware GPU; a backend that fails the probe hands over to the other', async () => {
    const big = harness(NVIDIA, { webgpu: 1, wasm: 1 });
    const s = await openPolicySession(req('auto', new Uint8Array(129 * 2 ** 20)), big.deps);
    expect(s.device.auto).toMatchObject({ ep: 'webgpu', rule: 'large-model' });
    expect(big.measured).toEqual([]);

    const gpuFails = harness(NVIDIA, { webgpu: new Error('device lost'), wasm: 5 });
    const w = await openPolicySession(req('auto'), gpuFails.deps);
    expect(w.device).toMatchObject({ ep: 'wasm', auto: { rule: 'probe-failed', reason: expect.stringContaining('device lost') } });
    expect(gpuFails.released).toEqual(['webgpu']);

    const wasmFails = harness(NVIDIA, { webgpu: 5, wasm: new Error('out of memory') });
    const g = await openPolicySession(req('auto'), wasmFails.deps);
    expect(g.device).toMatchObject({ ep: 'webgpu', auto: { rule: 'probe-failed' } });
    expect(wasmFails.released).toEqual(['wasm']);
  });
});
