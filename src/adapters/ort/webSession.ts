/**
 * An onnxruntime-web session on the best device available, and the report of which one and why
 * (STYLE.md principle 9; DESIGN.md §3):
 *   preferred 'auto' | 'webgpu' → WebGPU when navigator.gpu gives an adapter, else wasm;
 *   an fp16 model on an adapter without `shader-f16` → wasm (the report says why);
 *   a WebGPU session that fails to load → wasm, unless `requireGpu` (then it throws).
 * `disableCpuEpFallback` sets onnxruntime's `session.disable_cpu_ep_fallback`: loading fails when any
 * node would run on the CPU EP, which proves WebGPU placement.
 *
 * On WebGPU every output stays on the GPU (`preferredOutputLocation: 'gpu-buffer'`): the KV cache is fed
 * back without a round trip, and the caller downloads what it needs (kvCache.ts, ortLanguageModel.ts).
 * `run` is serialised (serialQueue.ts). The session keeps its source so it can be reopened on wasm
 * after a device loss; for bytes that holds the model in memory as long as the session lives.
 */
import { configureOrtEnvironment, type OrtEnvironmentOptions } from './ortEnvironment';
import { loadOrtBuild, type Ort, type OrtBuild, type OrtFeeds, type OrtResults, type OrtSession, type OrtSessionOptions, type OrtValueMetadata } from './ortRuntime';
import { createSerialQueue } from './serialQueue';

export type ExecutionProvider = OrtBuild;

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** What the device panel shows: where the model runs and, when it is not WebGPU, why. */
export interface DeviceReport {
  ep: ExecutionProvider;
  /** null when no adapter was found (or wasm was asked for). */
  adapterInfo: AdapterInfo | null;
  /** Whether the adapter supports `shader-f16`; null without an adapter. */
  shaderF16: boolean | null;
  /** wasm threads (1 unless cross-origin isolated). */
  threads: number;
  /** Why this is not the preferred device; null when it is. */
  fallbackReason: string | null;
}

export type LoadProgress =
  | { type: 'runtime.loading'; build: OrtBuild }
  | { type: 'device.fellBack'; from: ExecutionProvider; to: ExecutionProvider; reason: string }
  | { type: 'session.ready'; device: DeviceReport };

export interface WebSessionOptions {
  preferred: 'webgpu' | 'wasm' | 'auto';
  /** Throw instead of falling back to wasm. */
  requireGpu?: boolean;
  /** Fail to load when any node would run on the CPU EP (proves GPU placement; WebGPU only). */
  disableCpuEpFallback?: boolean;
  /** The model computes in float16 (fp16/q4f16 exports); also detected from a float16 KV cache. */
  fp16?: boolean;
  env?: OrtEnvironmentOptions;
  /** navigator.gpu by default (injectable for tests). */
  gpu?: GpuLike | null;
  onProgress?: (e: LoadProgress) => void;
}

export interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}
interface AdapterLike {
  readonly features: { has(name: string): boolean };
  readonly info?: Partial<AdapterInfo>;
}

export type ModelSource = Uint8Array | string;

export interface WebSession {
  readonly ort: Ort;
  readonly device: DeviceReport;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  /** One run at a time per session; results are the caller's to dispose. */
  run(feeds: OrtFeeds): Promise<OrtResults>;
  release(): Promise<void>;
  /** The same model, on wasm (after a WebGPU device loss); this session is released. */
  reopenOnWasm(reason: string): Promise<WebSession>;
}

export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError';
}

export class WebModelLoadError extends Error {
  override name = 'WebModelLoadError';
}

interface Probe {
  adapterInfo: AdapterInfo | null;
  shaderF16: boolean | null;
  /** Why WebGPU cannot be used; null when it can. */
  unusable: string | null;
}

