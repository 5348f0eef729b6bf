import { describe, expect, it } from 'vitest';
import { CandidateCallError, type CandidateCallRequest, type GenerateRequest } from '../policy/ports';
import { createScriptedCaller, createScriptedPolicy, ScriptExhaustedError, scriptedUsage } from './scripted';

const genReq: GenerateRequest = { promptText: 'p', contextText: '', contextTokenIds: [], roundIndex: 0, routingEnabled: true, maxNewTokens: 8, stop: [] };
const callReq = (name: string): CandidateCallRequest => ({
  poolIndex: 0,
  model: { name, provider: 'scripted', providerModelId: name, inputPer1M: 1, outputPer1M: 1 },
  prompt: 'Q: what is twelve?',
  query: ' what is twelve?',
  params: { temperature: 0, topP: 1, seed: 42, maxTokens: 512 },
});

describe('createScriptedPolicy', () => {
  it('returns the turns in order, then fails with a typed error', async () => {
    const p = createScriptedPolicy(['one', 'two']);
    expect(await p.generate(genReq, {})).toEqual({ text: 'one' });
    expect(await p.generate(genReq, {})).toEqual({ text: 'two' });
    await expect(p.generate(genReq, {})).rejects.toThrow(ScriptExhaustedError);
    expect(p.describe()).toEqual({ kind: 'scripted', id: 'scripted' });
  });

  it('reports a generation time from the text length when asked', async () => {
    const p = createScriptedPolicy(['abcd'], { msPerChar: 2.5 });
    expect(await p.generate(genReq, {})).toEqual({ text: 'abcd', generationMs: 10 });
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(createScriptedPolicy(['x']).generate(genReq, { signal: ac.signal })).rejects.toThrow();
  });
});

describe('createScriptedCaller', () => {
  it('uses the documented usage formula', () => {
    expect(scriptedUsage('12345678', 'one two  three\nfour')).toEqual({ promptTokens: 2, completionTokens: 5 });
  });

  it('replies by model name with deterministic usage and latency', async () => {
    const c = createScriptedCaller({ A: 'Twelve is 12.' });
    const r = await c.call(callReq('A'), {});
    expect(r).toEqual({ reply: 'Twelve is 12.', usage: { promptTokens: 5, completionTokens: 4 }, latencyMs: 240, cached: false });
  });

  it('throws the scripted error, and not-found for a model without a script', async () => {
    const c = createScriptedCaller({ A: { kind: 'timeout', message: 'took too long' } });
    await expect(c.call(callReq('A'), {})).rejects.toMatchObject({ name: 'CandidateCallError', kind: 'timeout', message: 'took too long' });
    const err = await c.call(callReq('B'), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandidateCallError);
    expect((err as CandidateCallError).kind).toBe('not-found');
  });
});
