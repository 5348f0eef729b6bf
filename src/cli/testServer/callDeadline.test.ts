/**
 * The deadline per round against the REAL local test server (127.0.0.1, node:http): a provider that
 * never answers in time is retried within the timeout per call, but the whole call — attempts and
 * backoff waits together — ends at the round deadline with a 'timeout' error naming the controls that
 * change it, and the episode records it in the round and goes on. Real timers and real sleeps.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CandidateCallError } from '../../core/policy/ports';
import { CALL_LIMIT_CONTROLS, createHttpCandidateCaller, type HttpCandidateCallerDeps } from '../../core/providers/httpCandidateCaller';
import { runEpisodeToEnd } from '../../core/run/runEpisode';
import { createScriptedPolicy } from '../../core/run/scripted';
import { createCostWindow } from '../../core/reward/costReward';
import { createByteTokenizer } from '../../core/tokenizer/byteTokenizer';
import { duneEpisodeRequest } from '../../testing/duneEpisode';
import { startLlmServer, type LlmServer } from './llmServer';

let server: LlmServer;
beforeAll(async () => {
  server = await startLlmServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const sleep: HttpCandidateCallerDeps['sleep'] = (ms, signal) =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

function caller(over: Partial<HttpCandidateCallerDeps> = {}) {
  return createHttpCandidateCaller({
    providers: [{ id: 'local', label: 'Test server', kind: 'openai', baseUrl: server.baseUrl, needsKey: false }],
    getKey: () => undefined,
    fetch,
    now: () => performance.now(),
    sleep,
    retry: { maxAttempts: 5, baseDelayMs: 50 },
    ...over,
  });
}

const model = (providerModelId: string) => ({ name: 'Hung-Model', provider: 'local', providerModelId, inputPer1M: 1, outputPer1M: 1 });
const request = (providerModelId: string) => ({ model: model(providerModelId), poolIndex: 0, query: 'Who wrote Dune?', prompt: 'Who wrote Dune?', params: { temperature: 0, topP: 1, maxTokens: 64, seed: 42 }, roundIndex: 0 });

describe('the deadline per round', () => {
  it('ends a call to a provider that never answers at the deadline, after retries within it, naming the controls', async () => {
    const started = performance.now();
    const err = await caller({ timeoutMs: 200, roundDeadlineMs: 700 })
      .call(request('delay-60000'), {})
      .catch((e: unknown) => e);
    const tookMs = performance.now() - started;
    expect(err).toBeInstanceOf(CandidateCallError);
    expect((err as CandidateCallError).kind).toBe('timeout');
    expect((err as Error).message).toContain('within the deadline of 0.7 s per round');
    expect((err as Error).message).toContain(CALL_LIMIT_CONTROLS.deadline);
    // Retried inside the deadline (three 200 ms attempts and their waits fit in 700 ms), never five.
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    expect(server.requests.length).toBeLessThan(5);
    // Bounded by the deadline, not by attempts × timeout (5 × 200 ms + waits); generous slack for a loaded machine.
    expect(tookMs).toBeGreaterThanOrEqual(650);
    expect(tookMs).toBeLessThan(5_000);
  });

  it('a provider slower than the timeout but well within one attempt of the default still answers', async () => {
    const r = await caller({ timeoutMs: 2_000, roundDeadlineMs: 5_000 }).call(request('delay-100'), {});
    expect(r.reply.length).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1);
  });

  it('the episode records the timeout in its round and goes on to its answer', async () => {
    const t = await runEpisodeToEnd(duneEpisodeRequest({ pool: [model('delay-60000')] }), {
      policy: createScriptedPolicy(['<think>ask</think>\n<search>Hung-Model: Who wrote Dune?</search>', '<think>no reply</think>\n<answer>Frank Herbert</answer>']),
      caller: caller({ timeoutMs: 150, roundDeadlineMs: 400 }),
      tokenizer: createByteTokenizer(),
      costWindow: createCostWindow(),
      now: () => performance.now(),
    });
    expect(t.rounds[0]?.call?.error?.kind).toBe('timeout');
    expect(t.rounds[0]?.observation?.text).toContain('None');
    expect(t.status).toBe('answered');
    expect(t.reward?.answer).toBe('Frank Herbert');
  });
});
