/**
 * A tiny byte-level BPE tokenizer written in code for test models (`public/models/tiny-router/`): the 256
 * byte tokens in GPT-2's printable byte alphabet, a handful of merges, and the ChatML special tokens. It
 * is emitted as a Hugging Face `tokenizer.json` (what @huggingface/tokenizers and transformers.js load),
 * and `encodeTinyBpe` reproduces that tokenizer's encoding here, so golden files can hold prompt ids
 * without core running the library (the adapter test checks the two agree).
 *
 * Not for: real vocabularies (the embedded policy's tokenizer is trained by the training pipeline).
 */
import { byteLevelAlphabet } from './byteLevel';

/** Merges in rank order ("a b" joins a and b). Common English pairs and pieces of the router's tags. */
export const TINY_MERGES = ['Ġ t', 'h e', 'Ġt he', 'i n', 'e r', 'o n', 'Ġ a', 'r e', 'a n', 'Ġ w', '< /', 'e s'] as const;

export const CHATML_SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

export interface TinyTokenizer {
  json: Record<string, unknown>;
  /** token string (byte alphabet) → id */
  vocab: Map<string, number>;
  specialIds: Record<(typeof CHATML_SPECIAL_TOKENS)[number], number>;
  /** Largest id + 1. */
  size: number;
}

/** ids 0–255 bytes, 256… merges in rank order, then the special tokens. */
export function createTinyTokenizer(): TinyTokenizer {
  const vocab = new Map<string, number>();
  byteLevelAlphabet().forEach((ch, b) => vocab.set(ch, b));
  for (const m of TINY_MERGES) vocab.set(m.replace(' ', ''), vocab.size);
  const specialIds = {} as TinyTokenizer['specialIds'];
  const added = CHATML_SPECIAL_TOKENS.map((content) => {
    const id = vocab.size + Object.keys(specialIds).length;
    specialIds[content] = id;
    return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: Object.fromEntries(vocab), merges: [...TINY_MERGES] },
  };
  return { json, vocab, specialIds, size: vocab.size + added.length };
}

/** GPT-2's pre-tokenisation regex (the ByteLevel pre-tokenizer with use_regex). */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Apply the merges to one pre-token (lowest rank first, as BPE does). */
function bpeWord(symbols: string[], ranks: Map<string, number>): string[] {
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const r = ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
      if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
    }
    if (best < 0) return symbols;
    symbols.splice(best, 2, `${symbols[best]}${symbols[best + 1]}`);
  }
}

/** Encode like the tokenizer.json above: special tokens split out first, then regex, bytes, merges. */
export function encodeTinyBpe(tok: TinyTokenizer, text: string): number[] {
  const alphabet = byteLevelAlphabet();
  const ranks = new Map(TINY_MERGES.map((m, r) => [m, r]));
  const specials = Object.entries(tok.specialIds);
  const ids: number[] = [];
  let rest = text;
  while (rest.length > 0) {
    let cut = rest.length;
    let special: [string, number] | undefined;
    for (const [content, id] of specials) {
      const at = rest.indexOf(content);
      if (at >= 0 && at < cut) [cut, special] = [at, [content, id]];
    }
    for (const piece of rest.slice(0, cut).match(GPT2_SPLIT) ?? []) {
      const symbols = [...new TextEncoder().encode(piece)].map((b) => alphabet[b] ?? '');
      for (const s of bpeWord(symbols, ranks)) ids.push(tok.vocab.get(s) ?? -1);
    }
    if (special === undefined) break;
    ids.push(special[1]);
    rest = rest.slice(cut + special[0].length);
  }
  return ids;
}

/** Our minimal ChatML template: a default system turn (`defaultSystem`) unless one is given, then the turns. */
export function tinyChatmlTemplate(defaultSystem: string): string {
  return [
    `{%- set default_system = '${defaultSystem}' -%}`,
    "{%- if messages[0]['role'] != 'system' -%}",
    "{{- '<|im_start|>system\\n' + default_system + '<|im_end|>\\n' -}}",
    '{%- endif -%}',
    '{%- for m in messages -%}',
    "{{- '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' -}}",
    '{%- endfor -%}',
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}",
  ].join('\n');
}

/** The tiny router's chat template. */
export const TINY_CHATML_TEMPLATE = tinyChatmlTemplate('You are a router.');

/** What TINY_CHATML_TEMPLATE renders for one user message with the generation prompt. */
export function renderTinyChatml(user: string): string {
  return `<|im_start|>system\nYou are a router.<|im_end|>\n<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`;
}