async function probeWebGpu(gpu: GpuLike | null | undefined): Promise<Probe> {
  if (gpu == null) return { adapterInfo: null, shaderF16: null, unusable: 'navigator.gpu is missing: this browser or context has no WebGPU' };
  let adapter: AdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (err) {
    return { adapterInfo: null, shaderF16: null, unusable: `requestAdapter() failed: ${messageOf(err)}` };
  }
  if (adapter === null) return { adapterInfo: null, shaderF16: null, unusable: 'navigator.gpu.requestAdapter() returned no adapter (WebGPU disabled or blocklisted)' };
  const i = adapter.info ?? {};
  const adapterInfo = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '' };
  return { adapterInfo, shaderF16: adapter.features.has('shader-f16'), unusable: null };
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const defaultGpu = (): GpuLike | null => (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu ?? null;
/** A float16 KV cache means the model computes in float16 (community q4f16/fp16 exports). */
const hasFloat16Kv = (meta: readonly OrtValueMetadata[]): boolean => meta.some((m) => m.isTensor && m.name.startsWith('past_key_values.') && m.type === 'float16');

export async function createWebSession(source: ModelSource, o: WebSessionOptions): Promise<WebSession> {
  const fail = (reason: string): never => {
    throw new WebGpuUnavailableError(`WebGPU was required but ${reason}. Enable WebGPU (chrome://flags, or --enable-unsafe-webgpu) or choose wasm.`);
  };
  if (o.preferred === 'wasm') return open(source, 'wasm', { adapterInfo: null, shaderF16: null, fallbackReason: null }, o);
  const probe = await probeWebGpu(o.gpu === undefined ? defaultGpu() : o.gpu);
  const fallBack = (reason: string): Promise<WebSession> => {
    if (o.requireGpu === true) fail(reason);
    o.onProgress?.({ type: 'device.fellBack', from: 'webgpu', to: 'wasm', reason });
    return open(source, 'wasm', { adapterInfo: probe.adapterInfo, shaderF16: probe.shaderF16, fallbackReason: reason }, o);
  };
  if (probe.unusable !== null) return fallBack(probe.unusable);
  const f16Reason = 'the model computes in float16 and the adapter lacks shader-f16 (WebGPU would fail or miscompute); running on wasm';
  if (o.fp16 === true && probe.shaderF16 !== true) return fallBack(f16Reason);
  let gpuSession: WebSession;
  try {
    gpuSession = await open(source, 'webgpu', { adapterInfo: probe.adapterInfo, shaderF16: probe.shaderF16, fallbackReason: null }, o);
  } catch (err) {
    if (o.requireGpu === true) throw err;
    return fallBack(`the WebGPU session failed to load (${messageOf(err)})`);
  }
  if (probe.shaderF16 !== true && hasFloat16Kv(gpuSession.inputMetadata)) {
    await gpuSession.release();
    return fallBack(f16Reason);
  }
  return gpuSession;
}

async function open(source: ModelSource, ep: ExecutionProvider, probe: Omit<DeviceReport, 'ep' | 'threads'>, o: WebSessionOptions): Promise<WebSession> {
  o.onProgress?.({ type: 'runtime.loading', build: ep });
  const ort = await loadOrtBuild(ep);
  const { threads } = configureOrtEnvironment(ort, ep, o.env);
  // logSeverityLevel 3 (errors only): onnxruntime-web prints warnings through console.error, e.g. that
  // shape ops run on the CPU by design, which would read as failures in the app's console.
  const options: OrtSessionOptions = { executionProviders: [ep], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  if (ep === 'webgpu') {
    options.preferredOutputLocation = 'gpu-buffer';
    if (o.disableCpuEpFallback === true) options.extra = { session: { disable_cpu_ep_fallback: '1' } };
  }
  let session: OrtSession;
  try {
    session = typeof source === 'string' ? await ort.InferenceSession.create(source, options) : await ort.InferenceSession.create(source, options);
  } catch (err) {
    const size = typeof source === 'string' ? source : `${source.byteLength} bytes`;
    throw new WebModelLoadError(`onnxruntime-web (${ep}) could not load the model (${size}): ${messageOf(err)}`, { cause: err });
  }
  const device: DeviceReport = { ep, threads, ...probe };
  o.onProgress?.({ type: 'session.ready', device });
  return wrap(ort, session, device, source, o);
}

function wrap(ort: Ort, session: OrtSession, device: DeviceReport, source: ModelSource, o: WebSessionOptions): WebSession {
  const queue = createSerialQueue();
  let released = false;
  const self: WebSession = {
    ort,
    device,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata,
    outputMetadata: session.outputMetadata,
    run: (feeds) => queue.run(() => session.run(feeds) as Promise<OrtResults>),
    release: () =>
      queue.run(async () => {
        if (released) return;
        released = true;
        await session.release();
      }),
    async reopenOnWasm(reason) {
      await self.release().catch(() => undefined); // a lost device may refuse to release cleanly
      o.onProgress?.({ type: 'device.fellBack', from: device.ep, to: 'wasm', reason });
      return open(source, 'wasm', { adapterInfo: device.adapterInfo, shaderF16: device.shaderF16, fallbackReason: reason }, { ...o, preferred: 'wasm' });
    },
  };
  return self;
}
