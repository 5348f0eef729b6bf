/**
 * The browser's TrainEngine (core/engine.ts), composed in the engine worker: core's trainLoop with the
 * ONNX learner on onnxruntime-web (adapters/ort/webTrainSession.ts: wasm by default, WebGPU when asked
 * and available), rollouts from core's createOfflinePoolRollout (the real environment on the offline pool,
 * compact template: the composition cli train uses, so a browser run and a CLI run cannot drift apart),
 * weight sync by rebuilding the rollout decoder (as src/cli/train/rolloutModel.ts), and checkpoints in
 * IndexedDB (adapters/storage/idbCheckpointStore.ts), saved every N steps, on pause and at the end.
 *
 * Trainable policies: the embedded tiny-router (its weights regenerated from the seed, checked against
 * its fp32 ONNX byte for byte, as cli/train/trainSetup.ts does), any other embedded folder (router-nano-a0,
 * router-nano-a08, their -warmup baselines: the weights read out of the folder's own decoder by
 * core/onnx/readDecoderWeights.ts — q4 dequantised, exactly what the q4 model computes with, or fp32
 * when the folder has no q4), two such folders mixed (TrainPolicyRef 'embedded-mix': the α demo's start, the
 * warm-ups 50/50, through core's mixWeights, with the first folder's tokenizer, config and decoding) and any
 * checkpoint of these (fine-tuning continues from the checkpoint's weights as a new run). One run at a time.
 * Rollouts decode as the folder's router.json asks (protocol grammar, extractive spans).
 * `checkpointFolder` turns a checkpoint into a model folder (q4 ONNX + the base folder's tokenizer,
 * config and decoding) for the policy runtime: 'train.usePolicy' → ModelRef { kind: 'checkpoint' }.
 *
 * Memory: before anything runs, a configuration whose single worst-case sequence (the env settings' limits)
 * cannot fit the wasm heap is refused with the estimate's parts and what to change (core/learner/memoryEstimate.ts);
 * batches that fit only in parts run as row chunks (the learner's maxRunBytes: the budget, at most 1.5 GiB).
 *
 * Not for: UI state, anything the loop decides (when to save, what to skip), or composing rollouts (core does).
 */
import type { DecoderConfig, ModelSource, PolicyDeviceReport, TrainEngine, TrainPolicyRef, TrainRunEvent, TrainRunSetup, TrainStartRequest } from '../core/index';
import { buildDecoderModel, checkTrainingFits, DEFAULT_MAX_RUN_BYTES, createOfflinePoolRollout, formatBytes, parameterCount, DecoderWeightsReadError, folderDecodingOf, mixWeights, readDecoderWeights, WeightShapeError, createMemoryModelSource, createOnnxLearner, createSwappableModel, type SwappableModel, createSeededUniform, type OnnxLearner, loadModelFolder, NO_CHAT_FRAMING, offlineBankQuestions, randomDecoderWeights, trainLoop, type LanguageModel, type LoadedModelFolder, type TrainCheckpoint, type TrainConfig, type WeightTensor } from '../core/index';
import type { DataRootCache } from '../core/data/dataRootCache';
import type { OfflineBank } from '../core/offline/offlineBank';
import { TINY_ROUTER_NAME, TINY_ROUTER_SEED } from '../core/model/tinyRouter';
import { DEFAULT_AGENT_TEMPLATE } from '../core/protocol/prompt';
import { createEmbeddedModelSource } from '../adapters/models/browserModelSources';
import type { ModelCache } from '../adapters/models/modelCache';
import { createOrtLanguageModel } from '../adapters/ort/ortLanguageModel';
import { createWebSession } from '../adapters/ort/webSession';
import { createWebTrainSession } from '../adapters/ort/webTrainSession';
import { checkpointFileName, readCheckpointFile, writeCheckpointFile } from '../adapters/storage/checkpointFile';
import type { BrowserCheckpointStore } from '../adapters/storage/idbCheckpointStore';
import { createHfTokenizer } from '../adapters/tokenizers/hfTokenizer';

export class TrainRuntimeError extends Error {
  override name = 'TrainRuntimeError';
}

