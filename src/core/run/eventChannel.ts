/**
 * A push→pull event channel: a producer pushes events from callbacks and ends the stream with a result or
 * an error; one consumer pulls them with `for await`. The one bridge between callback code (a model's load
 * progress, a worker's replies, a policy's streamed tokens) and the async generators of events.
 *
 *   push(e)        buffered until pulled, in order; dropped once the stream has ended
 *   close(result)  the consumer gets the buffered events, then the end with `result`
 *   fail(error)    the consumer gets the buffered events, then `error` is thrown
 *   signal abort   a clean end at once: buffered events are dropped, nothing is thrown, the result is undefined
 *   consumer exit  `break` / `return` / a throw in the loop body ends it too
 *
 * Either early end (abort, consumer exit) runs `onCancel` once, and the consumer's exit waits for it, so the
 * producer is released and wound down when the loop has left. The first end wins; later ones are ignored.
 *
 * Backpressure-free: `push` never waits and never drops a live event (the buffer is unbounded; what a producer
 * pushes between two pulls is small: a round's tokens, one message). A producer that must run no further
 * ahead than its consumer awaits `pulled()`: a demand signal, not a buffer limit.
 *
 * Must not: serve more than one consumer, or use timers (core: it runs on promises alone).
 */

export interface EventChannel<E, R = void> extends AsyncIterable<E> {
  push(event: E): void;
  close(result: R): void;
  fail(error: unknown): void;
  /** True once the stream has ended (closed, failed, aborted, or the consumer left). */
  readonly ended: boolean;
  /**
   * Resolves true when the consumer waits on an empty buffer (it asks for more than was pushed), false once
   * the stream has ended. A producer that runs one step per pull awaits it before each step.
   */
  pulled(): Promise<boolean>;
  /** The stream's events; its return value is the close result (undefined when it ended early). */
  [Symbol.asyncIterator](): AsyncIterator<E, R | undefined>;
}

export interface EventChannelOptions {
  /** Its abort ends the stream cleanly (see the module comment). */
  signal?: AbortSignal;
  /** Runs once when the stream ends early (abort, or the consumer left first): stop the producer here. Its failure is ignored. */
  onCancel?: () => void | Promise<void>;
}

type End<R> = { kind: 'closed'; result: R } | { kind: 'failed'; error: unknown; thrown: boolean } | { kind: 'cancelled' };

interface Pull<E, R> {
  resolve(r: IteratorResult<E, R | undefined>): void;
  reject(err: unknown): void;
}

export function createEventChannel<E, R = void>(opts: EventChannelOptions = {}): EventChannel<E, R> {
  const buffer: E[] = [];
  const pulls: Pull<E, R>[] = [];
  let demand: ((more: boolean) => void)[] = [];
  let end: End<R> | null = null;
  let cancelling: Promise<void> | null = null;
  let iterated = false;

  const answerDemand = (more: boolean) => {
    const waiting = demand;
    demand = [];
    for (const d of waiting) d(more);
  };

  /** What a pull on an empty buffer gets once the stream has ended. */
  function ending(e: End<R>): Promise<IteratorResult<E, R | undefined>> {
    if (e.kind === 'failed' && !e.thrown) {
      e.thrown = true;
      return Promise.reject(e.error);
    }
    return Promise.resolve({ done: true, value: e.kind === 'closed' ? e.result : undefined });
  }

  function finish(e: End<R>): void {
    if (end !== null) return;
    end = e;
    opts.signal?.removeEventListener('abort', onAbort);
    if (e.kind === 'cancelled') buffer.length = 0;
    // Pulls wait only on an empty buffer, so each of them gets the end.
    for (const p of pulls.splice(0)) ending(e).then(p.resolve, p.reject);
    answerDemand(false);
  }

  function cancel(): Promise<void> {
    if (end === null) {
      finish({ kind: 'cancelled' });
      cancelling = Promise.resolve()
        .then(() => opts.onCancel?.())
        .catch(() => undefined);
    }
    return cancelling ?? Promise.resolve();
  }

  const onAbort = () => void cancel();
  if (opts.signal?.aborted === true) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const iterator: AsyncIterator<E, R | undefined> = {
    next() {
      if (buffer.length > 0) return Promise.resolve({ done: false, value: buffer.shift() as E });
      if (end !== null) return ending(end);
      return new Promise((resolve, reject) => {
        pulls.push({ resolve, reject });
        answerDemand(true);
      });
    },
    async return() {
      await cancel();
      return { done: true, value: undefined };
    },
  };

  return {
    push(event) {
      if (end !== null) return;
      const pull = pulls.shift();
      if (pull !== undefined) pull.resolve({ done: false, value: event });
      else buffer.push(event);
    },
    close: (result) => finish({ kind: 'closed', result }),
    fail: (error) => finish({ kind: 'failed', error, thrown: false }),
    get ended() {
      return end !== null;
    },
    pulled() {
      if (end !== null) return Promise.resolve(false);
      if (pulls.length > 0) return Promise.resolve(true);
      return new Promise((resolve) => demand.push(resolve));
    },
    [Symbol.asyncIterator]() {
      if (iterated) throw new Error('An event channel has one consumer; it is already being iterated.');
      iterated = true;
      return iterator;
    },
  };
}
