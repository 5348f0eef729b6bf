/**
 * supervisedLoop with a one-parameter fake learner (L = (w − 3)², ∂L/∂w = 2(w − 3)): one event per
 * minibatch in stream order, lr from the schedule at the 0-based update, the update from
 * learner/updateStep.ts, a rejected update leaves w alone; shuffledMinibatches cuts each epoch's
 * permutation (rng.fork(String(epoch)), 'float' draw) into minibatches.
 */
import { describe, expect, it } from 'vitest';
import { createAdamWState, DEFAULT_ADAMW } from '../learner/adamw';
import type { ParamMap } from '../learner/paramMap';
import type { RolloutSequence } from '../learner/trainBatch';
import { applyUpdateStep } from '../learner/updateStep';
import { createRng } from '../math/rng';
import { permutation } from '../math/shuffle';
import { learningRate, type LrSchedule } from './schedule';
import { shuffledMinibatches, supervisedLoop, type SupervisedLearner, type SupervisedUpdateEvent } from './supervisedLoop';

function fakeLearner(nanAt: number): SupervisedLearner & { calls: number } {
  const params: ParamMap = new Map([['w', Float32Array.of(0)]]);
  const l = {
    calls: 0,
    params: () => params,
    async crossEntropyLossAndGrads() {
      const w = (params.get('w') as Float32Array)[0] as number;
      return { loss: l.calls++ === nanAt ? NaN : (w - 3) ** 2, grads: new Map([['w', Float32Array.of(2 * (w - 3))]]) };
    },
  };
  return l;
}

const seq = (n: number): RolloutSequence => ({ tokenIds: Array.from({ length: n }, (_, i) => i), policyMask: Array.from({ length: n }, (_, i) => (i > 0 ? 1 : 0)) });

describe('supervisedLoop', () => {
  it('one event per minibatch; rejected updates leave the params; the rest match applyUpdateStep', async () => {
    const learner = fakeLearner(1);
    const batches = [{ epoch: 0, sequences: [seq(3)] }, { epoch: 0, sequences: [seq(4), seq(2)] }, { epoch: 1, sequences: [seq(5)] }];
    const events: SupervisedUpdateEvent[] = [];
    const schedule: LrSchedule = { kind: 'linear', lr: 0.1, totalSteps: 3, minLr: 0 };
    for await (const e of supervisedLoop({ learner, batches, schedule, maxGradNorm: 1, adamW: DEFAULT_ADAMW, onNonFiniteParams: 'restore' })) events.push(e);
    expect(events.map((e) => [e.epoch, e.update, e.policyTokens, e.batchSize, e.seqLen, e.result.status])).toEqual([
      [0, 1, 2, 1, 3, 'applied'],
      [0, 2, 4, 2, 4, 'rejected'],
      [1, 3, 4, 1, 5, 'applied'],
    ]);
    expect(events.map((e) => e.lr)).toEqual([0, 1, 2].map((u) => learningRate(schedule, u)));
    // the same two applied updates by hand
    const w: ParamMap = new Map([['w', Float32Array.of(0)]]);
    const opt = createAdamWState(w);
    const grad = (): ParamMap => new Map([['w', Float32Array.of(2 * (((w.get('w') as Float32Array)[0] as number) - 3))]]);
    for (const lr of [learningRate(schedule, 0), learningRate(schedule, 2)]) applyUpdateStep(w, { loss: 0, grads: grad() }, opt, { maxGradNorm: 1, adamW: DEFAULT_ADAMW, lr, onNonFiniteParams: 'restore' });
    expect(learner.params()).toEqual(w);
  });

  it('shuffledMinibatches: epoch e is permutation(rng.fork(String(e)), float) cut into minibatches', () => {
    const items = Array.from({ length: 7 }, (_, i) => i * 10);
    const rng = createRng(4);
    const got = [...shuffledMinibatches(items, { epochs: 2, size: 3, rng })];
    const want = [0, 1].flatMap((epoch) => {
      const order = permutation(7, createRng(4).fork(String(epoch)), 'float').map((i) => items[i] as number);
      return [order.slice(0, 3), order.slice(3, 6), order.slice(6)].map((sequences) => ({ epoch, sequences }));
    });
    expect(got).toEqual(want);
  });
});
