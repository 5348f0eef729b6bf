/**
 * The embedded policy's data on the real offline bank (../shared/data, read at run time, never copied):
 * training questions only, the tokenizer corpus and a tokenizer trained on it (fast), the warm-up JSONL
 * per α, determinism.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mirrorDataRoot } from '../../testing/dataRoot';
import { isHeldOutQuestion } from '../eval/heldOut';
import { parseTrajectoriesJsonl } from '../eval/exportResults';
import { loadOfflineBank, type OfflineBank } from '../offline/offlineBank';
import { normalizeQuestion } from '../protocol/prompt';
import { trajectorySequence } from '../rl/episodeRollout';
import { createBpeTokenizer } from '../tokenizer/bpeTokenizer';
import { ROUTER_TAG_TOKENS, trainByteLevelBpe } from '../tokenizer/bpeTrainer';
import { buildTokenizerCorpus, buildWarmupDatasets, runTeacherEpisodes, type TokenizerCorpus } from './corpus';
import { HeldOutLeakError, trainingBankQuestions } from './teacher';

describe('default-policy data on the offline bank', () => {
  let bank: OfflineBank;
  let corpus: TokenizerCorpus;
  beforeAll(async () => {
    bank = await loadOfflineBank(mirrorDataRoot());
    corpus = await buildTokenizerCorpus(bank, { seed: 7 });
  });

  it('uses the training split less the held-out questions, and refuses held-out ones', async () => {
    const training = trainingBankQuestions(bank);
    expect(training).toHaveLength(792);
    expect(training.every((q) => q.split === 'train' && !isHeldOutQuestion(q.id))).toBe(true);
    const heldOut = bank.questions.find((q) => isHeldOutQuestion(q.id));
    await expect(runTeacherEpisodes(bank, [heldOut!])).rejects.toThrow(HeldOutLeakError);
  });

  it('builds the corpus from the training prompts and teacher trajectories, with no held-out question in it', () => {
    expect(corpus.prompts).toBe(792);
    expect(corpus.trajectories).toBe(792 * 2 * 2);
    expect(corpus.texts).toHaveLength(792 * 5);
    const all = corpus.texts.join('\n');
    const heldOut = bank.questions.filter((q) => isHeldOutQuestion(q.id));
    expect(heldOut.length).toBe(208);
    for (const q of heldOut) expect(all.includes(`Question: ${normalizeQuestion(q.question)}`), q.id).toBe(false);
    expect(corpus.texts.every((t) => t.startsWith('<|im_start|>system\n'))).toBe(true);
  });

  it('is deterministic for a seed', async () => {
    const again = await buildTokenizerCorpus(bank, { seed: 7 });
    expect(again.texts).toEqual(corpus.texts);
    const other = await buildTokenizerCorpus(bank, { seed: 8 });
    expect(other.texts).not.toEqual(corpus.texts);
    expect([...other.texts].sort()).not.toEqual([...corpus.texts].sort()); // other phrasings, not only another order
  });

  it('trains a 4,096-token BPE on it in seconds that makes the tags single tokens and round-trips', () => {
    const started = Date.now();
    const trained = trainByteLevelBpe(corpus.texts, { vocabSize: 4096 });
    const ms = Date.now() - started;
    expect(trained.size).toBe(4096);
    expect(ms).toBeLessThan(20_000);
    const tok = createBpeTokenizer(trained);
    const sample = corpus.texts.slice(0, 200);
    for (const text of sample) expect(tok.decode(tok.encode(text))).toBe(text);
    const tagIds = new Set(ROUTER_TAG_TOKENS.map((t) => tok.tokenToId(t)));
    const ids = tok.encode(sample.find((t) => t.includes('<answer>')) ?? '');
    expect(ids.filter((id) => tagIds.has(id)).length).toBeGreaterThanOrEqual(6);
    // compact: a framed trajectory is a few hundred tokens
    const mean = sample.reduce((s, t) => s + tok.encode(t).length, 0) / sample.length;
    expect(mean).toBeLessThan(600);
  });

  it('writes the warm-up JSONL per α: parseable, format-valid, cheaper at high α, token counts of the given tokenizer', async () => {
    const trained = trainByteLevelBpe(corpus.texts, { vocabSize: 2048 });
    const tok = createBpeTokenizer(trained);
    const sets = await buildWarmupDatasets(bank, { seed: 7, tokenizer: tok, variants: 1 });
    expect(sets.map((s) => s.alpha)).toEqual([0, 0.8]);
    const held = new Set(bank.questions.filter((q) => isHeldOutQuestion(q.id)).map((q) => q.id));
    for (const s of sets) {
      const parsed = parseTrajectoriesJsonl(s.jsonl, `alpha-${s.alpha}.jsonl`);
      expect(parsed).toHaveLength(792);
      expect(parsed.some((t) => held.has(t.question.id ?? ''))).toBe(false);
      expect(parsed.filter((t) => t.metrics?.format === 0).length / parsed.length).toBeGreaterThanOrEqual(0.98);
      const t = parsed[0]!;
      expect(t.promptTokens).toBe(tok.encode(t.prompt).length);
      const seq = trajectorySequence(t, tok);
      expect(seq.policyMask.some((m) => m === 1)).toBe(true);
      expect(tok.decode(seq.tokenIds)).toBe(t.prompt + t.response);
    }
    const calls = sets.map((s) => s.trajectories.reduce((n, t) => n + (t.metrics?.calls ?? 0), 0) / s.trajectories.length);
    expect(calls[1]).toBeLessThan(calls[0]!);
  });
});
