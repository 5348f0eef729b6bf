/**
 * The offline pool against its own oracle, the recorded scores of the mirror (../shared/data, read at
 * run time): asking every bank question verbatim, each model's EM equals its recorded score ≥ 0.5,
 * question by question. Plus matching, determinism, the wrong-answer share and the port contract.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mirrorDataRoot } from '../../testing/dataRoot';
import type { PoolModelRecord } from '../env/trajectory';
import { CandidateCallError, type CandidateCallRequest } from '../policy/ports';
import { describeCandidateCallerContract } from '../providers/candidateCallerContract';
import { exactMatch } from '../reward/normalize';
import { loadOfflineBank, type OfflineBank } from './offlineBank';
import { matchBankQuestion } from './matchBankQuestion';
import { createOfflineCaller, parseSizeB } from './offlineCaller';
import { offlinePoolModels } from './offlinePool';
import { isHeldOutQuestion } from '../eval/heldOut';
import { isCannotHelpReply, simulateOfflineReply, statedAnswer } from './offlineReplies';

const PARAMS = { temperature: 0, topP: 1, seed: 42, maxTokens: 512 };

function request(model: PoolModelRecord, query: string): CandidateCallRequest {
  return { poolIndex: 0, model, prompt: `Here is the sub-question for you to assist with: ${query}`, query, params: PARAMS };
}

let bank: OfflineBank;
let pool: PoolModelRecord[];
beforeAll(async () => {
  bank = await loadOfflineBank(mirrorDataRoot());
  pool = offlinePoolModels(bank);
});

/** Correct answers per model on the mirror (NQ, TriviaQA), counted from train.json by a separate script. */
const RECORDED_CORRECT: Record<string, [number, number]> = {
  'qwen2.5-7b-instruct': [174, 76],
  'codegemma-7b': [96, 47],
  'gemma-2-9b-it': [199, 97],
  'llama-3.1-8b-instruct': [229, 93],
  'llama3-chatqa-1.5-8b': [179, 90],
  'mistral-7b-instruct-v0.3': [207, 99],
  'llama-3.3-nemotron-super-49b-v1': [236, 105],
  'llama-3.1-nemotron-51b-instruct': [186, 92],
  'llama3-chatqa-1.5-70b': [225, 112],
};

describe('the offline caller reproduces the recorded scores', () => {
  it('gives EM = 1 exactly on the questions a model scored ≥ 0.5, for every model', async () => {
    const caller = createOfflineCaller(bank);
    for (const model of pool) {
      const correct = { natural_qa: 0, trivia_qa: 0 };
      for (const q of bank.questions) {
        const { reply } = await caller.call(request(model, q.question), {});
        const em = exactMatch(statedAnswer(reply) ?? '', q.goldAnswers);
        expect({ model: model.name, q: q.id, em }).toEqual({ model: model.name, q: q.id, em: (q.scores[model.name] ?? 0) >= 0.5 ? 1 : 0 });
        correct[q.task] += em;
      }
      expect([correct.natural_qa, correct.trivia_qa]).toEqual(RECORDED_CORRECT[model.name]);
    }
  });

  it('states wrong answers for about half of the missed questions, and cannot-help for the rest', () => {
    let wrong = 0;
    let cannot = 0;
    for (const model of pool) {
      for (const q of bank.questions) {
        if ((q.scores[model.name] ?? 0) >= 0.5) continue;
        const d = simulateOfflineReply(bank, model.name, q.question);
        if (d.kind === 'wrong') {
          wrong++;
          // drawn from training questions that are not held out, so no held-out gold leaks into training replies
          expect(bank.questions.some((o) => o !== q && o.task === q.task && o.split === 'train' && !isHeldOutQuestion(o.id) && o.goldAnswers[0] === d.statedAnswer)).toBe(true);
          expect(exactMatch(d.statedAnswer ?? '', q.goldAnswers)).toBe(0);
        } else {
          expect(d.kind).toBe('cannot-help');
          expect(isCannotHelpReply(d.reply)).toBe(true);
          expect(d.reply).toMatch(/other LLMs/);
          cannot++;
        }
      }
    }
    expect(wrong + cannot).toBe(6458);
    expect(wrong / (wrong + cannot)).toBeGreaterThan(0.47);
    expect(wrong / (wrong + cannot)).toBeLessThan(0.53);
  });

  it('honours wrongAnswerShare 0 and 1', () => {
    const missed = bank.questions.filter((q) => (q.scores['codegemma-7b'] ?? 0) < 0.5).slice(0, 100);
    expect(missed.every((q) => simulateOfflineReply(bank, 'codegemma-7b', q.question, { wrongAnswerShare: 0 }).kind === 'cannot-help')).toBe(true);
    expect(missed.every((q) => simulateOfflineReply(bank, 'codegemma-7b', q.question, { wrongAnswerShare: 1 }).kind === 'wrong')).toBe(true);
  });

  it('uses several phrasings', () => {
    const replies = bank.questions.slice(0, 200).map((q) => simulateOfflineReply(bank, 'llama3-chatqa-1.5-70b', q.question).reply);
    const shapes = new Set(replies.map((r) => r.replace(/\*\*.+?\*\*/, '**X**')));
    expect(shapes.size).toBeGreaterThanOrEqual(6);
  });
});

