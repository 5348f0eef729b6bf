/**
 * Pause takes effect at once (issue 16): the real train runtime (onnxruntime-web on wasm, the tiny-router served
 * over HTTP from public/, checkpoints in an in-memory fake of the IndexedDB tables) across a real MessageChannel
 * (EngineClient ↔ EngineHost). Before the fix the loop never gave the host a macrotask turn, so the
 * 'train.pause' message was read only when the run ended: every step ran. Now a pause requested while step k
 * runs stops the run at step k − 1 or k (the unfinished step is dropped), with a 'pause' checkpoint there; and a
 * resume from it gives the uninterrupted run's metrics exactly (core's trainLoop tests check the same with a fake
 * learner; here it is the real graphs across the channel).
 * Planted bug: drop `yieldToHost: macrotask` in trainRuntime.ts and the first two tests fail (all 6 steps run).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngineChannels, servePublic, type PublicServer } from '../testing/workerHarness';
import { mirrorDataRoot } from '../testing/dataRoot';
import { createInMemoryCheckpointKvFake } from '../testing/checkpointKv';
import { createTrainConfig, type EnvSettings, type TrainRunEvent, type TrainStepMetrics } from '../core/index';
import { createDataRootCache } from '../core/data/dataRootCache';
import { createInMemoryCacheStore, createModelCache } from '../adapters/models/modelCache';
import { createBrowserCheckpointStore } from '../adapters/storage/idbCheckpointStore';
import type { EngineClient } from './engineClient';
import { createTrainRuntime } from './trainRuntime';

// onnxruntime-web in Node: its wasm files from the package, one thread (src/testing/workerHarness.ts).
vi.mock('../adapters/ort/ortEnvironment', async (importOriginal) => (await import('../testing/workerHarness')).ortEnvironmentInNode(await importOriginal()));

const DATA_DIR = resolve(__dirname, '../../../shared/data');
/** The tiny router's rollout limits (the Train view's TRAIN_ROLLOUT_SETTINGS): a step takes about a second. */
const TINY_SETTINGS: EnvSettings = { maxTurns: 2, maxPromptTokens: 160, maxNewTokens: 24, maxObservationTokens: 48, maxContextTokens: 400, invalidActionNotice: false };
const STEPS = 6;

