/**
 * The only module that imports onnxruntime-web (STYLE.md: adapters/ort). Two builds, loaded on demand:
 *   'webgpu'  onnxruntime-web/webgpu — the native WebGPU EP (+ wasm for CPU-only ops). It fails loudly
 *             where the JSEP build silently miscomputes fp16 without `shader-f16` (DESIGN.md §3).
 *   'wasm'    onnxruntime-web/wasm — the plain SIMD(+threads) build, smaller and faster on CPU than the
 *             asyncify build the WebGPU one ships with.
 * Each build carries its own `env`; ortEnvironment.ts configures the one it loads.
 *
 * Everything else in adapters/ort uses the types re-exported here, and runs sessions only through
 * webSession.ts, which serialises `session.run` (one run at a time per session).
 */
import type * as OrtModule from 'onnxruntime-web';

export type Ort = typeof OrtModule;
export type OrtTensor = OrtModule.Tensor;
export type OrtSession = OrtModule.InferenceSession;
export type OrtSessionOptions = OrtModule.InferenceSession.SessionOptions;
export type OrtValueMetadata = OrtModule.InferenceSession.ValueMetadata;
export type OrtFeeds = Record<string, OrtTensor>;
export type OrtResults = Record<string, OrtTensor>;

export type OrtBuild = 'webgpu' | 'wasm';

const loaded = new Map<OrtBuild, Promise<Ort>>();

/** The onnxruntime-web module of a build; imported once, on first use (keeps ORT out of the start-up path). */
export function loadOrtBuild(build: OrtBuild): Promise<Ort> {
  let m = loaded.get(build);
  if (m === undefined) {
    m = build === 'webgpu' ? (import('onnxruntime-web/webgpu') as Promise<Ort>) : (import('onnxruntime-web/wasm') as Promise<Ort>);
    loaded.set(build, m);
  }
  return m;
}
