/**
 * The HTTP candidate caller against the REAL local test server (127.0.0.1, node:http): JSON and SSE for
 * both provider kinds, every error kind, retries with Retry-After, timeouts, aborts, the spending cap,
 * the response cache, and a canary key that must appear only in the auth header the server received.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CandidateCallError, type CandidateCallRequest, type CandidateReply } from '../../core/policy/ports';
import type { PoolModelRecord } from '../../core/env/trajectory';
import { createHttpCandidateCaller, type HttpCandidateCallerDeps } from '../../core/providers/httpCandidateCaller';
import type { ProviderConfig } from '../../core/providers/providerConfig';
import { createMemoryResponseCache } from '../../core/providers/responseCache';
import { createSpendingCap, estimateWorstCaseUsd } from '../../core/providers/spendingCap';
import { describeCandidateCallerContract } from '../../core/providers/candidateCallerContract';
import { runEpisodeToEnd } from '../../core/run/runEpisode';
import { createScriptedPolicy } from '../../core/run/scripted';
import { createByteTokenizer } from '../../core/tokenizer/byteTokenizer';
import { createCostWindow } from '../../core/reward/costReward';
import { DEFAULT_ENV_SETTINGS } from '../../core/env/trajectory';
import { DEFAULT_AGENT_TEMPLATE } from '../../core/protocol/prompt';
import { testProviderConnection } from '../../core/providers/connectionTest';
import { startLlmServer, testReply, testUsage, type LlmServer } from './llmServer';

const KEY = 'sk-canary-7f3a9c2e5b41d';
const PROMPT = 'You are a helpful assistant.\nQuestion: who wrote Dune?';
let server: LlmServer;

beforeAll(async () => {
  server = await startLlmServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const providers = (baseUrl: string): ProviderConfig[] => [
  { id: 'local', label: 'Test server', kind: 'openai', baseUrl, needsKey: true },
  { id: 'local-anthropic', label: 'Test Anthropic', kind: 'anthropic', baseUrl, needsKey: true },
];

const realTimer = (ms: number, fire: () => void): (() => void) => {
  const t = setTimeout(fire, ms);
  return () => clearTimeout(t);
};

interface Harness {
  call(modelId: string, opts?: { provider?: string; signal?: AbortSignal; model?: Partial<PoolModelRecord> }): Promise<CandidateReply>;
  waits: number[];
  tokens: string[];
  retries: string[];
}

function harness(over: Partial<HttpCandidateCallerDeps> = {}, baseUrl = server.baseUrl): Harness {
  const waits: number[] = [];
  const tokens: string[] = [];
  const retries: string[] = [];
  const caller = createHttpCandidateCaller({
    providers: providers(baseUrl),
    getKey: () => KEY,
    fetch,
    now: () => performance.now(),
    wallClockMs: () => Date.now(),
    // Backoff waits are recorded, not slept; the timeout runs on a real timer.
    sleep: async (ms, signal) => {
      waits.push(ms);
      signal?.throwIfAborted();
    },
    setTimer: realTimer,
    onToken: (t) => tokens.push(t),
    onRetry: (r) => retries.push(r.message),
    ...over,
  });
  return {
    waits,
    tokens,
    retries,
    call: (modelId, opts = {}) => caller.call(request(modelId, opts.provider, opts.model), opts.signal === undefined ? {} : { signal: opts.signal }),
  };
}

function request(modelId: string, provider = 'local', model: Partial<PoolModelRecord> = {}): CandidateCallRequest {
  return {
    poolIndex: 0,
    model: { name: `Model ${modelId}`, provider, providerModelId: modelId, inputPer1M: 0.2, outputPer1M: 0.6, ...model },
    prompt: PROMPT,
    query: ' who wrote Dune?',
    params: { temperature: 0, topP: 1, seed: 42, maxTokens: 512 },
  };
}

const failure = (p: Promise<unknown>): Promise<CandidateCallError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(CandidateCallError);
      return e as CandidateCallError;
    },
  );

describe('success', () => {
  for (const [provider, path] of [
    ['local', '/v1/chat/completions'],
    ['local-anthropic', '/v1/messages'],
  ] as const) {
    it(`${provider}: JSON reply with usage; the request is the reference shape`, async () => {
      const r = await harness().call('ok-model', { provider });
      expect(r.reply).toBe(testReply('ok-model', PROMPT));
      expect(r.usage).toEqual(testUsage(PROMPT, r.reply));
      expect(r.cached).toBe(false);
      expect(r.latencyMs).toBeGreaterThanOrEqual(0);
      const seen = server.requests[0];
      expect(seen?.path).toBe(path);
      expect(seen?.body).toMatchObject({ model: 'ok-model', messages: [{ role: 'user', content: PROMPT }], temperature: 0, top_p: 1, max_tokens: 512 });
      if (provider === 'local') expect(seen?.headers['authorization']).toBe(`Bearer ${KEY}`);
      else expect(seen?.headers).toMatchObject({ 'x-api-key': KEY, 'anthropic-version': '2023-06-01' });
    });

    it(`${provider}: SSE stream with tokens as they arrive and usage at the end`, async () => {
      const h = harness({ stream: true });
      const r = await h.call('ok-model', { provider });
      expect(r.reply).toBe(testReply('ok-model', PROMPT));
      expect(h.tokens.length).toBeGreaterThan(3);
      expect(h.tokens.join('')).toBe(r.reply);
      expect(r.usage).toEqual(testUsage(PROMPT, r.reply));
      expect(server.requests[0]?.body).toMatchObject({ stream: true });
    });
  }

  it('OpenAI-compatible sends seed and stream_options.include_usage', async () => {
    await harness({ stream: true }).call('ok-model');
    expect(server.requests[0]?.body).toMatchObject({ seed: 42, stream_options: { include_usage: true } });
  });
});

describe('errors', () => {
  it.each([
    ['error-401', 'auth', /^the key for Test server was rejected \(HTTP 401\); check it in the pool editor/],
    ['error-403', 'auth', /^the key for Test server was rejected \(HTTP 403\)/],
    ['error-404', 'not-found', /^Test server has no model "error-404" \(HTTP 404\); check the provider model id/],
    ['malformed-json', 'malformed', /Test server sent a reply that is not valid JSON/],
    ['truncated-stream', 'malformed', /not valid JSON/],
    ['empty', 'empty', /Test server returned an empty reply for "empty"/],
  ] as const)('%s → %s, without retrying', async (modelId, kind, message) => {
    const h = harness();
    const err = await failure(h.call(modelId));
    expect(err.kind).toBe(kind);
    expect(err.message).toMatch(message);
    expect(server.requests).toHaveLength(1);
    expect(h.waits).toEqual([]);
  });

  it('Anthropic errors map the same way', async () => {
    expect((await failure(harness().call('error-401', { provider: 'local-anthropic' }))).kind).toBe('auth');
    expect((await failure(harness().call('error-404', { provider: 'local-anthropic' }))).kind).toBe('not-found');
  });

  it('429 honours Retry-After (seconds) and then succeeds', async () => {
    const h = harness();
    const r = await h.call('fail-429-then-ok-1');
    expect(r.reply).toBe(testReply('fail-429-then-ok-1', PROMPT));
    expect(h.waits).toEqual([1000]);
    expect(server.requests).toHaveLength(2);
  });

  it('429 that persists: waits as asked between attempts, then a rate-limit error', async () => {
    const h = harness({ retry: { maxAttempts: 3 } });
    const err = await failure(h.call('error-429-retry-after-2'));
    expect(err.kind).toBe('rate-limit');
    expect(err.message).toMatch(/rate-limiting calls \(HTTP 429\) \(it asked to wait 2 s\)/);
    expect(h.waits).toEqual([2000, 2000]);
    expect(server.requests).toHaveLength(3);
  });

  it('Retry-After as an HTTP date, and capped at maxRetryAfterMs', async () => {
    const dated = harness({ retry: { maxAttempts: 2 } });
    await failure(dated.call('error-429-retry-date-3'));
    expect(dated.waits).toHaveLength(1);
    expect(dated.waits[0]).toBeGreaterThan(1000);
    expect(dated.waits[0]).toBeLessThanOrEqual(3000);
    const capped = harness({ retry: { maxAttempts: 2, maxRetryAfterMs: 1500 } });
    await failure(capped.call('error-429-retry-after-100'));
    expect(capped.waits).toEqual([1500]);
  });

  it('500 is retried with exponential backoff, then succeeds', async () => {
    const h = harness();
    const r = await h.call('fail-500-then-ok-2');
    expect(r.reply).toBe(testReply('fail-500-then-ok-2', PROMPT));
    expect(h.waits).toEqual([500, 1000]);
    expect(h.retries[0]).toMatch(/server error \(HTTP 500\)/);
    expect(server.requests).toHaveLength(3);
  });

  it('500 that persists is a server error after maxAttempts', async () => {
    const h = harness({ retry: { maxAttempts: 2, baseDelayMs: 10 } });
    expect((await failure(h.call('error-500'))).kind).toBe('server');
    expect(h.waits).toEqual([10]);
  });

  it('an attempt that outlasts the timeout is a timeout error (retried, then given up)', async () => {
    const h = harness({ timeoutMs: 100, retry: { maxAttempts: 2 } });
    const err = await failure(h.call('delay-5000'));
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/did not answer within 0.1 s/);
    expect(server.requests).toHaveLength(2);
  });

  it.each(['local', 'local-anthropic'])('%s: a stream that ends without its end marker is malformed, partial text kept', async (provider) => {
    const h = harness({ stream: true });
    const err = (await failure(h.call('truncated-stream', { provider }))) as CandidateCallError & { partialReply?: string };
    expect(err.kind).toBe('malformed');
    expect(err.message).toMatch(provider === 'local' ? /ended before data: \[DONE\]; partial reply: "Test reply/ : /ended before message_stop; partial reply: "Test reply/);
    expect(err.partialReply).toBe(h.tokens.join(''));
    expect(testReply('truncated-stream', PROMPT).startsWith(err.partialReply ?? 'x')).toBe(true);
  });

  it('connection refused is a network error naming the URL', async () => {
    const gone = await startLlmServer();
    const url = gone.baseUrl;
    await gone.close();
    const h = harness({ retry: { maxAttempts: 2 } }, url);
    const err = await failure(h.call('ok-model'));
    expect(err.kind).toBe('network');
    expect(err.message).toContain(`Could not reach ${url}/chat/completions`);
    expect(h.waits).toHaveLength(1);
  });
});

describe('aborts', () => {
  it('abort mid-request rejects with the abort reason (not a call error), and the server saw the request', async () => {
    const ac = new AbortController();
    const reason = new Error('user pressed stop');
    const pending = harness().call('delay-5000', { signal: ac.signal });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    ac.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('abort mid-backoff stops at once, with no further request', async () => {
    const ac = new AbortController();
    const reason = new Error('stop during backoff');
    const h = harness({
      retry: { maxAttempts: 5, baseDelayMs: 60_000 },
      // A real-looking sleep: it waits until aborted (the backoff is a minute).
      sleep: (_ms, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true })),
      onRetry: () => void setTimeout(() => ac.abort(reason), 20),
    });
    const started = performance.now();
    await expect(h.call('error-500', { signal: ac.signal })).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('spending cap and cache', () => {
  it('refuses before the call: no request reaches the server', async () => {
    const cap = createSpendingCap(0.0001);
    const err = await failure(harness({ spendingCap: cap }).call('ok-model', { model: { outputPer1M: 10 } }));
    expect(err.kind).toBe('budget');
    expect(err.message).toMatch(/^the session spending cap of \$0\.00010 would be exceeded \(spent \$0, .*raise "Session spending cap" in the pool editor \(CLI: --spending-cap\)\.$/);
    expect(server.requests).toHaveLength(0);
  });

  it('stops calls mid-episode: the first route is answered, the second is recorded as a budget error', async () => {
    const pool: PoolModelRecord[] = [
      { name: 'LLaMA-3.1-8B-Instruct', provider: 'local', providerModelId: 'ok-small', inputPer1M: 1000, outputPer1M: 1 },
      { name: 'LLaMA-3.1-70B-Instruct', provider: 'local', providerModelId: 'ok-large', inputPer1M: 1000, outputPer1M: 1 },
    ];
    const worstCase = estimateWorstCaseUsd(pool[0] as PoolModelRecord, DEFAULT_AGENT_TEMPLATE.replace('{query}', ' Who wrote Dune?'), 512);
    const cap = createSpendingCap(worstCase * 1.5);
    const turns = [
      '<think>small first</think>\n<search>LLaMA-3.1-8B-Instruct: Who wrote Dune?</search>',
      '<think>check with the large one</think>\n<search>LLaMA-3.1-70B-Instruct: Who wrote Dune?</search>',
      '<think>done</think>\n<answer>Frank Herbert</answer>',
    ];
    const trajectory = await runEpisodeToEnd(
      {
        id: 'cap',
        question: { text: 'Who wrote Dune?', goldAnswers: ['Frank Herbert'] },
        template: 'compact',
        prompt: 'Route, then answer. Question: Who wrote Dune?',
        pool,
        agentTemplate: DEFAULT_AGENT_TEMPLATE,
        settings: { ...DEFAULT_ENV_SETTINGS },
        alpha: 0,
      },
      {
        policy: createScriptedPolicy(turns),
        caller: createHttpCandidateCaller({ providers: providers(server.baseUrl), getKey: () => KEY, fetch, now: () => performance.now(), sleep: async () => undefined, setTimer: realTimer, spendingCap: cap }),
        tokenizer: createByteTokenizer(),
        costWindow: createCostWindow(),
        now: () => performance.now(),
      },
    );
    expect(trajectory.status).toBe('answered');
    expect(trajectory.rounds[0]?.call?.reply).toMatch(/^Test reply from ok-small/);
    expect(trajectory.rounds[1]?.call?.error?.kind).toBe('budget');
    expect(server.requests).toHaveLength(1);
    expect(cap.spentUsd()).toBeCloseTo(trajectory.rounds[0]?.call?.costUsd ?? NaN, 12);
  });

  it('a second identical call is served from the cache: no request, cached, latency 0, same usage, free', async () => {
    const cache = createMemoryResponseCache(10);
    const cap = createSpendingCap(1);
    const h = harness({ cache, spendingCap: cap });
    const first = await h.call('ok-model');
    const spent = cap.spentUsd();
    const second = await h.call('ok-model');
    expect(second).toEqual({ reply: first.reply, usage: first.usage, latencyMs: 0, cached: true });
    expect(server.requests).toHaveLength(1);
    expect(cap.spentUsd()).toBe(spent);
    await h.call('ok-model', { provider: 'local-anthropic' });
    expect(server.requests).toHaveLength(2); // another provider is another key
  });
});

describe('keys never leak (canary)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the canary appears only in the auth headers the server received', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m));
    const gone = await startLlmServer();
    const goneUrl = gone.baseUrl;
    await gone.close();
    const seen: unknown[] = [];
    const cache = createMemoryResponseCache(10);
    const modes = ['error-401', 'error-403', 'error-404', 'error-429', 'error-500', 'delay-3000', 'truncated-stream', 'malformed-json', 'empty', 'echo-key', 'ok-model', 'ok-model'];
    for (const stream of [false, true]) {
      for (const provider of ['local', 'local-anthropic']) {
        const h = harness({ stream, cache, timeoutMs: 200, retry: { maxAttempts: 2, baseDelayMs: 1 } });
        for (const m of modes) seen.push(await h.call(m, { provider }).catch((e: unknown) => e));
        seen.push(h.tokens, h.retries);
      }
    }
    seen.push(await harness({ retry: { maxAttempts: 1 } }, goneUrl).call('ok-model').catch((e: unknown) => e));
    seen.push(await harness({ corsPossible: true, retry: { maxAttempts: 1 } }, goneUrl).call('ok-model').catch((e: unknown) => e));
    const echoed = seen.find((e) => e instanceof CandidateCallError && e.message.includes('Incorrect API key')) as CandidateCallError;
    expect(echoed.message).toContain('[redacted]');

    const dump = (v: unknown): string =>
      v instanceof Error ? JSON.stringify({ name: v.name, message: v.message, stack: v.stack, cause: String(v.cause), own: { ...v } }) : JSON.stringify(v);
    for (const v of seen) expect(dump(v)).not.toContain('canary');
    for (const spy of spies) expect(JSON.stringify(spy.mock.calls)).not.toContain('canary');

    expect(server.requests.length).toBeGreaterThan(20);
    for (const r of server.requests) {
      const { authorization, 'x-api-key': apiKey, ...otherHeaders } = r.headers;
      expect(authorization === `Bearer ${KEY}` || apiKey === KEY).toBe(true);
      expect(JSON.stringify(otherHeaders) + r.rawBody + r.path).not.toContain('canary');
    }
  });
});

describe('testProviderConnection', () => {
  it('reports success, and a rejected key as data without the key', async () => {
    const provider = providers(server.baseUrl)[0] as ProviderConfig;
    const deps = { fetch, now: () => performance.now(), sleep: async () => undefined, setTimer: realTimer };
    const ok = await testProviderConnection({ provider, modelId: 'ok-model', key: KEY }, deps);
    expect(ok).toMatchObject({ ok: true, reply: expect.stringMatching(/^Test reply from ok-model/) });
    const bad = await testProviderConnection({ provider, modelId: 'echo-key', key: KEY }, deps);
    expect(bad).toMatchObject({ ok: false, error: { kind: 'auth' } });
    expect(JSON.stringify(bad)).not.toContain('canary');
    expect(server.requests.map((r) => (r.body as { max_tokens: number }).max_tokens)).toEqual([8, 8]);
  });
});

describe('the test server itself', () => {
  it('answers CORS preflights with the requested headers, and can turn CORS off', async () => {
    const preflight = (): Promise<Response> =>
      fetch(`${server.baseUrl}/chat/completions`, {
        method: 'OPTIONS',
        headers: { origin: 'http://127.0.0.1:4173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const on = await preflight();
    expect(on.status).toBe(204);
    expect(on.headers.get('access-control-allow-origin')).toBe('*');
    expect(on.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    await fetch(`${server.url}/__control`, { method: 'POST', body: JSON.stringify({ cors: false }) });
    const off = await preflight();
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a server-wide mode overrides the model id', async () => {
    await fetch(`${server.url}/__control`, { method: 'POST', body: JSON.stringify({ mode: 'error-404' }) });
    expect((await failure(harness().call('ok-model'))).kind).toBe('not-found');
  });
});

describeCandidateCallerContract('HTTP caller → local test server', async () => {
  const s = await startLlmServer();
  const caller = createHttpCandidateCaller({ providers: providers(s.baseUrl), getKey: () => KEY, fetch, now: () => performance.now(), sleep: async () => undefined, setTimer: realTimer });
  return {
    caller,
    ok: request('ok-model'),
    failing: { req: request('error-404'), kind: 'not-found' },
    slow: request('delay-3000'),
    dispose: () => s.close(),
  };
});
