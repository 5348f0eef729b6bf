/**
 * How the "auto" device preference chooses between WebGPU and wasm, as pure rules:
 *   1. never a software adapter: SwiftShader, llvmpipe, lavapipe, WARP ("Microsoft Basic Render
 *      Driver") or anything the browser flags `isFallbackAdapter` runs WebGPU on the CPU, tens of times
 *      slower than wasm (SwiftShader: a sample episode took 74 s against 2.8 s on wasm);
 *   2. on a hardware adapter, the faster of the two by a short measured probe (a few decode steps each,
 *      timed by the host), cached per (model, adapter) for the session: a 1 M-parameter policy may well be
 *      faster on wasm than on a real GPU, where each step pays dispatch and GPU→CPU sync costs;
 *   3. a model too large to hold twice (or too large for wasm to be a contender) is not probed: WebGPU.
 * The reason is formatted here, for the device panel.
 *
 * Not for: opening sessions or timing them (adapters/ort/decodeProbe.ts, worker/autoDevice.ts), nor the
 * explicit choices ('webgpu' uses a software adapter when asked; the report says it is one).
 */

/** What WebGPU says about an adapter (GPUAdapterInfo, plus `isFallbackAdapter` where the browser has it). */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** GPUAdapterInfo.isFallbackAdapter (or the older GPUAdapter.isFallbackAdapter); absent when not reported. */
  isFallbackAdapter?: boolean;
}

/** Why "auto" chose the device it did (absent from a report for an explicit choice or a plain fallback). */
export type AutoDeviceRule = 'software-adapter' | 'measured' | 'probe-failed' | 'large-model';

export interface AutoDeviceChoice {
  ep: 'webgpu' | 'wasm';
  rule: AutoDeviceRule;
  /** For the device panel, e.g. "auto: wasm — WebGPU is a software adapter (google · swiftshader)". */
  reason: string;
  /** Decode tokens per second of each backend and what the whole probe cost (both loads included). */
  measured?: { webgpuTokensPerS: number; wasmTokensPerS: number; probeMs: number };
  /** True when the choice came from this session's cache: no probe ran for this load. */
  cached: boolean;
}

/** One backend's timed run: a short prefill, then `decodeSteps` single-token forwards. */
export interface DecodeTiming {
  prefillMs: number;
  /** All decode steps together. */
  decodeMs: number;
  decodeSteps: number;
  /** Each step's time, when the host recorded them: the rate then comes from their median. */
  stepMs?: readonly number[];
}

/**
 * Names of CPU rasterisers that expose WebGPU: Chromium's SwiftShader (vendor "google", architecture
 * "swiftshader"), Mesa's llvmpipe / lavapipe / softpipe (Vulkan or GL on Linux), Windows' WARP ("Microsoft
 * Basic Render Driver"), and descriptions that say so ("… software rasterizer", "CPU adapter").
 */
const SOFTWARE_NAMES: readonly RegExp[] = [/swiftshader/i, /llvmpipe/i, /lavapipe/i, /softpipe/i, /basic render driver/i, /\bwarp\b/i, /\bsoftware\b/i, /\bcpu (adapter|device)\b/i];

/** Above this many bytes of weights the probe is skipped (holding the model twice, once on wasm, costs too much). */
export const PROBE_MAX_MODEL_BYTES = 128 * 2 ** 20;

/** "google · swiftshader": the adapter's non-empty names, as the device panel shows them. */
export function adapterLabel(a: AdapterDescription): string {
  return [a.vendor, a.architecture, a.device, a.description].filter((x) => x !== '').filter((x, i, all) => all.indexOf(x) === i).join(' · ') || 'an unnamed adapter';
}

/** Why this adapter is a software one (its label, or that the browser flags it), or null for hardware. */
export function softwareAdapterEvidence(a: AdapterDescription): string | null {
  const names = [a.vendor, a.architecture, a.device, a.description];
  if (names.some((n) => SOFTWARE_NAMES.some((re) => re.test(n)))) return adapterLabel(a);
  if (a.isFallbackAdapter === true) return `${adapterLabel(a)}, flagged isFallbackAdapter`;
  return null;
}

export function isSoftwareAdapter(a: AdapterDescription): boolean {
  return softwareAdapterEvidence(a) !== null;
}

