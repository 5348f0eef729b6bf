/**
 * Configures a build's `env` before its first session (DESIGN.md §3):
 * - `wasmPaths` from Vite `?url` imports of the exact .wasm/.mjs files. Without it the runtime looks for
 *   them next to its own (bundled) URL, and threaded wasm hangs under Vite: the worker threads load the
 *   app chunk instead of the emscripten glue.
 * - threads only when cross-origin isolated (SharedArrayBuffer), at most 4: decode of a small model
 *   stops scaling beyond that, and the UI thread and the page need cores too.
 * - proxy off: the engine already runs in a Web Worker.
 * Node tests override `wasmPaths` with the package's dist folder.
 */
import type { Ort, OrtBuild } from './ortRuntime';
import wasmPlainUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import mjsPlainUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import wasmAsyncifyUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import mjsAsyncifyUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';

export interface OrtEnvironmentOptions {
  /** Override the files' location: a folder URL/path ending in '/', or exact files. */
  wasmPaths?: string | { wasm: string; mjs: string };
  /** Override the thread count (default: see threadCount()). */
  numThreads?: number;
}

interface HostInfo {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

/** crossOriginIsolated ? min(4, cores) : 1 — threads need SharedArrayBuffer. */
export function threadCount(host: HostInfo = globalThis as HostInfo): number {
  if (host.crossOriginIsolated !== true) return 1;
  return Math.max(1, Math.min(4, host.navigator?.hardwareConcurrency ?? 1));
}

/** The files each build loads (the WebGPU build ships the asyncify variant of the runtime). */
export function defaultWasmPaths(build: OrtBuild): { wasm: string; mjs: string } {
  return build === 'webgpu' ? { wasm: toAbsolute(wasmAsyncifyUrl), mjs: toAbsolute(mjsAsyncifyUrl) } : { wasm: toAbsolute(wasmPlainUrl), mjs: toAbsolute(mjsPlainUrl) };
}

/** `?url` gives a base-relative URL ('./assets/x.wasm' with base './'); the runtime needs an absolute one in a worker. */
function toAbsolute(url: string): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return base === undefined ? url : new URL(url, base).href;
}

/** Apply the options to `ort.env`; call before the build's first session (later changes are ignored by ORT). */
export function configureOrtEnvironment(ort: Ort, build: OrtBuild, o: OrtEnvironmentOptions = {}): { threads: number } {
  const threads = o.numThreads ?? threadCount();
  ort.env.wasm.wasmPaths = o.wasmPaths ?? defaultWasmPaths(build);
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  return { threads };
}
