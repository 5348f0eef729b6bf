/**
 * The Evaluation view's actions on a fresh store with a fake engine whose runEvaluation is core's, over
 * a small synthetic offline bank: a run fills rows, summary and history; pause keeps the state (also in
 * storage, for a reload) and resume ends with the same summary as an uninterrupted run; a row opens its
 * trajectory; a live pool asks for confirmation before running.
 */
import { describe, expect, it } from 'vitest';
import { createByteTokenizer, createOfflineCaller, createScriptedPolicy, offlineBankQuestions, offlinePoolModels, runEvaluation, type EngineEvalRequest, type EvalDeps, type OfflineBank, type ReferenceData } from '../../core';
import { createAppStore } from '../store/appStore';
import { EMBEDDED_VARIANTS, EMBEDDED_WARMUPS } from '../testing/embeddedFixtures';
import { fakeEngine } from '../testing/fakeEngine';
import { createEvalActions, type EvalActionsDeps } from './evalActions';
import { KEPT_EVAL_RUNS } from './evalRuns';
import { EVAL_STORAGE_NAME, type StorageLike } from './evalSaved';

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

/** A fake engine whose runEvaluation is core's on the synthetic bank; policy methods answer with a scripted policy. */
function engineOf(requests: EngineEvalRequest[]) {
  return fakeEngine({
    runEvaluation: (req, opts) => {
      requests.push(req);
      const scores = (id: string | undefined) => bank.questions.find((q) => q.id === id)?.scores;
      const policyFor: EvalDeps['policyFor'] = async (_m, ctx) => ({
        policy: createScriptedPolicy(['<search>small-1b: what is it?</search>', '<answer>thing</answer>']),
        tokenizer: createByteTokenizer(),
        template: 'compact',
        prompt: ctx.question.text,
      });
      return runEvaluation(req.spec, { caller: createOfflineCaller(bank), now: () => 0, ...opts, recordedScores: (q) => scores(q.id), policyFor }, req.resume);
    },
    estimateEvaluation: async () => ({ needsConfirmation: true, total: { live: { calls: { expected: 6, max: 6 }, usd: { expected: 0.01, max: 0.02 } } }, episodes: 6 }) as never,
  });
}

function depsOf(store: ReturnType<typeof createAppStore>, requests: EngineEvalRequest[] = []): EvalActionsDeps {
  return {
    engine: engineOf(requests),
    store,
    dataRoot: 'mem',
    candidatesFor: () => ({ kind: 'offline' }),
    reference: async () => reference,
    currentConfig: () => ({}) as never,
    keys: () => ({}),
    storage: null,
    schedule: (f) => f(),
  };
}

