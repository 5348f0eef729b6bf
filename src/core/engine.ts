/**
 * The Engine: one interface, two hosts (STYLE.md principle 2). `createInProcessEngine` runs it in the
 * calling thread (Node tests, CLI, inside the worker); `EngineClient` (src/worker) proxies it to a Web
 * Worker so the UI thread never runs a model. Requests and events are plain data.
 *
 * Keys: an HTTP pool's keys travel only inside the request that needs them (CandidateSpec 'http',
 * ConnectionTestRequest); the engine hands them to the provider caller and never records them
 * (PoolModelRecord has no key field, and every error text is redacted by the caller).
 */
import type { Trajectory, CallError, PoolModelRecord, QuestionRecord } from './env/trajectory';
import type { EpisodeEvent } from './run/episodeEvents';
import type { FolderDecoding } from './policy/folderDecoding';
import type { AdapterDescription, AutoDeviceChoice } from './policy/deviceChoice';
import type { EpisodeRequest } from './run/runEpisode';
import type { ProviderConfig } from './providers/providerConfig';
import type { PresetModel } from './providers/poolPresets';
import type { QaDatasetId } from './data/qaDatasets';
import type { ReferenceTemplateId, TemplateId } from './protocol/prompt';
import type { EnvSettings } from './env/trajectory';
import type { TrainConfig } from './rl/trainConfig';
import type { TrainEvent } from './rl/trainLoop';
import type { TrainStepMetrics } from './rl/trainMetrics';
import type { CheckpointReason } from './rl/checkpointStore';
import type { EvalEvent, EvalRunSpec, EvalState } from './eval/evalTypes';
import type { RunEstimate } from './eval/estimateRun';
import type { ConvertEvent } from './model/convert';

/**
 * Which model folder a policy runs (DESIGN.md §3 "Sources"):
 *   embedded  public/models/<name>/, resolved against `baseUrl` (the page's base: the worker's own URL differs)
 *   url       any URL prefix holding a model folder (a Hugging Face `resolve/main/` URL included)
 *   files     files the user picked or dropped, handed to the engine by `loadModel` (which returns this id)
 *   cache     a folder kept in the model cache under `key` (a URL prefix), read without the network
 */
export type ModelRef =
  | { kind: 'embedded'; name: string; baseUrl: string }
  | { kind: 'url'; prefix: string; baseUrl?: string }
  | { kind: 'files'; id: string }
  | { kind: 'cache'; key: string }
  /** A training checkpoint turned into a model folder (q4) by 'train.usePolicy' (TrainEngine.usePolicy). */
  | { kind: 'checkpoint'; checkpointId: string };

/** 'auto': WebGPU when an adapter is there, else wasm (the device report says why). */
export type PreferredDevice = 'auto' | 'webgpu' | 'wasm';

export interface PolicySampling {
  temperature: number;
  topP: number;
  /** 0 = off. */
  topK: number;
  seed: number;
}

/** Which policy drives the episode. */
export type PolicySpec =
  | { kind: 'replay'; trajectory: Trajectory }
  | { kind: 'scripted'; id?: string; turns: string[]; msPerChar?: number }
  /** "You are the router": turns come from Engine.submitTurn. */
  | { kind: 'human'; id?: string }
  /**
   * A decoder on onnxruntime (the engine's policy runtime). The loaded model is kept across episodes:
   * the same ref and device reuse it (and its KV cache prefix); another one replaces it.
   * `costBias.strength` is λ of the cost-aware bias on model-name tokens (0 or absent: off).
   */
  | { kind: 'onnx'; model: ModelRef; preferredDevice: PreferredDevice; sampling: PolicySampling; costBias?: { strength: number } };

/**
 * Fork a recorded episode at a round (DESIGN.md §7 "what-if"): the rounds before it are replayed as
 * recorded (their texts and replies), the edited round is the given turn, and from there the request's
 * policy continues. With `reply`, the edited round's call is answered with that text instead of a call.
 */
export interface ForkSpec {
  from: Trajectory;
  roundIndex: number;
  /** The edited turn, in the protocol's tags (<think>…</think><search>Model: query</search> or <answer>…</answer>). */
  turnText: string;
  reply?: string;
}

/** A file the user picked or dropped: its path inside the model folder and the host's file object (a File in the browser; structured-cloneable). */
export interface PickedModelFile {
  path: string;
  file: { readonly size: number };
}

/** What `loadModel` reads: a ModelRef, or picked files (registered by the engine, which returns their ref). */
export type ModelLoadSource = ModelRef | { kind: 'upload'; files: PickedModelFile[]; label?: string };

export interface ModelLoadRequest {
  source: ModelLoadSource;
  preferredDevice: PreferredDevice;
}

