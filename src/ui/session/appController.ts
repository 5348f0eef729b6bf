/**
 * The app's actions that need the engine or the key vault (the store holds neither): load the offline
 * pool and datasets, start an episode from the setup, submit a human turn, replay or import a
 * trajectory, test a provider, manage keys. Components reach it through ControllerContext.
 */
import {
  exampleEngineRequest,
  isQaDatasetId,
  OFFLINE_PROVIDER,
  PROVIDER_PRESETS,
  renderCompactPromptForPool,
  type CandidateSpec,
  type Engine,
  type EngineEpisodeRequest,
  type PickedModelFile,
  type ProviderConfig,
  type ReferenceData,
  type Trajectory,
  type TrainEngine,
} from '../../core';
import type { AppStore } from '../store/appStore';
import { runEpisodeIntoStore } from '../store/bindEngine';
import type { PoolPresetId } from '../store/poolSlice';
import type { KeyVault } from '../../core';
import { createModelActions } from './modelActions';
import { createDemoActions } from './demoActions';
import { createEmbeddedActions } from './embeddedActions';
import { createEvalActions } from './evalActions';
import type { JsonReader } from './evalEmbedded';
import type { StorageLike } from './evalSaved';
import { createShareActions } from './shareActions';
import { createTrainActions } from './trainActions';
import { parseTrajectoryFile } from './trajectoryFile';
import { browserSaveFile, type SaveFile } from './exportFile';

export interface AppControllerDeps {
  engine: Engine;
  store: AppStore;
  keys: KeyVault;
  /** Absolute URL (or path) of the data root, sent with every data request. */
  dataRoot: string;
  /** Unique episode ids (injected so tests are deterministic). */
  newEpisodeId?: () => string;
  /** The data root given with ?dataRoot= (null: the default); share links carry it for information. */
  sharedDataRoot?: string | null;
  /** The page's base URL, for the embedded model and relative model URLs (default: the data root's). */
  baseUrl?: string;
  /** Reads picked and dropped model folders into paths + File objects (adapters/models, bound in main.tsx). */
  pickedFiles?: PickedFilesReader;
  /** The training runtime (the worker's EngineClient in the app); absent: the Train view says training needs it. */
  trainEngine?: TrainEngine;
  /** Where a paused evaluation is kept across reloads (localStorage in the app; absent: memory only). */
  evalStorage?: StorageLike | null;
  /** Reads public/models/embedded.json (the page's fetch, bound in main.tsx); absent: no embedded default policy. */
  readEmbeddedIndex?: () => Promise<unknown>;
  /** Reads a JSON file of the app by URL (the page's fetch, bound in main.tsx): the Evaluate view's embedded.json; absent: no embedded policies there. */
  readJson?: JsonReader;
  /** Reads public/demos/gallery.json as text (the page's fetch, bound in main.tsx); absent: no demo gallery. */
  readDemoGallery?: () => Promise<string>;
  /** How exported files are saved (default: the browser's download; tests record them). */
  saveFile?: SaveFile;
}

export interface PickedFilesReader {
  fromFileList(files: ArrayLike<File>): PickedModelFile[];
  fromDataTransfer(items: DataTransferItemList): Promise<PickedModelFile[]>;
}

export type AppController = ReturnType<typeof createAppController>;

