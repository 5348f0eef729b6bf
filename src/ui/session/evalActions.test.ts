/**
 * The Evaluation view's actions on a fresh store with a fake engine whose runEvaluation is core's, over
 * a small synthetic offline bank: a run fills rows, summary and history; pause keeps the state (also in
 * storage, for a reload) and resume ends with the same summary as an uninterrupted run; a row opens its
 * trajectory; a live pool asks for confirmation before running.
 */
import { describe, expect, it } from 'vitest';
import { createOfflineCaller, offlineBankQuestions, offlinePoolModels, runEvaluation, type EngineEvalRequest, type OfflineBank, type ReferenceData } from '../../core';
import { createAppStore } from '../store/appStore';
import { fakeEngine } from '../testing/fakeEngine';
import { createEvalActions, EVAL_STORAGE_NAME, methodSpecs, type StorageLike } from './evalActions';

const SCORES: [number, number][] = [[1, 1], [0, 1], [0, 0], [1, 0], [0, 1], [1, 1]];

const bank: OfflineBank = {
  models: [
    { name: 'small-1b', nimId: 'x/small-1b', inputPer1M: 0.1, outputPer1M: 0.1, descriptor: 'small', size: '1B' },
    { name: 'big-70b', nimId: 'x/big-70b', inputPer1M: 0.9, outputPer1M: 0.9, descriptor: 'big', size: '70B' },
  ],
  questions: SCORES.map((s, i) => ({ id: `nq-${i}`, task: 'natural_qa' as const, question: `which synthetic thing is number ${i}`, goldAnswers: [`thing ${i}`], scores: { 'small-1b': s[0], 'big-70b': s[1] }, split: 'train' as const })),
  stats: { rows: { train: 6, test: null, queries: 6, models: 2 }, kept: { natural_qa: { train: 6, test: 0 }, trivia_qa: { train: 0, test: 0 } }, droppedNoGold: 0, droppedUnjoined: 0, droppedOtherTasks: 0, droppedDuplicates: 0, unscoredModels: [] },
};

const reference = { location: 'mem', agentPrompt: 'Answer: {query}', paperPool: [], llmRouterPool: [], unseenPool: [], templates: {} } as ReferenceData;

function memoryStorage(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

function setup() {
  const store = createAppStore();
  store.getState().setPool('offline', offlinePoolModels(bank));
  store.getState().setQuestionList('offline', { status: 'ready', items: offlineBankQuestions(bank) });
  const requests: EngineEvalRequest[] = [];
  const engine = fakeEngine({
    runEvaluation: (req, opts) => {
      requests.push(req);
      const scores = (id: string | undefined) => bank.questions.find((q) => q.id === id)?.scores;
      return runEvaluation(req.spec, { caller: createOfflineCaller(bank), now: () => 0, ...opts, recordedScores: (q) => scores(q.id) }, req.resume);
    },
    estimateEvaluation: async () => ({ needsConfirmation: true, total: { live: { calls: { expected: 6, max: 6 }, usd: { expected: 0.01, max: 0.02 } } }, episodes: 6 }) as never,
  });
  const storage = memoryStorage();
  const actions = createEvalActions({
    engine,
    store,
    dataRoot: 'mem',
    candidatesFor: () => ({ kind: 'offline' }),
    reference: async () => reference,
    currentConfig: () => ({}) as never,
    keys: () => ({}),
    storage,
    schedule: (f) => f(),
  });
  store.getState().setEvalSettings({ dataset: 'offline', limit: 6, methods: ['single:small-1b', 'cheapest', 'largest', 'cascade', 'oracle'] });
  return { store, actions, storage, requests };
}

describe('evalActions', () => {
  it('runs every method on every question and keeps the summary in the history', async () => {
    const { store, actions } = setup();
    const summary = await actions.startEvaluation();
    const s = store.getState();
    expect(s.evalStatus).toBe('completed');
    expect(s.evalRows).toHaveLength(6 * 5);
    expect(summary?.methods.map((m) => m.method)).toEqual(['single:small-1b', 'cheapest', 'largest', 'cascade', 'oracle']);
    expect(s.evalHistory).toHaveLength(1);
    expect(summary?.methods.find((m) => m.method === 'single:small-1b')?.collapsed).toBe(true);
  });

  it('pause keeps the state (in storage too) and resume ends with the uninterrupted summary', async () => {
    const straight = await setup().actions.startEvaluation();
    const { store, actions, storage } = setup();
    const unsubscribe = store.subscribe((st) => {
      if (st.evalRows.length >= 7 && st.evalStatus === 'running') actions.pauseEvaluation();
    });
    await actions.startEvaluation();
    unsubscribe();
    expect(store.getState().evalStatus).toBe('paused');
    expect(store.getState().evalResumable?.done).toBeLessThan(30);
    expect(storage.data.has(EVAL_STORAGE_NAME)).toBe(true);
    const resumed = await actions.resumeEvaluation();
    expect(resumed).toEqual(straight);
    expect(store.getState().evalRows).toHaveLength(30);
    expect(storage.data.has(EVAL_STORAGE_NAME)).toBe(false);
  });

  it('restores a saved run after a reload and resumes it', async () => {
    const first = setup();
    const unsubscribe = first.store.subscribe((st) => st.evalRows.length >= 3 && st.evalStatus === 'running' && first.actions.pauseEvaluation());
    await first.actions.startEvaluation();
    unsubscribe();
    const saved = first.storage.data.get(EVAL_STORAGE_NAME) as string;
    const second = setup();
    second.storage.setItem(EVAL_STORAGE_NAME, saved);
    second.actions.restoreSavedEvaluation();
    expect(second.store.getState().evalResumable?.status).toBe('paused');
    await second.actions.resumeEvaluation();
    expect(second.store.getState().evalStatus).toBe('completed');
    expect(second.requests[0]?.resume?.rows.length).toBeGreaterThanOrEqual(3);
  });

  it('a row opens its first episode in the timeline (Replay)', async () => {
    const { store, actions } = setup();
    await actions.startEvaluation();
    expect(actions.openEvalMethod('cascade')).toBe(true);
    expect(store.getState().trajectory?.id).toBe('eval-offline-s42.0.cascade');
    expect(store.getState().mode).toBe('replay');
    expect(store.getState().evalSelectedMethod).toBe('cascade');
  });

  it('asks before a live run and does not run when declined', async () => {
    const { store, actions, requests } = setup();
    store.getState().setPool('custom', [{ name: 'live-8b', provider: 'openai', providerModelId: 'm', inputPer1M: 1, outputPer1M: 1 }]);
    store.getState().setEvalSettings({ methods: ['single:live-8b'] });
    const started = actions.startEvaluation();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().evalStatus).toBe('confirming');
    actions.confirmEstimate(false);
    expect(await started).toBeNull();
    expect(requests).toHaveLength(0);
    expect(store.getState().evalError).toMatch(/declined/);
  });

  it('maps method ids to specs that fit the pool (the oracle only offline, the policy only with a model)', () => {
    const pool = offlinePoolModels(bank);
    expect(methodSpecs(['single:small-1b', 'single:gone', 'oracle', 'policy:loaded'], pool, null)).toEqual([{ kind: 'single', model: 'small-1b' }, { kind: 'oracle' }]);
    expect(methodSpecs(['oracle'], [{ ...pool[0]!, provider: 'openai' }], null)).toEqual([]);
  });
});
