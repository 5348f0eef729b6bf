/**
 * Train actions against a fake TrainEngine (named as such): the form becomes a validated request, the
 * run's events become store state (steps batched per frame), and checkpoints can be exported, used as
 * the policy and listed.
 */
import { describe, expect, it } from 'vitest';
import type { ModelRef, TrainEngine, TrainRunEvent, TrainStartRequest } from '../../core';
import { createAppStore } from '../store/appStore';
import { checkpointInfo, stepMetrics } from '../testing/trainFixtures';
import { createTrainActions, trainConfigFromForm, trainFormErrors } from './trainActions';
import { DEFAULT_TRAIN_FORM } from '../store/trainSlice';

function createFakeTrainEngine(events: TrainRunEvent[]) {
  const calls: { method: string; arg?: unknown }[] = [];
  const stream = (method: string, arg: unknown): AsyncIterable<TrainRunEvent> => {
    calls.push({ method, arg });
    return (async function* () {
      yield* events;
    })();
  };
  const engine: TrainEngine = {
    startTraining: (req) => stream('start', req),
    resumeTraining: (req) => stream('resume', req),
    stepTraining: (req) => stream('step', req),
    pauseTraining: async () => (calls.push({ method: 'pause' }), true),
    listCheckpoints: async () => [checkpointInfo('run-1@000002', 2)],
    deleteCheckpoint: async () => true,
    exportCheckpoint: async (id) => ({ fileName: `${id}.checkpoint.safetensors`, bytes: new Uint8Array([1, 2]) }),
    importCheckpoint: async () => checkpointInfo('imp@000001', 1),
    usePolicy: async (checkpointId): Promise<ModelRef> => ({ kind: 'checkpoint', checkpointId }),
  };
  return { engine, calls };
}

const RUN: TrainRunEvent[] = [
  { type: 'train.device', device: { ep: 'wasm', adapterInfo: null, shaderF16: null, threads: 1, fallbackReason: null }, note: 'wasm, 1 thread' },
  { type: 'train.started', runId: 'run-1', step: 0, totalSteps: 2, resumed: false },
  { type: 'train.step', metrics: stepMetrics(1), samples: [] },
  { type: 'train.step', metrics: stepMetrics(2), samples: [] },
  { type: 'train.checkpointed', step: 2, reason: 'end' },
  { type: 'train.stored', checkpoint: checkpointInfo('run-1@000002', 2, { reason: 'end' }) },
  { type: 'train.finished', step: 2, status: 'completed' },
];

function setup(events = RUN) {
  const store = createAppStore();
  const fake = createFakeTrainEngine(events);
  const frames: (() => void)[] = [];
  const saved: string[] = [];
  const loaded: ModelRef[] = [];
  const actions = createTrainActions({
    engine: fake.engine,
    store,
    dataRoot: 'http://app/data/',
    baseUrl: 'http://app/',
    loadModel: async (ref) => (loaded.push(ref), null),
    newRunId: () => 'run-1',
    saveFile: (name) => saved.push(name),
    schedule: (f) => frames.push(f),
  });
  return { store, actions, ...fake, frames, saved, loaded };
}