export function createAppController(deps: AppControllerDeps) {
  const { engine, store, keys, dataRoot } = deps;
  const s = store.getState;
  let counter = 0;
  const newId = deps.newEpisodeId ?? (() => `episode-${++counter}`);
  let running: AbortController | null = null;
  let reference: ReferenceData | null = null;
  let offlinePool: Trajectory['pool'] = [];

  const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  const syncKeys = (): void => {
    const hasKey = Object.fromEntries(Object.keys(keys.all()).map((id) => [id, true]));
    s().setKeyState(hasKey, keys.isRemembered());
  };

  async function run(req: EngineEpisodeRequest, source: 'example' | 'live'): Promise<Trajectory | null> {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    const t = await runEpisodeIntoStore(engine, store, req, source, { signal: controller.signal });
    if (running === controller) running = null;
    return t;
  }

  function candidatesFor(models: Trajectory['pool']): CandidateSpec {
    if (models.every((m) => m.provider === OFFLINE_PROVIDER)) return { kind: 'offline' };
    const used = new Set(models.map((m) => m.provider));
    const providers = s().providers.filter((p) => used.has(p.id));
    // Only the keys of providers this pool calls travel with the request.
    const all = keys.all();
    const sent = Object.fromEntries(Object.entries(all).filter(([id]) => used.has(id)));
    const cap = s().spendingCapUsd;
    const limits = { timeoutMs: s().callTimeoutS * 1000, roundDeadlineMs: s().roundDeadlineS * 1000 };
    return { kind: 'http', providers, keys: sent, limits, ...(cap === null ? {} : { spendingCapUsd: cap }) };
  }

  const saveFile = deps.saveFile ?? browserSaveFile;
  const share = createShareActions({ store, keys, sharedDataRoot: deps.sharedDataRoot ?? null, stopEpisode: () => running?.abort(), saveFile });
  const model = createModelActions({
    engine,
    store,
    dataRoot,
    baseUrl: deps.baseUrl ?? new URL('..', dataRoot).href,
    reference: () => reference,
    agentTemplate: () => reference?.agentPrompt ?? exampleEngineRequest().episode.agentTemplate,
    candidatesFor,
    run: (req) => run(req, 'live'),
    newId,
  });

  const evaluation = createEvalActions({
    engine,
    store,
    dataRoot,
    candidatesFor,
    reference: async () => reference ?? (reference = await engine.loadReferenceData({ dataRoot }).catch(() => null)),
    currentConfig: share.currentConfig,
    keys: () => keys.all(),
    saveFile,
    storage: deps.evalStorage ?? null,
    baseUrl: deps.baseUrl ?? new URL('..', dataRoot).href,
    ...(deps.readJson === undefined ? {} : { fetchJson: deps.readJson }),
  });

  const embedded = createEmbeddedActions({
    store,
    ...(deps.readEmbeddedIndex === undefined ? {} : { readIndex: deps.readEmbeddedIndex }),
    loadEmbedded: model.loadEmbedded,
    startModelEpisode: model.startModelEpisode,
  });

  const demos = createDemoActions({
    store,
    ...(deps.readDemoGallery === undefined ? {} : { readGallery: deps.readDemoGallery }),
    openTrajectory: share.openRecordedTrajectory,
  });

  const train = createTrainActions({ engine: deps.trainEngine, store, dataRoot, baseUrl: deps.baseUrl ?? new URL('..', dataRoot).href, loadModel: model.loadModelRef });

  const folderLabel = (files: readonly { file: { readonly size: number } }[]): string => {
    const first = files[0]?.file as File | undefined;
    const rel = first?.webkitRelativePath ?? '';
    return rel.includes('/') ? `picked folder ${rel.slice(0, rel.indexOf('/'))}` : 'picked files';
  };

  return {
    ...share,
    ...model,
    ...train,
    ...evaluation,
    ...embedded,
    ...demos,
    /** Files from <input type="file"> (a folder with webkitdirectory, or loose files). */
    loadPickedFiles(files: ArrayLike<File>): Promise<unknown> {
      if (deps.pickedFiles === undefined || files.length === 0) return Promise.resolve(null);
      const picked = deps.pickedFiles.fromFileList(files);
      return model.loadModelFiles(picked, folderLabel(picked));
    },
    /** A checkpoint folder or files picked for conversion. */
    convertPickedFiles(files: ArrayLike<File>): Promise<unknown> {
      if (deps.pickedFiles === undefined || files.length === 0) return Promise.resolve(null);
      const picked = deps.pickedFiles.fromFileList(files);
      return model.convertCheckpointFiles(picked, folderLabel(picked));
    },
    /** A checkpoint folder dropped on the converter's drop zone. */
    async convertDroppedItems(items: DataTransferItemList): Promise<unknown> {
      if (deps.pickedFiles === undefined) return null;
      const picked = await deps.pickedFiles.fromDataTransfer(items);
      return model.convertCheckpointFiles(picked, 'dropped folder');
    },
    /** A folder or files dropped on the drop zone. */
    async loadDroppedItems(items: DataTransferItemList): Promise<unknown> {
      if (deps.pickedFiles === undefined) return null;
      const picked = await deps.pickedFiles.fromDataTransfer(items);
      return model.loadModelFiles(picked, 'dropped folder');
    },

    /** First load: the offline pool (the default pool, no keys) and the reference texts. */
    async init(): Promise<void> {
      syncKeys();
      void train.refreshTrainCheckpoints();
      evaluation.restoreSavedEvaluation();
      s().setProviders(Object.values(PROVIDER_PRESETS).map((p) => ({ ...p })));
      s().setQuestionList('offline', { status: 'loading' });
      const offline = engine.loadOfflinePool({ dataRoot }).then(
        (info) => {
          offlinePool = info.pool;
          if (s().presetId === 'offline') s().setPool('offline', info.pool);
          s().setOfflineData({ status: 'ready' });
          s().setQuestionList('offline', { status: 'ready', items: info.questions });
        },
        (err: unknown) => {
          s().setOfflineData({ status: 'failed', error: message(err) });
          s().setQuestionList('offline', { status: 'failed', error: message(err) });
        },
      );
      const ref = engine.loadReferenceData({ dataRoot }).then(
        (r) => {
          reference = r;
          s().setReferenceData({ status: 'ready' });
        },
        (err: unknown) => s().setReferenceData({ status: 'failed', error: message(err) }),
      );
      await Promise.all([offline, ref, demos.loadDemoGallery()]);
    },

    async selectDataset(dataset: string): Promise<void> {
      s().setDataset(dataset);
      if (!isQaDatasetId(dataset)) return;
      const list = s().questionLists[dataset];
      if (list !== undefined && list.status !== 'failed') return;
      s().setQuestionList(dataset, { status: 'loading' });
      try {
        s().setQuestionList(dataset, { status: 'ready', items: await engine.loadQuestions(dataset, { dataRoot }) });
      } catch (err) {
        s().setQuestionList(dataset, { status: 'failed', error: message(err) });
      }
    },

    selectPreset(id: PoolPresetId): void {
      if (id === 'offline') s().setPool('offline', offlinePool);
      else if (id === 'paper' && reference !== null) s().setPool('paper', reference.paperPool.map((p) => p.record));
      else if (id === 'llmrouter' && reference !== null) s().setPool('llmrouter', reference.llmRouterPool.map((p) => p.record));
    },

    /** "You are the router" on the picked question with the edited pool. */
    async startHumanEpisode(): Promise<Trajectory | null> {
      const { question, models, runConfig } = s();
      if (question === null || models.length === 0) return null;
      const agentTemplate = reference?.agentPrompt ?? exampleEngineRequest().episode.agentTemplate;
      const pool = models.map((m) => ({ ...m }));
      const req: EngineEpisodeRequest = {
        dataRoot,
        episode: {
          id: newId(),
          question: { ...question, goldAnswers: [...question.goldAnswers] },
          template: 'compact',
          prompt: renderCompactPromptForPool(pool, question.text),
          pool,
          agentTemplate,
          settings: { ...runConfig.settings },
          alpha: runConfig.alpha,
          metric: runConfig.metric,
        },
        policy: { kind: 'human', id: 'you' },
        candidates: candidatesFor(pool),
      };
      return run(req, 'live');
    },

    async submitTurn(text: string): Promise<void> {
      const id = s().episodeId;
      if (id === null) return;
      s().setSubmitting(true, null);
      try {
        await engine.submitTurn(id, text);
      } catch (err) {
        s().setSubmitting(false, message(err));
      }
    },

    stopEpisode(): void {
      running?.abort();
    },

    replayExample(): Promise<Trajectory | null> {
      return run({ ...exampleEngineRequest(), dataRoot }, 'example');
    },

    /** A recorded trajectory file, validated; shown as it was recorded (no engine run). */
    importTrajectory(text: string): void {
      running?.abort();
      try {
        s().loadTrajectory(parseTrajectoryFile(text), 'imported');
        s().episodeEnded(null);
      } catch (err) {
        s().episodeEnded(message(err));
      }
    },

    async testConnection(provider: ProviderConfig): Promise<void> {
      const modelId = s().models.find((m) => m.provider === provider.id)?.providerModelId ?? 'test';
      s().setConnection(provider.id, { status: 'testing' });
      const key = keys.get(provider.id);
      try {
        const r = await engine.testConnection({ provider, modelId, ...(key === undefined ? {} : { key }) });
        s().setConnection(provider.id, r.ok ? { status: 'ok', message: `${modelId} answered in ${Math.round(r.latencyMs)} ms` } : { status: 'failed', ...r.error });
      } catch (err) {
        s().setConnection(provider.id, { status: 'failed', kind: 'error', message: message(err) });
      }
    },

    setKey(providerId: string, key: string): void {
      keys.set(providerId, key);
      syncKeys();
    },
    setRememberKeys(on: boolean): void {
      keys.setRemembered(on);
      syncKeys();
    },
    forgetKeys(): void {
      keys.forget();
      syncKeys();
    },
    keyStorageLabel: (): string => keys.storageLabel,
    hasStoredKey: (providerId: string): boolean => keys.get(providerId) !== undefined,
  };
}
