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
import type { EpisodeRequest } from './run/runEpisode';
import type { ProviderConfig } from './providers/providerConfig';
import type { PresetModel } from './providers/poolPresets';
import type { QaDatasetId } from './data/qaDatasets';
import type { ReferenceTemplateId, TemplateId } from './protocol/prompt';

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
  | { kind: 'cache'; key: string };

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
  adapterInfo: { vendor: string; architecture: string; device: string; description: string } | null;
  shaderF16: boolean | null;
  threads: number;
  /** Why this is not the preferred device; null when it is. */
  fallbackReason: string | null;
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
  | { kind: 'http'; providers: ProviderConfig[]; keys: Record<string, string>; spendingCapUsd?: number };

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
  /** Load a policy model (kept for later episodes); streams progress, the last event is `model.loaded`. */
  loadModel(req: ModelLoadRequest, opts?: { signal?: AbortSignal }): AsyncIterable<ModelLoadEvent>;
  /** The model cache (Cache API): files by URL with sizes, delete, clear, and the storage quota. */
  listCachedModels(): Promise<CachedModelFile[]>;
  deleteCachedModel(url: string): Promise<boolean>;
  clearModelCache(): Promise<number>;
  modelCacheQuota(): Promise<StorageQuotaInfo | null>;
  deviceInfo(): Promise<DeviceInfo>;
  dispose(): Promise<void>;
}
