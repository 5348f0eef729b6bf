/**
 * The worker side of the protocol: receives calls, runs them on an injected Engine (and TrainEngine),
 * streams events back, and aborts a call when the client cancels it. The methods are one handler table
 * keyed by protocol.ts's map (a method missing from it does not compile); a streaming method names its
 * events and how its result is read off them, and one helper sends both. Tested with a real
 * MessageChannel and the in-process engine.
 * Must not: build what the engine builds (policies, callers, runs), or keep results beyond a call.
 */
import type { Engine, EvalEvent, EvalSummary, TrainEngine, TrainRunEvent, TrainRunResult } from '../core/index';
import { assertNeverMessage } from './assertNeverMessage';
import { createEvalRuntime } from './evalRuntime';
import {
  toWireError,
  type CallMessage,
  type ClientMessage,
  type EventOf,
  type HostMessage,
  type MessagePortLike,
  type ParamsOf,
  type RequestMethod,
  type ResultOf,
  type StreamingMethod,
} from './protocol';

/** A streaming call's events, and its result read off them. */
interface Streamed<E, R> {
  events: AsyncIterable<E>;
  /** The result an event carries (the final event's), else undefined; the last one given wins. */
  resultOf(event: E): R | undefined;
  /** What the error says when the stream ends without it (a broken engine, not a user error). */
  missing: string;
}

type StreamHandlers = { [M in StreamingMethod]: (params: ParamsOf<M>, signal: AbortSignal) => Streamed<EventOf<M>, ResultOf<M>> };
type RequestHandlers = { [M in RequestMethod]: (params: ParamsOf<M>) => Promise<ResultOf<M>> | ResultOf<M> };

/** An evaluation's result: the summary its last event (eval.finished) carries. */
function evalRun(events: AsyncIterable<EvalEvent>): Streamed<EvalEvent, EvalSummary> {
  return { events, resultOf: (e) => (e.type === 'eval.finished' ? e.summary : undefined), missing: 'The evaluation ended without eval.finished.' };
}

/** A training run's result: where it stopped (train.finished) and the last checkpoint it stored, which may come after it. */
function trainRun(events: AsyncIterable<TrainRunEvent>): Streamed<TrainRunEvent, TrainRunResult> {
  let checkpointId: string | null = null;
  let finished: Omit<TrainRunResult, 'checkpointId'> | undefined;
  return {
    events,
    resultOf(event) {
      if (event.type === 'train.stored') checkpointId = event.checkpoint.id;
      if (event.type === 'train.finished') finished = { status: event.status, step: event.step };
      return finished === undefined ? undefined : { ...finished, checkpointId };
    },
    missing: 'The training run ended without train.finished.',
  };
}

