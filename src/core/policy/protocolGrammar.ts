/**
 * The protocol grammar processor (an option of a model folder: router.json `decoding.protocol_grammar`):
 * while a turn is written, a tag token that the Router-R1 format (DESIGN.md §2.4) cannot have next is
 * removed — so a small policy that slips while copying a question cannot open `<think>` inside
 * `<search>` or close a block it never opened. It only constrains tags that are single tokens of the
 * tokenizer (the embedded policies' BPE has all eight); words are never touched.
 *
 *   inside <t> (opened, not closed in this turn)  → the only tag allowed is </t>
 *   outside every block                             → <think>, and after a think block also <search> / <answer>
 *   <information>, </information>                   → never (the environment writes them)
 *
 * A turn starts outside every block (the environment appends observations between turns). Outside every
 * block only one white-space token may be written before the next allowed tag: the format gives words
 * there no place, and a small policy that starts a turn with a word is continuing its prompt.
 *
 * Loop guard: inside a <search> or <answer> block, a token that would repeat a trigram already written
 * in that block is removed (transformers' no_repeat_ngram_size, limited to the block); inside <think>
 * the same with 4-grams. A small policy copies a question by induction; where the question repeats a
 * word it can jump back and copy the same stretch forever. Names and questions rarely repeat a trigram
 * (and a short thought a 4-gram), so a correct copy is not affected. A folder whose thoughts are short
 * may also cap them (`maxThinkTokens`): past the cap only </think> can be written. A thought is never
 * closed empty (the format's rule).
 */
import type { LogitsProcessor } from './logitsProcessors';
import type { Tokenizer } from './ports';

const OPEN = ['think', 'search', 'answer'] as const;
const ALL_TAGS = ['think', 'search', 'answer', 'information'] as const;
const TAG_RE = /<(\/?)(think|search|answer|information)>/g;
/** The loop guard's n-gram size. */
export const LOOP_GUARD_N = 3;
/** The loop guard's n-gram size inside <think> (a thought may name two models with common pieces). */
export const THINK_LOOP_GUARD_N = 4;

const TEXTS = new WeakMap<Tokenizer, string[]>();

/** Each id's decoded text, for ids below `size` (decoded once per tokenizer). */
export function tokenTexts(tokenizer: Tokenizer, size: number): string[] {
  let texts = TEXTS.get(tokenizer);
  if (texts === undefined || texts.length < size) {
    texts = Array.from({ length: size }, (_, id) => tokenizer.decode([id]));
    TEXTS.set(tokenizer, texts);
  }
  return texts;
}

/** Token id of `text` when the tokenizer encodes it as exactly one token. */
function singleToken(tokenizer: Tokenizer, text: string): number | undefined {
  const ids = tokenizer.encode(text);
  return ids.length === 1 ? ids[0] : undefined;
}

export interface ProtocolGrammarOptions {
  /** A thought longer than this many tokens is closed (router.json `decoding.max_think_tokens`); none by default. */
  maxThinkTokens?: number;
  /** The n-gram loop guard inside <search> and <answer> (default on; extractive spans cannot loop, so they turn it off). */
  spanLoopGuard?: boolean;
}

export function createProtocolGrammar(tokenizer: Tokenizer, o: ProtocolGrammarOptions = {}): LogitsProcessor {
  const ids = new Map<string, number>();
  for (const t of ALL_TAGS) {
    for (const tag of [`<${t}>`, `</${t}>`]) {
      const id = singleToken(tokenizer, tag);
      if (id !== undefined) ids.set(tag, id);
    }
  }
  const tagIds = new Set(ids.values());
  /** Ids whose text is only white space (outside every block, the one token allowed besides tags); per vocabulary size. */
  let blank: { size: number; ids: Set<number> } | null = null;
  const blankIds = (size: number): Set<number> => {
    if (blank?.size !== size) {
      const texts = tokenTexts(tokenizer, size);
      blank = { size, ids: new Set(texts.flatMap((t, id) => (id < size && /^\s+$/.test(t) ? [id] : []))) };
    }
    return blank.ids;
  };
  return (logits, ctx) => {
    let open: string | null = null;
    let thought = false;
    for (const m of ctx.generatedText.matchAll(TAG_RE)) {
      const [, close, name] = m as unknown as [string, string, string];
      if (close === '') open = name;
      else if (open === name) {
        open = null;
        if (name === 'think') thought = true;
      }
    }
    const allowed = new Set<string>(open !== null ? [`</${open}>`] : thought ? OPEN.map((t) => `<${t}>`) : ['<think>']);
    for (const [tag, id] of ids) if (!allowed.has(tag) && id < logits.length) logits[id] = -Infinity;
    if (ids.size === 0) return; // a tokenizer without single-token tags: nothing here is reliable
    if (open !== null) {
      const openId = ids.get(`<${open}>`);
      const start = openId === undefined ? -1 : ctx.generatedIds.lastIndexOf(openId);
      if (start >= 0 && (open === 'think' || o.spanLoopGuard !== false)) banRepeats(logits, ctx.generatedIds.slice(start + 1), open === 'think' ? THINK_LOOP_GUARD_N : LOOP_GUARD_N);
      const closeId = ids.get('</think>');
      if (open === 'think' && start >= 0 && closeId !== undefined) {
        // An empty thought breaks the format; a long one is closed.
        if (ctx.generatedText.slice(ctx.generatedText.lastIndexOf('<think>') + '<think>'.length).trim() === '') logits[closeId] = -Infinity;
        else if (o.maxThinkTokens !== undefined && ctx.generatedIds.length - start - 1 >= o.maxThinkTokens) {
          for (let id = 0; id < logits.length; id++) if (id !== closeId) logits[id] = -Infinity;
        }
      }
    } else {
      const blanks = blankIds(logits.length);
      const g = ctx.generatedIds;
      const spaced = g.length > 0 && !tagIds.has(g[g.length - 1] as number);
      for (let id = 0; id < logits.length; id++) if (!tagIds.has(id) && (spaced || !blanks.has(id))) logits[id] = -Infinity;
    }
  };
}

/** Removes every token that would complete an n-gram already present in `block`. */
function banRepeats(logits: Float32Array, block: readonly number[], n: number): void {
  if (block.length < n) return;
  const prefix = block.slice(block.length - (n - 1));
  for (let i = 0; i + n <= block.length; i++) {
    let same = true;
    for (let k = 0; k < n - 1 && same; k++) same = block[i + k] === prefix[k];
    const next = block[i + n - 1] as number;
    if (same && next < logits.length) logits[next] = -Infinity;
  }
}
