/**
 * The model policy's commands: load a model (embedded, URL prefix, preset, picked or dropped files) and
 * cancel it, convert a safetensors checkpoint (URL prefix or picked files) into the model cache in the
 * worker, probe the device, list and clear the model cache, start a model episode, and fork a finished
 * round (the rounds before it replayed, the edited turn, then the model continues). The engine does the
 * work; its load and conversion streams go to their binders (store/bindModel.ts). Must not: read an
 * engine stream itself or keep engine objects in the store.
 */
import {
  renderCompactPromptForPool,
  renderPrompt,
  type CandidateSpec,
  type ConvertedModelInfo,
  type EngineEpisodeRequest,
  type EnvSettings,
  type LoadedModelInfo,
  type ModelConvertSource,
  type ModelLoadSource,
  type ModelRef,
  type PickedModelFile,
  type ReferenceData,
  type Trajectory,
  type Engine,
} from '../../core';
import type { AppStore } from '../store/appStore';
import { convertModelIntoStore, loadModelIntoStore } from '../store/bindModel';
import { buildTurnText, type TurnDraft } from '../components/turnText';

export interface ModelActionsDeps {
  engine: Engine;
  store: AppStore;
  dataRoot: string;
  /** The page's base URL: the embedded model and relative URL prefixes resolve against it (the worker's URL differs). */
  baseUrl: string;
  reference: () => ReferenceData | null;
  agentTemplate: () => string;
  candidatesFor: (pool: Trajectory['pool']) => CandidateSpec;
  run: (req: EngineEpisodeRequest) => Promise<Trajectory | null>;
  newId: () => string;
}

