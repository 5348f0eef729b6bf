/**
 * Evaluation runs on the worker side of the protocol: `eval.start` / `eval.resume` run
 * Engine.runEvaluation and keep each run's pause and cancel switches by run id, so `eval.pause` and
 * `eval.cancel` (separate calls, possibly from another tab of the UI's code) reach the right run. A
 * run's call being cancelled by the client (its AbortSignal) cancels the run too.
 *
 * Not for: building the run (the engine does) or keeping results (the UI does; the stream's last event,
 * eval.finished, carries the summary and the state to resume from).
 */
import type { Engine, EngineEvalRequest, EvalEvent } from '../core/index';

export class EvalAlreadyRunningError extends Error {
  override name = 'EvalAlreadyRunningError';
}

interface RunSwitches {
  pause: AbortController;
  cancel: AbortController;
}

export interface EvalRuntime {
  /** Streams the run's events; `signal` is the call's own cancel (the client stopped listening). */
  run(req: EngineEvalRequest, signal: AbortSignal): AsyncIterable<EvalEvent>;
  /** True when a run with this id was running (it will finish with status 'paused'). */
  pause(runId: string): boolean;
  /** True when a run with this id was running (it will finish with status 'cancelled'). */
  cancel(runId: string): boolean;
}

/**
 * Lets the worker read its messages between episodes. An offline-pool run resolves everything with
 * microtasks, so without this an eval.pause or a cancel would wait in the message queue until the run
 * ended. A macrotask per episode costs ~4 ms (timer clamping) against an episode's ~1 ms.
 */
const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export function createEvalRuntime(engine: Engine, yieldToHost: () => Promise<void> = macrotask): EvalRuntime {
  const runs = new Map<string, RunSwitches>();
  return {
    async *run(req, signal) {
      const runId = req.spec.id;
      if (runs.has(runId)) throw new EvalAlreadyRunningError(`The evaluation "${runId}" is already running; pause or cancel it first.`);
      const switches: RunSwitches = { pause: new AbortController(), cancel: new AbortController() };
      const onCallCancel = () => switches.cancel.abort(signal.reason);
      signal.addEventListener('abort', onCallCancel, { once: true });
      if (signal.aborted) onCallCancel();
      runs.set(runId, switches);
      try {
        for await (const e of engine.runEvaluation(req, { signal: switches.cancel.signal, pauseSignal: switches.pause.signal })) {
          yield e;
          if (e.type === 'eval.progress') await yieldToHost();
        }
      } finally {
        signal.removeEventListener('abort', onCallCancel);
        if (runs.get(runId) === switches) runs.delete(runId);
      }
    },
    pause(runId) {
      const r = runs.get(runId);
      r?.pause.abort();
      return r !== undefined;
    },
    cancel(runId) {
      const r = runs.get(runId);
      r?.cancel.abort(new Error('The evaluation was cancelled.'));
      return r !== undefined;
    },
  };
}