export interface TrainRuntimeDeps {
  cache: ModelCache;
  checkpoints: BrowserCheckpointStore;
  /** The worker's data roots (shared with its engine: the offline bank is read once for both). */
  dataRoots: DataRootCache;
  defaultDataRoot?: string;
  now: () => number;
  /**
   * What one training-graph run may use of the wasm heap (bytes); default wasmRunBudget(config): the 4 GiB heap
   * less headroom for the runtime and the rollout model. A run whose single worst-case sequence does not fit is
   * refused before it starts (core/learner/memoryEstimate.ts checkTrainingFits); larger batches run in row chunks.
   */
  memoryBudgetBytes?: number;
}

/**
 * A turn of the worker's event loop, given to the loop as its yieldToHost: the 'train.pause' message is a
 * macrotask, and onnxruntime-web's wasm runs resolve as microtasks, so without this a pause was read only
 * when the run ended (or at a checkpoint's IndexedDB write).
 */
const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** onnxruntime-web's wasm heap ceiling (wasm32: 4 GiB). */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/** Kept free of training runs: the runtime itself, its arena rounding and the sessions' model bytes. */
const WASM_HEADROOM_BYTES = 512 * 2 ** 20;

/** The wasm heap less headroom and the rollout model (its fp32 weights, twice: the session's and the model bytes). */
export function wasmRunBudget(config: DecoderConfig): number {
  return WASM_HEAP_BYTES - WASM_HEADROOM_BYTES - 2 * 4 * parameterCount(config);
}

export interface TrainRuntime extends TrainEngine {
  /** The checkpoint as a model folder (q4), for the policy runtime. */
  checkpointFolder(checkpointId: string): Promise<ModelSource>;
}

interface BaseModel {
  folder: LoadedModelFolder;
  source: ModelSource;
  weights: Map<string, WeightTensor>;
}

type RunFrom = { kind: 'start'; req: TrainStartRequest } | { kind: 'resume'; checkpoint: TrainCheckpoint; setup: TrainRunSetup; dataRoot: string | undefined };

