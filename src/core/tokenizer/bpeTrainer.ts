/**
 * A byte-level BPE trainer of our own (issue 6, DESIGN.md §6): texts in, a Hugging Face `tokenizer.json`
 * out, in the same shape as tinyTokenizer.ts writes (ByteLevel pre-tokenizer and decoder, a BPE
 * model over GPT-2's printable byte alphabet, added tokens after the merges).
 *
 *   1. Each text is cut at the added tokens (ChatML specials and the router's whole tags): they are
 *      never split and never take part in merges.
 *   2. Pre-tokenisation (`preTokenize`): GPT-2's boundaries, written as a scanner — contractions ('s 't
 *      're 've 'm 'll 'd), an optional single space + a run of letters, of numbers, or of other
 *      non-space characters; whitespace runs keep their last character for the next piece. This is
 *      exactly what the ByteLevel pre-tokenizer (use_regex) splits, so the trained merges apply to the
 *      same pieces at encode time.
 *   3. Each piece → its UTF-8 bytes → byte symbols (ids 0–255, `byteLevelAlphabet`).
 *   4. Merge loop: count adjacent symbol pairs over the distinct pieces weighted by frequency; merge the
 *      most frequent pair (ties: the pair whose left id, then right id, is smaller — ids are fixed by
 *      merge order, so the result is deterministic), and update the counts incrementally, touching only
 *      the pieces that hold the pair (a lazy max-heap finds the next best). Stops at the target vocab
 *      size or when no pair occurs `minFrequency` times.
 *
 * ids: 0–255 bytes (byte value order), 256… new tokens in merge order, then the added tokens (specials
 * first). `encodeBpe` / `createBpeTokenizer` reproduce the library's encoding (lowest merge rank first,
 * leftmost on ties) so core can use the tokenizer without the library; the adapter test checks both agree.
 */

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

/**
 * GPT-2's byte → printable character map (the alphabet byte-level vocabularies are written in): the
 * printable Latin-1 bytes stand for themselves ('!'…'~', '¡'…'¬', '®'…'ÿ'); the other 68 bytes (controls,
 * space, DEL, NBSP, soft hyphen…) take U+0100, U+0101, … in byte order. So space is 'Ġ', newline 'Ċ'.
 */
export function byteLevelAlphabet(): string[] {
  const out: string[] = new Array<string>(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : 0x100 + shifted++);
  }
  return out;
}

const IS_SPACE = /^\s$/u;
const IS_LETTER = /^\p{L}$/u;
const IS_NUMBER = /^\p{N}$/u;
const CONTRACTIONS = ['s', 't', 're', 've', 'm', 'll', 'd'] as const;

type CharClass = 'space' | 'letter' | 'number' | 'other';

function classOf(ch: string): CharClass {
  if (IS_SPACE.test(ch)) return 'space';
  if (IS_LETTER.test(ch)) return 'letter';
  if (IS_NUMBER.test(ch)) return 'number';
  return 'other';
}

/**
 * GPT-2 pre-tokenisation (see the module comment), on code points:
 *   'x contraction | ␠?letters | ␠?numbers | ␠?others | whitespace run less its last char when a
 *   non-space follows | whitespace run.
 * The optional leading space is U+0020 only; other whitespace always stands alone.
 */
export function preTokenize(text: string): string[] {
  const cps = Array.from(text);
  const cls = cps.map(classOf);
  const out: string[] = [];
  const n = cps.length;
  const runEnd = (from: number, c: CharClass): number => {
    let j = from;
    while (j < n && cls[j] === c) j++;
    return j;
  };
  let i = 0;
  while (i < n) {
    const ch = cps[i] as string;
    const c = cls[i] as CharClass;
    if (ch === "'") {
      const rest = CONTRACTIONS.find((s) => cps.slice(i + 1, i + 1 + s.length).join('') === s);
      if (rest !== undefined) {
        out.push("'" + rest);
        i += 1 + rest.length;
        continue;
      }
    }
    if (c !== 'space') {
      const j = runEnd(i, c);
      out.push(cps.slice(i, j).join(''));
      i = j;
      continue;
    }
    // ␠ followed by a non-space: the space leads the next run.
    const next = cls[i + 1];
    if (ch === ' ' && next !== undefined && next !== 'space') {
      const j = runEnd(i + 1, next);
      out.push(cps.slice(i, j).join(''));
      i = j;
      continue;
    }
    const j = runEnd(i, 'space');
    // A run followed by a non-space keeps its last character for the next piece (\s+(?!\S)), unless
    // it is a single character (then \s+ takes it).
    const end = j < n && j - i >= 2 ? j - 1 : j;
    out.push(cps.slice(i, end).join(''));
    i = end;
  }
  return out;
}