function setup() {
  const store = createAppStore();
  store.getState().setPool('offline', offlinePoolModels(bank));
  store.getState().setQuestionList('offline', { status: 'ready', items: offlineBankQuestions(bank) });
  const requests: EngineEvalRequest[] = [];
  const engine = engineOf(requests);
  const storage = memoryStorage();
  const actions = createEvalActions({ ...depsOf(store, requests), engine, storage });
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

  it('reads embedded.json under the base URL; a missing index says how to make one', async () => {
    const { store } = setup();
    expect(store.getState().evalEmbedded.status).toBe('idle');
    const read: string[] = [];
    const ok = createEvalActions({ ...depsOf(store), baseUrl: 'http://app.test/studio/?testApi=1', fetchJson: async (url) => (read.push(url), { format: 1, default: 'b', variants: [{ name: 'b', alpha: 0.8, summary: 'cost' }, { name: 'a', alpha: 0, summary: 'acc' }] }) });
    await ok.loadEmbeddedVariants();
    expect(read).toEqual(['http://app.test/studio/models/embedded.json']);
    expect(store.getState().evalEmbedded).toEqual({ status: 'ready', variants: [{ name: 'a', alpha: 0, summary: 'acc' }, { name: 'b', alpha: 0.8, summary: 'cost' }] });
    const other = setup();
    const failing = createEvalActions({ ...depsOf(other.store), baseUrl: 'http://app.test/', fetchJson: async () => Promise.reject(new Error('HTTP 404')) });
    await failing.loadEmbeddedVariants();
    const e = other.store.getState().evalEmbedded;
    expect(e.status === 'failed' && e.error).toMatch(/embedded\.json: HTTP 404.*train-default/);
  });

  it('runs embedded variants greedily, each its own model with no cost bias, and the teacher beside them', async () => {
    const { store, requests } = setup();
    const actions = createEvalActions({ ...depsOf(store, requests), baseUrl: 'http://app.test/' });
    store.getState().setEvalEmbedded({ status: 'ready', variants: [{ name: 'router-nano-a0', alpha: 0, summary: '' }, { name: 'router-nano-a08', alpha: 0.8, summary: '' }] });
    store.getState().setEvalSettings({ methods: ['teacher', 'policy:router-nano-a0', 'policy:router-nano-a08'], alpha: 0.5, limit: 2 });
    const summary = await actions.startEvaluation();
    expect(store.getState().evalError).toBeNull();
    const req = requests[0]!;
    expect(req.spec.methods).toEqual([{ kind: 'teacher', alpha: 0 }, { kind: 'policy', id: 'router-nano-a0', label: 'router-nano-a0 (α 0)' }, { kind: 'policy', id: 'router-nano-a08', label: 'router-nano-a08 (α 0.8)' }]);
    for (const name of ['router-nano-a0', 'router-nano-a08']) {
      expect(req.policies?.[name]).toEqual({ kind: 'onnx', model: { kind: 'embedded', name, baseUrl: 'http://app.test/' }, preferredDevice: store.getState().preferredDevice, sampling: { temperature: 0, topP: 1, topK: 0, seed: 42 } });
    }
    expect(summary?.methods.map((m) => m.method)).toEqual(['teacher', 'policy:router-nano-a0', 'policy:router-nano-a08']);
  });

  describe("the warm-ups (each variant's weights before RL, embedded.json `warmups`)", () => {
    const variants = EMBEDDED_VARIANTS;
    const warmups = EMBEDDED_WARMUPS;

    it('reads them from embedded.json beside the variants (absent when the index lists none)', async () => {
      const { store } = setup();
      const index = { format: 1, default: 'router-nano-a0', variants: [...variants].reverse(), warmups: [...warmups].reverse() };
      await createEvalActions({ ...depsOf(store), baseUrl: 'http://app.test/', fetchJson: async () => index }).loadEmbeddedVariants();
      expect(store.getState().evalEmbedded).toEqual({ status: 'ready', variants, warmups });
    });

    it('run the warm-up folder greedily with no cost bias (at any α), and a resumed run still finds it', async () => {
      const { store, requests, storage } = setup();
      const actions = createEvalActions({ ...depsOf(store, requests), baseUrl: 'http://app.test/', storage });
      store.getState().setEvalEmbedded({ status: 'ready', variants, warmups });
      store.getState().setEvalSettings({ methods: ['policy:router-nano-a0', 'policy:router-nano-a0-warmup'], alpha: 0.8, limit: 3 });
      const unsubscribe = store.subscribe((st) => st.evalRows.length >= 2 && st.evalStatus === 'running' && actions.pauseEvaluation());
      await actions.startEvaluation();
      unsubscribe();
      expect(store.getState().evalError).toBeNull();
      expect(store.getState().evalStatus).toBe('paused');
      const greedy = (name: string) => ({ kind: 'onnx', model: { kind: 'embedded', name, baseUrl: 'http://app.test/' }, preferredDevice: store.getState().preferredDevice, sampling: { temperature: 0, topP: 1, topK: 0, seed: 42 } });
      expect(requests[0]?.spec.methods[1]).toEqual({ kind: 'policy', id: 'router-nano-a0-warmup', label: 'router-nano-a0 before RL (warm-up, α 0)' });
      expect(requests[0]?.policies?.['router-nano-a0-warmup']).toEqual(greedy('router-nano-a0-warmup'));

      // After a reload, before embedded.json is read again: the saved spec alone names the folder.
      const saved = storage.data.get(EVAL_STORAGE_NAME) as string;
      const after = setup();
      after.storage.setItem(EVAL_STORAGE_NAME, saved);
      const resumedActions = createEvalActions({ ...depsOf(after.store, after.requests), baseUrl: 'http://app.test/', storage: after.storage });
      resumedActions.restoreSavedEvaluation();
      expect(after.store.getState().evalEmbedded.status).toBe('idle');
      const summary = await resumedActions.resumeEvaluation();
      expect(after.store.getState().evalStatus).toBe('completed');
      expect(after.requests[0]?.resume?.rows.length).toBeGreaterThanOrEqual(2);
      expect(after.requests[0]?.policies?.['router-nano-a0-warmup']).toEqual(greedy('router-nano-a0-warmup'));
      expect(summary?.methods.map((m) => m.method)).toEqual(['policy:router-nano-a0', 'policy:router-nano-a0-warmup']);
      expect(after.store.getState().evalRows.filter((r) => r.method === 'policy:router-nano-a0-warmup')).toHaveLength(3);
    });
  });

  describe('the embedded policy by α (policy:embedded)', () => {
    const variants = EMBEDDED_VARIANTS;

    /** The embedded policy and cheapest on 2 questions, at α 0 and then at α 0.8. */
    async function runAtAlpha0Then08() {
      const { store, requests } = setup();
      const actions = createEvalActions({ ...depsOf(store, requests), baseUrl: 'http://app.test/' });
      store.getState().setEvalEmbedded({ status: 'ready', variants });
      store.getState().setEvalSettings({ methods: ['cheapest', 'policy:embedded'], alpha: 0, limit: 2 });
      const first = await actions.startEvaluation();
      store.getState().setEvalSettings({ alpha: 0.8 });
      const second = await actions.startEvaluation();
      return { store, requests, actions, first, second };
    }

    it('moving α switches the variant and sets the cost-aware bias λ = 4α; one method id, one history point per α', async () => {
      const { store, requests, first, second } = await runAtAlpha0Then08();
      expect(store.getState().evalError).toBeNull();
      const [a0, a08] = requests;
      expect(a0?.spec.methods[1]).toEqual({ kind: 'policy', id: 'embedded', label: 'embedded policy at α 0: router-nano-a0', variant: 'router-nano-a0' });
      expect(a0?.policies?.['embedded']).toEqual({ kind: 'onnx', model: { kind: 'embedded', name: 'router-nano-a0', baseUrl: 'http://app.test/' }, preferredDevice: store.getState().preferredDevice, sampling: { temperature: 0, topP: 1, topK: 0, seed: 42 } });
      expect(a08?.spec.methods[1]).toMatchObject({ id: 'embedded', variant: 'router-nano-a08' });
      expect(a08?.policies?.['embedded']).toEqual({ kind: 'onnx', model: { kind: 'embedded', name: 'router-nano-a08', baseUrl: 'http://app.test/' }, preferredDevice: store.getState().preferredDevice, sampling: { temperature: 0, topP: 1, topK: 0, seed: 42 }, costBias: { strength: 3.2 } });
      for (const summary of [first, second]) expect(summary?.methods.map((m) => m.method)).toEqual(['cheapest', 'policy:embedded']);
      expect(store.getState().evalHistory.map((h) => h.alpha)).toEqual([0, 0.8]);
    });

    it("a point of an earlier run (α 0) opens that run's episode, not the latest run's (α 0.8)", async () => {
      const { store, actions, first, second } = await runAtAlpha0Then08();
      const [h0, h08] = store.getState().evalHistory;
      expect(h0).toBe(first);
      expect(h08).toBe(second);
      expect(store.getState().evalKeptRuns).toEqual([first, second]);

      expect(actions.openEvalMethod('policy:embedded', h0)).toBe(true);
      const opened = store.getState().trajectory;
      expect(opened?.reward?.alpha).toBe(0);
      expect(opened?.question.id).toBe(store.getState().evalRows.find((r) => r.questionIndex === 0)?.id);
      expect(store.getState().evalSelectedMethod).toBe('policy:embedded');
      // The episodes listed are the α 0 run's; a listed episode opens that run's trajectory too.
      expect(store.getState().evalSelectedRun?.summary).toBe(first);
      expect(store.getState().evalSelectedRun?.rows.filter((r) => r.method === 'policy:embedded')).toHaveLength(2);
      expect(actions.openEvalEpisode('policy:embedded', 1, h0)).toBe(true);
      expect(store.getState().trajectory?.reward?.alpha).toBe(0);
      expect(store.getState().trajectory?.question.id).toBe(store.getState().evalRows.find((r) => r.questionIndex === 1)?.id);

      // The latest run's point (and a table row, no run given) open the α 0.8 episode.
      expect(actions.openEvalMethod('policy:embedded', h08)).toBe(true);
      expect(store.getState().trajectory?.reward?.alpha).toBe(0.8);
      expect(store.getState().evalSelectedRun).toBeNull();
      expect(actions.openEvalMethod('cheapest')).toBe(true);
      expect(store.getState().trajectory?.reward?.alpha).toBe(0.8);
    });

    it(`keeps the episodes of the last ${KEPT_EVAL_RUNS} runs only; an older run's point opens nothing (no other run's episode)`, async () => {
      const { store, requests } = setup();
      const actions = createEvalActions({ ...depsOf(store, requests), baseUrl: 'http://app.test/' });
      store.getState().setEvalEmbedded({ status: 'ready', variants });
      store.getState().setEvalSettings({ methods: ['policy:embedded'], limit: 1 });
      const alphas = [0, 0.2, 0.4, 0.6, 0.8];
      for (const alpha of alphas) {
        store.getState().setEvalSettings({ alpha });
        await actions.startEvaluation();
      }
      const history = store.getState().evalHistory;
      expect(history.map((h) => h.alpha)).toEqual(alphas);
      expect(store.getState().evalKeptRuns).toEqual(history.slice(-KEPT_EVAL_RUNS));
      const before = store.getState().trajectory;
      expect(actions.openEvalMethod('policy:embedded', history[0])).toBe(false);
      expect(store.getState().trajectory).toBe(before);
      expect(actions.openEvalEpisode('policy:embedded', 0, history[0])).toBe(false);
      expect(store.getState().trajectory).toBe(before);
      expect(actions.openEvalMethod('policy:embedded', history[1])).toBe(true);
      expect(store.getState().trajectory?.reward?.alpha).toBe(0.2);
      // A rerun at the same α replaces its point and its episodes.
      store.getState().setEvalSettings({ alpha: 0.2 });
      const rerun = await actions.startEvaluation();
      expect(store.getState().evalHistory.map((h) => h.alpha)).toEqual([0, 0.4, 0.6, 0.8, 0.2]);
      expect(store.getState().evalKeptRuns).toEqual([history[2], history[3], history[4], rerun]);
      expect(actions.openEvalMethod('policy:embedded', history[1])).toBe(false);
    });

    it('the sweep runs it over α ∈ {0, 0.5, 0.9}, switching the variant, when no model is loaded', async () => {
      const { store, requests } = setup();
      const actions = createEvalActions({ ...depsOf(store, requests), baseUrl: 'http://app.test/' });
      store.getState().setEvalEmbedded({ status: 'ready', variants });
      store.getState().setEvalSettings({ methods: ['cascade', 'policy:embedded'], limit: 2 });
      await actions.sweep();
      const sweep = store.getState().evalSweep;
      expect(sweep).toMatchObject({ parameter: 'alpha', method: 'policy:embedded', status: 'done' });
      expect(sweep?.points.map((p) => p.value)).toEqual([0, 0.5, 0.9]);
      expect(requests.map((r) => { const p = r.policies?.['embedded']; return p?.kind === 'onnx' && p.model.kind === 'embedded' ? [p.model.name, p.costBias?.strength ?? 0] : null; })).toEqual([
        ['router-nano-a0', 0],
        ['router-nano-a08', 2],
        ['router-nano-a08', 3.6],
      ]);
    });
  });
});
