import { describe, expect, it } from 'vitest';
import { createTagTokenizer } from '../../testing/tagTokenizer';
import { createExtractiveSpans, spanSourcesOf, UNKNOWN_ANSWER, type SpanSources } from './extractiveSpans';

/** Multi-character pieces (ids 1000+), as a BPE has: some cross a word boundary or the route's colon. */
const PIECES = ['\uFFFD', ' Paris', 'Par', 'is', ' France', 'gemma: ', ': Where', ' of', 'of ', 'aub', 'rey', ' be', 'ards', 'ley'];
const V = 1000 + PIECES.length + 1;
const EOS = V - 1;

/** Tags are ids 0–7, pieces 1000+, any other character 100 + its code; EOS decodes to nothing. */
const tokenizer = createTagTokenizer({ pieces: PIECES, eos: EOS });
const pieceId = (p: string): number => 1000 + PIECES.indexOf(p);
const charId = (c: string): number => 100 + c.charCodeAt(0);

const SOURCES: SpanSources = { query: 'Where is the capital of France?', answers: ['The answer is **Paris**.', 'It is **aubrey beardsley**.', UNKNOWN_ANSWER] };

/** The logits after `text` (all 0 before; removed ones become −∞). */
function after(text: string, sources = SOURCES): Float32Array {
  const logits = new Float32Array(V);
  createExtractiveSpans(tokenizer, sources)(logits, { generatedIds: tokenizer.encode(text), generatedText: text, step: 0 });
  return logits;
}
const allowed = (text: string, id: number): boolean => after(text)[id] === 0;

describe('extractive spans', () => {
  it('leaves thoughts, text between blocks and the model name of a route alone (a route without a query cannot close)', () => {
    for (const text of ['<think>ask gem', '<think>x</think>\n']) expect(after(text).every((x) => x === 0)).toBe(true);
    const name = after('<think>x</think>\n<search>gem');
    expect([...name.keys()].filter((id) => name[id] !== 0)).toEqual(tokenizer.encode('</search>'));
  });
  it('a sub-query continues a span of the question that starts at a word', () => {
    const route = '<think>x</think>\n<search>gemma: Where is the capital';
    expect(allowed(route, pieceId(' of'))).toBe(true);
    expect(allowed(route, charId(' '))).toBe(true);
    expect(allowed(route, pieceId(' France'))).toBe(false); // "capital France" is not in the question
    expect(allowed(route, charId('s'))).toBe(false);
    // the first word must start a word of the question: "here" does not, "is" does
    expect(allowed('<think>x</think>\n<search>gemma: ', charId('h'))).toBe(false);
    expect(allowed('<think>x</think>\n<search>gemma: ', pieceId('is'))).toBe(true);
    // a piece that brings the colon is checked on what follows it
    expect(allowed('<think>x</think>\n<search>gemma', pieceId(': Where'))).toBe(true);
    expect(allowed('<think>x</think>\n<search>gem', pieceId('of '))).toBe(true); // still the name: free
  });
  it('the whole question ends the copy: only the closing tag is left', () => {
    const l = after('<think>x</think>\n<search>gemma: Where is the capital of France?');
    const open = [...l.keys()].filter((id) => l[id] === 0);
    expect(open).toEqual([tokenizer.encode('</search>')[0]]);
  });
  it('closes a span only where a word of the source ends, and never an empty one', () => {
    const close = tokenizer.encode('</answer>')[0] as number;
    expect(allowed('<think>x</think>\n<answer>', close)).toBe(false);
    expect(allowed('<think>x</think>\n<answer>Par', close)).toBe(false);
    expect(allowed('<think>x</think>\n<answer>Paris', close)).toBe(true);
    expect(allowed('<think>x</think>\n<answer>aub', close)).toBe(false);
    expect(allowed('<think>x</think>\n<answer>aubrey beardsley', close)).toBe(true);
    expect(allowed('<think>x</think>\n<answer>unknown', close)).toBe(true);
  });
  it('an answer continues one reply, never two replies spliced together', () => {
    expect(allowed('<think>x</think>\n<answer>aub', pieceId('rey'))).toBe(true);
    expect(allowed('<think>x</think>\n<answer>Paris', pieceId(' be'))).toBe(false);
    expect(allowed('<think>x</think>\n<answer>', pieceId('Par'))).toBe(true);
    expect(allowed('<think>x</think>\n<answer>', charId('Q'))).toBe(false);
  });
  it('white space once at the start of a span, never a token that writes nothing', () => {
    expect(allowed('<think>x</think>\n<answer>', charId(' '))).toBe(true);
    expect(allowed('<think>x</think>\n<answer> ', charId(' '))).toBe(false);
    expect(allowed('<think>x</think>\n<answer>Paris', EOS)).toBe(false);
  });
  it('compares characters outside ASCII loosely, so a multi-byte character written in pieces can be copied', () => {
    const src: SpanSources = { query: 'Who built città umilissima?', answers: [UNKNOWN_ANSWER] };
    const l = after('<think>x</think>\n<search>m: Who built citt\uFFFD', src);
    expect(l[pieceId('\uFFFD')]).toBe(0);
    expect(l[charId(' ')]).toBe(0);
    expect(l[charId('Q')]).toBe(-Infinity);
  });
});

describe('extractive spans: names and dead ends', () => {
  const named: SpanSources = { ...SOURCES, names: ['gemma', 'llama-8b'] };
  const at = (text: string, id: number): number => after(text, named)[id] as number;
  it('with the pool given, a route names one of its models exactly', () => {
    expect(at('<think>x</think>\n<search>gem', charId('m'))).toBe(0);
    expect(at('<think>x</think>\n<search>gem', charId('x'))).toBe(-Infinity);
    expect(at('<think>x</think>\n<search>', charId(' '))).toBe(-Infinity);
    expect(at('<think>x</think>\n<search>gemma', charId(':'))).toBe(0);
    expect(at('<think>x</think>\n<search>gem', charId(':'))).toBe(-Infinity); // "gem" is no model
    expect(at('<think>x</think>\n<search>gem', pieceId('gemma: '))).toBe(-Infinity); // would write "gemgemma"
    expect(at('<think>x</think>\n<search>', pieceId('gemma: '))).toBe(0);
  });
  it('when nothing can follow, the closing tag is allowed so the turn ends', () => {
    const close = tokenizer.encode('</answer>')[0] as number;
    const logits = new Float32Array(V);
    logits[close] = -3;
    // "Par" may only go on with "is" (and its letters); the grammar removed those (say, by a loop guard)
    for (const id of [pieceId('is'), charId('i')]) logits[id] = -Infinity;
    createExtractiveSpans(tokenizer, SOURCES)(logits, { generatedIds: [], generatedText: '<think>x</think>\n<answer>Par', step: 0 });
    expect([...logits.keys()].filter((id) => logits[id] !== -Infinity)).toEqual([close]);
    expect(logits[close]).toBe(-3);
  });
});

describe('span sources', () => {
  it('the question after the last "Question:" without colons, and every reply in the context', () => {
    const s = spanSourcesOf({
      promptText: 'Route it.\nModels: a ($1/M)\nQuestion: Who wrote: "Dune"?',
      contextText: '<think>x</think>\n<search>a: q</search>\n\n<information>The answer is **Frank Herbert**.</information>\n\n',
    });
    expect(s.query).toBe('Who wrote "Dune"?');
    expect(s.answers).toEqual(['The answer is **Frank Herbert**.', UNKNOWN_ANSWER]);
  });
});
