/**
 * Test support: run a raw ONNX graph (bytes) on onnxruntime-node's CPU EP or on onnxruntime-web's wasm
 * backend in Node, one thread, with plain typed-array feeds and outputs copied out (every tensor disposed).
 * For graph-level tests (training graphs, autodiff); models with a decoder interface go through the real
 * adapters (adapters/node/nodeLanguageModel.ts, adapters/ort). Only tests import src/testing.
 */
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createWebSession } from '../adapters/ort/webSession';
import type { TensorFeed } from '../core/learner/trainFeeds';

export type Outputs = Record<string, Float32Array>;
export interface Runner {
  run(feeds: TensorFeed[]): Promise<Outputs>;
  release(): Promise<void>;
}

/** A Runner over any onnxruntime binding: feeds wrapped with its Tensor, outputs copied to Float32Arrays, every tensor disposed. */
function runnerOver<T extends { dispose(): void; data: unknown }>(
  run: (feeds: Record<string, T>) => Promise<Record<string, T>>,
  tensor: (f: TensorFeed) => T,
  release: () => Promise<void>,
): Runner {
  return {
    async run(feeds) {
      const tensors = Object.fromEntries(feeds.map((f) => [f.name, tensor(f)]));
      const out = await run(tensors);
      try {
        return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)]));
      } finally {
        for (const t of [...Object.values(tensors), ...Object.values(out)]) t.dispose();
      }
    },
    release,
  };
}

export async function nodeRunner(bytes: Uint8Array): Promise<Runner> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  return runnerOver<ort.Tensor>((t) => session.run(t), (f) => new ort.Tensor(f.dtype, f.data, f.dims), () => session.release());
}

const wasmEnv = { wasmPaths: fileURLToPath(new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url)), numThreads: 1 };
export async function wasmRunner(bytes: Uint8Array): Promise<Runner> {
  const session = await createWebSession(bytes, { preferred: 'wasm', env: wasmEnv });
  const T = session.ort.Tensor;
  return runnerOver<InstanceType<typeof T>>(
    (t) => session.run(t),
    (f) => (f.dtype === 'int64' ? new T('int64', f.data as BigInt64Array, f.dims) : new T('float32', f.data as Float32Array, f.dims)),
    () => session.release(),
  );
}
