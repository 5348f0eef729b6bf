/**
 * The CandidateCaller that calls real provider APIs over an injected fetch (DESIGN.md §5): provider
 * lookup, key check, response cache, spending cap, a timeout per attempt and a deadline for the whole call
 * (attempts and backoff waits together) linked to the caller's signal, retries with backoff, JSON or SSE replies, typed errors. Keys go only into the auth header of the
 * request to that provider; every message, error and reply that leaves is redacted. An abort is
 * rethrown as it is (the episode stops), never turned into a call error.
 */
import { CandidateCallError, type CandidateCallRequest, type CandidateCaller, type CandidateReply } from '../policy/ports';
import type { TokenUsage } from '../env/trajectory';
import { costUsdOf } from '../env/envRecords';
import { linkAbort, timerFromSleep, type SetTimer } from './abortControl';
import { anthropicWire } from './anthropic';
import { httpCallError, parseRetryAfter, ProviderCallError } from './callErrors';
import type { FetchLike, FetchResponseLike, Sleep } from './fetchPort';
import { openaiCompatibleWire } from './openaiCompatible';
import { corsAdvice, type ProviderConfig } from './providerConfig';
import { redactSecrets } from './redact';
import { responseCacheKey, type ResponseCache } from './responseCache';
import { withRetries, type RetryOptions } from './retry';
import { estimateWorstCaseUsd, type SpendingCap } from './spendingCap';
import { readSseEvents } from './sse';
import type { ParsedReply, ProviderWire, WireRequest } from './wire';

/** Reference candidate timeout per attempt (DESIGN.md §2.3). */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The whole call's deadline: attempts and backoff waits together. One full reference attempt plus room
 * for a retry, so a provider that never answers ends its round after 90 s, not after every attempt's 60 s.
 */
export const DEFAULT_ROUND_DEADLINE_MS = 90_000;

/** Where the user changes the limits, named in the messages (the pool editor in the app, flags in the CLI). */
export const CALL_LIMIT_CONTROLS = {
  timeout: '"Timeout per call" in the pool editor (CLI: --call-timeout-s)',
  deadline: '"Deadline per round" in the pool editor (CLI: --round-deadline-s)',
} as const;

export interface HttpCandidateCallerDeps {
  providers: readonly ProviderConfig[];
  /** The key for a provider id, held by the host (memory or opt-in storage); never stored here. */
  getKey(providerId: string): string | undefined;
  fetch: FetchLike;
  /** Clock in ms for latencies (and, unless wallClockMs is given, Retry-After dates). */
  now: () => number;
  /** Epoch ms, for Retry-After given as an HTTP date. */
  wallClockMs?: () => number;
  /** Backoff waits. Also drives the timeout unless setTimer is given, so a fake sleep needs a setTimer. */
  sleep: Sleep;
  setTimer?: SetTimer;
  cache?: ResponseCache;
  spendingCap?: SpendingCap;
  retry?: RetryOptions;
  /** Per attempt (default 60 s). */
  timeoutMs?: number;
  /** The whole call, retries and waits included (default 90 s); past it the round records a timeout. */
  roundDeadlineMs?: number;
  /** Ask for SSE and report text as it arrives. */
  stream?: boolean;
  onToken?(text: string, req: CandidateCallRequest): void;
  /** In a browser a CORS refusal is an opaque TypeError: report network failures as 'cors' with the fix. */
  corsPossible?: boolean;
  onRetry?(info: { attempt: number; delayMs: number; message: string; req: CandidateCallRequest }): void;
}

const WIRES: Record<ProviderConfig['kind'], ProviderWire> = { openai: openaiCompatibleWire, anthropic: anthropicWire };

const estimateUsage = (prompt: string, reply: string): TokenUsage => ({ promptTokens: Math.ceil(prompt.length / 4), completionTokens: Math.ceil(reply.length / 4) });