/** Where the policy runs (the same shape as adapters/ort's DeviceReport, which core cannot import). */
export interface PolicyDeviceReport {
  ep: 'webgpu' | 'wasm' | 'cpu';
  adapterInfo: AdapterDescription | null;
  shaderF16: boolean | null;
  threads: number;
  /** Why this is not the preferred device; null when it is (under "auto": whichever auto chose). */
  fallbackReason: string | null;
  /** Present when the WebGPU adapter is a software one (SwiftShader, llvmpipe…): why, e.g. "google · swiftshader". */
  softwareAdapter?: string;
  /** How "auto" chose this device and why (policy/deviceChoice.ts); absent for an explicit choice or a plain fallback. */
  auto?: AutoDeviceChoice;
  /** wasm, for a model with 4-bit layers: expanded to float32 at load or kept 4-bit, and why. */
  q4Layers?: string;
  /** Float32 bytes the expansion added in memory (0 or absent when nothing was expanded). */
  q4ExpandedBytes?: number;
}

/** A loaded policy model, as plain data for the UI. */
export interface LoadedModelInfo {
  ref: ModelRef;
  /** For messages and the policy record: the folder URL, "picked folder", … */
  location: string;
  name: string;
  /** The prompt template the policy was trained with (router.json; a family default without one). */
  template: TemplateId;
  templateFrom: 'router.json' | 'default';
  /** router.json `decoding`: the processors the policy writes with (policy/folderDecoding.ts); absent: none. */
  decoding?: FolderDecoding;
  onnx: { path: string; variant: string };
  files: { path: string; bytes: number }[];
  /** Weights plus the KV cache at the model's context length: a rough lower bound of the memory it needs. */
  estimatedMemoryBytes: number;
  config: { modelType: string; layers: number; hiddenSize: number; heads: number; kvHeads: number; vocabSize: number; maxPositions: number };
  tokenizerVocabSize: number;
  preferredDevice: PreferredDevice;
  device: PolicyDeviceReport;
}

/** Loading a model: file progress, stages, a device fallback, and last `model.loaded`. */
export type ModelLoadEvent =
  | { type: 'load.stageStarted'; stage: 'files' | 'tokenizer' | 'session'; detail: string }
  | { type: 'load.progressed'; path: string; loadedBytes: number; totalBytes: number | null }
  | { type: 'device.fellBack'; from: string; to: string; reason: string }
  | { type: 'model.loaded'; info: LoadedModelInfo };

/**
 * What 'convertModel' reads (DESIGN.md §3): a Hugging Face safetensors checkpoint (Qwen2 or
 * Llama) at a URL prefix (a Router-R1 preset's `resolve/main/` URL included), or files the user picked.
 */
export type ModelConvertSource = { kind: 'url'; prefix: string } | { kind: 'upload'; files: PickedModelFile[]; label?: string };

export interface ModelConvertRequest {
  source: ModelConvertSource;
  /** The page's base URL: relative prefixes resolve against it, and the converted folder is cached under its `converted/<name>/`. */
  baseUrl: string;
  /** Weights in `onnx/model_q4.onnx_data`: 'auto' (default) past protobuf's 2 GiB only; 'always' / 'never' force it (tests). */
  externalData?: 'auto' | 'always' | 'never';
}

/** A converted folder in the model cache: load it with `ref` (a 'cache' ModelRef). */
export interface ConvertedModelInfo {
  ref: { kind: 'cache'; key: string };
  name: string;
  files: { path: string; bytes: number }[];
}

/** Converting: the converter's events (opened, tensor n of N with bytes, encoded, file written), then `convert.cached` last. */
export type ModelConvertEvent = ConvertEvent | { type: 'convert.cached'; model: ConvertedModelInfo };

export interface CachedModelFile {
  url: string;
  bytes: number;
  /** False when storage was full and the file is only held in memory for this session. */
  persistent: boolean;
}

export interface StorageQuotaInfo {
  usageBytes: number;
  quotaBytes: number;
}

/** What the browser offers before any model is loaded, and the loaded model's device. */
export interface DeviceInfo {
  webgpu: { available: boolean; reason: string | null; adapterInfo: PolicyDeviceReport['adapterInfo']; shaderF16: boolean | null };
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  loaded: LoadedModelInfo | null;
}

/** Who answers the routes. */
export type CandidateSpec =
  | { kind: 'replay'; trajectory: Trajectory }
  | { kind: 'scripted'; replies: Record<string, string | CallError> }
  /** The offline pool: replies simulated from recorded scores (the bank is read from the data root). */
  | { kind: 'offline' }
  /**
   * Real provider APIs. Pool models with provider 'offline' are still answered by the offline pool.
   * `keys` by provider id, for this request only; the spending cap applies to the engine's session.
   */
  | { kind: 'http'; providers: ProviderConfig[]; keys: Record<string, string>; spendingCapUsd?: number; limits?: CallLimits };

