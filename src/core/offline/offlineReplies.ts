/**
 * What a simulated candidate says (DESIGN.md §5), as a pure function of (bank, model, query):
 *   - matched, recorded score ≥ 0.5      → states the first gold answer;
 *   - matched, score < 0.5, hash < share → states, just as confidently, the gold answer of another
 *                                          question of the same task (never one equal to a gold here);
 *   - otherwise, and when unmatched      → says it cannot help and that other LLMs should be consulted.
 * The phrasings are the project's own. A stated answer is always in bold (`**…**`) and nothing else is,
 * so `statedAnswer` recovers it exactly; cannot-help replies contain no bold. The text carries no
 * "simulated" label: the UI labels it from PoolModelRecord.simulated.
 */
import { isHeldOutQuestion } from '../eval/heldOut';
import { normalizeAnswer } from '../reward/normalize';
import { hashParts, unitHash } from '../math/hash';
import { bankIndexOf, matchBankQuestion, type BankMatch, type MatchOptions } from './matchBankQuestion';
import type { OfflineBank, OfflineQuestion } from './offlineBank';

export const DEFAULT_WRONG_ANSWER_SHARE = 0.5;
/** A recorded score at or above this counts as answered correctly (NQ/TQ scores are 0 or 1). */
export const CORRECT_SCORE = 0.5;

const ANSWER_TEMPLATES: readonly ((answer: string) => string)[] = [
  (a) => `The answer is **${a}**.`,
  (a) => `**${a}**. That is what the available knowledge points to for this question.`,
  (a) => `Based on what I know, it is **${a}**.`,
  (a) => `Short answer: **${a}**. I am fairly confident about this.`,
  (a) => `I believe the answer is **${a}**; this is fairly well documented.`,
];

const CANNOT_HELP_TEMPLATES: readonly string[] = [
  'I am unable to assist with this question: I have no reliable information about it. Please consult other LLMs for further assistance.',
  'I cannot answer this question with any confidence. The base model should consult other LLMs for help with it.',
  'Sorry, this is beyond what I can reliably answer, and I have no useful context to offer. Please ask other LLMs for assistance.',
];

export type OfflineReplyKind = 'correct' | 'wrong' | 'cannot-help';

export interface OfflineReplyDecision {
  kind: OfflineReplyKind;
  reply: string;
  /** The answer stated in the reply (undefined for cannot-help). */
  statedAnswer?: string;
  /** The bank question the query matched, if any. */
  match?: BankMatch;
}

export interface OfflineReplyOptions extends MatchOptions {
  /** Share of wrongly answered questions that get a confident wrong answer instead of cannot-help (default 0.5). */
  wrongAnswerShare?: number;
}

/** The answer a reply states (the text of its first `**…**`), or undefined when it states none. */
export function statedAnswer(reply: string): string | undefined {
  const m = /\*\*(.+?)\*\*/s.exec(reply);
  return m?.[1];
}

/** True for the cannot-help phrasing of this module. */
export function isCannotHelpReply(reply: string): boolean {
  return CANNOT_HELP_TEMPLATES.includes(reply);
}

/** Decides and phrases the reply of `model` to `query`. Same inputs → same output, always. */
export function simulateOfflineReply(bank: OfflineBank, model: string, query: string, opts: OfflineReplyOptions = {}): OfflineReplyDecision {
  const match = matchBankQuestion(bankIndexOf(bank), query, opts);
  if (match === undefined) return cannotHelp(model, `query:${query}`);
  const q = match.question;
  const score = q.scores[model];
  if (score !== undefined && score >= CORRECT_SCORE) return stating('correct', model, q, q.goldAnswers[0] ?? '', match);
  const share = opts.wrongAnswerShare ?? DEFAULT_WRONG_ANSWER_SHARE;
  if (unitHash('outcome', model, q.id) < share) {
    const wrong = wrongAnswerFor(bank, model, q);
    if (wrong !== undefined) return stating('wrong', model, q, wrong, match);
  }
  return { ...cannotHelp(model, q.id), match };
}

function stating(kind: 'correct' | 'wrong', model: string, q: OfflineQuestion, answer: string, match: BankMatch): OfflineReplyDecision {
  const template = ANSWER_TEMPLATES[hashParts('template', model, q.id) % ANSWER_TEMPLATES.length] ?? ANSWER_TEMPLATES[0]!;
  return { kind, reply: template(answer), statedAnswer: answer, match };
}

function cannotHelp(model: string, key: string): OfflineReplyDecision {
  const reply = CANNOT_HELP_TEMPLATES[hashParts('cannot-help', model, key) % CANNOT_HELP_TEMPLATES.length] ?? CANNOT_HELP_TEMPLATES[0]!;
  return { kind: 'cannot-help', reply };
}

/**
 * Another question's first gold answer, same task, picked by hash(model, question) and walking forward
 * past any whose normalised form equals one of this question's golds (so it never scores EM = 1).
 * Drawn only from TRAINING questions that are not held out (eval/heldOut.ts): a held-out or test gold
 * never appears in a reply to another question, so training trajectories cannot carry it.
 */
function wrongAnswerFor(bank: OfflineBank, model: string, q: OfflineQuestion): string | undefined {
  const sameTask = tasksOf(bank).get(q.task) ?? [];
  if (sameTask.length === 0) return undefined;
  const golds = new Set(q.goldAnswers.map(normalizeAnswer));
  const start = hashParts('wrong', model, q.id) % sameTask.length;
  for (let k = 0; k < sameTask.length; k++) {
    const other = sameTask[(start + k) % sameTask.length]!;
    const answer = other.goldAnswers[0];
    if (other === q || answer === undefined || answer.includes('**')) continue;
    const norm = normalizeAnswer(answer);
    if (norm !== '' && !golds.has(norm)) return answer;
  }
  return undefined;
}

const TASKS_CACHE = new WeakMap<OfflineBank, Map<string, OfflineQuestion[]>>();

function tasksOf(bank: OfflineBank): Map<string, OfflineQuestion[]> {
  let byTask = TASKS_CACHE.get(bank);
  if (byTask === undefined) {
    byTask = new Map();
    for (const q of bank.questions) {
      if (q.split !== 'train' || isHeldOutQuestion(q.id)) continue;
      const list = byTask.get(q.task);
      if (list === undefined) byTask.set(q.task, [q]);
      else list.push(q);
    }
    TASKS_CACHE.set(bank, byTask);
  }
  return byTask;
}