/** Splits `text` at the added tokens (leftmost, longest first): [text, isAdded] sections, empty ones dropped. */
export function splitAddedTokens(text: string, added: readonly string[]): [string, boolean][] {
  const out: [string, boolean][] = [];
  if (added.length === 0) return text === '' ? [] : [[text, false]];
  let rest = text;
  while (rest.length > 0) {
    let at = -1;
    let hit = '';
    for (const tok of added) {
      const k = rest.indexOf(tok);
      if (k >= 0 && (at < 0 || k < at || (k === at && tok.length > hit.length))) [at, hit] = [k, tok];
    }
    if (at < 0) {
      out.push([rest, false]);
      break;
    }
    if (at > 0) out.push([rest.slice(0, at), false]);
    out.push([hit, true]);
    rest = rest.slice(at + hit.length);
  }
  return out;
}

/** A max-heap of (count, pair key); stale entries are skipped when popped. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): [number, number] | undefined {
    if (this.keys.length === 0) return undefined;
    const top: [number, number] = [this.counts[0] as number, this.keys[0] as number];
    const lastC = this.counts.pop() as number;
    const lastK = this.keys.pop() as number;
    if (this.keys.length > 0) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.keys.length && this.before(l, m)) m = l;
        if (r < this.keys.length && this.before(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  /** Higher count first; on equal counts the smaller key (left id, then right id). */
  private before(a: number, b: number): boolean {
    const ca = this.counts[a] as number;
    const cb = this.counts[b] as number;
    return ca > cb || (ca === cb && (this.keys[a] as number) < (this.keys[b] as number));
  }

  private swap(a: number, b: number): void {
    [this.counts[a], this.counts[b]] = [this.counts[b] as number, this.counts[a] as number];
    [this.keys[a], this.keys[b]] = [this.keys[b] as number, this.keys[a] as number];
  }
}

/** Pair keys pack (left, right) ids; ids stay below 2^20. */
const KEY_BASE = 1 << 20;
const pairKey = (a: number, b: number): number => a * KEY_BASE + b;

/** Trains the tokenizer on `texts`. Deterministic: same texts and options → same tokenizer.json. */
export function trainByteLevelBpe(texts: readonly string[], opts: BpeTrainOptions = {}): TrainedBpe {
  const specials = [...(opts.specialTokens ?? BPE_SPECIAL_TOKENS)];
  const tags = [...(opts.addedTokens ?? ROUTER_TAG_TOKENS)];
  const addedAll = [...specials, ...tags];
  if (new Set(addedAll).size !== addedAll.length || addedAll.some((t) => t === '')) throw new BpeTrainError('The added tokens must be distinct and non-empty.');
  const vocabSize = opts.vocabSize ?? DEFAULT_BPE_VOCAB_SIZE;
  const minFrequency = opts.minFrequency ?? 2;
  const maxBpe = vocabSize - addedAll.length;
  if (!Number.isInteger(vocabSize) || maxBpe < 256 || vocabSize >= KEY_BASE) {
    throw new BpeTrainError(`vocabSize must be a whole number from ${256 + addedAll.length} (256 bytes + ${addedAll.length} added tokens) to ${KEY_BASE - 1}; got ${vocabSize}.`);
  }
  const alphabet = byteLevelAlphabet();
  const utf8 = new TextEncoder();

  // 1–3. distinct pieces with their frequencies, as byte-id sequences.
  const freq = new Map<string, number>();
  let pieces = 0;
  for (const text of texts) {
    for (const [section, isAdded] of splitAddedTokens(text, addedAll)) {
      if (isAdded) continue;
      for (const piece of preTokenize(section)) {
        pieces++;
        freq.set(piece, (freq.get(piece) ?? 0) + 1);
      }
    }
  }
  const distinct = [...freq.keys()].sort();
  const words: number[][] = distinct.map((p) => [...utf8.encode(p)]);
  const counts: number[] = distinct.map((p) => freq.get(p) as number);

  // Symbols: id → string; string → id (a merge may rebuild a string that already exists: reuse its id).
  const symbols: string[] = [...alphabet];
  const idOf = new Map<string, number>(alphabet.map((ch, b) => [ch, b]));
  const merges: string[] = [];
  const mergeSet = new Set<string>();

  // 4. pair counts and where each pair occurs.
  const pairCount = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const add = (key: number, w: number, by: number): void => {
    pairCount.set(key, (pairCount.get(key) ?? 0) + by);
    if (by > 0) {
      let s = where.get(key);
      if (s === undefined) where.set(key, (s = new Set()));
      s.add(w);
    }
  };
  words.forEach((word, w) => {
    for (let i = 0; i + 1 < word.length; i++) add(pairKey(word[i] as number, word[i + 1] as number), w, counts[w] as number);
  });
  const heap = new PairHeap();
  for (const [key, c] of pairCount) heap.push(c, key);

  let stoppedBy: BpeTrainStats['stoppedBy'] = 'min-frequency';
  while (heap.size > 0) {
    if (symbols.length >= maxBpe) {
      stoppedBy = 'vocab-size';
      break;
    }
    const [count, key] = heap.pop() as [number, number];
    if (pairCount.get(key) !== count) continue; // stale
    if (count < minFrequency) break;
    const a = Math.floor(key / KEY_BASE);
    const b = key % KEY_BASE;
    const text = (symbols[a] as string) + (symbols[b] as string);
    let id = idOf.get(text);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(text);
      idOf.set(text, id);
    }
    // A rebuilt string can bring back a pair already merged once; its first rank stands.
    const merge = `${symbols[a]} ${symbols[b]}`;
    if (!mergeSet.has(merge)) {
      mergeSet.add(merge);
      merges.push(merge);
    }
    const touched = new Set<number>();
    for (const w of where.get(key) ?? []) {
      const word = words[w] as number[];
      const c = counts[w] as number;
      const out: number[] = [];
      let changed = false;
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
          out.push(id);
          i++;
          changed = true;
        } else out.push(word[i] as number);
      }
      if (!changed) continue;
      // Replace the word's pair counts: remove the old pairs, add the new ones.
      for (let i = 0; i + 1 < word.length; i++) {
        const k = pairKey(word[i] as number, word[i + 1] as number);
        add(k, w, -c);
        touched.add(k);
      }
      for (let i = 0; i + 1 < out.length; i++) {
        const k = pairKey(out[i] as number, out[i + 1] as number);
        add(k, w, c);
        touched.add(k);
      }
      words[w] = out;
    }
    pairCount.delete(key);
    where.delete(key);
    for (const k of touched) {
      const c = pairCount.get(k);
      if (c === undefined) continue;
      if (c <= 0) {
        pairCount.delete(k);
        where.delete(k);
      } else heap.push(c, k);
    }
  }
  if (heap.size === 0 && symbols.length >= maxBpe) stoppedBy = 'vocab-size';

  const vocab = new Map<string, number>(symbols.map((s, i) => [s, i]));
  const addedTokens: AddedTokenJson[] = addedAll.map((content, k) => ({
    id: symbols.length + k,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: k < specials.length,
  }));
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
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
  return {
    json,
    vocab,
    merges,
    addedTokens,
    size: symbols.length + addedTokens.length,
    stats: { texts: texts.length, pieces, distinctPieces: distinct.length, merges: merges.length, stoppedBy },
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

export interface BpeTokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  readonly size: number;
  /** Id of a BPE or added token string, or undefined. */
  tokenToId(token: string): number | undefined;
}