/** Rule 1: "auto" on a software adapter runs on wasm, without probing. */
export function softwareAdapterChoice(a: AdapterDescription): AutoDeviceChoice {
  return { ep: 'wasm', rule: 'software-adapter', reason: `auto: wasm — WebGPU is a software adapter (${softwareAdapterEvidence(a) ?? adapterLabel(a)})`, cached: false };
}

/** Rule 3: a model past PROBE_MAX_MODEL_BYTES stays on the (hardware) GPU unprobed. */
export function largeModelChoice(modelBytes: number): AutoDeviceChoice {
  return { ep: 'webgpu', rule: 'large-model', reason: `auto: webgpu — hardware adapter; the model (${formatMiB(modelBytes)}) is too large to probe wasm as well`, cached: false };
}

/** One backend failed during the probe (a run threw): the other one, saying why. */
export function probeFailedChoice(failed: 'webgpu' | 'wasm', message: string): AutoDeviceChoice {
  const ep = failed === 'webgpu' ? 'wasm' : 'webgpu';
  return { ep, rule: 'probe-failed', reason: `auto: ${ep} — ${failed === 'webgpu' ? 'WebGPU' : 'wasm'} failed during the device probe (${message})`, cached: false };
}

export function shouldProbe(modelBytes: number): boolean {
  return modelBytes <= PROBE_MAX_MODEL_BYTES;
}

/**
 * Decode tokens per second: 1000 / median step ms when the steps were recorded (one stall — a GC, another
 * process on a shared CPU — does not decide), else steps / total. A timer too coarse to see a step counts as 1 µs.
 */
export function decodeTokensPerS(t: DecodeTiming): number {
  if (t.stepMs !== undefined && t.stepMs.length > 0) return 1000 / Math.max(median(t.stepMs), 1e-3);
  return (t.decodeSteps * 1000) / Math.max(t.decodeMs, 1e-3);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/**
 * Rule 2: the backend with more decode tokens/s (generation is decode-bound: a round prefills once and
 * decodes hundreds of tokens). A tie goes to wasm: it holds no GPU memory and has no device-loss path.
 */
export function chooseMeasuredDevice(m: { webgpu: DecodeTiming; wasm: DecodeTiming; probeMs: number }): AutoDeviceChoice {
  const webgpuTokensPerS = decodeTokensPerS(m.webgpu);
  const wasmTokensPerS = decodeTokensPerS(m.wasm);
  const ep = webgpuTokensPerS > wasmTokensPerS ? 'webgpu' : 'wasm';
  const [mine, other] = ep === 'webgpu' ? [webgpuTokensPerS, wasmTokensPerS] : [wasmTokensPerS, webgpuTokensPerS];
  const otherName = ep === 'webgpu' ? 'wasm' : 'WebGPU';
  return {
    ep,
    rule: 'measured',
    reason: `auto: ${ep} — measured ${formatCount(mine)} vs ${formatCount(other)} tok/s on ${otherName} (${m.webgpu.decodeSteps} decode steps each, probe ${formatCount(m.probeMs)} ms)`,
    measured: { webgpuTokensPerS, wasmTokensPerS, probeMs: m.probeMs },
    cached: false,
  };
}

/** The cache key of a choice: the model (folder, file, size) and the adapter it was measured on. */
export function deviceChoiceKey(modelKey: string, adapter: AdapterDescription): string {
  return `${modelKey}|${adapter.vendor}|${adapter.architecture}|${adapter.device}|${adapter.description}`;
}

/** Choices already made this session (in memory): a reload of the same model on the same adapter probes nothing. */
export interface DeviceChoiceCache {
  get(key: string): AutoDeviceChoice | null;
  set(key: string, choice: AutoDeviceChoice): void;
}

export function createDeviceChoiceCache(): DeviceChoiceCache {
  const choices = new Map<string, AutoDeviceChoice>();
  return {
    get(key) {
      const c = choices.get(key);
      return c === undefined ? null : { ...c, cached: true, reason: c.reason.endsWith('(cached)') ? c.reason : `${c.reason} (cached)` };
    },
    set: (key, choice) => void choices.set(key, { ...choice, cached: false }),
  };
}

/** 1234.5 → "1,235" (locale-independent: core has no Intl guarantees across hosts). */
export function formatCount(x: number): string {
  return Math.round(x).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const formatMiB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
