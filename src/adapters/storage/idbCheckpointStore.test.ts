/**
 * The browser checkpoint store's logic over an in-memory fake of its storage interface (CheckpointKv):
 * packing, the latest checkpoint of a run, listing, deleting, the export file round trip. The real
 * IndexedDB is covered by e2e/specs/train.spec.ts (pause, reload, resume).
 */
import { describe, expect, it } from 'vitest';
import { createAdamWState } from '../../core/learner/adamw';
import { TRAIN_CHECKPOINT_VERSION, type TrainCheckpoint } from '../../core/rl/checkpointStore';
import { createTrainConfig } from '../../core/rl/trainConfig';
import { createRng } from '../../core/math/rng';
import type { TrainRunSetup } from '../../core/engine';
import { CheckpointFileError, checkpointFileName, readCheckpointFile, writeCheckpointFile } from './checkpointFile';
import { checkpointId, createBrowserCheckpointStore, CheckpointNotFoundError, packTensors, unpackTensors, type CheckpointKv, type StoredCheckpointMeta, type StoredCheckpointTensors } from './idbCheckpointStore';

/** An in-memory fake of the IndexedDB tables (structuredClone, as IndexedDB stores copies). */
function createInMemoryCheckpointKvFake(): CheckpointKv & { puts: number } {
  const meta = new Map<string, StoredCheckpointMeta>();
  const tensors = new Map<string, StoredCheckpointTensors>();
  const kv = {
    puts: 0,
    async put(m: StoredCheckpointMeta, t: StoredCheckpointTensors) {
      kv.puts++;
      meta.set(m.id, structuredClone(m));
      tensors.set(m.id, structuredClone(t));
    },
    getMeta: async (id: string) => (meta.has(id) ? structuredClone(meta.get(id)) : undefined),
    getTensors: async (id: string) => (tensors.has(id) ? structuredClone(tensors.get(id)) : undefined),
    listMeta: async () => [...meta.values()].map((m) => structuredClone(m)),
    async delete(id: string) {
      tensors.delete(id);
      return meta.delete(id);
    },
  };
  return kv;
}

const SETUP: TrainRunSetup = { policy: { kind: 'embedded', name: 'tiny-router', baseUrl: 'http://x/' }, preferredDevice: 'wasm', settings: { maxTurns: 2, maxPromptTokens: 160, maxNewTokens: 24, maxObservationTokens: 48, maxContextTokens: 400, invalidActionNotice: false }, sampling: { temperature: 1, topP: 1, topK: 0 } };

function checkpoint(runId: string, step: number, reason: TrainCheckpoint['reason'] = 'interval'): TrainCheckpoint {
  const params = new Map([
    ['a.weight', Float32Array.from([1, 2, 3])],
    ['b.weight', Float32Array.from([step, -0.5])],
  ]);
  const optimizer = createAdamWState(params);
  optimizer.step = step;
  optimizer.m.get('a.weight')?.set([0.1, 0.2, 0.3]);
  optimizer.v.get('b.weight')?.set([4, 5]);
  const rng = createRng(7).fork('train.questions');
  rng.nextFloat();
  return { version: TRAIN_CHECKPOINT_VERSION, runId, seed: 7, step, config: createTrainConfig({ runId, seed: 7, steps: 10 }), params, optimizer, rng: { questions: rng.snapshot() }, costWindow: [1, 2.5], metrics: [], reason, savedAtMs: 123 };
}

describe('idbCheckpointStore', () => {
  it('packs tensors into one buffer and back, in order', () => {
    const map = new Map([['x', Float32Array.from([1, 2])], ['y', Float32Array.from([3])], ['z', new Float32Array(0)]]);
    const packed = packTensors(map);
    expect(packed).toMatchObject({ names: ['x', 'y', 'z'], lengths: [2, 1, 0] });
    expect(packed.buffer.byteLength).toBe(12);
    expect(unpackTensors(packed)).toEqual(map);
  });

  it('saves a run’s checkpoints and loads the latest one exactly (weights, optimizer, rng, window)', async () => {
    let clock = 1000;
    const kv = createInMemoryCheckpointKvFake();
    const saved: string[] = [];
    const store = createBrowserCheckpointStore(kv, { wallClockMs: () => clock++ });
    const port = store.forRun(SETUP, (info) => saved.push(info.id));
    await port.save(checkpoint('run-a', 2));
    await port.save(checkpoint('run-b', 9));
    await port.save(checkpoint('run-a', 4, 'pause'));
    expect(saved).toEqual(['run-a@000002', 'run-b@000009', 'run-a@000004']);
    const latest = await port.load('run-a');
    expect(latest).toEqual(checkpoint('run-a', 4, 'pause'));
    expect(await port.load('nope')).toBeUndefined();
    const list = await store.list();
    expect(list.map((c) => c.id)).toEqual(['run-a@000004', 'run-b@000009', 'run-a@000002']);
    expect(list[0]).toMatchObject({ runId: 'run-a', step: 4, totalSteps: 10, reason: 'pause', policyName: 'tiny-router', tensorBytes: 5 * 4 * 3, lastReward: null });
    expect((await store.get('run-a@000004')).setup).toEqual(SETUP);
  });

  it('a save at the same step replaces the checkpoint; delete removes both tables', async () => {
    const kv = createInMemoryCheckpointKvFake();
    const store = createBrowserCheckpointStore(kv, { wallClockMs: () => 1 });
    await store.put(checkpoint('r', 3), SETUP);
    await store.put(checkpoint('r', 3, 'pause'), SETUP);
    expect((await store.list()).map((c) => [c.id, c.reason])).toEqual([['r@000003', 'pause']]);
    expect(await store.delete(checkpointId('r', 3))).toBe(true);
    expect(await store.delete(checkpointId('r', 3))).toBe(false);
    await expect(store.get('r@000003')).rejects.toBeInstanceOf(CheckpointNotFoundError);
    expect(await kv.getTensors('r@000003')).toBeUndefined();
  });

  it('the stored meta never aliases the live run', async () => {
    const kv = createInMemoryCheckpointKvFake();
    const store = createBrowserCheckpointStore(kv, { wallClockMs: () => 1 });
    const c = checkpoint('r', 1);
    await store.put(c, SETUP);
    c.params.get('a.weight')?.fill(99);
    c.costWindow.push(42);
    const back = (await store.get('r@000001')).checkpoint;
    expect([...(back.params.get('a.weight') ?? [])]).toEqual([1, 2, 3]);
    expect(back.costWindow).toEqual([1, 2.5]);
  });
});

describe('checkpointFile', () => {
  it('round-trips a checkpoint and its run setup through one safetensors file', () => {
    const c = checkpoint('my run/1', 5, 'pause');
    const bytes = writeCheckpointFile(c, SETUP);
    expect(checkpointFileName(c)).toBe('my_run_1-step-5.checkpoint.safetensors');
    const back = readCheckpointFile(bytes);
    expect(back.checkpoint).toEqual(c);
    expect(back.setup).toEqual(SETUP);
  });

  it('refuses other files with a message that says what to do', () => {
    expect(() => readCheckpointFile(new Uint8Array(3), 'x.bin')).toThrow(CheckpointFileError);
    expect(() => readCheckpointFile(new TextEncoder().encode('\u0004\0\0\0\0\0\0\0{}  '), 'w.safetensors')).toThrow(/not a training checkpoint/);
    const bytes = writeCheckpointFile(checkpoint('r', 1), SETUP);
    expect(() => readCheckpointFile(bytes.subarray(0, bytes.byteLength - 4), 'cut.safetensors')).toThrow(/truncated/);
  });
});
