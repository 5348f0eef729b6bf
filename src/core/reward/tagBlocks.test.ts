/**
 * The linear tag scanner against its oracle: the regexes it replaced, kept here verbatim
 * (`/<(tags)>([\s\S]*?)<\/\1>/g` for findTagBlocks, `/<(search|answer)>([\s\S]*?)<\/\1>/` for
 * parseAction). JavaScript's regex and Python's `re.findall(…, re.DOTALL)` agree on these patterns
 * (leftmost, non-greedy, backreference, non-overlapping); the conformance vectors check the Python side.
 *
 * Inputs are seeded random soups of the protocol tags, their near-misses (other case, missing `>`,
 * `</` alone, other names), nested, unclosed and interleaved tags, newlines and text.
 *
 * Measured (node 20, 2 shared cores): on `'<search>'.repeat(25_000)` (200,000 characters) the old regex
 * took ~1.7 s per call, and a 9-round link of them over 95 s to decode; the scanner scores all 9 rounds
 * joined (1.8M characters: format, route count, answer, action) in ~70 ms. The cost test below fails
 * only at 2 s, which only a return of the quadratic behaviour reaches. Planted bug checked: making the
 * close search greedy (lastIndexOf) fails 4 of these tests.
 */
import { hrtime } from 'node:process';
import { describe, expect, it } from 'vitest';
import { createRng } from '../math/rng';
import { parseAction } from '../protocol/actions';
import { extractAnswer, findTagBlocks, formatReward, routeCount } from './format';
import { PROTOCOL_TAGS, scanTagBlocks, type TagBlock } from './tagBlocks';

/** The old implementation (the oracle). */
function regexBlocks(text: string, tags: readonly string[], global = true): TagBlock<string>[] {
  const re = new RegExp(`<(${tags.join('|')})>([\\s\\S]*?)</\\1>`, global ? 'g' : '');
  if (!global) {
    const m = re.exec(text);
    return m === null ? [] : [{ tag: m[1] as string, content: m[2] ?? '', start: m.index, end: m.index + m[0].length }];
  }
  return [...text.matchAll(re)].map((m) => ({ tag: m[1] as string, content: m[2] ?? '', start: m.index, end: m.index + m[0].length }));
}

/** A uniform source in [0, 1) from core's seeded rng. */
function seededUniform(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.nextFloat();
}

const OPENS = PROTOCOL_TAGS.map((t) => `<${t}>`);
const CLOSES = PROTOCOL_TAGS.map((t) => `</${t}>`);
const NEAR_MISSES = ['<Search>', '<search', '</search', '</', '<', '>', '<<search>>', '<searchx>', '</answer >', '<answe>', '<thinkk>', '</informatio>', '<search/>', '<tool>', '</tool>'];
const TEXT = ['a', ' ', 'Qwen: q?', ':', '\n', '\r\n', '...', 'é', '🙂', '\u2028', 'llm-name', ''];

function soup(rng: () => number): string {
  const n = Math.floor(rng() * 40);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rng();
    const from = r < 0.3 ? OPENS : r < 0.6 ? CLOSES : r < 0.75 ? NEAR_MISSES : TEXT;
    s += from[Math.floor(rng() * from.length)] ?? '';
  }
  return s;
}

const TAG_SETS: readonly (readonly (typeof PROTOCOL_TAGS)[number][])[] = [PROTOCOL_TAGS, ['search', 'answer'], ['answer'], ['information', 'think']];

describe('scanTagBlocks agrees with the regex it replaced', () => {
  it('on 20,000 seeded random tag soups, for every tag set the reward and the parser use', () => {
    const rng = seededUniform(0x7a9b10c5);
    let blocks = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = soup(rng);
      for (const tags of TAG_SETS) {
        const expected = regexBlocks(text, tags);
        blocks += expected.length;
        expect(scanTagBlocks(text, tags), JSON.stringify(text)).toEqual(expected);
      }
      expect(scanTagBlocks(text, ['search', 'answer'], 1)).toEqual(regexBlocks(text, ['search', 'answer'], false));
    }
    expect(blocks).toBeGreaterThan(20_000); // the soups do produce matches, not only misses
  });

  it.each([
    ['nested: the first close ends the block (non-greedy)', '<search>a<search>b</search>c</search>', [['search', 'a<search>b']]],
    ['backreference: another tag\'s close does not end it', '<think>a</search>b</think>', [['think', 'a</search>b']]],
    ['an unclosed opening is skipped, a later one matches', '<answer>x<answer>y</answer>', [['answer', 'x<answer>y']]],
    ['interleaved: the earliest opening with a close wins', '<think><answer></think></answer>', [['think', '<answer>']]],
    ['a block after an unclosed one of another tag', '<search>zz<answer>ok</answer>', [['answer', 'ok']]],
    ['dot matches newlines', '<think>\n\r\u2028</think>', [['think', '\n\r\u2028']]],
    ['empty content', '<answer></answer><answer></answer>', [['answer', ''], ['answer', '']]],
    ['the opening tag must be exact', '<Answer>a</Answer><answer >b</answer>', []],
  ])('%s', (_what, text, expected) => {
    const got = scanTagBlocks(text, PROTOCOL_TAGS).map((b) => [b.tag, b.content]);
    expect(got).toEqual(expected);
    expect(got).toEqual(regexBlocks(text, PROTOCOL_TAGS).map((b) => [b.tag, b.content]));
  });

  it('parseAction, findTagBlocks and the reward read the same blocks as before', () => {
    const rng = seededUniform(0x51ab);
    const oldParse = (t: string): string | null => {
      const b = regexBlocks(t, ['search', 'answer'], false)[0];
      return b === undefined ? null : `${b.tag}:${b.content}`;
    };
    for (let i = 0; i < 5_000; i++) {
      const text = soup(rng);
      const action = parseAction(text);
      const first = oldParse(text);
      expect(action.type === 'invalid' && action.reason === 'no-action', text).toBe(first === null);
      expect(findTagBlocks(text)).toEqual(regexBlocks(text, PROTOCOL_TAGS));
    }
  });
});

describe('cost on hostile text (linear, not quadratic)', () => {
  const seconds = (f: () => unknown): number => {
    const t0 = hrtime.bigint();
    f();
    return Number(hrtime.bigint() - t0) / 1e9;
  };

  it('scores 9 rounds of 25,000 unclosed <search> tags each', () => {
    const round = '<search>'.repeat(25_000);
    const text = `<think>x</think>${round.repeat(9)}<answer>a</answer>`;
    let result: unknown;
    // 2 s is ~1000× the measured time; the old regex took ~1.7 s on one round alone (see the header).
    const s = seconds(() => {
      result = [formatReward(text), routeCount(text), extractAnswer(text), parseAction(round), findTagBlocks(text).length];
    });
    expect(result).toEqual([-1, 0, 'a', { type: 'invalid', reason: 'no-action', content: '' }, 2]);
    expect(s).toBeLessThan(2);
  });
});
