/**
 * The worker boundary over a real MessageChannel: EngineClient ↔ EngineHost ↔ an engine. The in-process
 * engine proves events and results cross unchanged; a named fake engine (at the boundary under test)
 * proves cancellation and error transport.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineChannels } from '../testing/workerHarness';
import {
  buildExampleTrajectory,
  createInProcessEngine,
  DataRootError,
  PROVIDER_PRESETS,
  type Engine,
  type EpisodeEvent,
  type Trajectory,
} from '../core/index';
import { createDataRootCache } from '../core/data/dataRootCache';
import { EngineClient } from './engineClient';

const channels = createEngineChannels();
afterEach(() => channels.closeAll());

/** The data methods, for fake engines that do not use them. */
const NO_DATA = {
  loadOfflinePool: () => Promise.reject(new Error('unused')),
  loadQuestions: () => Promise.reject(new Error('unused')),
  loadReferenceData: () => Promise.reject(new Error('unused')),
  testConnection: () => Promise.reject(new Error('unused')),
  // eslint-disable-next-line require-yield
  async *loadModel() {
    throw new Error('unused');
  },
  // eslint-disable-next-line require-yield
  async *convertModel() {
    throw new Error('unused');
  },
  listCachedModels: () => Promise.reject(new Error('unused')),
  deleteCachedModel: () => Promise.reject(new Error('unused')),
  clearModelCache: () => Promise.reject(new Error('unused')),
  modelCacheQuota: () => Promise.reject(new Error('unused')),
  deviceInfo: () => Promise.reject(new Error('unused')),
  // eslint-disable-next-line require-yield
  async *runEvaluation() {
    throw new Error('unused');
  },
  estimateEvaluation: () => Promise.reject(new Error('unused')),
};

function connect(engine: Engine): EngineClient {
  return channels.connect(engine);
}

