/**
 * The TrainSession port (core/learner/onnxLearner.ts) over onnxruntime-web: the training graph in the
 * browser worker, on WebGPU when available, else wasm (webSession.ts picks and reports the device).
 * Runs are serialised by webSession. Every output is downloaded and copied (on WebGPU the outputs are
 * gpu-buffers: `getData()` below is the GPU→CPU sync point, once per output per run — the gradients
 * must reach the TypeScript optimizer anyway), then disposed.
 *
 * WebGPU: onnxruntime places ops without a WebGPU kernel on the CPU EP (e.g. the integer shape ops and
 * the Range/Equal one-hot); results stay correct, only slower. wasm runs every op.
 */
import type { OpenTrainSession, TrainSession } from '../../core/learner/onnxLearner';
import type { TensorFeed } from '../../core/learner/trainFeeds';
import type { OrtFeeds, OrtResults } from './ortRuntime';
import { createWebSession, type WebSession, type WebSessionOptions } from './webSession';

export interface WebTrainSession extends TrainSession {
  readonly session: WebSession;
}

export async function createWebTrainSession(bytes: Uint8Array, o: WebSessionOptions): Promise<WebTrainSession> {
  const session = await createWebSession(bytes, o);
  const T = session.ort.Tensor;
  const tensorOf = (f: TensorFeed) => (f.dtype === 'int64' ? new T('int64', f.data as BigInt64Array, f.dims) : new T('float32', f.data as Float32Array, f.dims));
  return {
    session,
    async run(feeds, fetches) {
      const inputs: OrtFeeds = Object.fromEntries(feeds.map((f) => [f.name, tensorOf(f)]));
      let results: OrtResults | undefined;
      try {
        // Fetching a subset prunes the graph (log-probs only: no backward), as on onnxruntime-node.
        results = await session.run(inputs, fetches);
        const out: Record<string, Float32Array> = {};
        for (const [name, t] of Object.entries(results)) {
          out[name] = Float32Array.from((await t.getData()) as Float32Array); // GPU→CPU sync point on WebGPU
        }
        return out;
      } finally {
        for (const t of Object.values(inputs)) t.dispose();
        for (const t of Object.values(results ?? {})) t.dispose();
      }
    },
    release: () => session.release(),
  };
}

/** The learner's `open` over onnxruntime-web. */
export function webTrainSessions(o: WebSessionOptions): OpenTrainSession {
  return (bytes) => createWebTrainSession(bytes, o);
}
