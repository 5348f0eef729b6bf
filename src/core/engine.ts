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

/** Which policy drives the episode. More kinds (onnx) arrive with the policy runtime. */
export type PolicySpec =
  | { kind: 'replay'; trajectory: Trajectory }
  | { kind: 'scripted'; id?: string; turns: string[]; msPerChar?: number }
  /** "You are the router": turns come from Engine.submitTurn. */
  | { kind: 'human'; id?: string };

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
  dispose(): Promise<void>;
}
