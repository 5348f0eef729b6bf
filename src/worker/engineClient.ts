/**
 * The browser side of the Engine: the same interface as the in-process engine, proxied to a worker.
 * Each method maps its arguments to its protocol params and takes one of two paths: `stream` (events, then
 * the result) or `request` (the result alone). Calls are matched by id, and each call's replies go through
 * an event channel; aborting the caller's signal sends a cancel and the worker's own `episode.finished`
 * (status 'aborted') still arrives with what was recorded.
 * Must not: run anything itself (the worker does) or keep a call's state past its result.
 */
import type {
  CachedModelFile,
  DeviceInfo,
  ModelLoadEvent,
  ModelLoadRequest,
  ModelConvertEvent,
  ModelConvertRequest,
  StorageQuotaInfo,
  ConnectionTestRequest,
  ConnectionTestResult,
  DataRootOption,
  Engine,
  EngineEpisodeRequest,
  EngineEvalRequest,
  EpisodeEvent,
  EvalEvent,
  RunEstimate,
  OfflinePoolInfo,
  QaDatasetId,
  QuestionRecord,
  ReferenceData,
} from '../core/index';
import type { CheckpointFile, ModelRef, TrainCheckpointInfo, TrainEngine, TrainResumeRequest, TrainRunEvent, TrainStartRequest, TrainStepRequest } from '../core/index';
import { createEventChannel } from '../core/run/eventChannel';
import { assertNeverMessage } from './assertNeverMessage';
import { EngineRemoteError, type ClientMessage, type EventOf, type HostMessage, type MessagePortLike, type MethodName, type ParamsOf, type RequestMethod, type ResultOf } from './protocol';

export class EngineClient implements Engine, TrainEngine {
  private nextId = 1;
  private readonly pending = new Map<number, (m: HostMessage) => void>();
  private readonly onMessage = (ev: MessageEvent) => {
    const msg = ev.data as HostMessage;
    this.pending.get(msg.id)?.(msg);
  };

  constructor(private readonly port: MessagePortLike & { terminate?(): void }) {
    port.addEventListener('message', this.onMessage);
    port.start?.();
  }

  runEpisode(req: EngineEpisodeRequest, opts?: { signal?: AbortSignal }): AsyncIterable<EpisodeEvent> {
    return this.stream('episode.run', req, opts?.signal);
  }

  /** Picked File objects in `req` are structured-cloned to the worker (a handle, not a copy of the bytes). */
  loadModel(req: ModelLoadRequest, opts?: { signal?: AbortSignal }): AsyncIterable<ModelLoadEvent> {
    return this.stream('model.load', req, opts?.signal);
  }

  /** Checkpoint conversion in the worker (picked File objects are structured-cloned handles); aborting cancels it there. */
  convertModel(req: ModelConvertRequest, opts?: { signal?: AbortSignal }): AsyncIterable<ModelConvertEvent> {
    return this.stream('model.convert', req, opts?.signal);
  }

  /**
   * An evaluation in the worker. `pauseSignal` sends eval.pause (the run stops after its episode in
   * flight and still streams eval.finished with its state); `signal` cancels the call, and the run.
   */
  runEvaluation(req: EngineEvalRequest, opts: { signal?: AbortSignal; pauseSignal?: AbortSignal } = {}): AsyncIterable<EvalEvent> {
    const runId = req.spec.id;
    const pause = () => void this.request('eval.pause', { runId }).catch(() => undefined);
    const { resume, ...start } = req;
    const events = resume === undefined ? this.stream('eval.start', start, opts.signal) : this.stream('eval.resume', { ...start, resume }, opts.signal);
    const pauseSignal = opts.pauseSignal;
    return (async function* () {
      pauseSignal?.addEventListener('abort', pause, { once: true });
      try {
        if (pauseSignal?.aborted === true) pause();
        yield* events;
      } finally {
        pauseSignal?.removeEventListener('abort', pause);
      }
    })();
  }

  /** Stop a run after its episode in flight (by run id; also from a client that did not start it). */
  pauseEvaluation(runId: string): Promise<boolean> {
    return this.request('eval.pause', { runId });
  }

  cancelEvaluation(runId: string): Promise<boolean> {
    return this.request('eval.cancel', { runId });
  }

  estimateEvaluation(req: Omit<EngineEvalRequest, 'resume' | 'candidates'>): Promise<RunEstimate> {
    return this.request('eval.estimate', req);
  }

