/**
 * The runtime harness page: starts runtimeWorker.ts (onnxruntime-web runs in a worker, as in the app)
 * and exposes `window.__runtimeHarness.call(method, params)` to Playwright. Requests are matched to
 * replies by id; errors come back as data and are rethrown here with their name.
 */
import type { HarnessMethod, HarnessMethods, RuntimeHarness, WorkerRequest, WorkerResponse } from './protocol';

const worker = new Worker(new URL('./runtimeWorker.ts', import.meta.url), { type: 'module' });
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 0;

worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
  const p = pending.get(e.data.id);
  if (p === undefined) return;
  pending.delete(e.data.id);
  if (e.data.ok) p.resolve(e.data.result);
  else p.reject(Object.assign(new Error(e.data.message), { name: e.data.name }));
};

const harness: RuntimeHarness = {
  call<M extends HarnessMethod>(method: M, params: HarnessMethods[M]['params']): Promise<HarnessMethods[M]['result']> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, method, params } as WorkerRequest);
    });
  },
};
window.__runtimeHarness = harness;
document.title = 'runtime harness ready';