/** How long one provider call may take: per attempt, and for the whole call with retries (defaults 60 s / 90 s). */
export interface CallLimits {
  timeoutMs?: number;
  roundDeadlineMs?: number;
}

/** Where data is read from: a data root location (URL in the browser, a directory in Node). */
export interface DataRootOption {
  dataRoot?: string;
}

export interface EngineEpisodeRequest extends DataRootOption {
  episode: EpisodeRequest;
  policy: PolicySpec;
  candidates: CandidateSpec;
  /** Continue a recorded episode from an edited round (the request's policy takes over after it). */
  fork?: ForkSpec;
}

/** The offline pool as the UI needs it: the simulated models and the bank's questions. */
export interface OfflinePoolInfo {
  location: string;
  pool: PoolModelRecord[];
  questions: QuestionRecord[];
}

/** The reference texts and pool presets read from the data root. */
export interface ReferenceData {
  location: string;
  /** The candidate prompt (router-r1/agent_prompt.rendered.txt), one {query}. */
  agentPrompt: string;
  paperPool: PresetModel[];
  llmRouterPool: PresetModel[];
  /** The paper's two unseen models (router-r1/pool.json "unseen"), for the generalisation experiment. */
  unseenPool: PresetModel[];
  /** The reference prompt templates (qwen, llama) the data root holds; absent ones are left out. */
  templates: Partial<Record<ReferenceTemplateId, string>>;
}

/** One tiny call to a provider, to check the base URL, the key and CORS before an episode. */
export interface ConnectionTestRequest {
  provider: ProviderConfig;
  modelId: string;
  key?: string;
}

export type ConnectionTestResult =
  | { ok: true; reply: string; latencyMs: number }
  | { ok: false; error: CallError };

/**
 * An evaluation run (DESIGN.md §7): the spec (questions, pool, methods, settings), who answers
 * the routes ('offline', or 'http' with this request's keys: used, never recorded), the onnx policy of
 * each 'policy' method by its id, and the state of a paused run to resume.
 */
export interface EngineEvalRequest extends DataRootOption {
  spec: EvalRunSpec;
  candidates: Extract<CandidateSpec, { kind: 'offline' } | { kind: 'http' }>;
  policies?: Record<string, Extract<PolicySpec, { kind: 'onnx' }>>;
  resume?: EvalState;
}

export interface Engine {
  /** Streams the episode's events; the last one is always `episode.finished`. */
  runEpisode(req: EngineEpisodeRequest, opts?: { signal?: AbortSignal }): AsyncIterable<EpisodeEvent>;
  /** Gives a human-driven episode (policy kind 'human') its next turn; rejects when none is awaited. */
  submitTurn(episodeId: string, text: string): Promise<void>;
  /** The offline pool (loaded once per data root and cached); rejects with a DataRootError saying what to fix. */
  loadOfflinePool(opts?: DataRootOption): Promise<OfflinePoolInfo>;
  /** One of the seven QA sets. */
  loadQuestions(dataset: QaDatasetId, opts?: DataRootOption): Promise<QuestionRecord[]>;
  loadReferenceData(opts?: DataRootOption): Promise<ReferenceData>;
  testConnection(req: ConnectionTestRequest): Promise<ConnectionTestResult>;
  /**
   * Streams an evaluation run (eval.started … eval.finished, always last with the summary and the state
   * to resume from). `pauseSignal` stops after the episode in flight; `signal` cancels at once.
   */
  runEvaluation(req: EngineEvalRequest, opts?: { signal?: AbortSignal; pauseSignal?: AbortSignal }): AsyncIterable<EvalEvent>;
  /** Calls and dollars a run would cost (before a live run, for the user to confirm). */
  estimateEvaluation(req: Omit<EngineEvalRequest, 'resume' | 'candidates'>): Promise<RunEstimate>;
  /** Load a policy model (kept for later episodes); streams progress, the last event is `model.loaded`. */
  loadModel(req: ModelLoadRequest, opts?: { signal?: AbortSignal }): AsyncIterable<ModelLoadEvent>;
  /**
   * Convert a safetensors checkpoint into a q4 model folder in the model cache (in the worker, never the
   * UI thread); streams progress, the last event is `convert.cached`. On failure or abort nothing of the
   * folder is left in the cache.
   */
  convertModel(req: ModelConvertRequest, opts?: { signal?: AbortSignal }): AsyncIterable<ModelConvertEvent>;
  /** The model cache (Cache API): files by URL with sizes, delete, clear, and the storage quota. */
  listCachedModels(): Promise<CachedModelFile[]>;
  deleteCachedModel(url: string): Promise<boolean>;
  clearModelCache(): Promise<number>;
  modelCacheQuota(): Promise<StorageQuotaInfo | null>;
  deviceInfo(): Promise<DeviceInfo>;
  dispose(): Promise<void>;
}

