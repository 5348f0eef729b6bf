/**
 * The TrainSession port (core/learner/onnxLearner.ts) over onnxruntime-node: a training graph on the
 * CPU EP for the CLI and Node tests. Every tensor created or returned is disposed before returning;
 * outputs are copied out (owned by the caller).
 *
 * Determinism: with intraOpThreads 1 the same feeds give bitwise the same outputs (the tests rely on
 * it); more threads may reorder float sums.
 */
import * as ort from 'onnxruntime-node';
import type { OpenTrainSession, TrainSession } from '../../core/learner/onnxLearner';
import type { TensorFeed } from '../../core/learner/trainFeeds';
import { ModelLoadError } from './ortNode';

export interface NodeTrainSessionOptions {
  /** onnxruntime's intraOpNumThreads; default onnxruntime's choice (all cores). */
  intraOpThreads?: number;
}

function tensorOf(f: TensorFeed): ort.Tensor {
  return f.dtype === 'int64' ? new ort.Tensor('int64', f.data as BigInt64Array, f.dims) : new ort.Tensor('float32', f.data as Float32Array, f.dims);
}

export async function createNodeTrainSession(bytes: Uint8Array, o: NodeTrainSessionOptions = {}): Promise<TrainSession> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' };
  if (o.intraOpThreads !== undefined) options.intraOpNumThreads = o.intraOpThreads;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, options);
  } catch (err) {
    throw new ModelLoadError(`onnxruntime-node could not load the training graph (${bytes.byteLength} bytes): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  let queue: Promise<unknown> = Promise.resolve();
  return {
    run(feeds, fetches) {
      // One run at a time per session (the learner awaits each call; this guards direct users).
      const run = queue.then(async () => {
        const inputs = Object.fromEntries(feeds.map((f) => [f.name, tensorOf(f)]));
        let results: ort.InferenceSession.ReturnType | undefined;
        try {
          results = fetches === undefined ? await session.run(inputs) : await session.run(inputs, [...fetches]);
          return Object.fromEntries(Object.entries(results).map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)]));
        } finally {
          for (const t of Object.values(inputs)) t.dispose();
          for (const t of Object.values(results ?? {})) t.dispose();
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    release: () => session.release(),
  };
}

/** The learner's `open` over onnxruntime-node. */
export function nodeTrainSessions(o: NodeTrainSessionOptions = {}): OpenTrainSession {
  return (bytes) => createNodeTrainSession(bytes, o);
}
