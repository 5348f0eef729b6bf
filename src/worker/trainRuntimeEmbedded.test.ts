/**
 * In-browser training from an embedded policy other than the tiny-router: the real train runtime
 * (onnxruntime-web on wasm, the folder fetched over HTTP from public/, checkpoints in an in-memory fake of
 * the IndexedDB tables) across a real MessageChannel (EngineClient ↔ EngineHost) starts a 1-step run from
 * router-nano-a0 — its weights read out of its q4 decoder (core/onnx/readDecoderWeights.ts) — and gets
 * a step event and a stored 'pause' checkpoint; and a run from the two warm-ups mixed 50/50 starts from
 * their element-wise mean and resumes from its checkpoint. Small on purpose: 1 question, G = 2, 16-token turns.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngineChannels, servePublic, type PublicServer } from '../testing/workerHarness';
import { mirrorDataRoot } from '../testing/dataRoot';
import { checkTrainingFits, createTrainConfig, DEFAULT_ENV_SETTINGS, parseDecoderConfig, readDecoderWeights, type TrainConfig, type TrainRunEvent } from '../core/index';
import { createDataRootCache } from '../core/data/dataRootCache';
import { createInMemoryCacheStore, createModelCache } from '../adapters/models/modelCache';
import { createBrowserCheckpointStore } from '../adapters/storage/idbCheckpointStore';
import { createInMemoryCheckpointKvFake } from '../testing/checkpointKv';
import { EngineClient } from './engineClient';
import { createTrainRuntime, wasmRunBudget } from './trainRuntime';

// onnxruntime-web in Node: its wasm files from the package, one thread (src/testing/workerHarness.ts).
vi.mock('../adapters/ort/ortEnvironment', async (importOriginal) => (await import('../testing/workerHarness')).ortEnvironmentInNode(await importOriginal()));

const ROOT = resolve(__dirname, '../..');
const PUBLIC = join(ROOT, 'public');
const DATA_DIR = resolve(ROOT, '../shared/data');

/** The train runtime behind the real engine channel, router-nano served over HTTP from public/. */
interface Harness {
  http: PublicServer;
  channels: ReturnType<typeof createEngineChannels>;
  client: EngineClient;
  checkpoints: ReturnType<typeof createBrowserCheckpointStore>;
}

async function startHarness(deps: Partial<Parameters<typeof createTrainRuntime>[0]> = {}): Promise<Harness> {
  const http = await servePublic({ spaFallback: true });
  const checkpoints = createBrowserCheckpointStore(createInMemoryCheckpointKvFake(), { wallClockMs: () => 0 });
  const runtime = createTrainRuntime({
    cache: createModelCache({ store: createInMemoryCacheStore(), estimate: async () => ({}) }),
    checkpoints,
    dataRoots: createDataRootCache((dir) => mirrorDataRoot(dir)),
    now: () => 0,
    ...deps,
  });
  const channels = createEngineChannels();
  return { http, channels, client: channels.connect({} as never, runtime), checkpoints };
}

async function stopHarness(h: Harness | undefined): Promise<void> {
  h?.channels.closeAll();
  await h?.http.close();
}

