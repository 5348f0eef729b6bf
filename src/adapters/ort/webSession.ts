/**
 * An onnxruntime-web session on the best device available, and the report of which one and why
 * (STYLE.md principle 9; DESIGN.md §3):
 *   preferred 'auto' | 'webgpu' → WebGPU when navigator.gpu gives an adapter, else wasm;
 *   'auto' on a software adapter (SwiftShader, llvmpipe…; core/policy/deviceChoice.ts) → wasm, with
 *   `auto` saying why; 'webgpu' uses it, with `softwareAdapter` saying it is one (the user asked);
 *   an fp16 model on an adapter without `shader-f16` → wasm (the report says why);
 *   a WebGPU session that fails to load → wasm, unless `requireGpu` (then it throws).
 * `disableCpuEpFallback` sets onnxruntime's `session.disable_cpu_ep_fallback`: loading fails when any
 * node would run on the CPU EP, which proves WebGPU placement.
 *
 * On WebGPU every output stays on the GPU (`preferredOutputLocation: 'gpu-buffer'`): the KV cache is fed
 * back without a round trip, and the caller downloads what it needs (kvCache.ts, ortLanguageModel.ts).
 * `run` is serialised (serialQueue.ts). The session keeps its source (and external data) so it can be
 * reopened on wasm after a device loss; for bytes that holds the model in memory as long as the session lives.
 *
 * A model past protobuf's 2 GiB keeps its weights in external data files (core/model/externalData.ts):
 * `externalData` hands them to onnxruntime-web, each under the `location` the .onnx file names.
 */
import { expandMatMulNBits } from '../../core/onnx/expandQ4';
import type { PolicyDeviceReport } from '../../core/engine';
import { softwareAdapterChoice, softwareAdapterEvidence, type AdapterDescription } from '../../core/policy/deviceChoice';
import { configureOrtEnvironment, type OrtEnvironmentOptions } from './ortEnvironment';
import { loadOrtBuild, type Ort, type OrtBuild, type OrtFeeds, type OrtResults, type OrtSession, type OrtSessionOptions, type OrtValueMetadata } from './ortRuntime';
import { createSerialQueue } from './serialQueue';

export type ExecutionProvider = OrtBuild;

export type AdapterInfo = AdapterDescription;

/** What the device panel shows: where the model runs and, when it is not WebGPU, why (core's PolicyDeviceReport, with this build's EP). */
export interface DeviceReport extends Omit<PolicyDeviceReport, 'ep'> {
  ep: ExecutionProvider;
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
  /**
   * wasm: expand 4-bit MatMulNBits layers to float32 at load (core/onnx/expandQ4.ts) when their float32
   * weights take at most this many bytes; 0 keeps them 4-bit. Default 256 MiB (folding needs ~5× that of
   * the 4 GiB wasm heap); if the expanded model fails to load, the model is loaded as it is.
   */
  maxExpandedQ4Bytes?: number;
  /** The model's external data files: `path` is the `location` written in the model (relative to the .onnx file). */
  externalData?: readonly ExternalDataFile[];
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
  /** The older place of the flag (before it moved to GPUAdapterInfo). */
  readonly isFallbackAdapter?: boolean;
}

export type ModelSource = Uint8Array | string;

/**
 * Measured in onnxruntime-web 1.30 wasm: expanding 399 MiB of float32 weights loads, 798 MiB runs out of
 * memory (constant folding keeps ~5 float32 copies until it finishes). 256 MiB leaves room for the rest.
 */
const DEFAULT_MAX_EXPANDED_Q4_BYTES = 256 * 2 ** 20;

export interface ExternalDataFile {
  path: string;
  data: Uint8Array;
}

/** The wasm32 heap's ceiling: weights, their copies while the session is built, and the KV cache share it. */
const WASM_MEMORY_BYTES = 4 * 2 ** 30;

export interface WebSession {
  readonly ort: Ort;
  readonly device: DeviceReport;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  /**
   * One run at a time per session; results are the caller's to dispose. `fetches` limits the outputs,
   * and onnxruntime then runs only the nodes they need (e.g. a training graph's forward without its backward).
   */
  run(feeds: OrtFeeds, fetches?: readonly string[]): Promise<OrtResults>;
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
  return { adapterInfo: describeAdapter(adapter), shaderF16: adapter.features.has('shader-f16'), unusable: null };
}

