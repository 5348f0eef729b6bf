/**
 * Evaluation runs on a small synthetic offline bank (hand-written scores and prices, so every
 * baseline's result is known in advance): baselines as specified, estimates against actual calls,
 * per-question limits, pause/resume and cancel, and setup errors.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENV_SETTINGS, type QuestionRecord, type Trajectory } from '../env/trajectory';
import { createRng } from '../math/rng';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import type { OfflineBank, OfflineModel, OfflineQuestion } from '../offline/offlineBank';
import { createOfflineCaller } from '../offline/offlineCaller';
import { offlineBankQuestions, offlinePoolModels } from '../offline/offlinePool';
import { createBaselinePolicy } from './baselines';
import { methodId } from './methodIds';
import { estimateRun } from './estimateRun';
import type { EvalEvent, EvalMethodSpec, EvalRunSpec, EvalState } from './evalTypes';
import { EvalResumeError, runEvaluation, runEvaluationToEnd, type EvalDeps } from './runEvaluation';

const MODELS: OfflineModel[] = [
  { name: 'tiny-1b', nimId: 'x/tiny-1b', inputPer1M: 0.05, outputPer1M: 0.05, descriptor: 'tiny', size: '1B' },
  { name: 'mid-8b', nimId: 'x/mid-8b', inputPer1M: 0.2, outputPer1M: 0.2, descriptor: 'mid', size: '8B' },
  { name: 'big-70b', nimId: 'x/big-70b', inputPer1M: 0.9, outputPer1M: 0.9, descriptor: 'big', size: '70B' },
];

/** [tiny, mid, big] correct (1) or not (0) per question. */
const SCORES: [number, number, number][] = [
  [1, 1, 1],
  [0, 1, 1],
  [0, 0, 1],
  [0, 0, 0],
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [0, 0, 0],
  [0, 1, 1],
  [1, 1, 1],
];

const WORDS = ['river', 'mountain', 'painter', 'violin', 'comet', 'harbour', 'glacier', 'orchard', 'lantern', 'falcon'];

function syntheticBank(): OfflineBank {
  const questions: OfflineQuestion[] = SCORES.map((s, i) => ({
    id: `nq-${i.toString(16).padStart(16, '0')}`,
    task: i % 2 === 0 ? 'natural_qa' : 'trivia_qa',
    question: `which ${WORDS[i]} is number ${i} in the synthetic list`,
    goldAnswers: [`answer ${WORDS[i]}`],
    scores: { 'tiny-1b': s[0], 'mid-8b': s[1], 'big-70b': s[2] },
    split: 'train',
  }));
  const kept = { natural_qa: { train: 5, test: 0 }, trivia_qa: { train: 5, test: 0 } };
  return { questions, models: MODELS, stats: { rows: { train: 10, test: null, queries: 10, models: 3 }, kept, droppedNoGold: 0, droppedUnjoined: 0, droppedOtherTasks: 0, droppedDuplicates: 0, unscoredModels: [] } };
}

const bank = syntheticBank();
const questions: QuestionRecord[] = offlineBankQuestions(bank);
const ALL: EvalMethodSpec[] = [...MODELS.map((m): EvalMethodSpec => ({ kind: 'single', model: m.name })), { kind: 'random' }, { kind: 'cheapest' }, { kind: 'largest' }, { kind: 'cascade' }, { kind: 'oracle' }];

function spec(over: Partial<EvalRunSpec> = {}): EvalRunSpec {
  return {
    id: 'test-run',
    dataset: 'synthetic',
    questions,
    pool: offlinePoolModels(bank),
    methods: ALL,
    agentTemplate: 'Answer briefly: {query}',
    settings: { ...DEFAULT_ENV_SETTINGS },
    alpha: 0.5,
    seed: 7,
    limits: { maxCalls: null, maxSpendUsd: null },
    ...over,
  };
}

function deps(over: Partial<EvalDeps> = {}): EvalDeps {
  return {
    caller: createOfflineCaller(bank),
    now: () => 0,
    recordedScores: (q) => bank.questions.find((b) => b.id === q.id)?.scores,
    sizesB: { 'tiny-1b': 1, 'mid-8b': 8, 'big-70b': 70 },
    ...over,
  };
}

const accuracy = (k: 0 | 1 | 2): number => SCORES.filter((s) => s[k] === 1).length / SCORES.length;

