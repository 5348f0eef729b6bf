/**
 * A byte-level BPE trainer of our own (DESIGN.md §6): texts in, a Hugging Face `tokenizer.json` out, in
 * the same shape as tinyTokenizer.ts writes (ByteLevel pre-tokenizer and decoder, a BPE model over GPT-2's
 * printable byte alphabet, added tokens after the merges). The steps of `trainByteLevelBpe`:
 *
 *   1. options: the added tokens (ChatML specials and the router's whole tags) and the target size;
 *   2. pieces: each text is cut at the added tokens (never split, never merged), pre-tokenised as GPT-2
 *      does (byteLevel.ts `preTokenize`, the same split the ByteLevel pre-tokenizer applies at encode
 *      time), and counted; each distinct piece becomes its UTF-8 byte symbols (ids 0–255);
 *   3. merges: count adjacent symbol pairs over the distinct pieces weighted by frequency; merge the most
 *      frequent pair (ties: smaller left id, then right id — ids are fixed by merge order, so the result
 *      is deterministic) and update the counts incrementally, touching only the pieces that hold the pair
 *      (a lazy max-heap, pairHeap.ts, finds the next best). Stops at the target vocab size or when no
 *      pair occurs `minFrequency` times;
 *   4. tokenizer.json: ids 0–255 bytes (byte value order), 256… new tokens in merge order, then the added
 *      tokens (specials first).
 *
 * Encoding with the result is bpeTokenizer.ts's job. Not for: encoding at run time.
 */
import { byteLevelAlphabet, preTokenize, splitAddedTokens } from './byteLevel';
import { KEY_BASE, PairHeap, pairKey } from './pairHeap';

/** ChatML special tokens (special: true). */
export const BPE_SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/** The router protocol's tags as whole tokens (added, special: false, so decoding never drops them). */
export const ROUTER_TAG_TOKENS = ['<think>', '</think>', '<search>', '</search>', '<information>', '</information>', '<answer>', '</answer>'] as const;

export const DEFAULT_BPE_VOCAB_SIZE = 4096;

export class BpeTrainError extends Error {
  override name = 'BpeTrainError';
}

export interface BpeTrainOptions {
  /** Total vocabulary size including the 256 bytes and the added tokens (default 4096). */
  vocabSize?: number;
  /** A pair must occur at least this often (weighted) to be merged (default 2). */
  minFrequency?: number;
  /** Special added tokens (default BPE_SPECIAL_TOKENS). */
  specialTokens?: readonly string[];
  /** Non-special added tokens (default ROUTER_TAG_TOKENS). */
  addedTokens?: readonly string[];
}

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: false;
  lstrip: false;
  rstrip: false;
  normalized: false;
  special: boolean;
}

export interface TrainedBpe {
  /** tokenizer.json as a plain object (JSON.stringify it to write the file). */
  json: Record<string, unknown>;
  /** BPE token string (byte alphabet) → id; added tokens not included. */
  vocab: Map<string, number>;
  /** Merges in rank order, "left right". */
  merges: string[];
  addedTokens: AddedTokenJson[];
  /** Largest id + 1. */
  size: number;
  stats: BpeTrainStats;
}

export interface BpeTrainStats {
  texts: number;
  /** Pre-tokenised pieces, counted with repetition, and distinct. */
  pieces: number;
  distinctPieces: number;
  merges: number;
  /** Why the loop stopped: reached the target size, or no pair was frequent enough. */
  stoppedBy: 'vocab-size' | 'min-frequency';
}

interface ResolvedOptions {
  added: string[];
  specialCount: number;
  /** Symbols (bytes + merged tokens) the vocabulary may hold besides the added tokens. */
  maxSymbols: number;
  minFrequency: number;
}

