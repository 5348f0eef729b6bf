import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CandidateCallError, type CandidateCallRequest } from '../policy/ports';
import { DataRootError } from '../data/dataRoot';
import { anthropicWire } from './anthropic';
import { httpCallError, parseRetryAfter, providerErrorText, ProviderCallError } from './callErrors';
import type { FetchLike, FetchResponseLike } from './fetchPort';
import { createHttpCandidateCaller } from './httpCandidateCaller';
import { openaiCompatibleWire } from './openaiCompatible';
import { LLMROUTER_SCORED_MODELS, llmRouterPoolPreset, paperPoolPreset } from './poolPresets';
import { corsAdvice, PROVIDER_PRESETS } from './providerConfig';
import { redactSecrets } from './redact';
import { createMemoryResponseCache, fnv1a64, responseCacheKey } from './responseCache';
import { backoffDelayMs, withRetries } from './retry';
import { createSpendingCap, estimateWorstCaseUsd } from './spendingCap';
import { readSseEvents } from './sse';

const params = { temperature: 0, topP: 1, seed: 42, maxTokens: 512 };
const DATA = resolve(import.meta.dirname, '../../../../shared/data');

function bodyOf(chunks: string[]): { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } } {
  const enc = new TextEncoder();
  let i = 0;
  return {
    getReader: () => ({
      read: async () => (i < chunks.length ? { done: false, value: enc.encode(chunks[i++]) } : { done: true }),
      cancel: async () => undefined,
    }),
  };
}

function response(status: number, text: string, headers: Record<string, string> = {}): FetchResponseLike {
  return { ok: status >= 200 && status < 300, status, headers: { get: (n) => headers[n.toLowerCase()] ?? null }, text: async () => text };
}

const req = (provider = 'openai'): CandidateCallRequest => ({
  poolIndex: 0,
  model: { name: 'M', provider, providerModelId: 'm-1', inputPer1M: 1, outputPer1M: 2 },
  prompt: 'Q?',
  query: 'Q?',
  params,
});