describe('train runtime: pause across the engine channel', () => {
  let http: PublicServer;
  const channels = createEngineChannels();
  beforeAll(async () => {
    http = await servePublic({ spaFallback: true });
  });
  afterAll(async () => {
    channels.closeAll();
    await http.close();
  });

  /** A fresh runtime (its own checkpoint store) behind its own channel. */
  function connect(): EngineClient {
    const runtime = createTrainRuntime({
      cache: createModelCache({ store: createInMemoryCacheStore(), estimate: async () => ({}) }),
      checkpoints: createBrowserCheckpointStore(createInMemoryCheckpointKvFake(), { wallClockMs: () => 0 }),
      dataRoots: createDataRootCache((dir) => mirrorDataRoot(dir)),
      now: () => performance.now(),
    });
    return channels.connect({} as never, runtime);
  }

  const start = () => ({
    config: createTrainConfig({ runId: 'pause', seed: 7, steps: STEPS, questionsPerStep: 1, groupSize: 2, minibatchSize: 2, checkpointEvery: 0, samplesPerStep: 1, schedule: { kind: 'constant', lr: 1e-3, warmupSteps: 0 } }),
    policy: { kind: 'embedded' as const, name: 'tiny-router', baseUrl: http.baseUrl },
    preferredDevice: 'wasm' as const,
    settings: TINY_SETTINGS,
    sampling: { temperature: 1, topP: 1, topK: 0 },
    dataRoot: DATA_DIR,
  });

  /** Runs the stream; `pauseAt(e)` says after which event to request the pause. Returns the events and the pause latency. */
  async function runPausing(client: EngineClient, events: AsyncIterable<TrainRunEvent>, pauseAt: (e: TrainRunEvent) => boolean) {
    const seen: TrainRunEvent[] = [];
    let askedMs: number | null = null;
    let finishedMs: number | null = null;
    for await (const e of events) {
      seen.push(e);
      if (e.type === 'train.finished') finishedMs = performance.now();
      if (askedMs === null && pauseAt(e)) {
        askedMs = performance.now();
        void client.pauseTraining();
      }
    }
    return { seen, latencyMs: askedMs !== null && finishedMs !== null ? finishedMs - askedMs : null };
  }

  const stepsOf = (events: readonly TrainRunEvent[]): TrainStepMetrics[] => events.flatMap((e) => (e.type === 'train.step' ? [e.metrics] : []));
  const finishedOf = (events: readonly TrainRunEvent[]) => events.find((e): e is Extract<TrainRunEvent, { type: 'train.finished' }> => e.type === 'train.finished');
  const storedOf = (events: readonly TrainRunEvent[]) => events.filter((e): e is Extract<TrainRunEvent, { type: 'train.stored' }> => e.type === 'train.stored').map((e) => e.checkpoint);

  it('a pause requested while step 2 runs stops at step 1 or 2 with a pause checkpoint there (not after all 6 steps)', async () => {
    const client = connect();
    const { seen, latencyMs } = await runPausing(client, client.startTraining(start()), (e) => e.type === 'train.step' && e.metrics.step === 1);
    const finished = finishedOf(seen);
    expect(finished?.status).toBe('aborted');
    expect(finished?.step).toBeLessThanOrEqual(2);
    expect(stepsOf(seen).length).toBe(finished?.step);
    const stored = storedOf(seen);
    expect(stored.map((c) => [c.reason, c.step])).toEqual([['pause', finished?.step]]);
    expect((await client.listCheckpoints()).map((c) => c.id)).toEqual([stored[0]?.id]);
    console.info(`pause latency (tiny-router, wasm, 1 thread): ${latencyMs?.toFixed(0)} ms, stopped at step ${finished?.step}`);
  }, 120_000);

  it('a pause requested before the first step ends stops within step 1 (at most one step) with a pause checkpoint', async () => {
    const client = connect();
    const { seen } = await runPausing(client, client.startTraining(start()), (e) => e.type === 'train.started');
    const finished = finishedOf(seen);
    expect(finished).toMatchObject({ status: 'aborted' });
    expect(finished?.step).toBeLessThanOrEqual(1);
    expect(storedOf(seen).map((c) => c.reason)).toEqual(['pause']);
  }, 120_000);

  it('a resume from a pause inside a step repeats it: the steps after it equal the uninterrupted run', async () => {
    const whole = connect();
    const uninterrupted: TrainRunEvent[] = [];
    for await (const e of whole.startTraining({ ...start(), config: { ...start().config, steps: 3 } })) uninterrupted.push(e);
    const client = connect();
    const paused = await runPausing(client, client.startTraining({ ...start(), config: { ...start().config, steps: 3 } }), (e) => e.type === 'train.step' && e.metrics.step === 1);
    expect(finishedOf(paused.seen)?.step).toBeLessThan(3);
    const at = storedOf(paused.seen)[0];
    if (at === undefined) throw new Error('no pause checkpoint');
    const resumed: TrainRunEvent[] = [];
    for await (const e of client.resumeTraining({ checkpointId: at.id, dataRoot: DATA_DIR })) resumed.push(e);
    expect(finishedOf(resumed)).toMatchObject({ status: 'completed', step: 3 });
    // every metric but the wall-clock split is a function of the seed and the step
    const strip = (ms: TrainStepMetrics[]) => ms.map(({ timeMs: _t, ...m }) => m);
    expect(strip([...stepsOf(paused.seen), ...stepsOf(resumed)])).toEqual(strip(stepsOf(uninterrupted)));
  }, 180_000);
});