/** 1. The added tokens and the size limits, checked. */
function resolveOptions(opts: BpeTrainOptions): ResolvedOptions {
  const specials = [...(opts.specialTokens ?? BPE_SPECIAL_TOKENS)];
  const added = [...specials, ...(opts.addedTokens ?? ROUTER_TAG_TOKENS)];
  if (new Set(added).size !== added.length || added.some((t) => t === '')) throw new BpeTrainError('The added tokens must be distinct and non-empty.');
  const vocabSize = opts.vocabSize ?? DEFAULT_BPE_VOCAB_SIZE;
  const maxSymbols = vocabSize - added.length;
  if (!Number.isInteger(vocabSize) || maxSymbols < 256 || vocabSize >= KEY_BASE) {
    throw new BpeTrainError(`vocabSize must be a whole number from ${256 + added.length} (256 bytes + ${added.length} added tokens) to ${KEY_BASE - 1}; got ${vocabSize}.`);
  }
  return { added, specialCount: specials.length, maxSymbols, minFrequency: opts.minFrequency ?? 2 };
}

interface Pieces {
  /** Distinct pieces as byte ids, in sorted piece order. [P][len] */
  words: number[][];
  /** How often each distinct piece occurs. [P] */
  counts: number[];
  /** Pieces counted with repetition. */
  total: number;
}

/** 2. Distinct pre-tokenised pieces with their frequencies, as byte-id sequences. */
function countPieces(texts: readonly string[], added: readonly string[]): Pieces {
  const freq = new Map<string, number>();
  let total = 0;
  for (const text of texts) {
    for (const [section, isAdded] of splitAddedTokens(text, added)) {
      if (isAdded) continue;
      for (const piece of preTokenize(section)) {
        total++;
        freq.set(piece, (freq.get(piece) ?? 0) + 1);
      }
    }
  }
  const distinct = [...freq.keys()].sort();
  const utf8 = new TextEncoder();
  return { words: distinct.map((p) => [...utf8.encode(p)]), counts: distinct.map((p) => freq.get(p) as number), total };
}

/** The merge loop's state: pair counts over the pieces, where each pair occurs, and the heap over them. */
class PairIndex {
  readonly count = new Map<number, number>();
  readonly where = new Map<number, Set<number>>();
  readonly heap = new PairHeap();

  constructor(private readonly words: number[][], private readonly counts: readonly number[]) {
    words.forEach((word, w) => {
      for (let i = 0; i + 1 < word.length; i++) this.add(pairKey(word[i] as number, word[i + 1] as number), w, counts[w] as number);
    });
    for (const [key, c] of this.count) this.heap.push(c, key);
  }

  /** The most frequent live pair and its count, or undefined when none is left. */
  popBest(): [number, number] | undefined {
    for (let top = this.heap.pop(); top !== undefined; top = this.heap.pop()) {
      if (this.count.get(top[1]) === top[0]) return top; // else stale
    }
    return undefined;
  }

  /** Rewrites every piece holding the pair (a, b) with `id` in its place, and updates the counts. */
  merge(key: number, a: number, b: number, id: number): void {
    const touched = new Set<number>();
    for (const w of this.where.get(key) ?? []) {
      const word = this.words[w] as number[];
      const out = replacePair(word, a, b, id);
      if (out === word) continue;
      const c = this.counts[w] as number;
      for (let i = 0; i + 1 < word.length; i++) touched.add(this.add(pairKey(word[i] as number, word[i + 1] as number), w, -c));
      for (let i = 0; i + 1 < out.length; i++) touched.add(this.add(pairKey(out[i] as number, out[i + 1] as number), w, c));
      this.words[w] = out;
    }
    this.count.delete(key);
    this.where.delete(key);
    for (const k of touched) {
      const c = this.count.get(k);
      if (c === undefined) continue;
      if (c <= 0) {
        this.count.delete(k);
        this.where.delete(k);
      } else this.heap.push(c, k);
    }
  }

  private add(key: number, w: number, by: number): number {
    this.count.set(key, (this.count.get(key) ?? 0) + by);
    if (by > 0) {
      let s = this.where.get(key);
      if (s === undefined) this.where.set(key, (s = new Set()));
      s.add(w);
    }
    return key;
  }
}