export function createHttpCandidateCaller(deps: HttpCandidateCallerDeps): CandidateCaller {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const roundDeadlineMs = deps.roundDeadlineMs ?? DEFAULT_ROUND_DEADLINE_MS;
  const setTimer = deps.setTimer ?? timerFromSleep(deps.sleep);
  const wallClockMs = deps.wallClockMs ?? deps.now;

  function findProvider(req: CandidateCallRequest): ProviderConfig {
    const provider = deps.providers.find((p) => p.id === req.model.provider);
    if (provider === undefined) {
      const known = deps.providers.map((p) => p.id).join(', ');
      throw new ProviderCallError('not-found', `"${req.model.name}" uses provider "${req.model.provider}", which is not configured (known: ${known}); pick a provider in the pool editor.`);
    }
    return provider;
  }

  /** One HTTP request and its reply; failures become ProviderCallErrors (an abort stays the abort). */
  async function attempt(wire: ProviderWire, request: WireRequest, provider: ProviderConfig, req: CandidateCallRequest, signal: AbortSignal | undefined): Promise<ParsedReply> {
    const link = linkAbort(signal, timeoutMs, setTimer);
    try {
      let res: FetchResponseLike;
      try {
        res = await deps.fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: link.signal });
      } catch (err) {
        throw fetchFailure(err, request.url, provider);
      }
      if (!res.ok) {
        const bodyText = await res.text().catch(() => '');
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), wallClockMs());
        throw httpCallError({ providerLabel: provider.label, modelId: req.model.providerModelId, status: res.status, bodyText, retryAfterMs });
      }
      const isSse = (res.headers.get('content-type') ?? '').includes('text/event-stream');
      if (isSse && res.body) {
        const onToken = deps.onToken;
        return await wire.parseStream(readSseEvents(res.body.getReader()), (t) => onToken?.(t, req), provider.label);
      }
      return wire.parseJson(await res.text(), provider.label);
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      if (link.timedOut()) {
        throw new ProviderCallError('timeout', `${provider.label} did not answer within ${seconds(timeoutMs)}; retry later, or raise ${CALL_LIMIT_CONTROLS.timeout}.`, { retryable: true });
      }
      if (err instanceof ProviderCallError) throw err;
      throw fetchFailure(err, request.url, provider); // the body broke off mid-read
    } finally {
      link.dispose();
    }
  }

  function fetchFailure(err: unknown, url: string, provider: ProviderConfig): ProviderCallError {
    const cause = err instanceof Error ? (err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message) : String(err);
    if (deps.corsPossible === true) {
      return new ProviderCallError('cors', `Could not reach ${url}: the provider may not allow calls from a browser (CORS), or the server is not running. ${corsAdvice(provider)}`, {
        retryable: false,
      });
    }
    return new ProviderCallError('network', `Could not reach ${url}: ${cause}. Check that the server is running and the base URL is right.`, { retryable: true });
  }

  /**
   * Runs `work` under the call's deadline: its signal aborts when the caller's does (rethrown as it is:
   * the episode stopped) or when the deadline passes (a 'timeout' call error: the round goes on without it).
   */
  async function withDeadline<T>(provider: ProviderConfig, signal: AbortSignal | undefined, work: (within: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = linkAbort(signal, roundDeadlineMs, setTimer);
    try {
      return await work(deadline.signal);
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      if (deadline.timedOut()) {
        throw new ProviderCallError('timeout', `${provider.label} gave no reply within the deadline of ${seconds(roundDeadlineMs)} per round (timeout per call ${seconds(timeoutMs)}, retries included); the episode goes on without it. Raise ${CALL_LIMIT_CONTROLS.deadline}.`, { retryable: false });
      }
      throw err;
    } finally {
      deadline.dispose();
    }
  }

  async function callOnce(req: CandidateCallRequest, signal: AbortSignal | undefined, key: string | undefined, started: number): Promise<CandidateReply> {
    const provider = findProvider(req);
    if (provider.needsKey && (key === undefined || key === '')) {
      throw new ProviderCallError('auth', `no key for ${provider.label}: add one in the pool editor.`);
    }
    const { model, prompt, params } = req;
    const cacheKey = responseCacheKey(provider.id, model.providerModelId, prompt, params);
    const hit = await deps.cache?.get(cacheKey);
    if (hit !== undefined) {
      if (deps.stream === true) deps.onToken?.(hit.reply, req);
      return { reply: hit.reply, usage: hit.usage, latencyMs: 0, cached: true };
    }
    deps.spendingCap?.assertAllows(estimateWorstCaseUsd(model, prompt, params.maxTokens));
    const wire = WIRES[provider.kind];
    const request = wire.buildRequest({ provider, modelId: model.providerModelId, prompt, params, key: key === '' ? undefined : key, stream: deps.stream === true });
    const parsed = await withDeadline(provider, signal, (within) =>
      withRetries(() => attempt(wire, request, provider, req, within), deps.retry ?? {}, {
        sleep: deps.sleep,
        signal: within,
        classify: (err) => (err instanceof ProviderCallError ? { retry: err.retryable, retryAfterMs: err.retryAfterMs } : { retry: false }),
        onRetry: ({ attempt: n, delayMs, error }) =>
          deps.onRetry?.({ attempt: n, delayMs, message: redactSecrets(error instanceof Error ? error.message : String(error), [key], { patterns: true }), req }),
      }),
    );
    if (parsed.reply.trim() === '') {
      throw new ProviderCallError('empty', `${provider.label} returned an empty reply for "${model.providerModelId}"; try again or pick another model.`);
    }
    const usage = parsed.usage ?? estimateUsage(prompt, parsed.reply);
    deps.spendingCap?.add(costUsdOf(usage, model));
    await deps.cache?.set(cacheKey, { reply: parsed.reply, usage });
    return { reply: parsed.reply, usage, latencyMs: Math.max(0, deps.now() - started), cached: false };
  }

  return {
    async call(req, { signal }) {
      signal?.throwIfAborted();
      const key = deps.getKey(req.model.provider);
      const started = deps.now();
      try {
        const r = await callOnce(req, signal, key, started);
        return { ...r, reply: redactSecrets(r.reply, [key]) };
      } catch (err) {
        if (signal?.aborted === true) throw signal.reason;
        throw redactedError(err, key, Math.max(0, deps.now() - started));
      }
    },
  };
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;

/** The same failure with every key-like text removed from its message (and no cause, which could hold one). */
function redactedError(err: unknown, key: string | undefined, latencyMs: number): Error {
  const clean = (text: string): string => redactSecrets(text, [key], { patterns: true });
  if (err instanceof ProviderCallError) {
    const partialReply = err.partialReply === undefined ? undefined : redactSecrets(err.partialReply, [key]);
    const opts = { latencyMs: err.latencyMs ?? latencyMs, retryable: err.retryable };
    return new ProviderCallError(err.kind, clean(err.message), {
      ...opts,
      ...(err.status === undefined ? {} : { status: err.status }),
      ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
      ...(partialReply === undefined ? {} : { partialReply }),
    });
  }
  if (err instanceof CandidateCallError) return new CandidateCallError(err.kind, clean(err.message), { latencyMs: err.latencyMs ?? latencyMs });
  const e = new Error(clean(err instanceof Error ? err.message : String(err)));
  e.name = err instanceof Error ? err.name : 'Error';
  return e;
}
