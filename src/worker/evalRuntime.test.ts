/**
 * Evaluation calls across the worker boundary (a real MessageChannel, EngineClient ↔ EngineHost): the
 * events stream through, eval.pause reaches the run by its id and the stream still ends with
 * eval.finished 'paused' and its state; resume sends the state; the caller's abort cancels the run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineChannels } from '../testing/workerHarness';
import type { Engine, EngineEvalRequest, EvalEvent, EvalSummary } from '../core/index';
import { EngineClient } from './engineClient';

const channels = createEngineChannels();
afterEach(() => channels.closeAll());

function connect(engine: Engine): EngineClient {
  return channels.connect(engine);
}

const summary = (done: number): EvalSummary => ({ runId: 'r', dataset: 'd', questions: 10, alpha: 0, seed: 1, limits: { maxCalls: null, maxSpendUsd: null }, methods: [], paretoFront: [String(done)], paretoFrontWithoutOracle: [] });

/** A fake engine: one progress event per "episode" until paused or cancelled (checked between episodes, as runEvaluation does). */
function steppingEngine(seen: EngineEvalRequest[]): Engine {
  const unused = () => Promise.reject(new Error('unused'));
  return {
    async *runEpisode() {},
    submitTurn: unused,
    loadOfflinePool: unused,
    loadQuestions: unused,
    loadReferenceData: unused,
    testConnection: unused,
    async *loadModel() {},
    async *convertModel() {},
    listCachedModels: unused,
    deleteCachedModel: unused,
    clearModelCache: unused,
    modelCacheQuota: unused,
    deviceInfo: unused,
    dispose: async () => {},
    estimateEvaluation: async () => ({ episodes: 10 }) as never,
    async *runEvaluation(req, opts): AsyncGenerator<EvalEvent> {
      seen.push(req);
      let done = req.resume?.rows.length ?? 0;
      yield { type: 'eval.started', runId: req.spec.id, total: 10, done, methods: ['m'], questions: 10 };
      for (; done < 10; ) {
        if (opts?.signal?.aborted === true || opts?.pauseSignal?.aborted === true) break;
        await new Promise((r) => setTimeout(r, 1));
        done++;
        yield { type: 'eval.progress', done, total: 10, elapsedMs: done, etaMs: 10 - done, running: {} };
      }
      const status = opts?.signal?.aborted === true ? 'cancelled' : done < 10 ? 'paused' : 'completed';
      yield { type: 'eval.finished', status, summary: summary(done), state: { version: 1, runId: req.spec.id, specKey: 'k', rows: Array.from({ length: done }) as never, costWindows: {}, rng: {} as never, elapsedMs: done } };
    },
  };
}

const request = (id = 'run-1'): EngineEvalRequest => ({ spec: { id } as EngineEvalRequest['spec'], candidates: { kind: 'offline' } });

async function collect(events: AsyncIterable<EvalEvent>, onEvent?: (e: EvalEvent) => void): Promise<EvalEvent[]> {
  const out: EvalEvent[] = [];
  for await (const e of events) {
    out.push(e);
    onEvent?.(e);
  }
  return out;
}

describe('eval.* over the worker protocol', () => {
  it('pauses a run by its id; the stream ends with eval.finished paused and the state; resume continues it', async () => {
    const seen: EngineEvalRequest[] = [];
    const client = connect(steppingEngine(seen));
    const pause = new AbortController();
    const events = await collect(client.runEvaluation(request(), { pauseSignal: pause.signal }), (e) => {
      if (e.type === 'eval.progress' && e.done === 3) pause.abort();
    });
    const last = events[events.length - 1];
    expect(last?.type === 'eval.finished' && last.status).toBe('paused');
    const state = last?.type === 'eval.finished' ? last.state : undefined;
    expect(state?.rows.length).toBeGreaterThanOrEqual(3);
    expect(state?.rows.length).toBeLessThan(10);

    const resumed = await collect(client.runEvaluation({ ...request(), ...(state === undefined ? {} : { resume: state }) }));
    const end = resumed[resumed.length - 1];
    expect(end?.type === 'eval.finished' && end.status).toBe('completed');
    expect(seen[1]?.resume?.rows.length).toBe(state?.rows.length);
  });

  it("cancels the run when the caller aborts, and eval.cancel reaches a run by id", async () => {
    const client = connect(steppingEngine([]));
    const cancel = new AbortController();
    const events = await collect(client.runEvaluation(request('a'), { signal: cancel.signal }), (e) => e.type === 'eval.progress' && e.done === 2 && cancel.abort());
    const last = events[events.length - 1];
    expect(last?.type === 'eval.finished' && last.status).toBe('cancelled');

    let cancelled = false;
    const events2 = await collect(client.runEvaluation(request('b')), (e) => {
      if (e.type === 'eval.progress' && e.done === 2 && !cancelled) {
        cancelled = true;
        void client.cancelEvaluation('b');
      }
    });
    const last2 = events2[events2.length - 1];
    expect(last2?.type === 'eval.finished' && last2.status).toBe('cancelled');
    expect(await client.pauseEvaluation('nothing')).toBe(false);
  });

  it('answers eval.estimate', async () => {
    const client = connect(steppingEngine([]));
    expect(await client.estimateEvaluation({ spec: request().spec })).toEqual({ episodes: 10 });
  });
});
