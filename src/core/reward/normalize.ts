/**
 * Answer normalisation, exact match and token F1 of the Router-R1 reference (DESIGN.md §2.4), the
 * SQuAD-style recipe: lowercase → drop ASCII punctuation → articles become a space → collapse whitespace.
 * Every step follows Python 3 semantics (see text/pyText.ts), so results match the reference exactly.
 */
import { isPyWordChar, pySplit } from '../text/pyText';

/** Python's `string.punctuation`. */
const ASCII_PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
const ARTICLES = ['a', 'an', 'the'] as const;

/** `re.sub(r"\b(a|an|the)\b", " ", text)` with Python's Unicode word boundaries, over code points. */
export function removeArticles(text: string): string {
  const cps = Array.from(text);
  let out = '';
  let i = 0;
  while (i < cps.length) {
    const match = isPyWordChar(cps[i - 1]) ? undefined : articleAt(cps, i);
    if (match === undefined) {
      out += cps[i];
      i++;
    } else {
      out += ' ';
      i += match.length;
    }
  }
  return out;
}

/** The first alternative of `a|an|the` that matches at i and is followed by a word boundary. */
function articleAt(cps: string[], i: number): string | undefined {
  for (const article of ARTICLES) {
    let ok = true;
    for (let k = 0; k < article.length && ok; k++) ok = cps[i + k] === article[k];
    if (ok && !isPyWordChar(cps[i + article.length])) return article;
  }
  return undefined;
}

export function removePunctuation(text: string): string {
  let out = '';
  for (const ch of text) if (!ASCII_PUNCTUATION.has(ch)) out += ch;
  return out;
}

/** normalize_answer(s) = white_space_fix(remove_articles(remove_punc(lower(s)))). */
export function normalizeAnswer(text: string): string {
  return pySplit(removeArticles(removePunctuation(text.toLowerCase()))).join(' ');
}

/** EM ∈ {0, 1}: the normalised prediction equals any normalised gold answer. */
export function exactMatch(prediction: string, goldAnswers: readonly string[]): 0 | 1 {
  const p = normalizeAnswer(prediction);
  return goldAnswers.some((g) => normalizeAnswer(g) === p) ? 1 : 0;
}

const SPECIAL_ANSWERS = new Set(['yes', 'no', 'noanswer']);

/**
 * Token F1 against one gold answer (the reference's f1_score):
 *   P = |common| / |pred|,  R = |common| / |gold|,  F1 = 2PR / (P + R)
 * and 0 when either normalised side is yes/no/noanswer and they differ. Same operation order as
 * the reference so the floating-point result is bit-identical.
 */
export function f1Against(prediction: string, gold: string): number {
  const p = normalizeAnswer(prediction);
  const g = normalizeAnswer(gold);
  if (SPECIAL_ANSWERS.has(p) && p !== g) return 0;
  if (SPECIAL_ANSWERS.has(g) && p !== g) return 0;
  const predTokens = pySplit(p);
  const goldTokens = pySplit(g);
  const goldCounts = new Map<string, number>();
  for (const t of goldTokens) goldCounts.set(t, (goldCounts.get(t) ?? 0) + 1);
  let numSame = 0;
  for (const t of predTokens) {
    const left = goldCounts.get(t) ?? 0;
    if (left > 0) {
      numSame++;
      goldCounts.set(t, left - 1);
    }
  }
  if (numSame === 0) return 0;
  const precision = (1.0 * numSame) / predTokens.length;
  const recall = (1.0 * numSame) / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Max token F1 over gold answers, starting from 0 (the reference's loop). */
export function f1Score(prediction: string, goldAnswers: readonly string[]): number {
  let best = 0;
  for (const g of goldAnswers) {
    const f = f1Against(prediction, g);
    if (f > best) best = f;
  }
  return best;
}
