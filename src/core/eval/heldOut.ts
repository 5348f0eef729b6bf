/**
 * The offline pool's held-out split (DESIGN.md §6–7): a fixed ~20% of the bank's questions that
 * evaluation reports on and training must never see.
 *
 *   heldOut(id) ⇔ fnv1a32("heldout:" + id) mod 5 = 0
 *
 * A rule on the question id (the bank's stable "nq-…" / "tqa-…" ids), not on positions, so it holds
 * whatever order or subset of the bank is loaded. On the mirror's 1,000 questions it selects 208 (97 NQ, 111 TriviaQA)
 * (test: heldOut.test.ts).
 */
import { fnv1a32 } from '../math/hash';

export const HELD_OUT_MODULUS = 5;

export function isHeldOutQuestion(id: string): boolean {
  return fnv1a32(`heldout:${id}`) % HELD_OUT_MODULUS === 0;
}

/** The questions of a split, in their order. Questions without an id are never held out. */
export function splitQuestions<Q extends { id?: string }>(questions: readonly Q[], split: 'heldout' | 'train' | 'all'): Q[] {
  if (split === 'all') return [...questions];
  return questions.filter((q) => (q.id !== undefined && isHeldOutQuestion(q.id)) === (split === 'heldout'));
}