export function createTrainRuntime(deps: TrainRuntimeDeps): TrainRuntime {
  const folders = new Map<string, Promise<ModelSource>>();
  let active: AbortController | null = null;

  /**
   * The trainable weights of a policy ref (a checkpoint's: its base folder with its params; a mix: the two
   * folders' weights mixed, with the first folder's tokenizer, config and decoding).
   */
  async function baseModel(ref: TrainPolicyRef): Promise<BaseModel> {
    if (ref.kind === 'embedded-mix') {
      const [a, b] = await Promise.all([baseModel({ kind: 'embedded', name: ref.name, baseUrl: ref.baseUrl }), baseModel({ kind: 'embedded', name: ref.with, baseUrl: ref.baseUrl })]);
      try {
        return { ...a, weights: mixWeights(a.weights, b.weights, ref.weight) };
      } catch (err) {
        if (err instanceof WeightShapeError) throw new TrainRuntimeError(`Cannot mix ${ref.name} with ${ref.with}: ${err.message}`, { cause: err });
        throw err;
      }
    }
    if (ref.kind === 'checkpoint') {
      const { checkpoint, setup } = await deps.checkpoints.get(ref.checkpointId);
      const base = await baseModel(setup.policy);
      const weights = new Map(base.weights);
      // a PPO run's params also hold its value head (value_head.*): not a decoder weight, so not part of the policy
      for (const [name, data] of checkpoint.params) {
        const t = base.weights.get(name);
        if (t !== undefined) weights.set(name, { data, shape: t.shape });
      }
      return { ...base, weights };
    }
    if (ref.kind !== 'embedded') {
      throw new TrainRuntimeError(`In-browser training starts from an embedded policy folder (${TINY_ROUTER_NAME}, router-nano-a0, …) or one of its checkpoints; a ${ref.kind} model cannot be trained here yet. Choose an embedded policy in the Train form.`);
    }
    const source = deps.cache.cachedSource(createEmbeddedModelSource(ref.name, { baseUrl: ref.baseUrl }));
    if (ref.name !== TINY_ROUTER_NAME) {
      // Any other embedded folder: its own decoder's weights, q4 dequantised (exactly what the app runs), or
      // fp32 when it ships no q4. (A web app's index-page fallback for a missing file counts as missing:
      // urlModelSource.ts.)
      const folder = await loadModelFolder(source, { preference: ['q4', 'fp32'] });
      try {
        return { folder, source, weights: readDecoderWeights(folder.onnx.bytes, folder.config, `${folder.location}/${folder.onnx.path}`).weights };
      } catch (err) {
        if (err instanceof DecoderWeightsReadError) throw new TrainRuntimeError(`Cannot train from ${ref.name}: ${err.message}`, { cause: err });
        throw err;
      }
    }
    const folder = await loadModelFolder(source, { preference: ['fp32'] });
    const weights = randomDecoderWeights(folder.config, createSeededUniform(TINY_ROUTER_SEED));
    const rebuilt = buildDecoderModel(folder.config, weights, { precision: 'fp32' });
    if (rebuilt.byteLength !== folder.onnx.bytes.byteLength || !rebuilt.every((b, i) => b === folder.onnx.bytes[i])) {
      throw new TrainRuntimeError(`${folder.location}: the seeded weights (seed ${TINY_ROUTER_SEED}) do not regenerate onnx/model.onnx; the folder was changed. Rebuild it with \`npm run -s cli -- make-tiny-models\`.`);
    }
    return { folder, source, weights };
  }

  function bank(location: string | undefined): Promise<OfflineBank> {
    const where = location ?? deps.defaultDataRoot;
    if (where === undefined) throw new TrainRuntimeError('No data root: training reads the offline pool from one (the app sends ./data/).');
    return deps.dataRoots.bank(where);
  }

  async function* run(from: RunFrom, single: boolean, signal: AbortSignal | undefined): AsyncGenerator<TrainRunEvent> {
    if (active !== null) throw new TrainRuntimeError('A training run is already in progress; pause it first.');
    const controller = new AbortController();
    active = controller;
    const stop = signal === undefined ? controller.signal : AbortSignal.any([controller.signal, signal]);
    const disposers: (() => Promise<void>)[] = [];
    try {
      const setup: TrainRunSetup = from.kind === 'start' ? { policy: from.req.policy, preferredDevice: from.req.preferredDevice, settings: from.req.settings, sampling: from.req.sampling } : from.setup;
      const cfg: TrainConfig = from.kind === 'start' ? from.req.config : from.checkpoint.config;
      // 1. model, tokenizer, data; a configuration that cannot fit the wasm heap is refused before anything runs
      const base = await baseModel(setup.policy);
      const { folder } = base;
      const budget = deps.memoryBudgetBytes ?? wasmRunBudget(folder.config);
      const tooBig = checkTrainingFits({ config: folder.config, trainable: { kind: 'full' }, valueHead: cfg.algorithm === 'ppo', settings: setup.settings, budgetBytes: budget, budgetLabel: `what one training run may use of the browser's ${formatBytes(WASM_HEAP_BYTES)} wasm heap, after the runtime and the rollout model` });
      if (tooBig !== null) throw new TrainRuntimeError(tooBig);
      const tokenizer = createHfTokenizer(folder.tokenizerJson, folder.tokenizerConfig, { modelVocabSize: folder.config.vocabSize });
      const eos = eosIds(folder, tokenizer.eosTokenId);
      const b = await bank(from.kind === 'start' ? from.req.dataRoot : from.dataRoot);
      const questions = offlineBankQuestions(b, { split: 'train', heldOut: 'exclude' });
      // 2. learner (training graph) and rollout model on the preferred device
      const { learner, device } = await openWebLearner(base, cfg, budget, setup.preferredDevice);
      disposers.push(() => learner.dispose());
      const rolloutModel = await openWebRolloutModel(folder, eos, setup.preferredDevice, base.weights);
      disposers.push(() => rolloutModel.dispose());
      if (device !== null) yield { type: 'train.device', device, note: deviceNote(device) };
      // 3. the loop (a resume first hands the charts the checkpoint's history)
      if (from.kind === 'resume') yield { type: 'train.history', metrics: from.checkpoint.metrics };
      const stored: TrainRunEvent[] = [];
      const { temperature, topP, topK } = setup.sampling;
      const loop = trainLoop(cfg, {
        learner,
        questions,
        now: deps.now,
        signal: stop,
        yieldToHost: macrotask,
        checkpoints: deps.checkpoints.forRun(setup, (info) => stored.push({ type: 'train.stored', checkpoint: info })),
        ...(from.kind === 'resume' ? { resumeFrom: from.checkpoint } : {}),
        syncWeights: () => rolloutModel.sync(learner.currentWeights()),
        // rollouts decode as the folder asks (router.json decoding: the router-nano folders' protocol grammar and
        // extractive spans; none for the tiny-router); the compact template is fed without a chat template
        rollout: createOfflinePoolRollout({
          bank: b,
          tokenizer,
          framing: NO_CHAT_FRAMING,
          model: () => rolloutModel.current(),
          policyId: cfg.runId,
          sampling: { temperature, topP, topK, seed: cfg.seed },
          decoding: folderDecodingOf(folder.router),
          tokenizerVocabSize: folder.tokenizerVocabSize,
          agentTemplate: DEFAULT_AGENT_TEMPLATE,
          settings: setup.settings,
          now: deps.now,
        }),
      });
      for await (const e of loop) {
        yield e;
        yield* stored.splice(0);
        // Single step: stop after the first step; the loop saves a 'pause' checkpoint.
        if (single && e.type === 'train.step') controller.abort(new DOMException('Single step done', 'AbortError'));
      }
      yield* stored.splice(0);
    } finally {
      if (active === controller) active = null;
      for (const d of disposers.reverse()) await d().catch(() => undefined);
    }
  }

  async function resumeFrom(checkpointId: string, dataRoot: string | undefined, device: TrainRunSetup['preferredDevice'] | undefined): Promise<RunFrom> {
    const { checkpoint, setup } = await deps.checkpoints.get(checkpointId);
    return { kind: 'resume', checkpoint, setup: device === undefined ? setup : { ...setup, preferredDevice: device }, dataRoot };
  }

  async function buildFolder(id: string): Promise<ModelSource> {
    const { checkpoint, setup } = await deps.checkpoints.get(id);
    const base = await baseModel({ kind: 'checkpoint', checkpointId: id });
    const files = new Map<string, Uint8Array | string>();
    for (const path of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) {
      if (await base.source.exists(path)) files.set(path, await base.source.readText(path));
    }
    // the base folder's decoding (grammar, extractive spans) carries over: the rollouts were decoded with it
    const decoding = base.folder.router?.decoding;
    const router = { format: 1, prompt_template: 'compact', pool: 'offline', alpha: checkpoint.config.alpha, ...(decoding === undefined ? {} : { decoding }), provenance: { source: `checkpoint ${id}`, producer: 'router-r1-studio train view (GRPO, offline pool)', notes: `RL step ${checkpoint.step} of ${checkpoint.config.steps}, seed ${checkpoint.seed}, from ${policyLabel(setup.policy)}` } };
    files.set('router.json', JSON.stringify(router, null, 2) + '\n');
    files.set('onnx/model_q4.onnx', buildDecoderModel(base.folder.config, base.weights, { precision: 'q4' }));
    return createMemoryModelSource(files, `checkpoint ${id}`);
  }

  return {
    startTraining: (req, opts) => run({ kind: 'start', req }, false, opts?.signal),
    resumeTraining: (req, opts) => ({ [Symbol.asyncIterator]: async function* () { yield* run(await resumeFrom(req.checkpointId, req.dataRoot, req.preferredDevice), false, opts?.signal); } }),
    stepTraining: (req, opts) => ({
      [Symbol.asyncIterator]: async function* () {
        const from: RunFrom = req.kind === 'start' ? { kind: 'start', req: req.start } : await resumeFrom(req.resume.checkpointId, req.resume.dataRoot, req.resume.preferredDevice);
        yield* run(from, true, opts?.signal);
      },
    }),
    async pauseTraining() {
      if (active === null) return false;
      active.abort(new DOMException('Paused by the user', 'AbortError'));
      return true;
    },
    listCheckpoints: () => deps.checkpoints.list(),
    async deleteCheckpoint(id) {
      folders.delete(id);
      return deps.checkpoints.delete(id);
    },
    async exportCheckpoint(id) {
      const { checkpoint, setup } = await deps.checkpoints.get(id);
      return { fileName: checkpointFileName(checkpoint), bytes: writeCheckpointFile(checkpoint, setup) };
    },
    async importCheckpoint(bytes, fileName) {
      const { checkpoint, setup } = readCheckpointFile(bytes, fileName);
      const info = await deps.checkpoints.put(checkpoint, setup);
      folders.delete(info.id);
      return info;
    },
    async usePolicy(checkpointId) {
      await deps.checkpoints.get(checkpointId); // fails with what to do when it is gone
      return { kind: 'checkpoint', checkpointId };
    },
    checkpointFolder(id) {
      let f = folders.get(id);
      if (f === undefined) {
        f = buildFolder(id);
        folders.set(id, f);
        f.catch(() => folders.delete(id));
      }
      return f;
    },
  };
}

