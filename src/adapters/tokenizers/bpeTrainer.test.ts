/**
 * The tokenizer.json our BPE trainer (core/tokenizer/bpeTrainer.ts) writes, loaded with
 * @huggingface/tokenizers through createHfTokenizer: it loads, encodes exactly as our own encoder does,
 * round-trips arbitrary UTF-8 text, and keeps the router's tags and ChatML markers as single tokens.
 * Once on a small synthetic corpus, once on the real corpus (offline bank of ../shared/data).
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTokenizerCorpus } from '../../core/defaultPolicy/corpus';
import { createBpeTokenizer } from '../../core/tokenizer/bpeTokenizer';
import { BPE_SPECIAL_TOKENS, bpeTokenizerConfig, ROUTER_TAG_TOKENS, trainByteLevelBpe, type TrainedBpe } from '../../core/tokenizer/bpeTrainer';
import { createRng } from '../../core/math/rng';
import { TINY_CHATML_TEMPLATE } from '../../core/tokenizer/tinyTokenizer';
import { loadOfflineBank } from '../../core/offline/offlineBank';
import { createFsDataRoot } from '../node/fsDataRoot';
import { createHfTokenizer, type HfTokenizer } from './hfTokenizer';

const DATA_DIR = resolve(__dirname, '../../../../shared/data');

const ROUTER_TEXT =
  '<|im_start|>user\nRoute the question to helper models, then answer.\nModels: gemma-2-9b-it ($0.1/M); llama3-chatqa-1.5-70b ($0.9/M)\nQuestion: who wrote dune?<|im_end|>\n' +
  '<|im_start|>assistant\n<think>Cheapest first: ask gemma-2-9b-it.</think>\n<search>gemma-2-9b-it: who wrote dune?</search>\n\n' +
  "<information>The answer is **Frank Herbert**. It's well known.</information>\n\n<think>Frank Herbert is confirmed.</think>\n<answer>Frank Herbert</answer><|im_end|>";

/** Random valid UTF-8 strings: ASCII, whitespace runs, accents, combining marks, CJK, emoji (ZWJ, flags), RTL, controls. */
function randomTexts(seed: number, n: number): string[] {
  const rng = createRng(seed);
  const pick = (lo: number, hi: number): string => String.fromCodePoint(lo + (rng.nextUint32() % (hi - lo + 1)));
  const makers: (() => string)[] = [
    () => pick(0x20, 0x7e),
    () => pick(0x61, 0x7a).repeat(1 + (rng.nextUint32() % 5)),
    () => [' ', '  ', '\n', '\n\n', '\t', '\r\n', '\u00a0', '\u3000', '\u2028'][rng.nextUint32() % 9] as string,
    () => pick(0xc0, 0x24f),
    () => pick(0x300, 0x36f),
    () => pick(0x4e00, 0x9fff),
    () => pick(0x3040, 0x30ff),
    () => pick(0x1f300, 0x1faff),
    () => ['👩‍👩‍👧', '🇫🇷', '👍🏽', '❤️'][rng.nextUint32() % 4] as string,
    () => pick(0x600, 0x6ff),
    () => pick(0x0, 0x1f),
    () => ["'s", "'ll", '**', '<think>', '</answer>', '<|im_end|>', '<thin', 'k>'][rng.nextUint32() % 8] as string,
    () => pick(0x10000, 0x10ffff),
  ];
  return Array.from({ length: n }, () => Array.from({ length: 1 + (rng.nextUint32() % 30) }, () => (makers[rng.nextUint32() % makers.length] as () => string)()).join(''));
}

function load(trained: TrainedBpe): HfTokenizer {
  // Through JSON text, as read from a model folder.
  return createHfTokenizer(JSON.stringify(trained.json), JSON.stringify(bpeTokenizerConfig(TINY_CHATML_TEMPLATE)));
}

describe('a trained tokenizer.json in @huggingface/tokenizers', () => {
  const trained = trainByteLevelBpe([ROUTER_TEXT, ...randomTexts(1, 400), ...Array.from({ length: 20 }, () => ROUTER_TEXT)], { vocabSize: 700 });
  const hf = load(trained);
  const ours = createBpeTokenizer(trained);

  it('loads with the expected size, specials and eos', () => {
    expect(hf.vocabSize).toBe(700);
    expect(hf.specialTokenIds).toEqual(BPE_SPECIAL_TOKENS.map((t) => ours.tokenToId(t)));
    expect(hf.eosTokenId).toBe(ours.tokenToId('<|im_end|>'));
  });

  it('encodes exactly as our encoder and round-trips arbitrary UTF-8 text', () => {
    for (const text of [ROUTER_TEXT, 'café 日本語 😀 👩‍👩‍👧 🇫🇷 مرحبا', ...randomTexts(2, 1000)]) {
      const ids = hf.encode(text);
      expect(ids, JSON.stringify(text)).toEqual(ours.encode(text));
      expect(hf.decode(ids)).toBe(text);
    }
  });

  it('keeps the tags and ChatML markers as single tokens; skipping specials keeps the tags', () => {
    for (const tag of [...ROUTER_TAG_TOKENS, ...BPE_SPECIAL_TOKENS]) {
      expect(hf.encode(tag)).toEqual([hf.tokenToId(tag)]);
      expect(hf.encode(`x${tag}y`)).toHaveLength(3);
    }
    const ids = hf.encode('<|im_start|>assistant\n<think>a</think>\n<answer>b</answer><|im_end|>');
    expect(hf.decode(ids, { skipSpecialTokens: true })).toBe('assistant\n<think>a</think>\n<answer>b</answer>');
  });
});

describe('the tokenizer trained on the real corpus', () => {
  let trained: TrainedBpe;
  let texts: string[];
  beforeAll(async () => {
    const bank = await loadOfflineBank(createFsDataRoot(DATA_DIR));
    texts = (await buildTokenizerCorpus(bank, { seed: 1 })).texts;
    trained = trainByteLevelBpe(texts, { vocabSize: 4096 });
  });

  it('loads, and encodes the corpus as our encoder does, tags as single tokens', () => {
    const hf = load(trained);
    const ours = createBpeTokenizer(trained);
    expect(hf.vocabSize).toBe(4096);
    for (const text of texts.slice(0, 300)) {
      const ids = hf.encode(text);
      expect(ids).toEqual(ours.encode(text));
      expect(hf.decode(ids)).toBe(text);
    }
    const answerId = hf.tokenToId('<answer>');
    expect(texts.slice(0, 300).filter((t) => t.includes('<answer>')).every((t) => hf.encode(t).includes(answerId as number))).toBe(true);
  });
});