// --- Training (DESIGN.md §4) ---------------------------------------------------------------------
// A port of its own, beside Engine: training needs onnxruntime-web training sessions and IndexedDB,
// so only the browser worker hosts it (src/worker/trainRuntime.ts); the CLI drives core's trainLoop directly.

/**
 * What a training run starts from: a ModelRef, or 'embedded-mix' — (1 − weight)·`name` + weight·`with`, two
 * embedded folders of the same config mixed tensor by tensor (the α demo: the two warm-ups 50/50, a start whose
 * routing is undecided); `name`'s folder gives the tokenizer, config and router.json. Only training reads it
 * (the policy runtime loads ModelRefs), and a checkpoint stores it as its base, so a resume rebuilds the mix.
 */
export type TrainPolicyRef = ModelRef | { kind: 'embedded-mix'; name: string; with: string; weight: number; baseUrl: string };

/** What a run needs besides its TrainConfig; stored with every checkpoint so a resume needs only the id. */
export interface TrainRunSetup {
  /** Whose weights are trained: an embedded folder (the tiny-router: its seeded fp32 weights), a checkpoint's, or two embedded folders mixed. */
  policy: TrainPolicyRef;
  preferredDevice: PreferredDevice;
  /** Episode settings of the rollouts (turns, token budgets). */
  settings: EnvSettings;
  sampling: { temperature: number; topP: number; topK: number };
}

export interface TrainStartRequest extends TrainRunSetup, DataRootOption {
  config: TrainConfig;
}

export interface TrainResumeRequest extends DataRootOption {
  checkpointId: string;
  /** Default: the checkpoint's run setup's device. */
  preferredDevice?: PreferredDevice;
}

/** One step, then a 'pause' checkpoint: from a fresh config or from a checkpoint. */
export type TrainStepRequest = { kind: 'start'; start: TrainStartRequest } | { kind: 'resume'; resume: TrainResumeRequest };

/** A stored checkpoint as the UI lists it (the tensors stay in storage). */
export interface TrainCheckpointInfo {
  id: string;
  runId: string;
  step: number;
  totalSteps: number;
  seed: number;
  reason: CheckpointReason;
  /** Wall-clock save time (epoch ms), for the list. */
  savedAtEpochMs: number;
  /** Bytes of weights + optimizer state. */
  tensorBytes: number;
  policyName: string;
  /** Mean reward of the last completed step (null before any). */
  lastReward: number | null;
}

/** The loop's events, plus what the runtime adds: where training runs, the resumed history, stored checkpoints. */
export type TrainRunEvent =
  | TrainEvent
  | { type: 'train.device'; device: PolicyDeviceReport; note: string }
  /** On resume: the checkpoint's metric history, so the charts continue where they stopped. */
  | { type: 'train.history'; metrics: TrainStepMetrics[] }
  | { type: 'train.stored'; checkpoint: TrainCheckpointInfo };

export interface TrainRunResult {
  status: 'completed' | 'aborted';
  step: number;
  /** The last checkpoint the run stored (null when it stored none). */
  checkpointId: string | null;
}

export interface CheckpointFile {
  fileName: string;
  bytes: Uint8Array;
}

export interface TrainEngine {
  /** A fresh run; streams the loop's events; the last is `train.finished`. */
  startTraining(req: TrainStartRequest, opts?: { signal?: AbortSignal }): AsyncIterable<TrainRunEvent>;
  /** Continue a stored checkpoint (after a reload too). */
  resumeTraining(req: TrainResumeRequest, opts?: { signal?: AbortSignal }): AsyncIterable<TrainRunEvent>;
  /** Exactly one step, then pause (a 'pause' checkpoint). */
  stepTraining(req: TrainStepRequest, opts?: { signal?: AbortSignal }): AsyncIterable<TrainRunEvent>;
  /** Stops the running loop between or inside steps; it saves a 'pause' checkpoint. False when none runs. */
  pauseTraining(): Promise<boolean>;
  listCheckpoints(): Promise<TrainCheckpointInfo[]>;
  deleteCheckpoint(id: string): Promise<boolean>;
  /** One safetensors file: weights and AdamW moments as F32 tensors, the JSON state in its metadata. */
  exportCheckpoint(id: string): Promise<CheckpointFile>;
  importCheckpoint(bytes: Uint8Array, fileName?: string): Promise<TrainCheckpointInfo>;
  /** Builds the checkpoint's model folder (q4 ONNX) and returns the ref that loadModel / PolicySpec accept. */
  usePolicy(checkpointId: string): Promise<ModelRef>;
}