/** What the user changes when forking a round: the turn (think + route or answer) and, for a what-if, the reply. */
export interface ForkEdit extends TurnDraft {
  roundIndex: number;
  reply: string | null;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Fit the episode into the model's positions: max new tokens ≤ ¼ of them, the context in the rest. */
export function settingsForModel(settings: EnvSettings, info: LoadedModelInfo, maxNewTokens: number): EnvSettings {
  const positions = info.config.maxPositions;
  const maxNew = Math.max(1, Math.min(maxNewTokens, Math.floor(positions / 4)));
  const margin = info.template === 'compact' ? 0 : 64; // the chat template's header and footer
  const maxContext = Math.max(16, Math.min(settings.maxContextTokens, positions - maxNew - margin));
  return { ...settings, maxNewTokens: maxNew, maxContextTokens: maxContext, maxPromptTokens: Math.max(8, Math.min(settings.maxPromptTokens, Math.floor(maxContext * 0.75))) };
}

export function createModelActions(deps: ModelActionsDeps) {
  const { engine, store } = deps;
  const s = store.getState;
  let loading: AbortController | null = null;
  let converting: AbortController | null = null;

  /** Convert a checkpoint in the worker into the model cache, with progress; the cached folder is then one click from loading. */
  async function convert(source: ModelConvertSource): Promise<ConvertedModelInfo | null> {
    converting?.abort();
    const controller = new AbortController();
    converting = controller;
    const location = source.kind === 'url' ? source.prefix : (source.label ?? 'picked files');
    const model = await convertModelIntoStore(() => engine.convertModel({ source, baseUrl: deps.baseUrl }, { signal: controller.signal }), store, { location, isCurrent: () => converting === controller, signal: controller.signal });
    if (converting === controller) converting = null;
    void refreshCache();
    return model;
  }

  async function load(source: ModelLoadSource): Promise<LoadedModelInfo | null> {
    loading?.abort();
    const controller = new AbortController();
    loading = controller;
    s().policySelected(source);
    const info = await loadModelIntoStore(() => engine.loadModel({ source, preferredDevice: s().preferredDevice }, { signal: controller.signal }), store, { isCurrent: () => loading === controller, signal: controller.signal });
    if (loading === controller) loading = null;
    if (info !== null) void refreshCache();
    return info;
  }

  function sourceRef(): ModelRef {
    const { modelSource, modelUrl, embeddedName } = s();
    if (modelSource === 'embedded') return { kind: 'embedded', name: embeddedName, baseUrl: deps.baseUrl };
    return { kind: 'url', prefix: modelUrl.trim(), baseUrl: deps.baseUrl };
  }

  async function refreshCache(): Promise<void> {
    s().setModelCache({ status: 'loading' });
    try {
      const [files, quota] = await Promise.all([engine.listCachedModels(), engine.modelCacheQuota()]);
      s().setModelCache({ status: 'ready', files, quota, error: null });
    } catch (err) {
      s().setModelCache({ status: 'failed', error: message(err) });
    }
  }

  /** The user message for a model's template: ours (compact), or the reference one from the data root. */
  function promptFor(info: LoadedModelInfo, pool: Trajectory['pool'], question: string): string {
    if (info.template === 'compact') return renderCompactPromptForPool(pool, question);
    const template = deps.reference()?.templates[info.template];
    if (template === undefined) throw new Error(`This model was trained with the reference "${info.template}" prompt template, which the data root does not have; check the data root (?dataRoot=).`);
    return renderPrompt(template, question);
  }

  function policyFor(info: LoadedModelInfo): EngineEpisodeRequest['policy'] {
    const { temperature, topP, topK, seed } = s().runConfig.sampling;
    const strength = s().costBiasStrength;
    return { kind: 'onnx', model: info.ref, preferredDevice: info.preferredDevice, sampling: { temperature, topP, topK, seed }, ...(strength > 0 ? { costBias: { strength } } : {}) };
  }

  return {
    loadSelectedModel: (): Promise<LoadedModelInfo | null> => load(sourceRef()),
    /** A ref the engine made (e.g. a training checkpoint's model folder). */
    loadModelRef: (ref: ModelRef): Promise<LoadedModelInfo | null> => load(ref),
    /** The folder public/models/<name>/ (an embedded default variant, or the tiny test model). */
    loadEmbedded: (name: string): Promise<LoadedModelInfo | null> => load({ kind: 'embedded', name, baseUrl: deps.baseUrl }),
    loadModelFiles: (files: PickedModelFile[], label?: string): Promise<LoadedModelInfo | null> => load({ kind: 'upload', files, ...(label === undefined ? {} : { label }) }),
    /** Convert the checkpoint at the URL prefix in the box (the URL or preset source). */
    convertUrlCheckpoint: (): Promise<ConvertedModelInfo | null> => convert({ kind: 'url', prefix: s().modelUrl.trim() }),
    convertCheckpointFiles: (files: PickedModelFile[], label?: string): Promise<ConvertedModelInfo | null> => convert({ kind: 'upload', files, ...(label === undefined ? {} : { label }) }),
    cancelConvert(): void {
      converting?.abort();
    },
    /** Load the folder the last conversion cached, as the policy. */
    useConvertedModel(): Promise<LoadedModelInfo | null> {
      const c = s().modelConvert;
      return c.status === 'done' ? load(c.model.ref) : Promise.resolve(null);
    },
    cancelModelLoad(): void {
      loading?.abort();
    },
    async probeDevice(): Promise<void> {
      try {
        s().setDeviceInfo(await engine.deviceInfo());
      } catch {
        // no device info: the panel shows what the loaded model reports
      }
    },
    refreshCache,
    async deleteCached(urls: readonly string[]): Promise<void> {
      for (const url of urls) await engine.deleteCachedModel(url);
      await refreshCache();
    },
    async clearCache(): Promise<void> {
      await engine.clearModelCache();
      await refreshCache();
    },

    /** An episode driven by the loaded model on the picked question and the edited pool. */
    async startModelEpisode(): Promise<Trajectory | null> {
      const { question, models, runConfig, modelInfo } = s();
      if (question === null || models.length === 0 || modelInfo === null) return null;
      const pool = models.map((m) => ({ ...m }));
      let prompt: string;
      try {
        prompt = promptFor(modelInfo, pool, question.text);
      } catch (err) {
        s().episodeEnded(message(err));
        return null;
      }
      s().setFork(null);
      s().openForkEditor(null);
      return deps.run({
        dataRoot: deps.dataRoot,
        episode: {
          id: deps.newId(),
          question: { ...question, goldAnswers: [...question.goldAnswers] },
          template: modelInfo.template,
          prompt,
          pool,
          agentTemplate: deps.agentTemplate(),
          settings: settingsForModel(runConfig.settings, modelInfo, s().modelMaxNewTokens),
          alpha: runConfig.alpha,
          metric: runConfig.metric,
        },
        policy: policyFor(modelInfo),
        candidates: deps.candidatesFor(pool),
      });
    },

    /** Fork the shown trajectory at a finished round; the branch runs live and is shown beside the original. */
    async forkRound(edit: ForkEdit): Promise<Trajectory | null> {
      const { trajectory: from, modelInfo } = s();
      if (from === null || modelInfo === null || from.agentTemplate === undefined) return null;
      const id = `${from.id}-fork-${deps.newId()}`;
      s().setFork({ base: from, roundIndex: edit.roundIndex, episodeId: id });
      s().openForkEditor(null);
      return deps.run({
        dataRoot: deps.dataRoot,
        episode: {
          id,
          question: { ...from.question, goldAnswers: [...from.question.goldAnswers] },
          template: from.template,
          prompt: from.prompt,
          pool: from.pool.map((m) => ({ ...m })),
          agentTemplate: from.agentTemplate,
          settings: { ...from.settings },
          alpha: from.reward?.alpha ?? s().runConfig.alpha,
          metric: from.reward?.metric ?? s().runConfig.metric,
        },
        policy: policyFor(modelInfo),
        candidates: deps.candidatesFor(from.pool),
        fork: { from, roundIndex: edit.roundIndex, turnText: buildTurnText(edit), ...(edit.reply === null ? {} : { reply: edit.reply }) },
      });
    },
  };
}