/** The learner (training graph) on the preferred device, and the device its first session reported. */
async function openWebLearner(base: BaseModel, cfg: TrainConfig, budget: number, preferred: TrainRunSetup['preferredDevice']): Promise<{ learner: OnnxLearner; device: PolicyDeviceReport | null }> {
  let device: PolicyDeviceReport | null = null;
  const learner = await createOnnxLearner({
    config: base.folder.config,
    weights: base.weights,
    trainable: { kind: 'full' },
    valueHead: cfg.algorithm === 'ppo', // PPO's critic; GRPO needs none
    // Longer batches run in row chunks: at most 1.5 GiB each (the estimate is not calibrated against the
    // heap, and one step of the α demo ran out of wasm memory unchunked), less when the budget is smaller.
    maxRunBytes: Math.min(budget, DEFAULT_MAX_RUN_BYTES),
    open: async (bytes) => {
      const s = await createWebTrainSession(bytes, { preferred });
      device = { ...s.session.device };
      return s;
    },
  });
  return { learner, device };
}

/** The rollout decoder over given weights; `sync` rebuilds it from the learner's and swaps it in (core's createSwappableModel, as cli train). */
function openWebRolloutModel(folder: LoadedModelFolder, eos: readonly number[], preferred: TrainRunSetup['preferredDevice'], weights: ReadonlyMap<string, WeightTensor>): Promise<SwappableModel<ReadonlyMap<string, WeightTensor>, LanguageModel & { dispose(): Promise<void> }>> {
  const open = async (w: ReadonlyMap<string, WeightTensor>): Promise<LanguageModel & { dispose(): Promise<void> }> => {
    const session = await createWebSession(buildDecoderModel(folder.config, w, { precision: 'fp32', logitsLastOnly: true }), { preferred });
    return createOrtLanguageModel(session, { eosTokenIds: [...eos], vocabSize: folder.config.vocabSize });
  };
  return createSwappableModel(open, weights);
}