async function collect(events: AsyncIterable<EpisodeEvent>): Promise<EpisodeEvent[]> {
  const out: EpisodeEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

function replayRequest(t: Trajectory) {
  const { question, template, prompt, pool, settings, id } = t;
  return {
    episode: { id, question, template, prompt, pool, settings, agentTemplate: t.agentTemplate ?? '', alpha: t.reward?.alpha ?? 0 },
    policy: { kind: 'replay' as const, trajectory: t },
    candidates: { kind: 'replay' as const, trajectory: t },
  };
}

describe('EngineClient ↔ EngineHost', () => {
  it('streams the same events as the in-process engine and ends with the replayed trajectory', async () => {
    const example = await buildExampleTrajectory();
    const local = await collect(createInProcessEngine({ now: () => 0 }).runEpisode(replayRequest(example)));
    const remote = await collect(connect(createInProcessEngine({ now: () => 0 })).runEpisode(replayRequest(example)));
    expect(remote).toEqual(local);
    const last = remote[remote.length - 1];
    expect(last?.type).toBe('episode.finished');
    expect(last?.type === 'episode.finished' && last.trajectory).toEqual(example);
  });

  it('cancels the worker-side run when the caller aborts, and still delivers episode.finished', async () => {
    let sawAbort = false;
    // Fake engine at the boundary under test: one event, then waits for the abort.
    const slowEngine: Engine = {
      async *runEpisode(_req, opts) {
        const t = await buildExampleTrajectory();
        yield { type: 'episode.started', trajectory: { ...t, rounds: [] } };
        await new Promise<void>((resolve) => opts?.signal?.addEventListener('abort', () => resolve(), { once: true }));
        sawAbort = true;
        yield { type: 'episode.finished', trajectory: { ...t, status: 'aborted' } };
      },
      async submitTurn() {},
      async dispose() {},
      ...NO_DATA,
    };
    const client = connect(slowEngine);
    const controller = new AbortController();
    const events: EpisodeEvent[] = [];
    for await (const e of client.runEpisode(replayRequest(await buildExampleTrajectory()), { signal: controller.signal })) {
      events.push(e);
      if (e.type === 'episode.started') controller.abort();
    }
    expect(sawAbort).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['episode.started', 'episode.finished']);
    expect(events[1]?.type === 'episode.finished' && events[1].trajectory.status).toBe('aborted');
  });

  it('rebuilds a worker-side error with its name and message', async () => {
    class ModelLoadError extends Error {
      override name = 'ModelLoadError';
    }
    const failing: Engine = {
      // eslint-disable-next-line require-yield
      async *runEpisode() {
        throw new ModelLoadError('The model file is truncated; download it again.');
      },
      async submitTurn() {},
      async dispose() {},
      ...NO_DATA,
    };
    const client = connect(failing);
    await expect(collect(client.runEpisode(replayRequest(await buildExampleTrajectory())))).rejects.toMatchObject({
      name: 'ModelLoadError',
      message: 'The model file is truncated; download it again.',
    });
  });

  it('runs two calls concurrently without mixing their events', async () => {
    const example = await buildExampleTrajectory();
    const client = connect(createInProcessEngine({ now: () => 0 }));
    const [a, b] = await Promise.all([collect(client.runEpisode(replayRequest(example))), collect(client.runEpisode(replayRequest(example)))]);
    expect(a.map((e) => e.type)).toEqual(b.map((e) => e.type));
    expect(a.filter((e) => e.type === 'episode.finished')).toHaveLength(1);
  });

  it('drives a human ("you are the router") episode turn by turn through submitTurn', async () => {
    const example = await buildExampleTrajectory();
    const client = connect(createInProcessEngine({ now: () => 0 }));
    const req = {
      ...replayRequest(example),
      episode: { ...replayRequest(example).episode, id: 'human-1' },
      policy: { kind: 'human' as const },
      candidates: { kind: 'scripted' as const, replies: { 'LLaMA-3.1-70B-Instruct': 'It was written by Philip K. Dick.' } },
    };
    const turns = [
      '<think>Ask the big model.</think><search>LLaMA-3.1-70B-Instruct: who wrote it?</search>',
      '<think>It says Philip K. Dick.</think><answer>Philip K. Dick</answer>',
    ];
    const types: string[] = [];
    let finished: Trajectory | undefined;
    for await (const e of client.runEpisode(req)) {
      types.push(e.type);
      if (e.type === 'round.started') await client.submitTurn('human-1', turns[e.roundIndex] ?? '');
      if (e.type === 'episode.finished') finished = e.trajectory;
    }
    expect(types.filter((t) => t === 'round.started')).toHaveLength(2);
    expect(finished?.policy.kind).toBe('human');
    expect(finished?.status).toBe('answered');
    expect(finished?.rounds[0]?.call?.reply).toBe('It was written by Philip K. Dick.');
    expect(finished?.reward?.em).toBe(1);
    expect(finished?.reward?.format).toBe(0);
  });

  it('refuses a turn when no human episode is waiting, with a message that says what to do', async () => {
    const client = connect(createInProcessEngine({ now: () => 0 }));
    await expect(client.submitTurn('nope', '<answer>x</answer>')).rejects.toMatchObject({ name: 'NoTurnPendingError', message: expect.stringContaining('start one first') });
  });
});

describe('data and provider methods over the worker boundary', () => {
  it('returns QA questions read through the data root named in the request, and rebuilds data-root errors', async () => {
    const files: Record<string, string> = { 'qa/bamboogle/test.jsonl': '{"id": "b1", "question": "who?", "golden_answers": ["x"]}\n' };
    const engine = createInProcessEngine({
      now: () => 0,
      dataRoots: createDataRootCache((location) => ({
        location,
        readText: async (path) => {
          const text = files[path];
          if (text === undefined) throw new DataRootError(`${location} has no ${path}`);
          return text;
        },
      })),
    });
    const client = connect(engine);
    expect(await client.loadQuestions('bamboogle', { dataRoot: 'http://x/data/' })).toEqual([{ id: 'b1', dataset: 'bamboogle', text: 'who?', goldAnswers: ['x'] }]);
    await expect(client.loadQuestions('nq', { dataRoot: 'http://x/data/' })).rejects.toMatchObject({ name: 'DataRootError', message: 'http://x/data/ has no qa/nq/test.jsonl' });
    await expect(client.loadOfflinePool({ dataRoot: 'http://x/data/' })).rejects.toMatchObject({ name: 'DataRootError' });
  });

  it('reports a connection test result as data', async () => {
    const client = connect({ ...NO_DATA, async *runEpisode() {}, async submitTurn() {}, async dispose() {}, testConnection: async () => ({ ok: false as const, error: { kind: 'cors' as const, message: 'blocked' } }) });
    expect(await client.testConnection({ provider: PROVIDER_PRESETS.openai, modelId: 'm', key: 'k' })).toEqual({ ok: false, error: { kind: 'cors', message: 'blocked' } });
  });
});
