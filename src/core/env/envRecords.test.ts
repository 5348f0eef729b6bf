import { describe, expect, it } from 'vitest';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { REFERENCE_MODEL_IDS } from '../protocol/modelNames';
import { candidateParams, capObservation, costUnitsOf, costUsdOf, keptTokenCount } from './envRecords';
import type { PoolModelRecord } from './trajectory';

const tok = createByteTokenizer();
const model = (name: string, referenceId?: string): PoolModelRecord => ({
  name,
  provider: 'scripted',
  providerModelId: name,
  inputPer1M: 0.5,
  outputPer1M: 0.88,
  ...(referenceId === undefined ? {} : { referenceId }),
});

describe('candidate parameters (§2.3)', () => {
  it('are greedy, top-p 1, seed 42, 512 tokens', () => {
    expect(candidateParams(model('LLaMA-3.1-70B-Instruct'))).toEqual({ temperature: 0, topP: 1, seed: 42, maxTokens: 512 });
  });

  it('use temperature 0.1 for Gemma, by name or by reference id', () => {
    expect(candidateParams(model('Gemma-2-27B-Instruct')).temperature).toBe(0.1);
    expect(candidateParams(model('my-local-model', REFERENCE_MODEL_IDS.gemma27b)).temperature).toBe(0.1);
    expect(candidateParams(model('gemma-named', REFERENCE_MODEL_IDS.llama8b)).temperature).toBe(0);
  });
});

describe('call cost', () => {
  const usage = { promptTokens: 1000, completionTokens: 200 };
  it('in reference units is completion tokens × output price, no /1e6, prompt free', () => {
    expect(costUnitsOf(usage, model('m'))).toBeCloseTo(176, 10);
  });
  it('in dollars includes prompt tokens', () => {
    expect(costUsdOf(usage, model('m'))).toBeCloseTo((1000 * 0.5 + 200 * 0.88) / 1e6, 15);
  });
});

describe('capObservation', () => {
  it('keeps a short observation whole', () => {
    const c = capObservation(tok, '\n\n<information>ok</information>\n\n', 600);
    expect(c.record).toEqual({ text: '\n\n<information>ok</information>\n\n', tokenCount: 33, truncated: false });
    expect(c.ids).toEqual(tok.encode(c.record.text));
  });

  it('keeps the first N tokens and can cut the closing tag', () => {
    const obs = '\n\n<information>abcdef</information>\n\n';
    const c = capObservation(tok, obs, 24);
    expect(c.record).toEqual({ text: '\n\n<information>abcdef</i', tokenCount: 24, truncated: true });
    expect(c.ids).toEqual(tok.encode(obs).slice(0, 24));
  });
});

describe('keptTokenCount', () => {
  it('keeps every id when the text was not cut', () => {
    expect(keptTokenCount(tok, tok.encode('abc'), 'abc', 'abc')).toBe(3);
  });
  it('finds the shortest prefix that covers the kept text', () => {
    const raw = '<search>x: y</search> tail';
    const kept = '<search>x: y</search>';
    expect(keptTokenCount(tok, tok.encode(raw), raw, kept)).toBe(kept.length);
  });
  it('is idempotent on an already cut prefix', () => {
    const kept = '<answer>é</answer>';
    const ids = tok.encode(kept);
    expect(keptTokenCount(tok, ids, kept + '…', kept)).toBe(ids.length);
  });
  it('keeps all ids when they do not decode to the text', () => {
    expect(keptTokenCount(tok, tok.encode('zzzzzz'), 'abcdef', 'abc')).toBe(6);
  });
});