describe('baselines on a synthetic bank', () => {
  it('score as the recorded scores say, through the real environment and reward', async () => {
    const { summary, status } = await runEvaluationToEnd(spec(), deps());
    expect(status).toBe('completed');
    const by = Object.fromEntries(summary.methods.map((m) => [m.method, m]));
    expect(by['single:tiny-1b']?.em).toBeCloseTo(accuracy(0), 12);
    expect(by['single:mid-8b']?.em).toBeCloseTo(accuracy(1), 12);
    expect(by['single:big-70b']?.em).toBeCloseTo(accuracy(2), 12);
    // cheapest = the cheapest model's recorded accuracy; largest = the 70B's.
    expect(by['cheapest']?.em).toBeCloseTo(accuracy(0), 12);
    expect(by['cheapest']?.routingShare).toEqual({ 'tiny-1b': 1 });
    expect(by['largest']?.routingShare).toEqual({ 'big-70b': 1 });
    // oracle = the share of questions some model got right, at the cheapest correct model's price.
    expect(by['oracle']?.em).toBeCloseTo(SCORES.filter((s) => s.includes(1)).length / SCORES.length, 12);
    expect(by['oracle']?.calls).toBeCloseTo(0.8, 12);
    // cascade: cheaper than the largest model alone.
    expect(by['cascade']?.costUnits).toBeLessThanOrEqual(by['largest']?.costUnits ?? 0);
    for (const m of summary.methods) {
      expect(m.questions).toBe(10);
      expect(m.formatValidRate).toBe(1);
    }
    expect(summary.paretoFront).toContain('oracle');
  });

  it('the cascade escalates past cannot-help replies and stops at the first stated answer', async () => {
    const { state } = await runEvaluationToEnd(spec({ methods: [{ kind: 'cascade' }] }), deps());
    for (const row of state.rows) {
      expect(row.models[0]).toBe('tiny-1b');
      expect(row.models.length).toBeGreaterThanOrEqual(1);
      expect(row.models.length).toBeLessThanOrEqual(3);
      // When the tiny model is right it is the only call.
      if (SCORES[row.questionIndex]?.[0] === 1) expect(row.models).toEqual(['tiny-1b']);
    }
  });

  it('the random baseline is seeded: same seed, same picks; another seed, other picks', async () => {
    const pick = async (seed: number) => (await runEvaluationToEnd(spec({ methods: [{ kind: 'random' }], seed }), deps())).state.rows.map((r) => r.models.join());
    expect(await pick(7)).toEqual(await pick(7));
    expect(await pick(7)).not.toEqual(await pick(8));
  });
});

describe('estimateRun', () => {
  it('predicts the calls of the one-call methods exactly and bounds the cascade', async () => {
    const s = spec();
    const est = estimateRun(s, { sizesB: { 'tiny-1b': 1, 'mid-8b': 8, 'big-70b': 70 } });
    const { summary } = await runEvaluationToEnd(s, deps());
    for (const m of est.methods) {
      const actual = summary.methods.find((x) => x.method === m.method);
      if (actual === undefined) throw new Error(m.method);
      const actualCalls = actual.calls * actual.questions;
      if (m.method === 'cascade' || m.method === 'oracle') {
        expect(actualCalls).toBeLessThanOrEqual(m.calls.max);
        expect(actualCalls).toBeGreaterThanOrEqual(m.method === 'cascade' ? 10 : 0);
      } else {
        expect(actualCalls).toBe(m.calls.expected);
      }
      expect(actual.costUsd * actual.questions).toBeLessThanOrEqual(m.usd.max + 1e-12);
    }
    // The offline pool is free: nothing to confirm.
    expect(est.needsConfirmation).toBe(false);
    expect(estimateRun({ ...s, pool: s.pool.map((m) => ({ ...m, provider: 'openrouter' })) }).needsConfirmation).toBe(true);
  });

  it('caps calls by max calls per question', () => {
    const est = estimateRun(spec({ limits: { maxCalls: 1, maxSpendUsd: null } }));
    expect(est.methods.find((m) => m.method === 'cascade')?.callsPerQuestion.max).toBe(1);
  });
});

describe('per-question limits', () => {
  it('refuses calls past max calls with kind budget, recorded in the round', async () => {
    const { state } = await runEvaluationToEnd(spec({ methods: [{ kind: 'cascade' }], limits: { maxCalls: 1, maxSpendUsd: null } }), deps());
    expect(state.rows.every((r) => r.calls <= 1)).toBe(true);
    const events: EvalEvent[] = [];
    await runEvaluationToEnd(spec({ methods: [{ kind: 'cascade' }], limits: { maxCalls: 1, maxSpendUsd: null } }), deps(), undefined, (e) => events.push(e));
    const refused = events.flatMap((e) => (e.type === 'eval.episode' ? e.trajectory.rounds : [])).filter((r) => r.call?.error?.kind === 'budget');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.observation?.text).toContain('<information>None</information>');
  });

  it('refuses every call when max spend is below one call’s worst case', async () => {
    const { state } = await runEvaluationToEnd(spec({ methods: [{ kind: 'largest' }], limits: { maxCalls: null, maxSpendUsd: 1e-9 } }), deps());
    expect(state.rows.every((r) => r.calls === 0 && r.costUsd === 0 && r.em === 0)).toBe(true);
  });
});

