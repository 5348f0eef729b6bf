/**
 * Copy practice for the embedded policies' warm-up: a synthetic bank built from the TRAINING questions
 * only. Each synthetic question is a training question's words in a shuffled order, with the gold
 * answer of another training question and the recorded scores of the first (so who answers correctly
 * stays realistic). The teacher then writes ordinary episodes on it through the offline simulator.
 *
 * Why: a small policy must copy the question into `<search>` and the stated answer into `<answer>`.
 * With 792 real questions it can memorise question → answer instead of learning to copy; on shuffled
 * words and re-paired answers only copying works, and that is what generalises to unseen questions.
 * Held-out and test questions never contribute a word or an answer.
 */
import { isHeldOutQuestion } from '../eval/heldOut';
import { fnv1a32 } from '../math/hash';
import { createRng } from '../math/rng';
import type { OfflineBank, OfflineQuestion } from '../offline/offlineBank';
import { shuffled } from './corpus';
import { trainingBankQuestions } from './teacher';

export function syntheticTrainingBank(bank: OfflineBank, copies: number, seed: number): OfflineBank {
  const training = trainingBankQuestions(bank);
  const rng = createRng(seed).fork('synthetic-bank');
  const questions: OfflineQuestion[] = [];
  const seen = new Set(bank.questions.map((q) => q.question.toLowerCase()));
  for (let c = 0; c < copies; c++) {
    for (const [i, q] of training.entries()) {
      const words = q.question.replace(/\?+\s*$/, '').split(/\s+/).filter((w) => w !== '');
      let text = '';
      for (let attempt = 0; attempt < 4 && (text === '' || seen.has(text.toLowerCase())); attempt++) text = shuffled(words, rng).join(' ');
      if (seen.has(text.toLowerCase())) continue;
      seen.add(text.toLowerCase());
      const other = training[(i + 1 + (rng.nextUint32() % (training.length - 1))) % training.length] as OfflineQuestion;
      questions.push({ id: syntheticId(c, q.id), task: q.task, question: text, goldAnswers: [...other.goldAnswers], scores: { ...q.scores }, split: 'train' });
    }
  }
  return { questions, models: bank.models, stats: bank.stats };
}

/** An id that is never held out (so corpus.ts accepts the question as training data). */
function syntheticId(copy: number, base: string): string {
  for (let salt = 0; ; salt++) {
    const id = `syn-${copy}-${fnv1a32(`${base}.${salt}`).toString(16)}`;
    if (!isHeldOutQuestion(id)) return id;
  }
}