function deviceNote(d: PolicyDeviceReport): string {
  if (d.ep === 'webgpu') return 'Training graph and rollouts on WebGPU. Ops without a WebGPU kernel (integer shape ops, the Range/Equal one-hot) fall back to the CPU EP: correct, slower.';
  const why = d.fallbackReason !== null ? ` (WebGPU not used: ${d.fallbackReason})` : d.auto !== undefined ? ` (${d.auto.reason})` : '';
  return `Training graph and rollouts on wasm, ${d.threads} thread${d.threads === 1 ? '' : 's'}${why}.`;
}

function eosIds(folder: LoadedModelFolder, fallback: number | undefined): number[] {
  for (const raw of [folder.generationConfig?.['eos_token_id'], folder.configJson['eos_token_id']]) {
    if (typeof raw === 'number') return [raw];
    if (Array.isArray(raw) && raw.every((x) => typeof x === 'number')) return raw as number[];
  }
  return fallback === undefined ? [] : [fallback];
}

/** A policy ref in words (a checkpoint's provenance). */
function policyLabel(p: TrainPolicyRef): string {
  if (p.kind === 'embedded') return p.name;
  if (p.kind === 'embedded-mix') return `${1 - p.weight}·${p.name} + ${p.weight}·${p.with}`;
  return p.kind;
}
