/**
 * How a baseline turns a candidate's reply into its final answer (the "direct answer" rule), and when a
 * cascade treats a reply as "cannot help". Documented rules, pure functions:
 *
 * extractDirectAnswer(reply):
 *   1. a bold span `**…**` → its text. The offline pool states every answer in bold and nothing else
 *      (offline/offlineReplies.ts), so this is exactly `statedAnswer(reply)` there; many live models
 *      bold their answer too.
 *   2. otherwise the reply's first line, cut at its first sentence end (". ", "! ", "? " or the end),
 *      with a leading "The answer is" / "Answer:" / "It is" / "I believe …" lead-in removed and the
 *      trailing punctuation dropped, capped at 12 words (EM compares short spans).
 *   3. a cannot-help or empty reply, or None (failed call) → undefined: no answer stated.
 *
 * isCannotHelp(reply): empty / None, the offline pool's cannot-help phrasings, or a reply whose first
 * sentence refuses ("cannot", "can't", "unable to", "not sure", "don't know", "no reliable information").
 * Not for: parsing the policy's <answer> (reward/format.ts does that).
 */
import { isCannotHelpReply, statedAnswer } from '../offline/offlineReplies';
import { pySplit, pyStrip } from '../text/pyText';

const MAX_ANSWER_WORDS = 12;

const REFUSAL = /\b(cannot|can['’]t|can not|unable to|not sure|don['’]t know|do not know|no reliable information|not able to|beyond what i can|i have no (?:information|idea))\b/i;

const LEAD_INS: readonly RegExp[] = [
  /^(?:short answer|final answer|answer)\s*[:\-–]\s*/i,
  /^(?:i believe|i think|based on what i know,?)\s+/i,
  /^(?:the answer is|the answer would be|it is|it's|this is)\s+/i,
];

/** True when the reply offers no answer: None, empty, or a refusal (see the module comment). */
export function isCannotHelp(reply: string | null | undefined): boolean {
  if (reply === null || reply === undefined) return true;
  const text = pyStrip(reply);
  if (text === '' || text === 'None') return true;
  if (isCannotHelpReply(text)) return true;
  return REFUSAL.test(firstSentence(text)) && statedAnswer(text) === undefined;
}

/** The answer a reply states, by the rule above; undefined when it states none. */
export function extractDirectAnswer(reply: string | null | undefined): string | undefined {
  if (isCannotHelp(reply)) return undefined;
  const text = pyStrip(reply ?? '');
  const bold = statedAnswer(text);
  if (bold !== undefined && pyStrip(bold) !== '') return pyStrip(bold);
  let span = firstSentence(text);
  for (const lead of LEAD_INS) span = span.replace(lead, '');
  span = span.replace(/[\s.,;:!?"'“”]+$/u, '').replace(/^["'“”]+/u, '');
  const words = pySplit(span).slice(0, MAX_ANSWER_WORDS);
  return words.length === 0 ? undefined : words.join(' ');
}

function firstSentence(text: string): string {
  const line = pyStrip(text.split('\n').find((l) => pyStrip(l) !== '') ?? '');
  const end = /[.!?](?=\s|$)/.exec(line);
  return end === null ? line : line.slice(0, end.index);
}
