import { describe, expect, it } from 'vitest';
import { cutTurn, parseAction } from '../../core';
import { buildTurnText, turnWarnings, type TurnDraft } from './turnText';

const draft = (patch: Partial<TurnDraft>): TurnDraft => ({ action: 'route', think: 'why', model: 'Qwen2.5-7B-Instruct', query: 'who wrote it', answer: '', raw: '', ...patch });

describe('buildTurnText', () => {
  it('writes a route the environment parses as one', () => {
    const text = buildTurnText(draft({}));
    expect(text).toBe('<think>why</think>\n<search>Qwen2.5-7B-Instruct: who wrote it</search>');
    expect(parseAction(cutTurn(text))).toMatchObject({ type: 'route', modelName: 'Qwen2.5-7B-Instruct' });
  });

  it('writes an answer, and sends raw text as typed', () => {
    expect(buildTurnText(draft({ action: 'answer', answer: ' Philip K. Dick ' }))).toBe('<think>why</think>\n<answer>Philip K. Dick</answer>');
    expect(buildTurnText(draft({ action: 'raw', raw: 'anything' }))).toBe('anything');
  });
});

describe('turnWarnings', () => {
  it('flags what costs the format reward or makes no call', () => {
    expect(turnWarnings(draft({}), true)).toEqual([]);
    expect(turnWarnings(draft({ think: '' }), true)[0]).toContain('empty thought');
    expect(turnWarnings(draft({ query: 'a: b' }), true).join()).toContain('colon');
    expect(turnWarnings(draft({ query: 'ask qwen2.5-7b-instruct' }), true).join()).toContain('model name');
    expect(turnWarnings(draft({}), false).join()).toContain('final turn');
    expect(turnWarnings(draft({ query: ' ' }), true).join()).toContain('empty');
  });
});