describe('determinism', () => {
  it('gives the same reply, usage and latency for the same (model, query), across fresh callers', async () => {
    const queries = [...bank.questions.slice(0, 30).map((q) => q.question), 'Who wrote Cat on a Hot Tin Roof?', 'What is the capital of France?'];
    const run = async (): Promise<unknown[]> => {
      const caller = createOfflineCaller(bank);
      const out: unknown[] = [];
      for (const model of pool) for (const query of queries) out.push(await caller.call(request(model, query), {}));
      return out;
    };
    const first = await run();
    const caller = createOfflineCaller(await loadOfflineBank(mirrorDataRoot()));
    expect(await run()).toEqual(first);
    const reloaded: unknown[] = [];
    for (const model of pool) for (const query of queries) reloaded.push(await caller.call(request(model, query), {}));
    expect(reloaded).toEqual(first);
  });

  it('simulates usage and latency per model: bigger models are slower per token', async () => {
    const caller = createOfflineCaller(bank);
    const q = bank.questions[0]!;
    const small = await caller.call(request(pool.find((m) => m.name === 'gemma-2-9b-it')!, q.question), {});
    const large = await caller.call(request(pool.find((m) => m.name === 'llama3-chatqa-1.5-70b')!, q.question), {});
    for (const r of [small, large]) {
      expect(r.usage.promptTokens).toBe(Math.round(request(pool[0]!, q.question).prompt.length / 4));
      expect(r.usage.completionTokens).toBeGreaterThan(0);
      expect(r.cached).toBe(true);
    }
    expect(large.latencyMs / large.usage.completionTokens).toBeGreaterThan(small.latencyMs / small.usage.completionTokens);
    expect(parseSizeB('49B')).toBe(49);
    expect(parseSizeB('8x7B')).toBe(56);
    expect(parseSizeB('')).toBeUndefined();
  });
});

describe('matchBankQuestion', () => {
  it('matches every bank question verbatim, without "?", in upper case and with extra punctuation', () => {
    for (const [i, q] of bank.questions.entries()) {
      const bare = q.question.trim().replace(/\?$/, '');
      for (const variant of [q.question, bare, `${bare}?`, `  ${bare.toUpperCase()} ?? `, `"${bare}!"`]) {
        expect(matchBankQuestion(bank, variant)).toMatchObject({ index: i, kind: 'exact', score: 1 });
      }
    }
  });

  it.each([
    ['Who wrote Cat on a Hot Tin Roof?', 'Which playwright wrote Cat on a Hot Tin Roof?'],
    ['Who is the singer of "I\'ve Got to Be Me"?', "who sings i've got to be me"],
    ['In which Bavarian town is the Wagner festival held every July and August?', 'Which Bavarian town stages a wagner festival every July and August?'],
    ['who was the leader of the 1911 chinese revolution', 'who was the leader of the chinese revolution of 1911'],
    ['Which jockey won the 2011 Grand National riding Ballabriggs?', 'What is the name of the jockey who won the 2011 English Grand National on Ballabriggs?'],
    ['What creature is ambergris obtained from?', 'Specifically ambergris is obtained from which creature?'],
    ['who plays mom in mike & molly?', 'who plays the mom in mike and molly'],
  ])('matches the paraphrase %j', (query, expected) => {
    const m = matchBankQuestion(bank, query);
    expect(m?.kind).toBe('overlap');
    expect(m?.question.question).toBe(expected);
  });

  it('leaves unrelated and vague queries unmatched', () => {
    for (const query of ['What is the capital of France?', 'When did it come out?', 'Explain quantum entanglement.', '', '???']) {
      expect(matchBankQuestion(bank, query)).toBeUndefined();
    }
  });

  it('breaks ties by bank order and honours the threshold option', () => {
    const q = 'Who wrote Cat on a Hot Tin Roof?';
    expect(matchBankQuestion(bank, q, { threshold: 0.99 })).toBeUndefined();
    expect(matchBankQuestion(bank, q, { threshold: 0 })?.question.question).toBe('Which playwright wrote Cat on a Hot Tin Roof?');
  });
});

describe('the CandidateCaller contract', () => {
  it('answers an unmatched query with cannot-help', async () => {
    const caller = createOfflineCaller(bank);
    for (const model of pool) {
      const { reply } = await caller.call(request(model, 'What is the capital of France?'), {});
      expect(isCannotHelpReply(reply)).toBe(true);
      expect(statedAnswer(reply)).toBeUndefined();
    }
  });

  it('rejects a model without recorded scores with a not-found CandidateCallError', async () => {
    const caller = createOfflineCaller(bank);
    const stranger: PoolModelRecord = { name: 'gpt-x', provider: 'offline', providerModelId: 'gpt-x', inputPer1M: 1, outputPer1M: 1 };
    const err: unknown = await caller.call(request(stranger, 'who sings i\'ve got to be me'), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandidateCallError);
    expect((err as CandidateCallError).kind).toBe('not-found');
    expect((err as CandidateCallError).message).toMatch(/no recorded scores for "gpt-x".*llama-3.1-8b-instruct/);
  });

  it('finds the model by display name when providerModelId is not a bank name', async () => {
    const caller = createOfflineCaller(bank);
    const renamed: PoolModelRecord = { ...pool[0]!, providerModelId: 'something-else' };
    await expect(caller.call(request(renamed, bank.questions[0]!.question), {})).resolves.toMatchObject({ cached: true });
  });

  it('rejects with the abort reason when the signal is already aborted', async () => {
    const caller = createOfflineCaller(bank);
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    controller.abort(reason);
    await expect(caller.call(request(pool[0]!, bank.questions[0]!.question), { signal: controller.signal })).rejects.toBe(reason);
  });
});

describeCandidateCallerContract('offline pool', async () => {
  const b = await loadOfflineBank(mirrorDataRoot());
  const models = offlinePoolModels(b);
  const stranger: PoolModelRecord = { name: 'gpt-x', provider: 'offline', providerModelId: 'gpt-x', inputPer1M: 1, outputPer1M: 1 };
  return {
    caller: createOfflineCaller(b),
    ok: request(models[0]!, b.questions[0]!.question),
    failing: { req: request(stranger, b.questions[0]!.question), kind: 'not-found' },
  };
});
