/**
 * The worker side: receives calls, runs them on an injected Engine, streams events back, and aborts a
 * call when the client cancels it. Tested with a real MessageChannel and the in-process engine.
 */
import type { Engine, TrainEngine, TrainRunEvent } from '../core/index';
import { assertNeverMessage } from './assertNeverMessage';
import { createEvalRuntime } from './evalRuntime';
import { toWireError, type ClientMessage, type HostMessage, type MessagePortLike } from './protocol';

/** `train`: the training runtime (the browser worker's); without it the train.* methods answer with an error. */
export function createEngineHost(port: MessagePortLike, engine: Engine, train?: TrainEngine): { dispose(): void } {
  const running = new Map<number, AbortController>();
  const send = (m: HostMessage) => port.postMessage(m);
  const evals = createEvalRuntime(engine);

  const trainer = (): TrainEngine => {
    if (train === undefined) throw new Error('This engine host has no training runtime (training runs in the browser worker).');
    return train;
  };

  /** Streams a training run; its result is where it stopped and the last checkpoint it stored. */
  async function trainRun(id: number, method: 'train.start' | 'train.resume' | 'train.step', events: AsyncIterable<TrainRunEvent>): Promise<void> {
    let checkpointId: string | null = null;
    let finished: Extract<TrainRunEvent, { type: 'train.finished' }> | undefined;
    for await (const event of events) {
      send({ type: 'event', id, method, event });
      if (event.type === 'train.stored') checkpointId = event.checkpoint.id;
      if (event.type === 'train.finished') finished = event;
    }
    send(finished === undefined ? { type: 'error', id, error: { name: 'EngineProtocolError', message: 'The training run ended without train.finished.' } } : { type: 'result', id, method, result: { status: finished.status, step: finished.step, checkpointId } });
  }

  async function run(msg: Extract<ClientMessage, { type: 'call' }>, signal: AbortSignal): Promise<void> {
    switch (msg.method) {
      case 'train.start':
        return trainRun(msg.id, msg.method, trainer().startTraining(msg.params, { signal }));
      case 'train.resume':
        return trainRun(msg.id, msg.method, trainer().resumeTraining(msg.params, { signal }));
      case 'train.step':
        return trainRun(msg.id, msg.method, trainer().stepTraining(msg.params, { signal }));
      case 'train.pause':
        send({ type: 'result', id: msg.id, method: msg.method, result: await trainer().pauseTraining() });
        return;
      case 'train.checkpoints.list':
        send({ type: 'result', id: msg.id, method: msg.method, result: await trainer().listCheckpoints() });
        return;
      case 'train.checkpoints.delete':
        send({ type: 'result', id: msg.id, method: msg.method, result: await trainer().deleteCheckpoint(msg.params.id) });
        return;
      case 'train.checkpoints.export':
        send({ type: 'result', id: msg.id, method: msg.method, result: await trainer().exportCheckpoint(msg.params.id) });
        return;
      case 'train.checkpoints.import':
        send({ type: 'result', id: msg.id, method: msg.method, result: await trainer().importCheckpoint(msg.params.bytes, msg.params.fileName) });
        return;
      case 'train.usePolicy':
        send({ type: 'result', id: msg.id, method: msg.method, result: await trainer().usePolicy(msg.params.checkpointId) });
        return;
      case 'episode.run': {
        let last: HostMessage | undefined;
        for await (const event of engine.runEpisode(msg.params, { signal })) {
          send({ type: 'event', id: msg.id, method: msg.method, event });
          if (event.type === 'episode.finished') last = { type: 'result', id: msg.id, method: msg.method, result: event.trajectory };
        }
        send(last ?? { type: 'error', id: msg.id, error: { name: 'EngineProtocolError', message: 'The episode ended without episode.finished.' } });
        return;
      }
      case 'turn.submit':
        await engine.submitTurn(msg.params.episodeId, msg.params.text);
        send({ type: 'result', id: msg.id, method: msg.method, result: null });
        return;
      case 'data.offlinePool':
        send({ type: 'result', id: msg.id, method: msg.method, result: await engine.loadOfflinePool(msg.params) });
        return;
      case 'data.questions':
        send({ type: 'result', id: msg.id, method: msg.method, result: await engine.loadQuestions(msg.params.dataset, msg.params) });
        return;
      case 'data.reference':
        send({ type: 'result', id: msg.id, method: msg.method, result: await engine.loadReferenceData(msg.params) });
        return;
      case 'provider.test':
        send({ type: 'result', id: msg.id, method: msg.method, result: await engine.testConnection(msg.params) });
        return;
      case 'model.load': {
        let last: HostMessage | undefined;
        for await (const event of engine.loadModel(msg.params, { signal })) {
          send({ type: 'event', id: msg.id, method: msg.method, event });
          if (event.type === 'model.loaded') last = { type: 'result', id: msg.id, method: msg.method, result: event.info };
        }
        send(last ?? { type: 'error', id: msg.id, error: { name: 'EngineProtocolError', message: 'The model load ended without model.loaded.' } });
        return;
      }
      case 'model.convert': {
        let last: HostMessage | undefined;
        for await (const event of engine.convertModel(msg.params, { signal })) {
          send({ type: 'event', id: msg.id, method: msg.method, event });
          if (event.type === 'convert.cached') last = { type: 'result', id: msg.id, method: msg.method, result: event.model };
        }
        send(last ?? { type: 'error', id: msg.id, error: { name: 'EngineProtocolError', message: 'The conversion ended without convert.cached.' } });
        return;
      }
      case 'model.cacheList':
        send({ type: 'result', id: msg.id, method: msg.method, result: await engine.listCachedModels() });
        return;
      case 'model.cacheDelete':
        send({ type: 'result', id: msg.id, method: msg.method, result: await engine.deleteCachedModel(msg.params.url) });
        return;
      case 'model.cacheClear':
        send({ type: 'result', id: msg.id, method: msg.method, result: await engine.clearModelCache() });
        return;
      case 'model.cacheQuota':
        send({ type: 'result', id: msg.id, method: msg.method, result: await engine.modelCacheQuota() });
        return;
      case 'device.info':
        send({ type: 'result', id: msg.id, method: msg.method, result: await engine.deviceInfo() });
        return;
      case 'eval.start':
      case 'eval.resume': {
        let last: HostMessage | undefined;
        for await (const event of evals.run(msg.params, signal)) {
          send({ type: 'event', id: msg.id, method: msg.method, event });
          if (event.type === 'eval.finished') last = { type: 'result', id: msg.id, method: msg.method, result: event.summary };
        }
        send(last ?? { type: 'error', id: msg.id, error: { name: 'EngineProtocolError', message: 'The evaluation ended without eval.finished.' } });
        return;
      }
      case 'eval.pause':
        send({ type: 'result', id: msg.id, method: msg.method, result: evals.pause(msg.params.runId) });
        return;
      case 'eval.cancel':
        send({ type: 'result', id: msg.id, method: msg.method, result: evals.cancel(msg.params.runId) });
        return;
      case 'eval.estimate':
        send({ type: 'result', id: msg.id, method: msg.method, result: await engine.estimateEvaluation(msg.params) });
        return;
      default:
        assertNeverMessage(msg);
    }
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