describe('request building', () => {
  it('OpenAI-compatible: one user message, the reference parameters, bearer key, stream options', () => {
    const r = openaiCompatibleWire.buildRequest({ provider: PROVIDER_PRESETS.openrouter, modelId: 'x/y', prompt: 'hi', params, key: 'sk-123456789', stream: true });
    expect(r.url).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(r.headers['authorization']).toBe('Bearer sk-123456789');
    expect(JSON.parse(r.body)).toEqual({
      model: 'x/y',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0,
      top_p: 1,
      seed: 42,
      max_tokens: 512,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('Anthropic: x-api-key, version and browser-access headers, no seed', () => {
    const r = anthropicWire.buildRequest({ provider: PROVIDER_PRESETS.anthropic, modelId: 'claude', prompt: 'hi', params, key: 'ak-123456', stream: false });
    expect(r.url).toBe('https://api.anthropic.com/v1/messages');
    expect(r.headers).toMatchObject({ 'x-api-key': 'ak-123456', 'anthropic-version': '2023-06-01', 'anthropic-dangerous-direct-browser-access': 'true' });
    expect(r.headers['authorization']).toBeUndefined();
    expect(JSON.parse(r.body)).toEqual({ model: 'claude', max_tokens: 512, messages: [{ role: 'user', content: 'hi' }], temperature: 0, top_p: 1 });
  });

  it('local presets need no key and carry their CORS fix', () => {
    expect(PROVIDER_PRESETS.ollama).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1', needsKey: false });
    expect(corsAdvice(PROVIDER_PRESETS.ollama)).toContain('OLLAMA_ORIGINS');
    expect(corsAdvice(PROVIDER_PRESETS.vllm)).toContain('--allowed-origins');
    expect(corsAdvice(PROVIDER_PRESETS.openai)).toContain('OpenRouter');
  });
});

describe('reply parsing', () => {
  it('reads OpenAI JSON and Anthropic JSON with usage', () => {
    const o = openaiCompatibleWire.parseJson(JSON.stringify({ choices: [{ message: { content: 'A' } }], usage: { prompt_tokens: 3, completion_tokens: 1 } }), 'P');
    expect(o).toEqual({ reply: 'A', usage: { promptTokens: 3, completionTokens: 1 } });
    const a = anthropicWire.parseJson(JSON.stringify({ content: [{ type: 'text', text: 'B' }, { type: 'text', text: 'C' }], usage: { input_tokens: 4, output_tokens: 2 } }), 'P');
    expect(a).toEqual({ reply: 'BC', usage: { promptTokens: 4, completionTokens: 2 } });
  });

  it('malformed bodies are "malformed" errors naming the provider', () => {
    expect(() => openaiCompatibleWire.parseJson('{nope', 'Prov')).toThrow(/Prov sent a reply that is not valid JSON/);
    expect(() => openaiCompatibleWire.parseJson('{"choices": []}', 'Prov')).toThrow(ProviderCallError);
    expect(() => anthropicWire.parseJson('{"id": 1}', 'Prov')).toThrow(/no content array/);
  });

  it('parses SSE split across chunks, CRLF and comments included', async () => {
    const events = [];
    for await (const e of readSseEvents(bodyOf(['event: a\r\nda', 'ta: 1\r\n\r\n: comment\n\ndata: x\ndata: y\n\n', 'data: last']).getReader())) events.push(e);
    expect(events).toEqual([
      { event: 'a', data: '1' },
      { event: undefined, data: 'x\ny' },
      { event: undefined, data: 'last' },
    ]);
  });

  it('a stream without its end marker keeps the partial text on the error', async () => {
    const chunk = (t: string): string => `data: ${JSON.stringify({ choices: [{ delta: { content: t } }] })}\n\n`;
    const tokens: string[] = [];
    const err = await openaiCompatibleWire
      .parseStream(readSseEvents(bodyOf([chunk('Hel'), chunk('lo')]).getReader()), (t) => tokens.push(t), 'P')
      .catch((e: unknown) => e);
    expect(tokens).toEqual(['Hel', 'lo']);
    expect(err).toMatchObject({ kind: 'malformed', partialReply: 'Hello' });
    expect((err as Error).message).toMatch(/ended before data: \[DONE\]; partial reply: "Hello"/);
  });
});

describe('errors and retries', () => {
  it('maps statuses to kinds with actionable messages', () => {
    const e = (status: number, bodyText = ''): ProviderCallError => httpCallError({ providerLabel: 'OpenRouter', modelId: 'x/y', status, bodyText, retryAfterMs: undefined });
    expect(e(401).message).toMatch(/^the key for OpenRouter was rejected \(HTTP 401\); check it in the pool editor/);
    expect([e(401).kind, e(403).kind, e(404).kind, e(429).kind, e(503).kind, e(400).kind]).toEqual(['auth', 'auth', 'not-found', 'rate-limit', 'server', 'malformed']);
    expect([e(401).retryable, e(404).retryable, e(429).retryable, e(500).retryable]).toEqual([false, false, true, true]);
    expect(providerErrorText('{"error":{"message":"bad  model"}}')).toBe('bad model');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('backs off exponentially, capped, with jitter only from an injected rng', () => {
    expect([1, 2, 3, 4, 5, 6].map((k) => backoffDelayMs(k))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(backoffDelayMs(2, { rng: () => 0 })).toBe(500);
    expect(backoffDelayMs(2, { rng: () => 0.5, jitter: 1 })).toBe(500);
  });

  it('retries retryable errors, honours Retry-After up to the cap, and gives up after maxAttempts', async () => {
    const waits: number[] = [];
    let n = 0;
    const retryable = new ProviderCallError('rate-limit', 'slow down', { retryable: true, retryAfterMs: 60_000 });
    const err = await withRetries(
      async () => {
        n++;
        throw retryable;
      },
      { maxAttempts: 3, maxRetryAfterMs: 5000 },
      { sleep: async (ms) => void waits.push(ms), classify: (e) => ({ retry: true, retryAfterMs: (e as ProviderCallError).retryAfterMs }) },
    ).catch((e: unknown) => e);
    expect(err).toBe(retryable);
    expect(n).toBe(3);
    expect(waits).toEqual([5000, 5000]);
  });

  it('stops at once when aborted during a backoff', async () => {
    const ac = new AbortController();
    const reason = new Error('user stop');
    let n = 0;
    const p = withRetries(
      async () => {
        n++;
        throw new Error('flaky');
      },
      { maxAttempts: 5 },
      {
        signal: ac.signal,
        classify: () => ({ retry: true }),
        sleep: (_ms, signal) =>
          new Promise((_r, reject) => {
            signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
            ac.abort(reason);
          }),
      },
    );
    await expect(p).rejects.toBe(reason);
    expect(n).toBe(1);
  });
});

describe('response cache, spending cap, redaction', () => {
  it('keys are stable, differ per field, and the memory cache evicts the least recently used', async () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    const k = responseCacheKey('p', 'm', 'prompt', params);
    expect(responseCacheKey('p', 'm', 'prompt', { ...params })).toBe(k);
    expect(new Set([k, responseCacheKey('q', 'm', 'prompt', params), responseCacheKey('p', 'm2', 'prompt', params), responseCacheKey('p', 'm', 'prompt!', params), responseCacheKey('p', 'm', 'prompt', { ...params, seed: 1 })]).size).toBe(5);
    const cache = createMemoryResponseCache(2);
    const v = { reply: 'r', usage: { promptTokens: 1, completionTokens: 1 } };
    await cache.set('a', v);
    await cache.set('b', v);
    await cache.get('a');
    await cache.set('c', v);
    expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).toEqual([v, undefined, v]);
  });

  it('the spending cap refuses a call whose worst case would exceed it, then counts actual dollars', () => {
    const model = { inputPer1M: 1, outputPer1M: 10 };
    expect(estimateWorstCaseUsd(model, 'x'.repeat(4000), 512)).toBeCloseTo((1000 * 1 + 512 * 10) / 1e6, 12);
    const cap = createSpendingCap(0.01);
    cap.assertAllows(0.006);
    cap.add(0.006);
    expect(() => cap.assertAllows(0.005)).toThrow(/the session spending cap of \$0\.01 would be exceeded.*raise "Session spending cap" in the pool editor \(CLI: --spending-cap\)\./);
    try {
      cap.assertAllows(0.005);
    } catch (e) {
      expect((e as CandidateCallError).kind).toBe('budget');
    }
    expect(cap.spentUsd()).toBeCloseTo(0.006, 12);
  });

  it('redacts the key and, in error texts, key-like tokens', () => {
    expect(redactSecrets('key sk-canary-123 and sk-canary-123', ['sk-canary-123'])).toBe('key [redacted] and [redacted]');
    expect(redactSecrets('Bearer abcdefghijkl sk-otherkey99', [], { patterns: true })).toBe('[redacted] [redacted]');
    expect(redactSecrets('a short key abc', ['abc'])).toBe('a short key abc');
  });
});

describe('createHttpCandidateCaller with a stub fetch', () => {
  const base = { providers: Object.values(PROVIDER_PRESETS), now: () => 0, sleep: async () => undefined, setTimer: () => () => undefined };

  it('says which key is missing, without calling', async () => {
    let calls = 0;
    const fetch: FetchLike = async () => (calls++, response(200, '{}'));
    const c = createHttpCandidateCaller({ ...base, fetch, getKey: () => undefined });
    await expect(c.call(req('openai'), {})).rejects.toMatchObject({ kind: 'auth', message: 'no key for OpenAI: add one in the pool editor.' });
    await expect(c.call(req('nowhere'), {})).rejects.toMatchObject({ kind: 'not-found' });
    expect(calls).toBe(0);
  });

  it('in a browser host, an opaque fetch TypeError is explained as CORS with the fix', async () => {
    const fetch: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    const c = createHttpCandidateCaller({ ...base, fetch, getKey: () => undefined, corsPossible: true });
    const err = (await c.call(req('ollama'), {}).catch((e: unknown) => e)) as CandidateCallError;
    expect(err.kind).toBe('cors');
    expect(err.message).toMatch(/^Could not reach http:\/\/127\.0\.0\.1:11434\/v1\/chat\/completions: the provider may not allow calls from a browser \(CORS\)/);
    expect(err.message).toContain('OLLAMA_ORIGINS');
  });

  it('estimates usage when the provider reports none', async () => {
    const fetch: FetchLike = async () => response(200, JSON.stringify({ choices: [{ message: { content: 'abcdefgh' } }] }));
    const c = createHttpCandidateCaller({ ...base, fetch, getKey: () => 'sk-1234567' });
    expect((await c.call(req('openai'), {})).usage).toEqual({ promptTokens: 1, completionTokens: 2 });
  });
});

describe('pool presets from the data root', () => {
  it("builds the paper's pool with its names, prices and reference ids, mapped to OpenRouter", () => {
    const pool = paperPoolPreset(readFileSync(resolve(DATA, 'router-r1/pool.json'), 'utf8'));
    expect(pool.map((m) => m.record.name)).toEqual([
      'Qwen2.5-7B-Instruct',
      'LLaMA-3.1-8B-Instruct',
      'LLaMA-3.1-70B-Instruct',
      'Mistral-7B-Instruct',
      'Mixtral-8x22B-Instruct',
      'Gemma-2-27B-Instruct',
    ]);
    expect(pool[2]?.record).toEqual({
      name: 'LLaMA-3.1-70B-Instruct',
      provider: 'openrouter',
      providerModelId: 'meta-llama/llama-3.1-70b-instruct',
      inputPer1M: 0.88,
      outputPer1M: 0.88,
      referenceId: 'meta/llama-3.1-70b-instruct',
    });
    expect(pool.every((m) => m.descriptor.length > 20)).toBe(true);
    expect(paperPoolPreset(readFileSync(resolve(DATA, 'router-r1/pool.json'), 'utf8'), { includeUnseen: true })).toHaveLength(8);
  });

  it('builds the nine scored LLMRouter models with their prices', () => {
    const pool = llmRouterPoolPreset(JSON.parse(readFileSync(resolve(DATA, 'llmrouter/data/example_data/llm_candidates/default_llm.json'), 'utf8')));
    expect(pool.map((m) => m.record.name)).toEqual([...LLMROUTER_SCORED_MODELS]);
    expect(pool.find((m) => m.record.name === 'gemma-2-9b-it')?.record).toMatchObject({ inputPer1M: 0.1, outputPer1M: 0.1, referenceId: 'google/gemma-2-9b-it' });
  });

  it('a malformed file is a DataRootError that says what to fix', () => {
    expect(() => paperPoolPreset('{"pool": [{"name": "X"}]}')).toThrow(DataRootError);
    expect(() => paperPoolPreset('not json')).toThrow(/router-r1\/pool\.json is not valid JSON/);
    expect(() => paperPoolPreset({ pool: [{ name: 'X', nim_id: 'x', descriptor: '' }] })).toThrow(/"X" has no valid "price_per_1m"/);
    expect(() => llmRouterPoolPreset({})).toThrow(/the scored model "qwen2.5-7b-instruct" is missing/);
  });
});
