/**
 * The browser's fetch, timers and clocks bound once as core's ports (STYLE.md principle 1): the only
 * place provider calls touch the global fetch. Used by the engine worker.
 */
import type { FetchLike, Sleep } from '../../core/index';

/** globalThis.fetch as core's FetchLike (a Response satisfies FetchResponseLike). */
export function createBrowserFetch(fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): FetchLike {
  return (url, init) => fetchFn(url, { method: init.method, headers: init.headers, body: init.body ?? null, signal: init.signal ?? null });
}

/** setTimeout as an abortable sleep: an abort ends the wait early with the signal's reason. */
export const browserSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
