/**
 * The training harness page: starts train.worker.ts (onnxruntime-web runs in a worker, as the app's
 * training will) and exposes `window.__trainHarness.bench(params)` to Playwright. Replies are matched
 * to requests by id; errors come back as data and are rethrown here with their name.
 */
import type { TrainBenchParams, TrainBenchResult, TrainHarness, TrainWorkerRequest, TrainWorkerResponse } from './train.protocol';

const worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' });
const pending = new Map<number, { resolve: (v: TrainBenchResult) => void; reject: (e: Error) => void }>();
let nextId = 0;

worker.onmessage = (e: MessageEvent<TrainWorkerResponse>) => {
  const p = pending.get(e.data.id);
  if (p === undefined) return;
  pending.delete(e.data.id);
  if (e.data.ok) p.resolve(e.data.result);
  else p.reject(Object.assign(new Error(e.data.message), { name: e.data.name }));
};

const harness: TrainHarness = {
  bench(params: TrainBenchParams): Promise<TrainBenchResult> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, params } satisfies TrainWorkerRequest);
    });
  },
};
(window as Window & { __trainHarness?: TrainHarness }).__trainHarness = harness;
document.title = 'training harness ready';