/** A Tokenizer (policy/ports) over a trained tokenizer, encoding as @huggingface/tokenizers does. */
export function createBpeTokenizer(trained: Pick<TrainedBpe, 'vocab' | 'merges' | 'addedTokens' | 'size'>): BpeTokenizer {
  const alphabet = byteLevelAlphabet();
  const byteOf = new Map(alphabet.map((ch, b) => [ch, b]));
  const ranks = new Map(trained.merges.map((m, r) => [m, r]));
  const added = new Map(trained.addedTokens.map((t) => [t.content, t.id]));
  const addedContents = [...added.keys()];
  const byId = new Map<number, { text: string; added: boolean }>();
  for (const [s, id] of trained.vocab) byId.set(id, { text: s, added: false });
  for (const [s, id] of added) byId.set(id, { text: s, added: true });
  const utf8 = new TextEncoder();
  const cache = new Map<string, number[]>();
  const encodePiece = (piece: string): number[] => {
    const hit = cache.get(piece);
    if (hit !== undefined) return hit;
    const syms = bpeMerge([...utf8.encode(piece)].map((b) => alphabet[b] as string), ranks);
    const ids = syms.map((s) => {
      const id = trained.vocab.get(s);
      if (id === undefined) throw new BpeTrainError(`The merges build "${s}", which is not in the vocabulary; the tokenizer is inconsistent.`);
      return id;
    });
    if (cache.size < 50_000) cache.set(piece, ids);
    return ids;
  };
  return {
    size: trained.size,
    encode(text) {
      const ids: number[] = [];
      for (const [section, isAdded] of splitAddedTokens(text, addedContents)) {
        if (isAdded) ids.push(added.get(section) as number);
        else for (const piece of preTokenize(section)) ids.push(...encodePiece(piece));
      }
      return ids;
    },
    decode(ids) {
      let out = '';
      let bytes: number[] = [];
      const flush = (): void => {
        if (bytes.length > 0) out += new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(new Uint8Array(bytes));
        bytes = [];
      };
      for (const id of ids) {
        const tok = byId.get(id);
        if (tok === undefined) throw new BpeTrainError(`Token id ${id} is not in this tokenizer (0..${trained.size - 1}).`);
        if (tok.added) {
          flush();
          out += tok.text;
        } else for (const ch of tok.text) bytes.push(byteOf.get(ch) as number);
      }
      flush();
      return out;
    },
    tokenToId: (token) => added.get(token) ?? trained.vocab.get(token),
  };
}

/** BPE on one piece: repeatedly merge the adjacent pair of lowest rank (leftmost on ties). */
function bpeMerge(symbols: string[], ranks: ReadonlyMap<string, number>): string[] {
  const syms = symbols;
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < syms.length; i++) {
      const r = ranks.get(`${syms[i]} ${syms[i + 1]}`);
      if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
    }
    if (best < 0) return syms;
    syms.splice(best, 2, `${syms[best]}${syms[best + 1]}`);
  }
}
