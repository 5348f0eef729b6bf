/**
 * "Test connection" for one provider (DESIGN.md §5): a tiny call (8 tokens, no retries, no cache, no cap)
 * that checks the base URL, the key and CORS, and returns the outcome as data with a redacted message.
 */
import type { CallError } from '../env/trajectory';
import { CandidateCallError } from '../policy/ports';
import { createHttpCandidateCaller, type HttpCandidateCallerDeps } from './httpCandidateCaller';
import type { ProviderConfig } from './providerConfig';

export type ProviderConnectionResult = { ok: true; reply: string; latencyMs: number } | { ok: false; error: CallError };

export const CONNECTION_TEST_PROMPT = 'Reply with the single word: ok';

export async function testProviderConnection(
  req: { provider: ProviderConfig; modelId: string; key?: string },
  deps: Pick<HttpCandidateCallerDeps, 'fetch' | 'now' | 'sleep' | 'setTimer' | 'corsPossible' | 'wallClockMs'> & { timeoutMs?: number; signal?: AbortSignal },
): Promise<ProviderConnectionResult> {
  const caller = createHttpCandidateCaller({
    ...deps,
    providers: [req.provider],
    getKey: () => req.key,
    retry: { maxAttempts: 1 },
    timeoutMs: deps.timeoutMs ?? 15_000,
  });
  const model = { name: req.modelId, provider: req.provider.id, providerModelId: req.modelId, inputPer1M: 0, outputPer1M: 0 };
  try {
    const r = await caller.call(
      { poolIndex: 0, model, prompt: CONNECTION_TEST_PROMPT, query: CONNECTION_TEST_PROMPT, params: { temperature: 0, topP: 1, seed: 42, maxTokens: 8 } },
      deps.signal === undefined ? {} : { signal: deps.signal },
    );
    return { ok: true, reply: r.reply, latencyMs: r.latencyMs };
  } catch (err) {
    if (err instanceof CandidateCallError) return { ok: false, error: err.toCallError() };
    throw err;
  }
}
