/**
 * The worker protocol: a typed method map (STYLE.md principle 8). Each method names its params, the
 * events it streams and its result; messages are discriminated unions and errors cross as data. The host's
 * handler table is keyed by this map, so a method added here does not compile until the host handles it.
 * Keys cross only inside 'episode.run' / 'eval.start' / 'eval.resume' (CandidateSpec 'http') and 'provider.test' params.
 * Must not: carry what a structured clone cannot copy (functions, objects with behaviour): errors cross as WireError.
 */
import type {
  CachedModelFile,
  DeviceInfo,
  LoadedModelInfo,
  ModelLoadEvent,
  ModelLoadRequest,
  ModelConvertEvent,
  ModelConvertRequest,
  ConvertedModelInfo,
  StorageQuotaInfo,
  ConnectionTestRequest,
  ConnectionTestResult,
  DataRootOption,
  EngineEpisodeRequest,
  CheckpointFile,
  ModelRef,
  TrainCheckpointInfo,
  TrainResumeRequest,
  TrainRunEvent,
  TrainRunResult,
  TrainStartRequest,
  TrainStepRequest,
  EngineEvalRequest,
  EpisodeEvent,
  EvalEvent,
  EvalState,
  EvalSummary,
  RunEstimate,
  OfflinePoolInfo,
  QaDatasetId,
  QuestionRecord,
  ReferenceData,
  Trajectory,
} from '../core/index';

export interface Methods {
  'episode.run': { params: EngineEpisodeRequest; event: EpisodeEvent; result: Trajectory };
  'turn.submit': { params: { episodeId: string; text: string }; event: never; result: null };
  'data.offlinePool': { params: DataRootOption; event: never; result: OfflinePoolInfo };
  'data.questions': { params: DataRootOption & { dataset: QaDatasetId }; event: never; result: QuestionRecord[] };
  'data.reference': { params: DataRootOption; event: never; result: ReferenceData };
  'provider.test': { params: ConnectionTestRequest; event: never; result: ConnectionTestResult };
  /** Picked files travel inside the params as File objects (structured clone; no copy of their bytes). */
  'model.load': { params: ModelLoadRequest; event: ModelLoadEvent; result: LoadedModelInfo };
  /** A safetensors checkpoint (URL prefix or picked files) → a q4 folder in the model cache; result: its cache ref. */
  'model.convert': { params: ModelConvertRequest; event: ModelConvertEvent; result: ConvertedModelInfo };
  'model.cacheList': { params: Record<string, never>; event: never; result: CachedModelFile[] };
  'model.cacheDelete': { params: { url: string }; event: never; result: boolean };
  'model.cacheClear': { params: Record<string, never>; event: never; result: number };
  'model.cacheQuota': { params: Record<string, never>; event: never; result: StorageQuotaInfo | null };
  'device.info': { params: Record<string, never>; event: never; result: DeviceInfo };
  /** Training (src/worker/trainRuntime.ts): start / resume / one step stream train.* events; the result says where it stopped. */
  'train.start': { params: TrainStartRequest; event: TrainRunEvent; result: TrainRunResult };
  'train.resume': { params: TrainResumeRequest; event: TrainRunEvent; result: TrainRunResult };
  'train.step': { params: TrainStepRequest; event: TrainRunEvent; result: TrainRunResult };
  /** The running loop stops and saves a 'pause' checkpoint (its stream ends with train.finished 'aborted'). Result: whether one ran. */
  'train.pause': { params: Record<string, never>; event: never; result: boolean };
  'train.checkpoints.list': { params: Record<string, never>; event: never; result: TrainCheckpointInfo[] };
  'train.checkpoints.delete': { params: { id: string }; event: never; result: boolean };
  'train.checkpoints.export': { params: { id: string }; event: never; result: CheckpointFile };
  'train.checkpoints.import': { params: { bytes: Uint8Array; fileName?: string }; event: never; result: TrainCheckpointInfo };
  'train.usePolicy': { params: { checkpointId: string }; event: never; result: ModelRef };
  /** Evaluation runs (src/worker/evalRuntime.ts): start streams eval.* events; its result is the final summary. */
  'eval.start': { params: Omit<EngineEvalRequest, 'resume'>; event: EvalEvent; result: EvalSummary };
  /** Continue a paused run from its state (the same spec). */
  'eval.resume': { params: EngineEvalRequest & { resume: EvalState }; event: EvalEvent; result: EvalSummary };
  /** Stop after the episode in flight; the run's stream ends with eval.finished 'paused' and its state. Result: whether such a run was running. */
  'eval.pause': { params: { runId: string }; event: never; result: boolean };
  /** Stop at once (the episode in flight is dropped); the stream ends with eval.finished 'cancelled'. */
  'eval.cancel': { params: { runId: string }; event: never; result: boolean };
  'eval.estimate': { params: Omit<EngineEvalRequest, 'resume' | 'candidates'>; event: never; result: RunEstimate };
}

export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type EventOf<M extends MethodName> = Methods[M]['event'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];
/** Methods that stream events before their result (derived from the map: a method with events streams). */
export type StreamingMethod = { [M in MethodName]: [EventOf<M>] extends [never] ? never : M }[MethodName];
/** Methods that answer with their result alone. */
export type RequestMethod = Exclude<MethodName, StreamingMethod>;

export const PROTOCOL_VERSION = 4;

export interface WireError {
  name: string;
  message: string;
  stack?: string;
}

/** A call of one of the methods M (all of them by default), its params tied to its method. */
export type CallMessage<M extends MethodName = MethodName> = { [K in M]: { type: 'call'; id: number; method: K; params: ParamsOf<K> } }[M];

export type ClientMessage = CallMessage | { type: 'cancel'; id: number };

export type HostMessage =
  | { [M in MethodName]: { type: 'event'; id: number; method: M; event: Methods[M]['event'] } }[MethodName]
  | { [M in MethodName]: { type: 'result'; id: number; method: M; result: Methods[M]['result'] } }[MethodName]
  | { type: 'error'; id: number; error: WireError };

/** The part of Worker / MessagePort / DedicatedWorkerGlobalScope both sides need. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  start?(): void;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message, ...(err.stack === undefined ? {} : { stack: err.stack }) };
  return { name: 'Error', message: String(err) };
}

/** An error raised in the worker, rebuilt on the client with its original name and message. */
export class EngineRemoteError extends Error {
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
    if (wire.stack !== undefined) this.stack = wire.stack;
  }
}
