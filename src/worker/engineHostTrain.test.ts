/**
 * The train.* methods across a real MessageChannel: EngineClient ↔ EngineHost ↔ a fake TrainEngine
 * (named as such; the real one needs onnxruntime-web and IndexedDB, covered by e2e/specs/train.spec.ts).
 * Events and results cross unchanged, pause reaches the running loop, errors cross as data, and a host
 * without a training runtime says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineChannels } from '../testing/workerHarness';
import type { Engine, TrainEngine, TrainRunEvent, TrainStartRequest } from '../core/index';
import { EngineClient } from './engineClient';

const channels = createEngineChannels();
afterEach(() => channels.closeAll());

/** The episode engine is not used by train.* methods. */
const UNUSED_ENGINE = {} as unknown as Engine;

function connect(train?: TrainEngine): EngineClient {
  return channels.connect(UNUSED_ENGINE, train);
}

const INFO = { id: 'r@000001', runId: 'r', step: 1, totalSteps: 5, seed: 7, reason: 'pause' as const, savedAtEpochMs: 1, tensorBytes: 12, policyName: 'tiny-router', lastReward: null };

/** A fake runtime: a run that yields steps until paused, then stores a 'pause' checkpoint. */
function createFakeTrainEngine(): TrainEngine & { paused: boolean } {
  let release: (() => void) | null = null;
  const fake = {
    paused: false,
    async *startTraining(req: TrainStartRequest): AsyncGenerator<TrainRunEvent> {
      yield { type: 'train.started', runId: req.config.runId, step: 0, totalSteps: req.config.steps, resumed: false };
      await new Promise<void>((r) => (release = r));
      yield { type: 'train.checkpointed', step: 1, reason: 'pause' };
      yield { type: 'train.stored', checkpoint: INFO };
      yield { type: 'train.finished', step: 1, status: 'aborted' };
    },
    async *resumeTraining(): AsyncGenerator<TrainRunEvent> {
      throw new Error('Checkpoint "gone" is not in this browser\'s storage');
    },
    async *stepTraining(): AsyncGenerator<TrainRunEvent> {
      yield { type: 'train.finished', step: 0, status: 'completed' };
    },
    async pauseTraining() {
      fake.paused = true;
      release?.();
      return release !== null;
    },
    listCheckpoints: async () => [INFO],
    deleteCheckpoint: async (id: string) => id === INFO.id,
    exportCheckpoint: async () => ({ fileName: 'r-step-1.checkpoint.safetensors', bytes: new Uint8Array([1, 2, 3]) }),
    importCheckpoint: async (bytes: Uint8Array) => ({ ...INFO, tensorBytes: bytes.byteLength }),
    usePolicy: async (checkpointId: string) => ({ kind: 'checkpoint' as const, checkpointId }),
  };
  return fake;
}

const REQUEST = { config: { runId: 'r', steps: 5 } } as unknown as TrainStartRequest;

describe('engine host: training', () => {
  it('streams a run; pause stops it and the stored checkpoint arrives', async () => {
    const fake = createFakeTrainEngine();
    const client = connect(fake);
    const seen: string[] = [];
    for await (const e of client.startTraining(REQUEST)) {
      seen.push(e.type);
      if (e.type === 'train.started') expect(await client.pauseTraining()).toBe(true);
      if (e.type === 'train.stored') expect(e.checkpoint).toEqual(INFO);
    }
    expect(fake.paused).toBe(true);
    expect(seen).toEqual(['train.started', 'train.checkpointed', 'train.stored', 'train.finished']);
  });

  it('checkpoint methods cross with their data (bytes included)', async () => {
    const client = connect(createFakeTrainEngine());
    expect(await client.listCheckpoints()).toEqual([INFO]);
    expect(await client.deleteCheckpoint('r@000001')).toBe(true);
    const file = await client.exportCheckpoint('r@000001');
    expect(file.fileName).toBe('r-step-1.checkpoint.safetensors');
    expect([...file.bytes]).toEqual([1, 2, 3]);
    expect((await client.importCheckpoint(new Uint8Array(9), 'x.safetensors')).tensorBytes).toBe(9);
    expect(await client.usePolicy('r@000001')).toEqual({ kind: 'checkpoint', checkpointId: 'r@000001' });
  });

  it('errors cross with their message; a host without a runtime says training needs one', async () => {
    const client = connect(createFakeTrainEngine());
    const run = async (): Promise<void> => {
      for await (const _ of client.resumeTraining({ checkpointId: 'gone' })) {
        // no events
      }
    };
    await expect(run()).rejects.toThrow(/not in this browser's storage/);
    await expect(connect().listCheckpoints()).rejects.toThrow(/no training runtime/);
  });
});