  listCachedModels(): Promise<CachedModelFile[]> {
    return this.request('model.cacheList', {});
  }

  deleteCachedModel(url: string): Promise<boolean> {
    return this.request('model.cacheDelete', { url });
  }

  clearModelCache(): Promise<number> {
    return this.request('model.cacheClear', {});
  }

  modelCacheQuota(): Promise<StorageQuotaInfo | null> {
    return this.request('model.cacheQuota', {});
  }

  deviceInfo(): Promise<DeviceInfo> {
    return this.request('device.info', {});
  }

  // --- training (TrainEngine; the worker's trainRuntime) ---
  startTraining(req: TrainStartRequest, opts?: { signal?: AbortSignal }): AsyncIterable<TrainRunEvent> {
    return this.stream('train.start', req, opts?.signal);
  }

  resumeTraining(req: TrainResumeRequest, opts?: { signal?: AbortSignal }): AsyncIterable<TrainRunEvent> {
    return this.stream('train.resume', req, opts?.signal);
  }

  stepTraining(req: TrainStepRequest, opts?: { signal?: AbortSignal }): AsyncIterable<TrainRunEvent> {
    return this.stream('train.step', req, opts?.signal);
  }

  pauseTraining(): Promise<boolean> {
    return this.request('train.pause', {});
  }

  listCheckpoints(): Promise<TrainCheckpointInfo[]> {
    return this.request('train.checkpoints.list', {});
  }

  deleteCheckpoint(id: string): Promise<boolean> {
    return this.request('train.checkpoints.delete', { id });
  }

  exportCheckpoint(id: string): Promise<CheckpointFile> {
    return this.request('train.checkpoints.export', { id });
  }

  importCheckpoint(bytes: Uint8Array, fileName?: string): Promise<TrainCheckpointInfo> {
    return this.request('train.checkpoints.import', fileName === undefined ? { bytes } : { bytes, fileName });
  }

  usePolicy(checkpointId: string): Promise<ModelRef> {
    return this.request('train.usePolicy', { checkpointId });
  }

  async submitTurn(episodeId: string, text: string): Promise<void> {
    await this.request('turn.submit', { episodeId, text });
  }

  loadOfflinePool(opts: DataRootOption = {}): Promise<OfflinePoolInfo> {
    return this.request('data.offlinePool', opts);
  }

  loadQuestions(dataset: QaDatasetId, opts: DataRootOption = {}): Promise<QuestionRecord[]> {
    return this.request('data.questions', { ...opts, dataset });
  }

  loadReferenceData(opts: DataRootOption = {}): Promise<ReferenceData> {
    return this.request('data.reference', opts);
  }

  testConnection(req: ConnectionTestRequest): Promise<ConnectionTestResult> {
    return this.request('provider.test', req);
  }

  /** A method that streams no events: resolves with its result. */
  private async request<M extends RequestMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const replies = this.stream(method, params);
    for (;;) {
      const r = await replies.next();
      // Without a signal the call ends only with the worker's result (or rejects with its error).
      if (r.done === true) return r.value as ResultOf<M>;
    }
  }

  /** One call: its events as they arrive, then its result as the return value; the worker's error is thrown. */
  private async *stream<M extends MethodName>(method: M, params: ParamsOf<M>, signal?: AbortSignal): AsyncGenerator<EventOf<M>, ResultOf<M> | undefined> {
    const id = this.nextId++;
    const cancel = () => this.post({ type: 'cancel', id });
    // A consumer that stops iterating before the result cancels the work in the worker.
    const replies = createEventChannel<EventOf<M>, ResultOf<M>>({ onCancel: cancel });
    this.pending.set(id, (msg) => {
      switch (msg.type) {
        case 'event':
          if (msg.method === method) replies.push(msg.event as EventOf<M>);
          return;
        case 'result':
          return replies.close(msg.result as ResultOf<M>);
        case 'error':
          return replies.fail(new EngineRemoteError(msg.error));
        default:
          assertNeverMessage(msg);
      }
    });
    // Aborting sends a cancel only: the worker still streams what it recorded, and its result.
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      this.post({ type: 'call', id, method, params } as ClientMessage);
      return yield* replies;
    } finally {
      signal?.removeEventListener('abort', cancel);
      this.pending.delete(id);
    }
  }

  private post(m: ClientMessage): void {
    this.port.postMessage(m);
  }

  async dispose(): Promise<void> {
    this.port.removeEventListener('message', this.onMessage);
    this.port.terminate?.();
  }
}