describe('pause, resume and cancel', () => {
  it('a paused and resumed run gives the same summary and rows as an uninterrupted one', async () => {
    const whole = await runEvaluationToEnd(spec(), deps());
    const pause = new AbortController();
    let episodes = 0;
    const first = await runEvaluationToEnd(spec(), deps({ pauseSignal: pause.signal }), undefined, (e) => {
      if (e.type === 'eval.episode' && ++episodes === 37) pause.abort();
    });
    expect(first.status).toBe('paused');
    expect(first.state.rows).toHaveLength(37);
    // The state survives JSON (a reload).
    const saved = JSON.parse(JSON.stringify(first.state)) as EvalState;
    const rest = await runEvaluationToEnd(spec(), deps(), saved);
    expect(rest.status).toBe('completed');
    expect(rest.summary).toEqual(whole.summary);
    expect(rest.state.costWindows).toEqual(whole.state.costWindows);
    expect(rest.state.rows.map((r) => JSON.stringify(r)).sort()).toEqual(whole.state.rows.map((r) => JSON.stringify(r)).sort());
  });

  it('cancel stops at once without recording the episode in flight, and the state still resumes', async () => {
    const cancel = new AbortController();
    const events: EvalEvent[] = [];
    const gen = runEvaluation(spec(), deps({ signal: cancel.signal }));
    for await (const e of gen) {
      events.push(e);
      if (e.type === 'eval.episode' && e.row.questionIndex === 2) cancel.abort();
    }
    const last = events[events.length - 1];
    if (last?.type !== 'eval.finished') throw new Error('no eval.finished');
    expect(last.status).toBe('cancelled');
    const done = last.state.rows.length;
    expect(events.filter((e) => e.type === 'eval.episode')).toHaveLength(done);
    const rest = await runEvaluationToEnd(spec(), deps(), last.state);
    expect(rest.state.rows).toHaveLength(10 * ALL.length);
  });

  it('reports progress with an ETA and running metrics for every method', async () => {
    let t = 0;
    const progress: Extract<EvalEvent, { type: 'eval.progress' }>[] = [];
    await runEvaluationToEnd(spec(), deps({ now: () => (t += 10) }), undefined, (e) => e.type === 'eval.progress' && progress.push(e));
    expect(progress).toHaveLength(10 * ALL.length);
    expect(progress[0]?.etaMs).toBeGreaterThan(0);
    expect(progress[progress.length - 1]?.etaMs).toBe(0);
    expect(Object.keys(progress[progress.length - 1]?.running ?? {})).toEqual(ALL.map(methodId));
  });

  it('pauses on a provider failure without recording that episode', async () => {
    let calls = 0;
    const inner = createOfflineCaller(bank);
    const { CandidateCallError } = await import('../policy/ports');
    const flaky: EvalDeps['caller'] = {
      call: (req, o) => (++calls === 5 ? Promise.reject(new CandidateCallError('server', 'HTTP 503')) : inner.call(req, o)),
    };
    const first = await runEvaluationToEnd(spec({ methods: [{ kind: 'cheapest' }] }), deps({ caller: flaky }));
    expect(first.status).toBe('paused');
    expect(first.reason).toMatch(/server/);
    expect(first.state.rows).toHaveLength(4);
    // The failed episode leaves no trace in the cost window either (it is re-run on resume).
    expect(first.state.costWindows['cheapest']).toHaveLength(4);
    const rest = await runEvaluationToEnd(spec({ methods: [{ kind: 'cheapest' }] }), deps(), first.state);
    expect(rest.status).toBe('completed');
    expect(rest.summary.methods[0]?.em).toBeCloseTo(accuracy(0), 12);
    const whole = await runEvaluationToEnd(spec({ methods: [{ kind: 'cheapest' }] }), deps());
    expect(rest.summary).toEqual(whole.summary);
    expect(rest.state.costWindows).toEqual(whole.state.costWindows);
    expect(rest.state.rows).toEqual(whole.state.rows);
  });

  it('refuses to resume a state of another setup', async () => {
    const { state } = await runEvaluationToEnd(spec({ methods: [{ kind: 'cheapest' }] }), deps());
    await expect(runEvaluationToEnd(spec({ methods: [{ kind: 'largest' }] }), deps(), state)).rejects.toThrow(EvalResumeError);
  });
});