describe('train runtime: a run from an embedded router-nano policy', () => {
  let h: Harness;
  let http: Harness['http'];
  let client: EngineClient;
  let checkpoints: Harness['checkpoints'];

  beforeAll(async () => {
    h = await startHarness();
    ({ http, client, checkpoints } = h);
  });

  afterAll(() => stopHarness(h));

  /** A one-turn run of router-nano-a0 on wasm with `config`. */
  const nanoStart = (config: TrainConfig) => ({
    config,
    policy: { kind: 'embedded' as const, name: 'router-nano-a0', baseUrl: http.baseUrl },
    preferredDevice: 'wasm' as const,
    settings: { ...DEFAULT_ENV_SETTINGS, maxTurns: 1, maxNewTokens: 16, maxObservationTokens: 32 },
    sampling: { temperature: 1, topP: 1, topK: 0 },
    dataRoot: DATA_DIR,
  });

  it('router-nano-a0: one step (1 question, G = 2) gives a step event and a pause checkpoint', async () => {
    const events: TrainRunEvent[] = [];
    const start = nanoStart(createTrainConfig({ runId: 'nano-1', seed: 3, steps: 1, questionsPerStep: 1, groupSize: 2, minibatchSize: 2, checkpointEvery: 0, samplesPerStep: 1, schedule: { kind: 'constant', lr: 1e-4, warmupSteps: 0 } }));
    for await (const e of client.stepTraining({ kind: 'start', start })) events.push(e);
    const types = events.map((e) => e.type);
    expect(types).toContain('train.step');
    const step = events.find((e) => e.type === 'train.step');
    expect(step?.type === 'train.step' && step.metrics.step).toBe(1);
    const stored = events.find((e) => e.type === 'train.stored');
    expect(stored?.type === 'train.stored' && stored.checkpoint.policyName).toBe('router-nano-a0');
    const list = await client.listCheckpoints();
    expect(list).toHaveLength(1);
  }, 300_000);

  it('PPO (the Train view\'s algorithm choice): a step trains the value head beside the policy', async () => {
    const events: TrainRunEvent[] = [];
    const start = nanoStart(createTrainConfig({ runId: 'nano-ppo', seed: 3, steps: 1, algorithm: 'ppo', questionsPerStep: 1, groupSize: 2, minibatchSize: 2, checkpointEvery: 0, samplesPerStep: 0, schedule: { kind: 'constant', lr: 1e-4, warmupSteps: 0 } }));
    for await (const e of client.stepTraining({ kind: 'start', start })) events.push(e);
    const step = events.find((e) => e.type === 'train.step');
    expect(step?.type === 'train.step' && step.metrics.step).toBe(1);
    // The critic starts at zero and the returns are not: the value loss is positive on the first step.
    expect(step?.type === 'train.step' && step.metrics.valueLoss).toBeGreaterThan(0);
  }, 300_000);

  it("the two warm-ups mixed 50/50 (the α demo's start): the run starts from their element-wise mean, and its checkpoint resumes", async () => {
    // lr 1e-30: the step moves no weight measurably, so the stored params are the starting weights
    const config = createTrainConfig({ runId: 'mix-1', seed: 3, steps: 2, questionsPerStep: 1, groupSize: 2, minibatchSize: 2, checkpointEvery: 0, samplesPerStep: 0, schedule: { kind: 'constant', lr: 1e-30, warmupSteps: 0 } });
    const start = {
      config,
      policy: { kind: 'embedded-mix' as const, name: 'router-nano-a0-warmup', with: 'router-nano-a08-warmup', weight: 0.5, baseUrl: http.baseUrl },
      preferredDevice: 'wasm' as const,
      settings: { ...DEFAULT_ENV_SETTINGS, maxTurns: 1, maxNewTokens: 16, maxObservationTokens: 32 },
      sampling: { temperature: 1, topP: 1, topK: 0 },
      dataRoot: DATA_DIR,
    };
    const events: TrainRunEvent[] = [];
    for await (const e of client.stepTraining({ kind: 'start', start })) events.push(e);
    const stored = events.find((e) => e.type === 'train.stored');
    if (stored?.type !== 'train.stored') throw new Error(`no checkpoint stored: ${events.map((e) => e.type).join(', ')}`);
    expect(stored.checkpoint.policyName).toBe('router-nano-a0-warmup mixed with router-nano-a08-warmup (0.5)');
    const { checkpoint, setup } = await checkpoints.get(stored.checkpoint.id);
    expect(setup.policy).toEqual(start.policy); // the base policy is recorded: a resume rebuilds the mix
    // each folder's weights as the worker reads them (its q4 decoder dequantised; the warm-ups ship no fp32), and their mean
    const weightsOf = async (name: string) => {
      const dir = join(PUBLIC, 'models', name);
      const config = parseDecoderConfig(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')));
      return readDecoderWeights(new Uint8Array(await readFile(join(dir, 'onnx/model_q4.onnx'))), config, name).weights;
    };
    const [a, b] = await Promise.all([weightsOf('router-nano-a0-warmup'), weightsOf('router-nano-a08-warmup')]);
    expect(checkpoint.params.size).toBe(a.size);
    let differ = 0;
    for (const [name, p] of checkpoint.params) {
      const [x, y] = [a.get(name)?.data as Float32Array, b.get(name)?.data as Float32Array];
      expect(p.length, name).toBe(x.length);
      let worst = 0;
      for (let i = 0; i < p.length; i++) {
        worst = Math.max(worst, Math.abs((p[i] as number) - ((x[i] as number) + (y[i] as number)) / 2));
        if (x[i] !== y[i]) differ++;
      }
      expect(worst, name).toBeLessThan(1e-6);
    }
    expect(differ).toBeGreaterThan(0); // the two warm-ups differ, so the mean is neither of them
    // the checkpoint resumes (its base is the mix): step 2
    const resumed: TrainRunEvent[] = [];
    for await (const e of client.stepTraining({ kind: 'resume', resume: { checkpointId: stored.checkpoint.id, dataRoot: DATA_DIR } })) resumed.push(e);
    const step = resumed.find((e) => e.type === 'train.step');
    expect(step?.type === 'train.step' && step.metrics.step).toBe(2);
  }, 300_000);
});

describe('train runtime: a configuration that does not fit memory is refused before it starts', () => {
  let h: Harness;
  let http: Harness['http'];
  let client: EngineClient;
  let checkpoints: Harness['checkpoints'];
  const openedRoots: string[] = [];

  beforeAll(async () => {
    h = await startHarness({
      dataRoots: createDataRootCache((dir) => (openedRoots.push(dir), mirrorDataRoot(dir))),
      memoryBudgetBytes: 64 * 2 ** 20, // a small heap: router-nano's 4096-token worst case needs ~2.8 GiB
    });
    ({ http, client, checkpoints } = h);
  });

  afterAll(() => stopHarness(h));

  it('router-nano-a0 with the default limits: a clear message with the estimate and what to change, and no rollout', async () => {
    const start = {
      config: createTrainConfig({ runId: 'too-big', seed: 3, steps: 1, questionsPerStep: 1, groupSize: 2, minibatchSize: 2, checkpointEvery: 0, samplesPerStep: 0 }),
      policy: { kind: 'embedded' as const, name: 'router-nano-a0', baseUrl: http.baseUrl },
      preferredDevice: 'wasm' as const,
      settings: { ...DEFAULT_ENV_SETTINGS },
      sampling: { temperature: 1, topP: 1, topK: 0 },
      dataRoot: DATA_DIR,
    };
    const events: TrainRunEvent[] = [];
    const err = await (async () => {
      for await (const e of client.stepTraining({ kind: 'start', start })) events.push(e);
    })().catch((x: unknown) => x);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/does not fit in memory/);
    expect(message).toMatch(/single 4096-token sequence/);
    expect(message).toMatch(/parameters [\d.]+ MiB \+ gradients [\d.]+ MiB .*activations [\d.]+ GiB \+ logits [\d.]+ MiB = [\d.]+ GiB, above 64\.0 MiB/);
    expect(message).toMatch(/LoRA.*smaller model.*maxNewTokens, maxTurns, maxObservationTokens/);
    expect(events).toEqual([]); // no device report, no step: nothing ran
    expect(openedRoots).toEqual([]); // refused before the offline pool was even read
    expect(await client.listCheckpoints()).toEqual([]);
  }, 120_000);

  it("the α-shift example (router-nano, 32 rows, its rollout limits) fits the browser's default budget", async () => {
    const file = JSON.parse(await readFile(join(ROOT, 'src/cli/train/examples/alpha-shift.json'), 'utf8'));
    const config = parseDecoderConfig(JSON.parse(await readFile(join(PUBLIC, 'models/router-nano-a0-warmup/config.json'), 'utf8')));
    const budget = wasmRunBudget(config);
    expect(budget).toBeGreaterThan(3 * 2 ** 30);
    for (const valueHead of [false, true]) {
      expect(checkTrainingFits({ config, trainable: { kind: 'full' }, valueHead, settings: file.rollout.settings, budgetBytes: budget, budgetLabel: 'wasm' })).toBeNull();
    }
  });
});
