import { describe, expect, it } from 'vitest';
import { createTagTokenizer, TAG_TOKENS } from '../../testing/tagTokenizer';
import type { Tokenizer } from './ports';
import { createProtocolGrammar } from './protocolGrammar';

const TAGS: readonly string[] = TAG_TOKENS;
/** Tags are ids 0–7, any other character is 100 + its code. */
const tokenizer = createTagTokenizer();

/** The tags still allowed after `text` (logits start at 0; removed ones become −∞). */
function allowedAfter(text: string): string[] {
  const logits = new Float32Array(300);
  createProtocolGrammar(tokenizer)(logits, { generatedIds: tokenizer.encode(text), generatedText: text, step: 0 });
  return TAGS.filter((_, id) => logits[id] === 0);
}

/** Whether the character `c` may come next after `text`. */
function charAllowed(text: string, c: string, o: { maxThinkTokens?: number } = {}): boolean {
  const logits = new Float32Array(300);
  createProtocolGrammar(tokenizer, o)(logits, { generatedIds: tokenizer.encode(text), generatedText: text, step: 0 });
  return logits[100 + c.charCodeAt(0)] === 0;
}

describe('protocol grammar processor', () => {
  it('starts a turn with <think> only', () => {
    expect(allowedAfter('')).toEqual(['<think>']);
  });
  it('inside a block allows only its closing tag', () => {
    expect(allowedAfter('<think>ask gemma')).toEqual(['</think>']);
    expect(allowedAfter('<think>x</think>\n<search>gemma: who wrote "Dune"?')).toEqual(['</search>']);
    expect(allowedAfter('<think>x</think>\n<answer>Frank')).toEqual(['</answer>']);
  });
  it('after a think block allows a route, an answer or another thought, never <information>', () => {
    expect(allowedAfter('<think>x</think>\n')).toEqual(['<think>', '<search>', '<answer>']);
  });
  it('inside <search> and <answer> removes a token that would repeat a trigram of the block (a copy loop)', () => {
    const g = createProtocolGrammar(tokenizer);
    const run = (text: string): Float32Array => {
      const logits = new Float32Array(300);
      g(logits, { generatedIds: tokenizer.encode(text), generatedText: text, step: 0 });
      return logits;
    };
    // "abcab" → writing "c" would repeat "abc"
    const l = run('<think>x</think><search>m: abcab');
    expect(l[100 + 'c'.charCodeAt(0)]).toBe(-Infinity);
    expect(l[100 + 'd'.charCodeAt(0)]).toBe(0);
    expect(run('<think>x</think><answer>abcab')[100 + 'c'.charCodeAt(0)]).toBe(-Infinity);
    // text before the search is not guarded
    expect(run('<think>abc</think><search>ab')[100 + 'c'.charCodeAt(0)]).toBe(0);
  });
  it('inside a block leaves words alone; outside every block allows one white-space token and no word', () => {
    expect(charAllowed('<think>ask gem', 'm')).toBe(true);
    expect(charAllowed('<think>x</think>\n<search>gemma: who', ' ')).toBe(true);
    expect(charAllowed('', 'W')).toBe(false); // a turn that starts with a word continues the prompt
    expect(charAllowed('', '\n')).toBe(true);
    expect(charAllowed('\n', '\n')).toBe(false);
    expect(charAllowed('<think>x</think>', '\n')).toBe(true);
    expect(charAllowed('<think>x</think>\n', '\n')).toBe(false);
    expect(charAllowed('<think>x</think>\n', 'a')).toBe(false);
  });
  it('never closes an empty thought', () => {
    expect(allowedAfter('<think>')).toEqual([]);
    expect(allowedAfter('<think> \n')).toEqual([]);
    expect(allowedAfter('<think>x')).toEqual(['</think>']);
  });
  it('guards thoughts against 4-gram loops and closes them after maxThinkTokens', () => {
    expect(charAllowed('<think>abcdabc', 'd')).toBe(false);
    expect(charAllowed('<think>abcab', 'c')).toBe(true); // a trigram may repeat in a thought
    expect(charAllowed('<think>abcdefgh', 'i', { maxThinkTokens: 8 })).toBe(false);
    expect(charAllowed('<think>abcdefg', 'h', { maxThinkTokens: 8 })).toBe(true);
    const logits = new Float32Array(300);
    createProtocolGrammar(tokenizer, { maxThinkTokens: 8 })(logits, { generatedIds: tokenizer.encode('<think>abcdefgh'), generatedText: '<think>abcdefgh', step: 0 });
    expect(TAGS.filter((_, id) => logits[id] === 0)).toEqual(['</think>']);
  });
  it('is a no-op on tokenizers without single-token tags', () => {
    const spelled: Tokenizer = { encode: (t) => [...t].map((c) => 100 + c.charCodeAt(0)), decode: (ids) => ids.map((i) => String.fromCharCode(i - 100)).join('') };
    const logits = new Float32Array(300);
    createProtocolGrammar(spelled)(logits, { generatedIds: [], generatedText: '<think>x', step: 0 });
    expect(logits.every((x) => x === 0)).toBe(true);
  });
});