/** `train`: the training runtime (the browser worker's); without it the train.* methods answer with an error. */
export function createEngineHost(port: MessagePortLike, engine: Engine, train?: TrainEngine): { dispose(): void } {
  const running = new Map<number, AbortController>();
  const send = (m: HostMessage) => port.postMessage(m);
  const evals = createEvalRuntime(engine);

  const trainer = (): TrainEngine => {
    if (train === undefined) throw new Error('This engine host has no training runtime (training runs in the browser worker).');
    return train;
  };

  const streams: StreamHandlers = {
    'episode.run': (p, signal) => ({
      events: engine.runEpisode(p, { signal }),
      resultOf: (e) => (e.type === 'episode.finished' ? e.trajectory : undefined),
      missing: 'The episode ended without episode.finished.',
    }),
    'model.load': (p, signal) => ({
      events: engine.loadModel(p, { signal }),
      resultOf: (e) => (e.type === 'model.loaded' ? e.info : undefined),
      missing: 'The model load ended without model.loaded.',
    }),
    'model.convert': (p, signal) => ({
      events: engine.convertModel(p, { signal }),
      resultOf: (e) => (e.type === 'convert.cached' ? e.model : undefined),
      missing: 'The conversion ended without convert.cached.',
    }),
    'eval.start': (p, signal) => evalRun(evals.run(p, signal)),
    'eval.resume': (p, signal) => evalRun(evals.run(p, signal)),
    'train.start': (p, signal) => trainRun(trainer().startTraining(p, { signal })),
    'train.resume': (p, signal) => trainRun(trainer().resumeTraining(p, { signal })),
    'train.step': (p, signal) => trainRun(trainer().stepTraining(p, { signal })),
  };

  const requests: RequestHandlers = {
    'turn.submit': async (p) => {
      await engine.submitTurn(p.episodeId, p.text);
      return null;
    },
    'data.offlinePool': (p) => engine.loadOfflinePool(p),
    'data.questions': (p) => engine.loadQuestions(p.dataset, p),
    'data.reference': (p) => engine.loadReferenceData(p),
    'provider.test': (p) => engine.testConnection(p),
    'model.cacheList': () => engine.listCachedModels(),
    'model.cacheDelete': (p) => engine.deleteCachedModel(p.url),
    'model.cacheClear': () => engine.clearModelCache(),
    'model.cacheQuota': () => engine.modelCacheQuota(),
    'device.info': () => engine.deviceInfo(),
    'eval.pause': (p) => evals.pause(p.runId),
    'eval.cancel': (p) => evals.cancel(p.runId),
    'eval.estimate': (p) => engine.estimateEvaluation(p),
    'train.pause': () => trainer().pauseTraining(),
    'train.checkpoints.list': () => trainer().listCheckpoints(),
    'train.checkpoints.delete': (p) => trainer().deleteCheckpoint(p.id),
    'train.checkpoints.export': (p) => trainer().exportCheckpoint(p.id),
    'train.checkpoints.import': (p) => trainer().importCheckpoint(p.bytes, p.fileName),
    'train.usePolicy': (p) => trainer().usePolicy(p.checkpointId),
  };

  /** Sends each event, then the result read off them, or an EngineProtocolError when none carried it. */
  async function stream<M extends StreamingMethod>(id: number, method: M, call: Streamed<EventOf<M>, ResultOf<M>>): Promise<void> {
    let result: ResultOf<M> | undefined;
    for await (const event of call.events) {
      // The generic message is one of HostMessage's members for this M (TS cannot see it through the mapped union).
      send({ type: 'event', id, method, event } as HostMessage);
      result = call.resultOf(event) ?? result;
    }
    send(result === undefined ? { type: 'error', id, error: { name: 'EngineProtocolError', message: call.missing } } : ({ type: 'result', id, method, result } as HostMessage));
  }

  const isStreaming = (msg: CallMessage): msg is CallMessage<StreamingMethod> => Object.hasOwn(streams, msg.method);
  const streamOf = <M extends StreamingMethod>(method: M, params: ParamsOf<M>, signal: AbortSignal): Streamed<EventOf<M>, ResultOf<M>> => streams[method](params, signal);
  const answer = <M extends RequestMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> | ResultOf<M> => requests[method](params);

  async function run(msg: CallMessage, signal: AbortSignal): Promise<void> {
    if (isStreaming(msg)) return stream(msg.id, msg.method, streamOf(msg.method, msg.params, signal));
    send({ type: 'result', id: msg.id, method: msg.method, result: await answer(msg.method, msg.params) } as HostMessage);
  }

  const onMessage = (ev: MessageEvent) => {
    const msg = ev.data as ClientMessage;
    switch (msg.type) {
      case 'call': {
        const controller = new AbortController();
        running.set(msg.id, controller);
        run(msg, controller.signal)
          .catch((err: unknown) => send({ type: 'error', id: msg.id, error: toWireError(err) }))
          .finally(() => running.delete(msg.id));
        return;
      }
      case 'cancel':
        running.get(msg.id)?.abort(new DOMException('Cancelled by the client', 'AbortError'));
        return;
      default:
        assertNeverMessage(msg);
    }
  };
  port.addEventListener('message', onMessage);
  port.start?.();
  return {
    dispose() {
      port.removeEventListener('message', onMessage);
      for (const c of running.values()) c.abort();
      running.clear();
    },
  };
}