describe('train actions', () => {
  it('the form maps onto TrainConfig and core validation', () => {
    const cfg = trainConfigFromForm({ ...DEFAULT_TRAIN_FORM, groupSize: 3, batch: 2, lr: 0.001, klCoef: 0.01 }, 'r');
    expect(cfg).toMatchObject({ runId: 'r', algorithm: 'grpo', groupSize: 3, questionsPerStep: 2, minibatchSize: 6, schedule: { kind: 'constant', lr: 0.001 }, loss: { klCoef: 0.01, clipRatio: 0.2 } });
    expect(trainConfigFromForm({ ...DEFAULT_TRAIN_FORM, algorithm: 'ppo' }, 'r').algorithm).toBe('ppo');
    // PPO has a critic: one rollout per question is allowed (GRPO needs a group).
    expect(trainFormErrors({ ...DEFAULT_TRAIN_FORM, algorithm: 'ppo', groupSize: 1 }, null, '')).toEqual([]);
    expect(trainFormErrors(DEFAULT_TRAIN_FORM, null, '')).toEqual([]);
    expect(trainFormErrors({ ...DEFAULT_TRAIN_FORM, groupSize: 1, alpha: 2 }, null, '').join(' ')).toMatch(/GRPO needs groupSize ≥ 2.*alpha must lie in \[0, 1\]/);
    expect(trainFormErrors({ ...DEFAULT_TRAIN_FORM, policy: 'loaded' }, null, '')).toEqual(['No model is loaded: load one in "Model policy", or train the tiny-router.']);
  });

  it('start sends the run setup and feeds the events into the store', async () => {
    const { store, actions, calls, frames } = setup();
    await actions.startTraining();
    const req = calls[0]?.arg as TrainStartRequest;
    expect(req).toMatchObject({ policy: { kind: 'embedded', name: 'tiny-router', baseUrl: 'http://app/' }, preferredDevice: 'wasm', dataRoot: 'http://app/data/', config: { runId: 'run-1', seed: 7 } });
    const s = store.getState();
    expect(s).toMatchObject({ trainStatus: 'completed', trainStep: 2, trainRunId: 'run-1', trainDevice: { note: 'wasm, 1 thread' } });
    expect(s.trainPoints.map((p) => p.step)).toEqual([1, 2]); // flushed by train.finished
    expect(s.trainCheckpoints.map((c) => c.id)).toEqual(['run-1@000002']);
    expect(frames.length).toBe(1); // one frame was asked for the two steps
  });

  it("the rollouts sample at the form's temperature (top-p / top-k from the run's sampling); 0 is refused", async () => {
    const { store, actions, calls } = setup();
    store.getState().setRunConfig({ ...store.getState().runConfig, sampling: { ...store.getState().runConfig.sampling, temperature: 0.3, topP: 0.9 } });
    store.getState().setTrainForm({ temperature: 1 });
    await actions.startTraining();
    expect((calls[0]?.arg as TrainStartRequest).sampling).toEqual({ temperature: 1, topP: 0.9, topK: 0 });
    expect(trainFormErrors({ ...DEFAULT_TRAIN_FORM, temperature: 0 }, null, '').join(' ')).toMatch(/temperature must be > 0/);
  });

  it('an invalid form starts nothing and says why', async () => {
    const { store, actions, calls } = setup();
    store.getState().setTrainForm({ groupSize: 1 });
    await actions.startTraining();
    expect(calls).toEqual([]);
    expect(store.getState().trainError).toMatch(/GRPO needs groupSize/);
  });

  it('single step resumes the selected checkpoint; resume and pause reach the engine', async () => {
    const { store, actions, calls } = setup();
    store.getState().setTrainCheckpoints([checkpointInfo('run-1@000002', 2)]);
    await actions.stepTraining();
    expect(calls[0]).toMatchObject({ method: 'step', arg: { kind: 'resume', resume: { checkpointId: 'run-1@000002' } } });
    await actions.resumeTraining();
    expect(calls[1]).toMatchObject({ method: 'resume', arg: { checkpointId: 'run-1@000002', dataRoot: 'http://app/data/' } });
    await actions.pauseTraining();
    expect(calls[2]).toEqual({ method: 'pause' });
  });

  it('a failing run reports its error', async () => {
    const store = createAppStore();
    const engine = createFakeTrainEngine([]).engine;
    engine.startTraining = () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('boom')) }) });
    const actions = createTrainActions({ engine, store, dataRoot: 'd', baseUrl: 'b', loadModel: async () => null, schedule: (f) => f() });
    await actions.startTraining();
    expect(store.getState()).toMatchObject({ trainStatus: 'failed', trainError: 'boom' });
  });

  it('export saves the file; use as policy switches to the model mode and loads the checkpoint ref', async () => {
    const { store, actions, saved, loaded } = setup();
    await actions.exportTrainCheckpoint('run-1@000002');
    expect(saved).toEqual(['run-1@000002.checkpoint.safetensors']);
    await actions.useCheckpointAsPolicy('run-1@000002');
    expect(store.getState().mode).toBe('model');
    expect(loaded).toEqual([{ kind: 'checkpoint', checkpointId: 'run-1@000002' }]);
  });
});
