import { describe, expect, it } from 'vitest';
import { COST_BIAS_PER_ALPHA, isHeldOutQuestion, type EngineEpisodeRequest, type LoadedModelInfo, type ModelLoadRequest, type ModelRef, type OfflinePoolInfo, type PoolModelRecord } from '../../core';
import { createAppStore } from '../store/appStore';
import { embeddedVariantLabel, selectEmbeddedPolicy } from '../store/modelSlice';
import { fakeEngine } from '../testing/fakeEngine';
import { createAppController } from './appController';
import { createMemoryKeyVault } from '../../core';
import { LOAD_CANCELLED } from '../store/bindModel';

const OFFLINE: PoolModelRecord[] = [
  { name: 'small', provider: 'offline', providerModelId: 'small', inputPer1M: 0.1, outputPer1M: 0.1, simulated: true },
  { name: 'large', provider: 'offline', providerModelId: 'large', inputPer1M: 0.9, outputPer1M: 0.9, simulated: true },
];
const QUESTIONS = Array.from({ length: 30 }, (_, i) => ({ id: `nq-${i}`, dataset: 'offline-nq', text: `question ${i}?`, goldAnswers: [`a${i}`] }));
const HELD_OUT = QUESTIONS.filter((q) => isHeldOutQuestion(q.id));
const INFO: OfflinePoolInfo = { location: '/data/', pool: OFFLINE, questions: QUESTIONS };
const INDEX = { format: 1, default: 'router-nano-a0', variants: [{ name: 'router-nano-a0', alpha: 0, summary: 'accuracy first' }, { name: 'router-nano-a08', alpha: 0.8, summary: 'cost first' }] };

function info(ref: ModelRef, preferredDevice: ModelLoadRequest['preferredDevice']): LoadedModelInfo {
  const name = ref.kind === 'embedded' ? ref.name : ref.kind;
  return {
    ref,
    location: `http://app/models/${name}/`,
    name,
    template: 'compact',
    templateFrom: 'router.json',
    onnx: { path: 'onnx/model_q4.onnx', variant: 'q4' },
    files: [],
    estimatedMemoryBytes: 0,
    config: { modelType: 'qwen2', layers: 4, hiddenSize: 192, heads: 6, kvHeads: 2, vocabSize: 2048, maxPositions: 8192 },
    tokenizerVocabSize: 2048,
    preferredDevice,
    device: { ep: 'wasm', adapterInfo: null, shaderF16: null, threads: 1, fallbackReason: null },
  };
}

function setup(opts: { index?: () => Promise<unknown>; failing?: string[] } = {}) {
  const store = createAppStore();
  const loads: ModelRef[] = [];
  const episodes: EngineEpisodeRequest[] = [];
  const engine = fakeEngine({
    loadOfflinePool: async () => INFO,
    loadReferenceData: async () => Promise.reject(new Error('no reference data here')),
    listCachedModels: async () => [],
    modelCacheQuota: async () => null,
    async *loadModel(req) {
      if (req.source.kind === 'upload') throw new Error('no uploads here');
      loads.push(req.source);
      const failing = req.source.kind === 'embedded' && (opts.failing ?? []).includes(req.source.name);
      if (failing) throw new Error('config.json: HTTP 404');
      yield { type: 'model.loaded', info: info(req.source, req.preferredDevice) };
    },
    // eslint-disable-next-line require-yield
    async *runEpisode(req) {
      episodes.push(req);
    },
  });
  const controller = createAppController({ engine, store, keys: createMemoryKeyVault(), dataRoot: 'http://app/data/', baseUrl: 'http://app/', newEpisodeId: () => 'e1', readEmbeddedIndex: opts.index ?? (async () => INDEX) });
  return { store, controller, loads, episodes };
}

