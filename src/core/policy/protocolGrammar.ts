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
 * A turn starts outside every block (the environment appends observations between turns). When every
 * tag is allowed the processor is a no-op; it never removes a non-tag token.
 */
import type { LogitsProcessor } from './logitsProcessors';
import type { Tokenizer } from './ports';

const OPEN = ['think', 'search', 'answer'] as const;
const ALL_TAGS = ['think', 'search', 'answer', 'information'] as const;
const TAG_RE = /<(\/?)(think|search|answer|information)>/g;

/** Token id of `text` when the tokenizer encodes it as exactly one token. */
function singleToken(tokenizer: Tokenizer, text: string): number | undefined {
  const ids = tokenizer.encode(text);
  return ids.length === 1 ? ids[0] : undefined;
}

export function createProtocolGrammar(tokenizer: Tokenizer): LogitsProcessor {
  const ids = new Map<string, number>();
  for (const t of ALL_TAGS) {
    for (const tag of [`<${t}>`, `</${t}>`]) {
      const id = singleToken(tokenizer, tag);
      if (id !== undefined) ids.set(tag, id);
    }
  }
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
  };
}
