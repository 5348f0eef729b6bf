/**
 * One task at a time, in call order (transformers.js serialises `session.run`): onnxruntime-web
 * sessions are not re-entrant — two overlapping runs on one session corrupt its IO binding on WebGPU
 * and throw "another run is in progress" on wasm. A failed task does not block the ones after it.
 */
export interface SerialQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks queued or running. */
  readonly pending: number;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      pending++;
      const result = tail.then(task).finally(() => void pending--);
      tail = result.catch(() => undefined);
      return result;
    },
    get pending() {
      return pending;
    },
  };
}