describe('the embedded default policy', () => {
  it('opens on first load: router policy mode, the default variant loaded from ./models/<name>/, the offline pool, α of the variant', async () => {
    const { store, controller, loads } = setup();
    const opened = controller.openEmbeddedDefault();
    expect(store.getState().mode).toBe('model'); // at once, before the first render
    await Promise.all([opened, controller.init()]);
    const s = store.getState();
    expect(loads).toEqual([{ kind: 'embedded', name: 'router-nano-a0', baseUrl: 'http://app/' }]);
    expect(s).toMatchObject({ mode: 'model', modelSource: 'embedded', embeddedName: 'router-nano-a0', embeddedVariant: 'router-nano-a0', presetId: 'offline', embeddedError: null });
    expect(s.models).toEqual(OFFLINE);
    expect(s.runConfig.alpha).toBe(0);
    expect(selectEmbeddedPolicy(s)).toMatchObject({ name: 'router-nano-a0', alpha: 0, status: 'running' });
  });

  it('falls back to "you are the router" with a clear message when the index or the folder does not load', async () => {
    const broken = setup({ index: async () => ({ format: 2 }) });
    await broken.controller.openEmbeddedDefault();
    expect(broken.store.getState()).toMatchObject({ mode: 'human', embeddedVariant: null, embeddedIndex: { status: 'failed' } });
    expect(broken.store.getState().embeddedError).toMatch(/embedded\.json could not be read .*"format" must be 1.*You are the router instead/);
    expect(broken.loads).toEqual([]);

    const missing = setup({ failing: ['router-nano-a0'] });
    await missing.controller.openEmbeddedDefault();
    expect(missing.store.getState().mode).toBe('human');
    expect(missing.store.getState().embeddedError).toContain('router-nano-a0 did not load (config.json: HTTP 404)');
    // The app still works: the offline pool loads and a human episode starts.
    await missing.controller.init();
    await missing.controller.startHumanEpisode();
    expect(missing.episodes[0]?.policy).toEqual({ kind: 'human', id: 'you' });
  });

  it('does not fall back when the user already moved on to another mode', async () => {
    const { store, controller } = setup({ failing: ['router-nano-a0'] });
    const opened = controller.openEmbeddedDefault();
    store.getState().setMode('train');
    await opened;
    expect(store.getState().mode).toBe('train');
    expect(store.getState().embeddedError).not.toBeNull();
  });

  it('α sets the reward α and the decoding bias, and switches the embedded variant (nearest α)', async () => {
    const { store, controller, loads } = setup();
    await controller.openEmbeddedDefault();
    await controller.setAlpha(0.3); // still nearest to 0
    expect(loads.map((r) => r.kind === 'embedded' && r.name)).toEqual(['router-nano-a0']);
    expect(store.getState().runConfig.alpha).toBe(0.3);
    expect(store.getState().costBiasStrength).toBeCloseTo(0.3 * COST_BIAS_PER_ALPHA);
    await controller.setAlpha(0.8);
    const s = store.getState();
    expect(loads.map((r) => r.kind === 'embedded' && r.name)).toEqual(['router-nano-a0', 'router-nano-a08']);
    expect(s).toMatchObject({ embeddedName: 'router-nano-a08', embeddedVariant: 'router-nano-a08', modelInfo: { name: 'router-nano-a08' } });
    expect(embeddedVariantLabel(selectEmbeddedPolicy(s) ?? { name: '?', alpha: -1 })).toBe('router-nano-a08 (trained for α = 0.8)');
    await controller.setAlpha(0);
    expect(store.getState().modelInfo?.name).toBe('router-nano-a0');
    expect(store.getState().costBiasStrength).toBe(0);
  });

  it('never replaces a model the user loaded (or the tiny test model)', async () => {
    const { store, controller, loads } = setup();
    await controller.openEmbeddedDefault();
    store.getState().setModelSource('url');
    store.getState().setModelUrl('https://example.com/my-router/');
    await controller.loadSelectedModel();
    expect(store.getState().embeddedVariant).toBeNull();
    await controller.setAlpha(0.9);
    expect(loads).toHaveLength(2);
    expect(store.getState().modelInfo?.ref).toEqual({ kind: 'url', prefix: 'https://example.com/my-router/', baseUrl: 'http://app/' });
    expect(store.getState().runConfig.alpha).toBe(0.9);
    expect(selectEmbeddedPolicy(store.getState())).toBeNull();

    store.getState().setModelSource('embedded');
    store.getState().setEmbeddedName('tiny-router');
    await controller.loadSelectedModel();
    await controller.setAlpha(0);
    expect(loads.at(-1)).toEqual({ kind: 'embedded', name: 'tiny-router', baseUrl: 'http://app/' });
    // Picking a variant again makes it the selected policy: α switches it once more.
    store.getState().setEmbeddedName('router-nano-a0');
    await controller.loadSelectedModel();
    await controller.setAlpha(1);
    expect(store.getState().modelInfo?.name).toBe('router-nano-a08');
  });

  it('a load replaced by a newer one leaves the store to the newer one; Cancel says so', async () => {
    const store = createAppStore();
    let release: () => void = () => undefined;
    const engine = fakeEngine({
      listCachedModels: async () => [],
      modelCacheQuota: async () => null,
      async *loadModel(req, o) {
        if (req.source.kind !== 'embedded') throw new Error('embedded only');
        if (req.source.name === 'slow') {
          await new Promise<void>((resolve) => (release = resolve));
          o?.signal?.throwIfAborted();
        }
        yield { type: 'model.loaded', info: info(req.source, req.preferredDevice) };
      },
    });
    const controller = createAppController({ engine, store, keys: createMemoryKeyVault(), dataRoot: 'http://app/data/', baseUrl: 'http://app/' });
    const slow = controller.loadEmbedded('slow');
    await controller.loadEmbedded('fast');
    release();
    expect(await slow).toBeNull();
    expect(store.getState()).toMatchObject({ modelLoad: { status: 'ready' }, modelInfo: { name: 'fast' } });

    const cancelled = controller.loadEmbedded('slow');
    controller.cancelModelLoad();
    release();
    await cancelled;
    expect(store.getState().modelLoad).toEqual({ status: 'failed', error: LOAD_CANCELLED });
  });

  it('"Run a sample question" runs the next held-out bank question with the loaded policy on the offline pool', async () => {
    expect(HELD_OUT.length).toBeGreaterThanOrEqual(2);
    const { store, controller, episodes } = setup();
    await controller.runSampleQuestion(); // nothing loaded yet: says why
    expect(store.getState().episodeError).toContain('offline question bank is not loaded yet');
    await Promise.all([controller.openEmbeddedDefault(), controller.init()]);
    store.getState().setDataset('free');
    await controller.runSampleQuestion();
    await controller.runSampleQuestion();
    expect(episodes.map((e) => e.episode.question.id)).toEqual([HELD_OUT[0]?.id, HELD_OUT[1]?.id]);
    expect(episodes[0]).toMatchObject({ candidates: { kind: 'offline' }, policy: { kind: 'onnx', model: { kind: 'embedded', name: 'router-nano-a0' } }, episode: { template: 'compact', alpha: 0 } });
    expect(episodes[0]?.policy).not.toHaveProperty('costBias');
    expect(store.getState()).toMatchObject({ dataset: 'offline', question: { id: HELD_OUT[1]?.id } });
  });
});
