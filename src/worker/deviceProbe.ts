/**
 * What the browser offers for the policy before a model is loaded: WebGPU (an adapter, its info and
 * `shader-f16`, or why not), cross-origin isolation (wasm threads) and the core count. Run in the worker,
 * because that is where sessions are created (a worker's navigator.gpu may differ from the page's).
 */
import type { AdapterDescription, DeviceInfo } from '../core/index';
import { describeAdapter } from '../adapters/ort/webSession';

interface GpuAdapterLike {
  readonly features: { has(name: string): boolean };
  readonly info?: Partial<AdapterDescription>;
  readonly isFallbackAdapter?: boolean;
}

/** The WebGPU adapter's description, or null without one ("auto"'s measured choice is keyed by it). */
export async function probeAdapter(): Promise<AdapterDescription | null> {
  const d = await probeDevice();
  return d.webgpu.available ? d.webgpu.adapterInfo : null;
}

export async function probeDevice(): Promise<Omit<DeviceInfo, 'loaded'>> {
  const nav = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> }; hardwareConcurrency?: number } }).navigator;
  const base = { crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true, hardwareConcurrency: nav?.hardwareConcurrency ?? 1 };
  const none = (reason: string): Omit<DeviceInfo, 'loaded'> => ({ ...base, webgpu: { available: false, reason, adapterInfo: null, shaderF16: null } });
  if (nav?.gpu == null) return none('navigator.gpu is missing: this browser or context has no WebGPU');
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await nav.gpu.requestAdapter();
  } catch (err) {
    return none(`requestAdapter() failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (adapter === null) return none('navigator.gpu.requestAdapter() returned no adapter (WebGPU disabled or blocklisted)');
  return { ...base, webgpu: { available: true, reason: null, adapterInfo: describeAdapter(adapter), shaderF16: adapter.features.has('shader-f16') } };
}
