/**
 * The cost-aware teacher: its decisions on scripted replies, and its quality on 200 training questions
 * of the real offline bank (../shared/data, read at run time) against the single-model baselines.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mirrorDataRoot } from '../../testing/dataRoot';
import { DEFAULT_ENV_SETTINGS, type PoolModelRecord, type Trajectory } from '../env/trajectory';
import { createBaselinePolicy } from '../eval/baselines';
import { isHeldOutQuestion } from '../eval/heldOut';
import { createRng } from '../math/rng';
import { loadOfflineBank, type OfflineBank } from '../offline/offlineBank';
import { createOfflineCaller } from '../offline/offlineCaller';
import { offlinePoolModels } from '../offline/offlinePool';
import type { CallError } from '../env/trajectory';
import { formatReward } from '../reward/format';
import { poolModelNameCheck } from '../env/metrics';
import { createCostWindow } from '../reward/costReward';
import { runEpisodeToEnd } from '../run/runEpisode';
import { createScriptedCaller } from '../run/scripted';
import { DEFAULT_AGENT_TEMPLATE, renderCompactPromptForPool } from '../protocol/prompt';
import { byteTokenizer, runTeacherEpisodes, toQuestionRecord } from './corpus';
import { createTeacherPolicy, recordedAccuracy, teacherPlan, teacherQuery, trainingBankQuestions, type TeacherOptions } from './teacher';

const model = (name: string, price: number): PoolModelRecord => ({ name, provider: 'scripted', providerModelId: name, inputPer1M: price, outputPer1M: price });
const POOL = [model('big-x', 0.9), model('cheap-a', 0.1), model('big-y', 0.9), model('cheap-b', 0.2)];
const CANNOT = 'I cannot answer this question with any confidence. The base model should consult other LLMs for help with it.';
const says = (a: string): string => `The answer is **${a}**.`;

async function episode(replies: Record<string, string | CallError>, opts: TeacherOptions = {}, trust: Record<string, number> = {}, question = 'Who wrote Dune: the novel'): Promise<Trajectory> {
  const plan = teacherPlan(POOL, trust);
  return runEpisodeToEnd(
    {
      id: 't',
      question: { text: question, goldAnswers: ['Frank Herbert'] },
      template: 'compact',
      prompt: renderCompactPromptForPool(POOL, question),
      pool: POOL,
      agentTemplate: DEFAULT_AGENT_TEMPLATE,
      settings: DEFAULT_ENV_SETTINGS,
      alpha: opts.alpha ?? 0,
    },
    { policy: createTeacherPolicy({ pool: POOL, question, plan }, opts), caller: createScriptedCaller(replies), tokenizer: byteTokenizer(), costWindow: createCostWindow(), now: () => 0 },
  );
}

const routedModels = (t: Trajectory): string[] => t.rounds.flatMap((r) => (r.call === null ? [] : [r.call.modelName]));
const finalAnswer = (t: Trajectory): string | undefined => /<answer>(.*?)<\/answer>\s*$/s.exec(t.response)?.[1];

describe('teacherPlan', () => {
  it('orders by price, then by trust, then pool order', () => {
    expect(teacherPlan(POOL).cheapFirst).toEqual(['cheap-a', 'cheap-b', 'big-x', 'big-y']);
    expect(teacherPlan(POOL, { 'big-y': 0.4, 'big-x': 0.3 }).cheapFirst).toEqual(['cheap-a', 'cheap-b', 'big-y', 'big-x']);
    expect(recordedAccuracy([{ scores: { a: 1, b: 0 } }, { scores: { a: 0.5 } }], ['a', 'b'])).toEqual({ a: 1, b: 0 });
  });

  it('sends the normalised question without colons', () => {
    expect(teacherQuery('  Who wrote Dune: the novel ')).toBe('Who wrote Dune the novel?');
  });
});

describe('createTeacherPolicy on scripted replies', () => {
  it('asks the cheapest first and, at α = 0, confirms with the most trusted larger model; agreement ends it', async () => {
    const t = await episode({ 'cheap-a': says('Frank Herbert'), 'big-y': 'I believe the answer is **frank herbert**; this is well documented.', 'big-x': says('x') }, {}, { 'big-y': 0.4, 'big-x': 0.3 });
    expect(routedModels(t)).toEqual(['cheap-a', 'big-y']);
    expect(finalAnswer(t)).toBe('Frank Herbert');
    expect(t.metrics).toMatchObject({ format: 0, em: 1, calls: 2 });
    expect(t.response).toContain('<search>cheap-a: Who wrote Dune the novel?</search>');
  });

  it('escalates on cannot-help and on a failed call, to the next cheapest', async () => {
    const t = await episode({ 'cheap-a': CANNOT, 'cheap-b': { kind: 'server', message: 'down' }, 'big-x': says('Frank Herbert'), 'big-y': CANNOT }, { alpha: 0.8 });
    expect(routedModels(t)).toEqual(['cheap-a', 'cheap-b', 'big-x']);
    expect(finalAnswer(t)).toBe('Frank Herbert');
    expect(t.rounds[1]?.text).toContain('cannot help');
    expect(t.metrics?.format).toBe(0);
  });

  it('at high α stops at the first stated answer', async () => {
    const t = await episode({ 'cheap-a': says('Isaac Asimov'), 'cheap-b': says('Frank Herbert'), 'big-x': says('Frank Herbert'), 'big-y': says('Frank Herbert') }, { alpha: 0.8 });
    expect(routedModels(t)).toEqual(['cheap-a']);
    expect(finalAnswer(t)).toBe('Isaac Asimov');
    expect(t.metrics).toMatchObject({ format: 0, em: 0, calls: 1 });
  });

  it('on disagreement asks a third model and takes the majority', async () => {
    const t = await episode({ 'cheap-a': says('Isaac Asimov'), 'cheap-b': CANNOT, 'big-x': says('Frank Herbert'), 'big-y': says('Frank Herbert') });
    expect(routedModels(t)).toEqual(['cheap-a', 'big-x', 'big-y']);
    expect(finalAnswer(t)).toBe('Frank Herbert');
    expect(t.metrics).toMatchObject({ format: 0, em: 1 });
  });

  it('routes at most three times, then answers with the most trusted stated answer', async () => {
    const t = await episode({ 'cheap-a': says('A'), 'cheap-b': says('B'), 'big-x': says('C'), 'big-y': says('D') }, {}, { 'big-x': 0.5, 'big-y': 0.2 });
    expect(routedModels(t)).toEqual(['cheap-a', 'big-x', 'big-y']);
    expect(finalAnswer(t)).toBe('C');
    const none = await episode({ 'cheap-a': CANNOT, 'cheap-b': CANNOT, 'big-x': CANNOT, 'big-y': CANNOT });
    expect(routedModels(none)).toHaveLength(3);
    expect(finalAnswer(none)).toBe('unknown');
    expect(none.metrics?.format).toBe(0);
    const two = await episode({ 'cheap-a': says('A'), 'big-x': says('B'), 'big-y': says('C') }, { maxRoutes: 2 });
    expect(routedModels(two)).toEqual(['cheap-a', 'big-x']);
  });

  it('never routes to a model whose name is in the query (format rule 7)', async () => {
    const t = await episode({ 'cheap-a': says('yes'), 'cheap-b': says('no') }, { alpha: 1 }, {}, 'Is cheap-a a model?');
    expect(routedModels(t)).toEqual(['cheap-b']);
    expect(t.metrics?.format).toBe(0);
  });

  it('keeps tags out of its blocks and picks phrasings from the rng deterministically', async () => {
    // A reply with tags breaks the format by itself (rule 3); the teacher's own turns stay clean.
    const t = await episode({ 'cheap-a': says('<answer>x</answer> and </think>'), 'big-x': says('x') }, { alpha: 0.8 });
    expect(t.rounds[t.rounds.length - 1]?.text).toBe('<think>cheap-a states x and; stop here to save cost.</think>\n<answer>x and</answer>');
    const ok = await episode({ 'cheap-a': says('x') }, { alpha: 0.8 });
    expect(formatReward(ok.response, poolModelNameCheck(POOL))).toBe(0);
    const a = await episode({ 'cheap-a': CANNOT, 'cheap-b': says('B') }, { alpha: 1, rng: createRng(3) });
    const b = await episode({ 'cheap-a': CANNOT, 'cheap-b': says('B') }, { alpha: 1, rng: createRng(3) });
    expect(a.response).toBe(b.response);
  });
});

describe('the teacher on the offline bank (200 training questions)', () => {
  let bank: OfflineBank;
  beforeAll(async () => {
    bank = await loadOfflineBank(mirrorDataRoot());
  });

  const mean = (ts: Trajectory[], f: (t: Trajectory) => number): number => ts.reduce((s, t) => s + f(t), 0) / ts.length;

  it('is format-valid, beats the cheapest (α = 0.8) and the best single model (α = 0), and costs less at high α', async () => {
    const questions = trainingBankQuestions(bank).slice(0, 200);
    expect(questions.some((q) => isHeldOutQuestion(q.id))).toBe(false);
    const pool = offlinePoolModels(bank);
    const caller = createOfflineCaller(bank);
    const single = async (name: string): Promise<Trajectory[]> => {
      const out: Trajectory[] = [];
      for (const q of questions) {
        const policy = createBaselinePolicy({ kind: 'single', model: name }, { pool, question: q.question, rng: createRng(0) });
        out.push(
          await runEpisodeToEnd(
            { id: q.id, question: toQuestionRecord(q), template: 'compact', prompt: renderCompactPromptForPool(pool, q.question), pool, agentTemplate: DEFAULT_AGENT_TEMPLATE, settings: DEFAULT_ENV_SETTINGS, alpha: 0 },
            { policy, caller, tokenizer: byteTokenizer(), costWindow: createCostWindow(), now: () => 0 },
          ),
        );
      }
      return out;
    };
    const em = (ts: Trajectory[]): number => mean(ts, (t) => t.metrics?.em ?? 0);
    const cost = (ts: Trajectory[]): number => mean(ts, (t) => t.metrics?.costUnits ?? 0);
    const valid = (ts: Trajectory[]): number => mean(ts, (t) => (formatReward(t.response, poolModelNameCheck(t.pool)) === 0 ? 1 : 0));

    const cheapest = [...pool].sort((a, b) => a.outputPer1M - b.outputPer1M)[0] as PoolModelRecord;
    const singles = await Promise.all(pool.map(async (m) => ({ name: m.name, runs: await single(m.name) })));
    const cheapestEm = em(singles.find((s) => s.name === cheapest.name)?.runs ?? []);
    const best = singles.reduce((a, b) => (em(b.runs) > em(a.runs) ? b : a));

    const confirm = await runTeacherEpisodes(bank, questions, { alpha: 0 });
    const thrifty = await runTeacherEpisodes(bank, questions, { alpha: 0.8 });
    for (const runs of [confirm, thrifty]) {
      expect(valid(runs)).toBeGreaterThanOrEqual(0.98);
      expect(mean(runs, (t) => (t.metrics?.format === 0 ? 1 : 0))).toBeGreaterThanOrEqual(0.98);
      expect(em(runs)).toBeGreaterThanOrEqual(cheapestEm);
      expect(Math.max(...runs.map((t) => t.metrics?.routes ?? 0))).toBeLessThanOrEqual(3);
    }
    expect(em(confirm)).toBeGreaterThanOrEqual(em(best.runs));
    expect(cost(thrifty)).toBeLessThan(0.35 * cost(best.runs));
    expect(cost(thrifty)).toBeLessThan(cost(confirm));
    expect(mean(thrifty, (t) => t.metrics?.calls ?? 0)).toBeLessThan(mean(confirm, (t) => t.metrics?.calls ?? 0));
  });
});