/** GPUAdapterInfo as plain data, `isFallbackAdapter` from the info or (older browsers) the adapter. */
export function describeAdapter(adapter: { readonly info?: Partial<AdapterInfo>; readonly isFallbackAdapter?: boolean }): AdapterInfo {
  const i = adapter.info ?? {};
  const fallback = i.isFallbackAdapter ?? adapter.isFallbackAdapter;
  return { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '', ...(fallback === undefined ? {} : { isFallbackAdapter: fallback }) };
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
  const software = probe.adapterInfo === null ? null : softwareAdapterEvidence(probe.adapterInfo);
  const known = { adapterInfo: probe.adapterInfo, shaderF16: probe.shaderF16, ...(software === null ? {} : { softwareAdapter: software }) };
  const fallBack = (reason: string): Promise<WebSession> => {
    if (o.requireGpu === true) fail(reason);
    o.onProgress?.({ type: 'device.fellBack', from: 'webgpu', to: 'wasm', reason });
    return open(source, 'wasm', { ...known, fallbackReason: reason }, o);
  };
  if (probe.unusable !== null) return fallBack(probe.unusable);
  // A software adapter runs WebGPU on the CPU, tens of times slower than wasm: 'auto' never takes it
  // (not a fallback: wasm is auto's choice, and `auto` says why).
  if (software !== null && probe.adapterInfo !== null && o.preferred === 'auto' && o.requireGpu !== true) {
    return open(source, 'wasm', { ...known, fallbackReason: null, auto: softwareAdapterChoice(probe.adapterInfo) }, o);
  }
  const f16Reason = 'the model computes in float16 and the adapter lacks shader-f16 (WebGPU would fail or miscompute); running on wasm';
  if (o.fp16 === true && probe.shaderF16 !== true) return fallBack(f16Reason);
  let gpuSession: WebSession;
  try {
    gpuSession = await open(source, 'webgpu', { ...known, fallbackReason: null }, o);
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
  const external = o.externalData ?? [];
  if (external.length > 0) options.externalData = external.map((f) => ({ path: f.path, data: f.data }));
  // wasm has no 4-bit kernel (MatMulNBits dequantises its weight on every run): expand at load when it fits.
  let model: ModelSource = source;
  let q4Layers: string | undefined;
  let q4ExpandedBytes = 0;
  if (ep === 'wasm' && typeof source !== 'string') {
    const limit = o.maxExpandedQ4Bytes ?? DEFAULT_MAX_EXPANDED_Q4_BYTES;
    const x = expandMatMulNBits(source, { maxExpandedBytes: limit });
    model = x.bytes;
    q4ExpandedBytes = x.expandedBytes;
    if (x.expanded > 0) q4Layers = `${x.expanded} 4-bit layers expanded to float32 for wasm (${(x.expandedBytes / 2 ** 20).toFixed(1)} MiB)${x.kept > 0 ? `, ${x.kept} kept 4-bit` : ''}`;
    else if (x.skipped !== null) q4Layers = `${x.kept} 4-bit layers kept 4-bit: ${x.skipped}${limit > 0 ? '' : ' (expansion off)'}; wasm dequantises them on every step`;
  }
  const create = (m: ModelSource): Promise<OrtSession> => (typeof m === 'string' ? ort.InferenceSession.create(m, options) : ort.InferenceSession.create(m, options));
  let session: OrtSession;
  try {
    session = await create(model);
  } catch (err) {
    if (model === source) throw new WebModelLoadError(loadFailureMessage(source, external, ep, messageOf(err)), { cause: err });
    // The expansion did not fit (onnxruntime's constant folding holds several float32 copies at once):
    // the model as it is still loads, 4-bit.
    try {
      session = await create(source);
    } catch (err2) {
      throw new WebModelLoadError(loadFailureMessage(source, external, ep, messageOf(err2)), { cause: err2 });
    }
    q4ExpandedBytes = 0;
    q4Layers = `4-bit layers kept 4-bit: expanding them to float32 failed (${messageOf(err)}); wasm dequantises them on every step`;
  }
  const device: DeviceReport = { ep, threads, ...probe, ...(q4Layers === undefined ? {} : { q4Layers }), ...(q4ExpandedBytes > 0 ? { q4ExpandedBytes } : {}) };
  o.onProgress?.({ type: 'session.ready', device });
  return wrap(ort, session, device, source, o);
}

/** What failed to load, how big it is, and (for a model near the wasm heap's ceiling) what to try instead. */
export function loadFailureMessage(source: ModelSource, external: readonly ExternalDataFile[], ep: ExecutionProvider, message: string): string {
  const dataBytes = external.reduce((n, f) => n + f.data.byteLength, 0);
  const size = typeof source === 'string' ? source : `${source.byteLength} bytes`;
  const files = external.length === 0 ? '' : ` + external data ${external.map((f) => `${f.path} (${f.data.byteLength} bytes)`).join(', ')}`;
  const totalBytes = (typeof source === 'string' ? 0 : source.byteLength) + dataBytes;
  const outOfMemory = /memory|alloc|oom|out of bounds|RangeError/i.test(message);
  const hint =
    ep === 'wasm' && (outOfMemory || totalBytes > WASM_MEMORY_BYTES / 2)
      ? ` The weights (${(totalBytes / 2 ** 30).toFixed(2)} GiB) probably do not fit in wasm memory (4 GiB at most, shared with the copies made while the session is built and the KV cache): use WebGPU, or a smaller model (e.g. the embedded router-nano policies or a 0.5B–1.5B checkpoint).`
      : '';
  return `onnxruntime-web (${ep}) could not load the model (${size}${files}): ${message.replace(/\.$/, '')}.${hint}`;
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
    run: (feeds, fetches) => queue.run(() => (fetches === undefined ? session.run(feeds) : session.run(feeds, [...fetches])) as Promise<OrtResults>),
    release: () =>
      queue.run(async () => {
        if (released) return;
        released = true;
        await session.release();
      }),
    async reopenOnWasm(reason) {
      await self.release().catch(() => undefined); // a lost device may refuse to release cleanly
      o.onProgress?.({ type: 'device.fellBack', from: device.ep, to: 'wasm', reason });
      const software = device.softwareAdapter === undefined ? {} : { softwareAdapter: device.softwareAdapter };
      return open(source, 'wasm', { adapterInfo: device.adapterInfo, shaderF16: device.shaderF16, ...software, fallbackReason: reason }, { ...o, preferred: 'wasm' });
    },
  };
  return self;
}