describe('setup errors say what to fix', () => {
  it('rejects an unknown single model, an oracle without scores, a policy without a host, questions without gold', async () => {
    await expect(runEvaluationToEnd(spec({ methods: [{ kind: 'single', model: 'nope' }] }), deps())).rejects.toThrow(/names no pool model/);
    const { recordedScores: _, ...noScores } = deps();
    await expect(runEvaluationToEnd(spec({ methods: [{ kind: 'oracle' }] }), noScores)).rejects.toThrow(/recorded per-question scores/);
    await expect(runEvaluationToEnd(spec({ methods: [{ kind: 'policy', id: 'x' }] }), deps())).rejects.toThrow(/policy host/);
    await expect(runEvaluationToEnd(spec({ questions: [{ text: 'q', goldAnswers: [] }] }), deps())).rejects.toThrow(/no gold answer/);
    await expect(runEvaluationToEnd(spec({ pool: [] }), deps())).rejects.toThrow(/no model/);
  });
});

describe('the teacher cascade as a method', () => {
  it('runs at α 0 (confirming) and α 0.8 (first answer), cheapest first, with its own ids', async () => {
    const methods: EvalMethodSpec[] = [{ kind: 'teacher', alpha: 0 }, { kind: 'teacher', alpha: 0.8 }];
    expect(methods.map(methodId)).toEqual(['teacher', 'teacher:0.8']);
    const trust = { 'tiny-1b': 0.3, 'mid-8b': 0.6, 'big-70b': 0.7 };
    const { summary } = await runEvaluationToEnd(spec({ methods }), deps({ teacherTrust: trust }));
    const [confirm, first] = summary.methods;
    expect(confirm?.method).toBe('teacher');
    expect(first?.method).toBe('teacher:0.8');
    expect(confirm?.formatValidRate).toBe(1);
    expect(first?.formatValidRate).toBe(1);
    // Confirming costs more calls and more money than stopping at the first stated answer.
    expect(confirm?.calls).toBeGreaterThan(first?.calls ?? Infinity);
    expect(confirm?.costUnits).toBeGreaterThan(first?.costUnits ?? Infinity);
    // Stopping at the first answer is the cascade's behaviour on this bank.
    const cascade = await runEvaluationToEnd(spec({ methods: [{ kind: 'cascade' }] }), deps());
    expect(first?.em).toBeCloseTo(cascade.summary.methods[0]?.em ?? -1, 12);
    const estimate = estimateRun(spec({ methods }));
    expect(estimate.methods.map((m) => m.method)).toEqual(['teacher', 'teacher:0.8']);
    expect(estimate.methods[0]?.callsPerQuestion.expected).toBeGreaterThan(estimate.methods[1]?.callsPerQuestion.expected ?? Infinity);
  });

  it('rejects a teacher α outside [0, 1]', async () => {
    await expect(runEvaluationToEnd(spec({ methods: [{ kind: 'teacher', alpha: 2 }] }), deps())).rejects.toThrow(/teacher's α must be in \[0, 1\]/);
  });
});

describe("a policy's positions", () => {
  it("fits the episode's token limits into the model's context capacity (and leaves them when they fit)", async () => {
    const capacity = (contextCapacity: number): EvalDeps['policyFor'] => async (_m, ctx) => ({
      policy: createBaselinePolicy({ kind: 'cheapest' }, { pool: ctx.pool, question: ctx.question.text, rng: createRng(1) }),
      tokenizer: createByteTokenizer(),
      template: 'compact',
      prompt: `Question: ${ctx.question.text}`,
      contextCapacity,
    });
    const one = spec({ methods: [{ kind: 'policy', id: 'small' }], questions: questions.slice(0, 1) });
    const small: Trajectory[] = [];
    await runEvaluationToEnd(one, deps({ policyFor: capacity(512) }), undefined, (e) => e.type === 'eval.episode' && small.push(e.trajectory));
    expect(small[0]?.settings).toMatchObject({ maxNewTokens: 128, maxContextTokens: 384, maxPromptTokens: 384 });
    expect(small[0]?.status).toBe('answered');
    const big: Trajectory[] = [];
    await runEvaluationToEnd(one, deps({ policyFor: capacity(32768) }), undefined, (e) => e.type === 'eval.episode' && big.push(e.trajectory));
    expect(big[0]?.settings).toEqual(DEFAULT_ENV_SETTINGS);
  });
});
