/**
 * Linking the caller's AbortSignal with a per-attempt timeout.
 */

export interface AbortControllerLike {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

export function createAbortController(): AbortControllerLike {
  return new AbortController();
}

/** Starts a timer that calls `onFire` after `ms`; returns a function that cancels it. */
export type SetTimer = (ms: number, onFire: () => void) => () => void;

export interface LinkedAbort {
  /** Aborts when the parent aborts (with the parent's reason) or when the timeout fires. */
  readonly signal: AbortSignal;
  /** True once the timeout (not the parent) aborted the signal. */
  timedOut(): boolean;
  /** Stops the timer and unlinks the parent; call in `finally`. */
  dispose(): void;
}

export class TimeoutReason extends Error {
  override name = 'TimeoutError';
}

export function linkAbort(parent: AbortSignal | undefined, timeoutMs: number, setTimer: SetTimer): LinkedAbort {
  const controller = new AbortController();
  let fired = false;
  const onParentAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted === true) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  const cancelTimer = setTimer(timeoutMs, () => {
    fired = true;
    controller.abort(new TimeoutReason(`timed out after ${timeoutMs} ms`));
  });
  return {
    signal: controller.signal,
    timedOut: () => fired,
    dispose: () => {
      cancelTimer();
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}

/** A timer built on an abortable sleep, for hosts that inject only `sleep`. */
export function timerFromSleep(sleep: (ms: number, signal?: AbortSignal) => Promise<void>): SetTimer {
  return (ms, onFire) => {
    const stop = new AbortController();
    sleep(ms, stop.signal).then(
      () => {
        if (!stop.signal.aborted) onFire();
      },
      () => undefined,
    );
    return () => stop.abort();
  };
}
