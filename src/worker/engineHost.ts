/**
 * The worker side: receives calls, runs them on an injected Engine, streams events back, and aborts a
 * call when the client cancels it. Tested with a real MessageChannel and the in-process engine.
 */
import type { Engine } from '../core/index';
import { assertNeverMessage } from './assertNeverMessage';
import { toWireError, type ClientMessage, type HostMessage, type MessagePortLike } from './protocol';

export function createEngineHost(port: MessagePortLike, engine: Engine): { dispose(): void } {
  const running = new Map<number, AbortController>();
  const send = (m: HostMessage) => port.postMessage(m);

  async function run(msg: Extract<ClientMessage, { type: 'call' }>, signal: AbortSignal): Promise<void> {
    switch (msg.method) {
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
