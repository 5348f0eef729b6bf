/**
 * Turn cutting and action parsing of the Router-R1 episode loop (DESIGN.md §2.2).
 * A turn's text is cut after the first `</search>`, else after the first `</answer>`; the first
 * `<(search|answer)>…</\1>` block is the action.
 */
import { scanTagBlocks } from '../reward/tagBlocks';
import { pyStrip } from '../text/pyText';

/** Cut a generated turn after the first `</search>`, else the first `</answer>`, else keep it whole. */
export function cutTurn(generated: string): string {
  for (const stop of ['</search>', '</answer>']) {
    const at = generated.indexOf(stop);
    if (at >= 0) return generated.slice(0, at + stop.length);
  }
  return generated;
}

export type InvalidReason = 'no-action' | 'placeholder' | 'no-colon' | 'empty-query';

export type PolicyAction =
  | { type: 'answer'; answer: string }
  | {
      type: 'route';
      /** The name as written (before the first colon), stripped. */
      modelName: string;
      /** The query as sent: the text between the first and second colon, unstripped (reference). */
      query: string;
      content: string;
    }
  | { type: 'invalid'; reason: InvalidReason; content: string };

const ACTION_TAGS = ['search', 'answer'] as const;

/**
 * Parse the first action block of a (cut) turn. Route validity follows the reference: a search whose
 * content mentions `llm-name`/`your-query`, has no colon, or has an empty query is invalid and gets
 * no call. The empty-query check applies to both the last colon-separated part (reference) and the
 * part actually sent.
 */
export function parseAction(turnText: string): PolicyAction {
  // The first `/<(search|answer)>([\s\S]*?)<\/\1>/` match, in linear time (a regex here is O(n²) on
  // text full of unclosed tags, and links recompute this for every round).
  const block = scanTagBlocks(turnText, ACTION_TAGS, 1)[0];
  if (block === undefined) return { type: 'invalid', reason: 'no-action', content: '' };
  const content = pyStrip(block.content);
  if (block.tag === 'answer') return { type: 'answer', answer: content };
  const lowered = content.toLowerCase();
  if (lowered.includes('llm-name') || lowered.includes('your-query')) return { type: 'invalid', reason: 'placeholder', content };
  if (!content.includes(':')) return { type: 'invalid', reason: 'no-colon', content };
  const parts = content.split(':');
  const query = parts[1] ?? '';
  if (pyStrip(parts[parts.length - 1] ?? '') === '' || pyStrip(query) === '') return { type: 'invalid', reason: 'empty-query', content };
  return { type: 'route', modelName: pyStrip(parts[0] ?? ''), query, content };
}

/** The observation the environment appends after a route (reply stripped; `None` on failure). */
export function wrapObservation(reply: string | undefined): string {
  return `\n\n<information>${reply === undefined ? 'None' : pyStrip(reply)}</information>\n\n`;
}

/** Search-R1's invalid-action notice: an option, off by default (Router-R1 gives no feedback). */
export const INVALID_ACTION_NOTICE =
  '\nMy previous action is invalid. If I want to call a model, I should write <search> Model-Name: query </search>. ' +
  'If I want to give the final answer, I should put it between <answer> and </answer>. Let me try again.\n';
