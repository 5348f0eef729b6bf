/**
 * Matching a router's sub-query to a bank question (DESIGN.md §5). The sub-query may be the bank
 * question verbatim, with or without '?', in other case or punctuation, or a paraphrase.
 *
 *   1. exact: normalizeAnswer(strip(query)) equals a bank question's normalised text (case,
 *      punctuation, articles and spacing ignored);
 *   2. overlap: else the bank question with the highest IDF-weighted token F1 over the sets of
 *      normalised tokens, if it reaches the threshold (default 0.6):
 *        w(t) = ln((1 + N) / (1 + df(t))) + 1          (N bank questions, df over the bank)
 *        P = Σ_{t∈Q∩B} w(t) / Σ_{t∈Q} w(t),   R = Σ_{t∈Q∩B} w(t) / Σ_{t∈B} w(t),   F1 = 2PR / (P + R)
 *      Weighting keeps "when did … come out" from matching any question with those words: the rare,
 *      content-bearing tokens decide. Ties go to the earlier bank question.
 * Threshold 0.6, measured on the mirror's 1,000 questions: ≥ 97% of reworded bank questions (wh-word
 * dropped, every 4th word dropped, wrapped in "Can you tell me …, please?", first 60% of the words)
 * still match their own question, while 5.6% of the 500 qa/nq test questions (other questions in the
 * same style) match some bank question (13% at 0.5, 3% at 0.65).
 * Pure and deterministic; the index is built once per bank and cached.
 */
import { normalizeAnswer } from '../reward/normalize';
import { pySplit, pyStrip } from '../text/pyText';
import type { OfflineBank, OfflineQuestion } from './offlineBank';

export const DEFAULT_MATCH_THRESHOLD = 0.6;

export interface BankMatch {
  question: OfflineQuestion;
  /** Index into bank.questions. */
  index: number;
  kind: 'exact' | 'overlap';
  /** 1 for an exact match, else the weighted F1. */
  score: number;
}

export interface BankIndex {
  readonly bank: OfflineBank;
  /** Normalised question text → first bank index with it. */
  exact: Map<string, number>;
  /** Distinct normalised tokens per bank question. */
  tokens: string[][];
  /** Token → bank indices containing it (ascending). */
  postings: Map<string, number[]>;
  /** Token weight; unseen tokens weigh idf(df = 0). */
  weight: (token: string) => number;
  /** Σ w(t) over each bank question's tokens. */
  mass: number[];
}

export function normalizeQuestion(text: string): string {
  return normalizeAnswer(pyStrip(text));
}

function tokenSet(normalised: string): string[] {
  return [...new Set(pySplit(normalised))];
}

export function buildBankIndex(bank: OfflineBank): BankIndex {
  const exact = new Map<string, number>();
  const tokens: string[][] = [];
  const postings = new Map<string, number[]>();
  bank.questions.forEach((q, i) => {
    const norm = normalizeQuestion(q.question);
    if (!exact.has(norm)) exact.set(norm, i);
    const toks = tokenSet(norm);
    tokens.push(toks);
    for (const t of toks) {
      const list = postings.get(t);
      if (list === undefined) postings.set(t, [i]);
      else list.push(i);
    }
  });
  const n = bank.questions.length;
  const weight = (t: string): number => Math.log((1 + n) / (1 + (postings.get(t)?.length ?? 0))) + 1;
  const mass = tokens.map((toks) => toks.reduce((s, t) => s + weight(t), 0));
  return { bank, exact, tokens, postings, weight, mass };
}

const INDEX_CACHE = new WeakMap<OfflineBank, BankIndex>();

/** The bank's index, built on first use. */
export function bankIndexOf(bank: OfflineBank): BankIndex {
  let index = INDEX_CACHE.get(bank);
  if (index === undefined) {
    index = buildBankIndex(bank);
    INDEX_CACHE.set(bank, index);
  }
  return index;
}

export interface MatchOptions {
  /** Minimum weighted F1 for an overlap match (default 0.6). */
  threshold?: number;
}

/** The bank question a query refers to, or undefined when none is close enough. */
export function matchBankQuestion(bankOrIndex: OfflineBank | BankIndex, query: string, opts: MatchOptions = {}): BankMatch | undefined {
  const index = 'postings' in bankOrIndex ? bankOrIndex : bankIndexOf(bankOrIndex);
  const questions = index.bank.questions;
  const norm = normalizeQuestion(query);
  if (norm === '') return undefined;
  const exactAt = index.exact.get(norm);
  if (exactAt !== undefined) return { question: questions[exactAt] as OfflineQuestion, index: exactAt, kind: 'exact', score: 1 };

  // 2. overlap: accumulate Σ w(t) of shared tokens per candidate via the postings.
  const queryTokens = tokenSet(norm);
  let queryMass = 0;
  const shared = new Map<number, number>();
  for (const t of queryTokens) {
    const w = index.weight(t);
    queryMass += w;
    for (const i of index.postings.get(t) ?? []) shared.set(i, (shared.get(i) ?? 0) + w);
  }
  let best: { index: number; score: number } | undefined;
  for (const [i, common] of shared) {
    const precision = common / queryMass;
    const recall = common / (index.mass[i] ?? Infinity);
    const f1 = (2 * precision * recall) / (precision + recall);
    if (best === undefined || f1 > best.score || (f1 === best.score && i < best.index)) best = { index: i, score: f1 };
  }
  const threshold = opts.threshold ?? DEFAULT_MATCH_THRESHOLD;
  if (best === undefined || best.score < threshold) return undefined;
  return { question: questions[best.index] as OfflineQuestion, index: best.index, kind: 'overlap', score: best.score };
}

/** The recorded per-model scores of a question: by bank id first, else by matching its text (oracle baselines). */
export function recordedScoresOf(bank: OfflineBank, q: { id?: string; text: string }): Readonly<Record<string, number>> | undefined {
  const byId = q.id === undefined ? undefined : bank.questions.find((b) => b.id === q.id);
  return (byId ?? matchBankQuestion(bank, q.text)?.question)?.scores;
}
