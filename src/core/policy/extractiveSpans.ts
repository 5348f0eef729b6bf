/**
 * Extractive spans (an option of a model folder: router.json `decoding.extractive_spans`): while a
 * policy writes a sub-query or an answer, every word it writes must continue a span of its sources —
 *
 *   <search>Model: q</search>   q is a contiguous piece of the question (colons removed, §2.2)
 *   <answer>a</answer>          a is a contiguous piece of one <information> reply, or "unknown"
 *
 * and a span is whole words: it starts where a word of its source starts, and the closing tag is
 * allowed once the span is not empty and ends where a word of its source ends. A tiny policy copies by induction; where a
 * question repeats a word it may jump back and copy forever, or run past the question's end into the
 * model list. Under this constraint a copy cannot leave its source, so it cannot loop and it ends at the
 * latest where the source does. The model name of a route is one of the pool's names when the caller
 * gives them (else free). The model still chooses everything: which model, where a span starts, how
 * long it is, and when to close the block. Should the constraints leave no token at all (a quirk of the
 * tokenization), the closing tag is allowed, so a turn always ends. It is the decoding counterpart of
 * what the embedded policies were trained on (the teacher always routes the question and answers with
 * words of a reply); it is wrong for a policy that rephrases, so it is per folder, off by default.
 *
 * Text outside <search> and <answer> is never touched, nor are tags (protocolGrammar.ts handles those).
 * Characters outside ASCII are compared loosely (a run of them matches any run): a byte-level tokenizer
 * writes them in pieces that decode to U+FFFD until complete. A token that decodes to nothing is never
 * allowed inside a span (it could repeat forever).
 */
import type { LogitsProcessor } from './logitsProcessors';
import type { GenerateRequest, Tokenizer } from './ports';
import { tokenTexts } from './protocolGrammar';

const SPAN_BLOCKS = ['search', 'answer'] as const;
type SpanBlock = (typeof SPAN_BLOCKS)[number];
const TAG_RE = /<(\/?)(think|search|answer|information)>/g;
const INFO_RE = /<information>([\s\S]*?)<\/information>/g;
/** The answer a policy may give when no reply states one (the teacher's word for it). */
export const UNKNOWN_ANSWER = 'unknown';

/** The texts a span may be copied from, for one request. */
export interface SpanSources {
  query: string;
  answers: readonly string[];
  /** The pool's model names: a route names one of them exactly. Absent: names are free. */
  names?: readonly string[];
}

/** The question (after the prompt's last "Question:", else the whole prompt; colons removed) and the replies in the context. */
export function spanSourcesOf(req: Pick<GenerateRequest, 'promptText' | 'contextText'>, names?: readonly string[]): SpanSources {
  const at = req.promptText.lastIndexOf('Question:');
  const question = (at >= 0 ? req.promptText.slice(at + 'Question:'.length) : req.promptText).replace(/:/g, '').trim();
  const answers = [...req.contextText.matchAll(INFO_RE)].map((m) => (m[1] as string).trim()).filter((t) => t !== '');
  return { query: question, answers: [...answers, UNKNOWN_ANSWER], ...(names === undefined ? {} : { names }) };
}

const WORD = /[A-Za-z0-9\u0001]/;

/** Whether `span` occurs in `src` starting at a word start (and, with `whole`, ending at a word end). */
function occurs(src: string, span: string, whole: boolean): boolean {
  for (let at = src.indexOf(span); at >= 0; at = src.indexOf(span, at + 1)) {
    const startsWord = at === 0 || !WORD.test(src[at - 1] as string) || !WORD.test(span[0] as string);
    const end = at + span.length;
    const endsWord = !whole || end === src.length || !WORD.test(src[end] as string) || !WORD.test(span[span.length - 1] as string);
    if (startsWord && endsWord) return true;
  }
  return false;
}

/** Runs of characters outside printable ASCII collapse to one \u0001 (see the module doc). */
function key(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, '\u0001');
}

/** The open span block and the text written inside it so far, or null outside both. */
function openSpan(text: string): { block: SpanBlock; inside: string } | null {
  let open: { block: SpanBlock; from: number } | null = null;
  for (const m of text.matchAll(TAG_RE)) {
    const [whole, close, name] = m as unknown as [string, string, string];
    if (close === '' && (SPAN_BLOCKS as readonly string[]).includes(name)) open = { block: name as SpanBlock, from: (m.index ?? 0) + whole.length };
    else if (close === '' || open?.block === name) open = null;
  }
  return open === null ? null : { block: open.block, inside: text.slice(open.from) };
}

/** The span part of a block's text, untrimmed: after the first colon for a route (the name is free), all of an answer. */
function spanPart(block: SpanBlock, inside: string): string | null {
  if (block === 'answer') return inside;
  const colon = inside.indexOf(':');
  return colon < 0 ? null : inside.slice(colon + 1);
}

/** A processor for one request (sources differ per question and per round). */
export function createExtractiveSpans(tokenizer: Tokenizer, sources: SpanSources): LogitsProcessor {
  const closeIds = new Map<SpanBlock, number | undefined>(SPAN_BLOCKS.map((b) => {
    const ids = tokenizer.encode(`</${b}>`);
    return [b, ids.length === 1 ? ids[0] : undefined];
  }));
  const keyed = { search: [key(sources.query)], answer: sources.answers.map(key) };
  const longest = { search: sources.query.length, answer: Math.max(...sources.answers.map((a) => a.length)) };
  return (logits, ctx) => {
    const open = openSpan(ctx.generatedText);
    if (open === null) return;
    // null: the model name of a route, free until a token brings the colon (its rest is checked).
    const raw = spanPart(open.block, open.inside);
    const closeId = closeIds.get(open.block);
    const texts = tokenTexts(tokenizer, logits.length);
    const srcs = keyed[open.block];
    const tooLong = raw !== null && raw.length > longest[open.block] + 8;
    const closeBefore = closeId === undefined ? -Infinity : (logits[closeId] as number);
    let left = 0;
    for (let id = 0; id < logits.length; id++) {
      if (id === closeId || logits[id] === -Infinity) continue;
      const t = texts[id] as string;
      if (raw === null && !nameAllowed(open.inside + t)) {
        logits[id] = -Infinity;
        continue;
      }
      if (raw === null && !t.includes(':')) {
        left++;
        continue;
      }
      const after = spanPart(open.block, open.inside + t) ?? '';
      const next = key(after.trimStart());
      // Leading white space once (a span starts after "Model:" or "<answer>"), then source text only.
      const ok = t !== '' && !tooLong && (next === '' ? (raw ?? '') === '' && /^\s*$/.test(after) : srcs.some((s) => occurs(s, next, false)));
      if (!ok) logits[id] = -Infinity;
      else left++;
    }
    const span = key((raw ?? '').trim());
    if (closeId === undefined || closeId >= logits.length) return;
    if (span === '' || !srcs.some((s) => occurs(s, span, true))) logits[closeId] = left === 0 ? (Number.isFinite(closeBefore) ? closeBefore : 0) : -Infinity;
  };

  /** A route's text up to its colon is a prefix of a pool name, and a complete name when the colon comes. */
  function nameAllowed(text: string): boolean {
    if (sources.names === undefined) return true;
    const colon = text.indexOf(':');
    const name = colon < 0 ? text : text.slice(0, colon);
    return sources.names.some((n) => (colon < 0 ? n.startsWith(name) : n === name));
  }
}
