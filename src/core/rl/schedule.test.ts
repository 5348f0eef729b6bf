import { describe, expect, it } from 'vitest';
import { checkLrSchedule, learningRate } from './schedule';

describe('learningRate', () => {
  it('constant, with a linear warmup that already moves at step 0', () => {
    const s = { kind: 'constant', lr: 0.1, warmupSteps: 4 } as const;
    expect([0, 1, 2, 3, 4, 100].map((t) => +learningRate(s, t).toFixed(12))).toEqual([0.025, 0.05, 0.075, 0.1, 0.1, 0.1]);
  });

  it('cosine: lr at the end of warmup, the midpoint halfway, minLr at and after totalSteps', () => {
    const s = { kind: 'cosine', lr: 1, warmupSteps: 10, totalSteps: 110, minLr: 0.1 } as const;
    expect(learningRate(s, 10)).toBeCloseTo(1, 12);
    expect(learningRate(s, 60)).toBeCloseTo(0.55, 12);
    expect(learningRate(s, 110)).toBeCloseTo(0.1, 12);
    expect(learningRate(s, 500)).toBeCloseTo(0.1, 12);
  });

  it('linear decay', () => {
    const s = { kind: 'linear', lr: 1, totalSteps: 4 } as const;
    expect([0, 1, 2, 3, 4, 5].map((t) => +learningRate(s, t).toFixed(12))).toEqual([1, 0.75, 0.5, 0.25, 0, 0]);
  });

  it('is a pure function of the step', () => {
    const s = { kind: 'cosine', lr: 3e-4, warmupSteps: 5, totalSteps: 50 } as const;
    expect(learningRate(s, 17)).toBe(learningRate(s, 17));
  });

  it('validation says what is wrong', () => {
    expect(checkLrSchedule({ kind: 'constant', lr: 0 })).toHaveLength(1);
    expect(checkLrSchedule({ kind: 'cosine', lr: 1, totalSteps: 0, minLr: 2 })).toHaveLength(2);
    expect(checkLrSchedule({ kind: 'linear', lr: 1, totalSteps: 10 })).toEqual([]);
  });
});
