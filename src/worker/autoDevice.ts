/**
 * The policy's session under a device preference, with "auto" made real: a software
 * adapter is never taken (webSession.ts applies core's rule), and on a hardware adapter both backends
 * are timed on a few decode steps (adapters/ort/decodeProbe.ts) and the faster one is kept
 * (core/policy/deviceChoice.ts), cached per (model, adapter) for the worker's life. The choice and its
 * reason ride on the session's device report (`auto`), which the device panel shows.
 *
 * Cost of a probe: one extra wasm load of the model and 2 × (16-token prefill + ~10 steps) per backend;
 * skipped for models past PROBE_MAX_MODEL_BYTES and on a cache hit (which opens only the chosen backend).
 *
 * Not for: the explicit choices ('webgpu' / 'wasm' open exactly what was asked) or the decision rule.
 */
import { chooseMeasuredDevice, deviceChoiceKey, isSoftwareAdapter, largeModelChoice, probeFailedChoice, shouldProbe, type AdapterDescription, type AutoDeviceChoice, type DecodeTiming, type DeviceChoiceCache } from '../core/index';
import { measureDecode, type DecodeProbeOptions } from '../adapters/ort/decodeProbe';
import { createWebSession, type WebSession, type WebSessionOptions } from '../adapters/ort/webSession';

export interface AutoDeviceDeps {
  cache: DeviceChoiceCache;
  /** Monotonic ms (performance.now). */
  now: () => number;
  /** The WebGPU adapter's description, or null without one (deviceProbe.ts in the worker). */
  adapter: () => Promise<AdapterDescription | null>;
  /** Injectable for tests: createWebSession and measureDecode by default. */
  open?: (bytes: Uint8Array, o: WebSessionOptions) => Promise<WebSession>;
  measure?: (session: WebSession, o: DecodeProbeOptions) => Promise<DecodeTiming>;
}

export interface PolicySessionRequest {
  bytes: Uint8Array;
  /** The model for the cache: folder location, ONNX file and size. */
  modelKey: string;
  vocabSize: number;
  session: WebSessionOptions;
  signal?: AbortSignal;
}

export async function openPolicySession(req: PolicySessionRequest, deps: AutoDeviceDeps): Promise<WebSession> {
  const open = deps.open ?? createWebSession;
  if (req.session.preferred !== 'auto') return open(req.bytes, req.session);
  // No adapter, or a software one: webSession decides (wasm, with the reason in the report).
  const adapter = await deps.adapter();
  if (adapter === null || isSoftwareAdapter(adapter)) return open(req.bytes, req.session);
  const key = deviceChoiceKey(req.modelKey, adapter);
  const cached = deps.cache.get(key);
  if (cached !== null) return withChoice(await open(req.bytes, { ...req.session, preferred: cached.ep === 'wasm' ? 'wasm' : 'auto' }), cached);
  const first = await open(req.bytes, req.session);
  if (first.device.ep !== 'webgpu') return first; // fell back (fp16 without shader-f16, load failure): the report says why
  const choice = shouldProbe(req.bytes.byteLength) ? null : largeModelChoice(req.bytes.byteLength);
  if (choice !== null) {
    deps.cache.set(key, choice);
    return withChoice(first, choice);
  }
  return probeBoth(first, req, deps, key);
}

/** Times `gpu` and a fresh wasm session of the same model; keeps the faster, releases the other. */
async function probeBoth(gpu: WebSession, req: PolicySessionRequest, deps: AutoDeviceDeps, key: string): Promise<WebSession> {
  const open = deps.open ?? createWebSession;
  const measure = deps.measure ?? measureDecode;
  const probe: DecodeProbeOptions = { vocabSize: req.vocabSize, now: deps.now, ...(req.signal === undefined ? {} : { signal: req.signal }) };
  const t0 = deps.now();
  let gpuTiming: DecodeTiming;
  try {
    gpuTiming = await measure(gpu, probe);
  } catch (err) {
    await gpu.release().catch(() => undefined);
    req.signal?.throwIfAborted();
    return settle(await open(req.bytes, { ...req.session, preferred: 'wasm' }), probeFailedChoice('webgpu', messageOf(err)), deps, key);
  }
  let wasm: WebSession;
  let wasmTiming: DecodeTiming;
  try {
    wasm = await open(req.bytes, { ...req.session, preferred: 'wasm' });
  } catch (err) {
    return settle(gpu, probeFailedChoice('wasm', messageOf(err)), deps, key);
  }
  try {
    wasmTiming = await measure(wasm, probe);
  } catch (err) {
    await wasm.release().catch(() => undefined);
    if (req.signal?.aborted === true) {
      await gpu.release().catch(() => undefined);
      req.signal.throwIfAborted();
    }
    return settle(gpu, probeFailedChoice('wasm', messageOf(err)), deps, key);
  }
  const choice = chooseMeasuredDevice({ webgpu: gpuTiming, wasm: wasmTiming, probeMs: deps.now() - t0 });
  const [keep, drop] = choice.ep === 'webgpu' ? [gpu, wasm] : [wasm, gpu];
  await drop.release();
  return settle(keep, choice, deps, key);
}

function settle(session: WebSession, choice: AutoDeviceChoice, deps: AutoDeviceDeps, key: string): WebSession {
  deps.cache.set(key, choice);
  return withChoice(session, choice);
}

/** The same session, its device report carrying auto's choice (when the session is on the chosen backend). */
function withChoice(session: WebSession, choice: AutoDeviceChoice): WebSession {
  if (session.device.ep !== choice.ep) return session; // a fallback happened after all: its reason stands
  return { ...session, device: { ...session.device, auto: choice } };
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
