/**
 * The training harness worker: the benchmark procedure (src/cli/bench/trainThroughput.ts) over the
 * ONNX learner on onnxruntime-web wasm (src/adapters/ort/webTrainSession.ts). Test-only.
 */
import { createWebTrainSession, type WebTrainSession } from '../../src/adapters/ort/webTrainSession';
import { measureKernel, measureTrainThroughput, type KernelResult, type TrainThroughputResult } from '../../src/cli/bench/trainThroughput';
import type { TrainBenchResult, TrainWorkerRequest, TrainWorkerResponse } from './train.protocol';

const scope = self as unknown as { postMessage(m: TrainWorkerResponse): void; onmessage: ((e: MessageEvent<TrainWorkerRequest>) => void) | null; crossOriginIsolated: boolean };

async function bench(req: TrainWorkerRequest): Promise<TrainBenchResult> {
  const { models, kernels: cases, options, numThreads } = req.params;
  const log: string[] = [];
  const opened: WebTrainSession[] = [];
  const open = async (bytes: Uint8Array): Promise<WebTrainSession> => {
    const s = await createWebTrainSession(bytes, { preferred: 'wasm', env: { numThreads } });
    opened.push(s);
    return s;
  };
  const results: TrainThroughputResult[] = [];
  for (const m of models) results.push(await measureTrainThroughput(m, open, { ...options, now: () => performance.now(), log: (l) => log.push(l) }));
  const kernels: KernelResult[] = [];
  for (const c of cases ?? []) kernels.push(await measureKernel(c, open, { ...options, now: () => performance.now(), log: (l) => log.push(l) }));
  const device = opened.at(-1)?.session.device;
  return { results, kernels, device: { ep: device?.ep ?? 'wasm', threads: device?.threads ?? numThreads, crossOriginIsolated: scope.crossOriginIsolated }, log };
}

scope.onmessage = (e) => {
  bench(e.data).then(
    (result) => scope.postMessage({ id: e.data.id, ok: true, result }),
    (err: unknown) => {
      const x = err instanceof Error ? err : new Error(String(err));
      scope.postMessage({ id: e.data.id, ok: false, name: x.name, message: x.message });
    },
  );
};