/** `word` with each non-overlapping (a, b), left to right, replaced by `id`; the same array when none. */
function replacePair(word: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  let changed = false;
  for (let i = 0; i < word.length; i++) {
    if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
      out.push(id);
      i++;
      changed = true;
    } else out.push(word[i] as number);
  }
  return changed ? out : word;
}

interface LearnedMerges {
  /** id → symbol string (bytes first). */
  symbols: string[];
  /** "left right" in rank order. */
  merges: string[];
  stoppedBy: BpeTrainStats['stoppedBy'];
}

/** 3. The merge loop. */
function learnMerges(pieces: Pieces, o: ResolvedOptions): LearnedMerges {
  const symbols: string[] = byteLevelAlphabet();
  // A merge may rebuild a string that already exists: it reuses that id.
  const idOf = new Map<string, number>(symbols.map((ch, b) => [ch, b]));
  const merges: string[] = [];
  const mergeSet = new Set<string>();
  const pairs = new PairIndex(pieces.words, pieces.counts);
  let stoppedBy: BpeTrainStats['stoppedBy'] = 'min-frequency';
  while (pairs.heap.size > 0) {
    if (symbols.length >= o.maxSymbols) {
      stoppedBy = 'vocab-size';
      break;
    }
    const best = pairs.popBest();
    if (best === undefined) break;
    const [count, key] = best;
    if (count < o.minFrequency) break;
    const a = Math.floor(key / KEY_BASE);
    const b = key % KEY_BASE;
    const text = (symbols[a] as string) + (symbols[b] as string);
    let id = idOf.get(text);
    if (id === undefined) {
      id = symbols.push(text) - 1;
      idOf.set(text, id);
    }
    // A rebuilt string can bring back a pair already merged once; its first rank stands.
    const merge = `${symbols[a]} ${symbols[b]}`;
    if (!mergeSet.has(merge)) {
      mergeSet.add(merge);
      merges.push(merge);
    }
    pairs.merge(key, a, b, id);
  }
  if (pairs.heap.size === 0 && symbols.length >= o.maxSymbols) stoppedBy = 'vocab-size';
  return { symbols, merges, stoppedBy };
}

/** 4. The Hugging Face tokenizer.json object. */
function tokenizerJson(vocab: Map<string, number>, merges: readonly string[], addedTokens: AddedTokenJson[]): Record<string, unknown> {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: { ...byteLevel },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges: [...merges],
    },
  };
}

/** Trains the tokenizer on `texts`. Deterministic: same texts and options → same tokenizer.json. */
export function trainByteLevelBpe(texts: readonly string[], opts: BpeTrainOptions = {}): TrainedBpe {
  const o = resolveOptions(opts);
  const pieces = countPieces(texts, o.added);
  const distinctPieces = pieces.words.length;
  const { symbols, merges, stoppedBy } = learnMerges(pieces, o);
  const vocab = new Map<string, number>(symbols.map((s, i) => [s, i]));
  const addedTokens = o.added.map((content, k): AddedTokenJson => ({
    id: symbols.length + k,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: k < o.specialCount,
  }));
  return {
    json: tokenizerJson(vocab, merges, addedTokens),
    vocab,
    merges,
    addedTokens,
    size: symbols.length + addedTokens.length,
    stats: { texts: texts.length, pieces: pieces.total, distinctPieces, merges: merges.length, stoppedBy },
  };
}

/** tokenizer_config.json for a trained tokenizer: ChatML ends a turn with <|im_end|>; no space clean-up. */
export function bpeTokenizerConfig(chatTemplate?: string): Record<string, unknown> {
  return {
    ...(chatTemplate === undefined ? {} : { chat_template: chatTemplate }),
    bos_token: null,
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    unk_token: null,
    clean_up_tokenization_spaces: false,
    model_max_length: 4096,
  };
}
