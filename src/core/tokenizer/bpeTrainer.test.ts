/**
 * The BPE trainer in core: the byte alphabet, GPT-2 pre-tokenisation (checked against GPT-2's regex as
 * an oracle), the merge loop, added tokens, and our encoder's round trip. That @huggingface/tokenizers
 * loads the file and encodes the same ids is checked in src/adapters/tokenizers/bpeTrainer.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../math/rng';
import { createBpeTokenizer } from './bpeTokenizer';
import { BpeTrainError, BPE_SPECIAL_TOKENS, ROUTER_TAG_TOKENS, trainByteLevelBpe } from './bpeTrainer';
import { byteLevelAlphabet, preTokenize, splitAddedTokens } from './byteLevel';

const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Random strings over a mix of ASCII, whitespace, punctuation, accents, CJK, emoji and other scripts. */
function randomTexts(seed: number, n: number): string[] {
  const rng = createRng(seed);
  const pieces = ['a', 'Z', 'é', ' ', '  ', '\n', '\t', '\r\n', "'s", "'ll", "'", '?', '!', '.', '—', '7', '42', '½', '日', '本語', '😀', '👩‍👩‍👧', '🇫🇷', 'ß', 'Ω', 'ح', '\u00a0', '\u3000', '\u0301', '<', '>', '/', '*', '**', '$', 'the', ' the', 'think', '\u200b', '\u0000', '\u007f', '\ufeff'];
  return Array.from({ length: n }, () => {
    const len = 1 + (rng.nextUint32() % 24);
    return Array.from({ length: len }, () => pieces[rng.nextUint32() % pieces.length]).join('');
  });
}

const SAMPLE = [
  "The cat's hat isn't here; they'll see 3.14 cats.",
  'Route the question to helper models, then answer.\nModels: gemma-2-9b-it ($0.1/M); llama3-chatqa-1.5-70b ($0.9/M)\nQuestion: who wrote dune?',
  '<think>Cheapest first: ask gemma-2-9b-it.</think>\n<search>gemma-2-9b-it: who wrote dune?</search>\n\n<information>The answer is **Frank Herbert**.</information>\n\n<think>Frank Herbert is confirmed.</think>\n<answer>Frank Herbert</answer>',
];

describe('byteLevelAlphabet', () => {
  it('is GPT-2’s byte encoder: 256 distinct printable characters, space Ġ and newline Ċ', () => {
    const a = byteLevelAlphabet();
    // GPT-2's bytes_to_unicode: non-printable bytes take U+0100… in byte order (0x00–0x20, 0x7F, 0x80–0xA0, 0xAD).
    expect([a[0], a[32], a[127], a[128], a[160], a[173], a[255]]).toEqual(['\u0100', '\u0120', '\u0121', '\u0122', '\u0142', '\u0143', '\u00ff']);
    expect(new Set(a).size).toBe(256);
    expect([a[32], a[10], a[65]]).toEqual(['Ġ', 'Ċ', 'A']);
  });
});

describe('preTokenize', () => {
  it('splits exactly as GPT-2’s pre-tokenisation regex', () => {
    for (const text of [...SAMPLE, ...randomTexts(1, 2000), '', ' ', '   x', 'x   ', 'a\n\n b', "'S 's'sx", '  \u00a0x']) {
      expect(preTokenize(text), JSON.stringify(text)).toEqual(text.match(GPT2_SPLIT) ?? []);
    }
  });

  it('loses nothing', () => {
    for (const text of randomTexts(2, 200)) expect(preTokenize(text).join('')).toBe(text);
  });
});

describe('splitAddedTokens', () => {
  it('cuts at the added tokens, leftmost and longest first', () => {
    expect(splitAddedTokens('a<think>b</think><|im_end|>', ['<think>', '</think>', '<|im_end|>'])).toEqual([
      ['a', false],
      ['<think>', true],
      ['b', false],
      ['</think>', true],
      ['<|im_end|>', true],
    ]);
    expect(splitAddedTokens('<ab', ['<a', '<ab'])).toEqual([['<ab', true]]);
    expect(splitAddedTokens('', ['<a'])).toEqual([]);
  });
});

describe('trainByteLevelBpe', () => {
  const corpus = [...SAMPLE, ...SAMPLE.map((s) => s.toUpperCase()), ...randomTexts(3, 300)];

  it('learns frequent pairs first, deterministically, up to the target size', () => {
    const a = trainByteLevelBpe(corpus, { vocabSize: 400 });
    const b = trainByteLevelBpe([...corpus].reverse(), { vocabSize: 400 });
    expect(a.json).toEqual(b.json);
    expect(a.size).toBe(400);
    expect(a.stats.stoppedBy).toBe('vocab-size');
    expect(a.vocab.has('Ġthe')).toBe(true);
    expect(new Set(a.merges).size).toBe(a.merges.length);
    // every merge builds a vocabulary token from two vocabulary tokens
    for (const m of a.merges) {
      const [l, r] = m.split(' ') as [string, string];
      expect(a.vocab.has(l) && a.vocab.has(r) && a.vocab.has(l + r)).toBe(true);
    }
  });

  it('places the added tokens after the BPE tokens: ChatML specials (special) then the tags (not special)', () => {
    const t = trainByteLevelBpe(corpus, { vocabSize: 300 });
    expect(t.addedTokens.map((x) => x.content)).toEqual([...BPE_SPECIAL_TOKENS, ...ROUTER_TAG_TOKENS]);
    expect(t.addedTokens.map((x) => x.id)).toEqual(Array.from({ length: 11 }, (_, k) => 289 + k));
    expect(t.addedTokens.map((x) => x.special)).toEqual([true, true, true, ...ROUTER_TAG_TOKENS.map(() => false)]);
    expect((t.json['model'] as { merges: string[] }).merges).toEqual(t.merges);
  });

  it('never merges inside an added token, and stops when no pair is frequent enough', () => {
    const t = trainByteLevelBpe(Array.from({ length: 50 }, () => '<think>zq</think><|im_end|>'), { vocabSize: 1000 });
    expect(t.merges).toEqual(['z q']);
    expect(t.stats.stoppedBy).toBe('min-frequency');
    expect(t.size).toBe(256 + 1 + 11);
  });

  it('refuses a vocabulary too small for the bytes and added tokens', () => {
    expect(() => trainByteLevelBpe(corpus, { vocabSize: 260 })).toThrow(BpeTrainError);
    expect(() => trainByteLevelBpe(corpus, { specialTokens: ['<a>', '<a>'] })).toThrow(BpeTrainError);
  });
});

describe('createBpeTokenizer', () => {
  const trained = trainByteLevelBpe([...SAMPLE, ...randomTexts(4, 500)], { vocabSize: 600 });
  const tok = createBpeTokenizer(trained);

  it('round-trips any text, emoji, CJK and controls included', () => {
    for (const text of [...SAMPLE, ...randomTexts(5, 500), 'café 日本語 😀 👩‍👩‍👧 🇫🇷', '']) expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('makes each tag and special token a single id', () => {
    for (const tag of [...ROUTER_TAG_TOKENS, ...BPE_SPECIAL_TOKENS]) expect(tok.encode(tag)).toEqual([tok.tokenToId(tag)]);
    const ids = tok.encode(SAMPLE[2] as string);
    expect(ids.filter((id) => id === tok.tokenToId('<think>'))).toHaveLength(2);
    expect(ids.length).toBeLessThan((SAMPLE[2] as string).length / 2);
    expect(() => tok.decode([trained.size])).toThrow(BpeTrainError);
  });
});
