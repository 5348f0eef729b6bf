/**
 * The harness worker: loads models with src/adapters/ort (createWebSession → createOrtLanguageModel)
 * and answers the methods of protocol.ts. Test-only; the app's engine worker is src/worker.
 */
import { createOrtLanguageModel } from '../../src/adapters/ort/ortLanguageModel';
import { createWebSession, type WebSessionOptions } from '../../src/adapters/ort/webSession';
import { measureThroughput } from '../../src/cli/bench/measureThroughput';
import type { HarnessMethods, ModelRef, SessionChoice, WorkerRequest, WorkerResponse } from './protocol';

const scope = self as unknown as { postMessage(m: WorkerResponse): void; onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null };

function source(m: ModelRef): Uint8Array | string {
  if ('url' in m) return new URL(m.url, location.href).href;
  const bin = atob(m.base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function options(s: SessionChoice): WebSessionOptions {
  const o: WebSessionOptions = { preferred: s.preferred };
  if (s.requireGpu !== undefined) o.requireGpu = s.requireGpu;
  if (s.disableCpuEpFallback !== undefined) o.disableCpuEpFallback = s.disableCpuEpFallback;
  if (s.numThreads !== undefined) o.env = { numThreads: s.numThreads };
  if (s.maxExpandedQ4Bytes !== undefined) o.maxExpandedQ4Bytes = s.maxExpandedQ4Bytes;
  return o;
}

type Handlers = { [M in keyof HarnessMethods]: (p: HarnessMethods[M]['params']) => Promise<HarnessMethods[M]['result']> };

const handlers: Handlers = {
  async env() {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    const hasWebGpu = gpu !== undefined && (await gpu.requestAdapter()) !== null;
    return { crossOriginIsolated: self.crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency, hasWebGpu };
  },
  async logits({ model, session, steps }) {
    const lm = createOrtLanguageModel(await createWebSession(source(model), options(session)), { eosTokenIds: [] });
    try {
      const rows: number[][] = [];
      for (const step of steps) {
        if ('feed' in step) rows.push(Array.from(await lm.forward(step.feed)));
        else await lm.truncate(step.truncate);
      }
      return { device: lm.device, rows };
    } finally {
      await lm.dispose();
    }
  },
  async load({ model, session }) {
    try {
      const s = await createWebSession(source(model), options(session));
      await s.release();
      return { ok: true, device: s.device };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return { ok: false, name: e.name, message: e.message };
    }
  },
  async bench({ model, session, options: opts }) {
    const t0 = performance.now();
    // Bytes, as the app's engine loads them (a URL session would skip the wasm load-time rewrites).
    const src = source(model);
    const bytes = typeof src === 'string' ? new Uint8Array(await (await fetch(src)).arrayBuffer()) : src;
    const lm = createOrtLanguageModel(await createWebSession(bytes, options(session)), { eosTokenIds: [] });
    const loadMs = performance.now() - t0;
    const log: string[] = [];
    try {
      const r = await measureThroughput(lm, { ...opts, now: () => performance.now(), log: (l) => log.push(l) });
      return { ...r, device: lm.device, loadMs, log };
    } finally {
      await lm.dispose();
    }
  },
};

scope.onmessage = (e) => {
  const { id, method, params } = e.data;
  const handler = handlers[method] as (p: unknown) => Promise<unknown>;
  handler(params).then(
    (result) => scope.postMessage({ id, ok: true, result }),
    (err: unknown) => {
      const x = err instanceof Error ? err : new Error(String(err));
      scope.postMessage({ id, ok: false, name: x.name, message: x.message });
    },
  );
};
