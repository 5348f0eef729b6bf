/**
 * Retries with exponential backoff for the failures a retry can fix (429, 5xx, timeouts, network):
 *   delay_k = min(maxDelayMs, baseDelayMs · 2^(k−1)) · (1 − jitter + jitter · u),  u ~ rng() in [0, 1)
 * A Retry-After from the provider replaces the computed delay, capped at maxRetryAfterMs. Without an
 * rng the delays are deterministic (u = 1). An abort during a wait stops at once with the abort reason.
 */
import type { Sleep } from './fetchPort';

export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** First backoff (default 500 ms), doubled per retry up to maxDelayMs (default 8 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The longest Retry-After honoured (default 30 s); longer requests wait this long. */
  maxRetryAfterMs?: number;
  /** Share of the delay that is random (default 0.5); needs rng. */
  jitter?: number;
  rng?: () => number;
}

export const DEFAULT_RETRY = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 30_000, jitter: 0.5 } as const;

export interface RetryDecision {
  retry: boolean;
  retryAfterMs?: number | undefined;
}

export interface RetryDeps {
  sleep: Sleep;
  signal?: AbortSignal | undefined;
  /** Whether an error may be retried (and how long the provider asked to wait). */
  classify(err: unknown): RetryDecision;
  /** Called before each wait, e.g. for a "retrying in 2 s" event. */
  onRetry?(info: { attempt: number; delayMs: number; error: unknown }): void;
}

/** The backoff before retry number `retry` (1-based). */
export function backoffDelayMs(retry: number, opts: RetryOptions = {}): number {
  const base = opts.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const max = opts.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const jitter = opts.rng === undefined ? 0 : (opts.jitter ?? DEFAULT_RETRY.jitter);
  const u = opts.rng?.() ?? 1;
  return Math.round(Math.min(max, base * 2 ** (retry - 1)) * (1 - jitter + jitter * u));
}

export async function withRetries<T>(attempt: (attemptIndex: number) => Promise<T>, opts: RetryOptions, deps: RetryDeps): Promise<T> {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
  const maxRetryAfter = opts.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs;
  for (let i = 0; ; i++) {
    deps.signal?.throwIfAborted();
    try {
      return await attempt(i);
    } catch (err) {
      if (deps.signal?.aborted === true) throw deps.signal.reason;
      const decision = deps.classify(err);
      if (!decision.retry || i + 1 >= maxAttempts) throw err;
      const delayMs = decision.retryAfterMs !== undefined ? Math.min(decision.retryAfterMs, maxRetryAfter) : backoffDelayMs(i + 1, opts);
      deps.onRetry?.({ attempt: i + 1, delayMs, error: err });
      deps.signal?.throwIfAborted();
      await deps.sleep(delayMs, deps.signal);
      // A sleep that resolves on abort instead of rejecting still stops here.
      deps.signal?.throwIfAborted();
    }
  }
}
