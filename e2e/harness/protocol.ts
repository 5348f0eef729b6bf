/**
 * Messages between the runtime harness page (runtime.ts), its worker (runtimeWorker.ts), the e2e spec
 * (e2e/specs/runtime.spec.ts) and the benchmark (src/cli/bench). Plain data: they cross postMessage and
 * page.evaluate unchanged. Type-only; nothing here runs.
 */
import type { DeviceReport } from '../../src/adapters/ort/webSession';
import type { ThroughputOptions, ThroughputResult } from '../../src/cli/bench/measureThroughput';

/** Model bytes as base64 (page.evaluate carries strings well) or a same-origin URL. */
export type ModelRef = { base64: string } | { url: string };

export interface SessionChoice {
  preferred: 'webgpu' | 'wasm' | 'auto';
  requireGpu?: boolean;
  disableCpuEpFallback?: boolean;
  numThreads?: number;
  /** WebSessionOptions.maxExpandedQ4Bytes (wasm: expand 4-bit layers to float32 up to this size). */
  maxExpandedQ4Bytes?: number;
}

export type LogitsStep = { feed: number[] } | { truncate: number };

export interface HarnessMethods {
  env: { params: Record<string, never>; result: { crossOriginIsolated: boolean; hardwareConcurrency: number; hasWebGpu: boolean } };
  /** Load a model, run the steps through the LanguageModel port; the logits of each feed (last position). */
  logits: { params: { model: ModelRef; session: SessionChoice; steps: LogitsStep[] }; result: { device: DeviceReport; rows: number[][] } };
  /** Try to load; never throws. */
  load: { params: { model: ModelRef; session: SessionChoice }; result: { ok: true; device: DeviceReport } | { ok: false; name: string; message: string } };
  bench: { params: { model: ModelRef; session: SessionChoice; options: Omit<ThroughputOptions, 'now' | 'log'> }; result: ThroughputResult & { device: DeviceReport; loadMs: number; log: string[] } };
}

export type HarnessMethod = keyof HarnessMethods;

export type WorkerRequest = { [M in HarnessMethod]: { id: number; method: M; params: HarnessMethods[M]['params'] } }[HarnessMethod];
export type WorkerResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; name: string; message: string };

/** Installed on window by runtime.ts. */
export interface RuntimeHarness {
  call<M extends HarnessMethod>(method: M, params: HarnessMethods[M]['params']): Promise<HarnessMethods[M]['result']>;
}

declare global {
  interface Window {
    __runtimeHarness?: RuntimeHarness;
  }
}
