import { describe, expect, it } from 'vitest';
import { buildTrainInputs, selectRows, sliceTrainBatch, tokenWeights, TrainBatchError, type TrainBatch } from './trainBatch';

describe('buildTrainInputs', () => {
  it('right-pads to the longest sequence; position 0 and padding are never trained', () => {
    const x = buildTrainInputs([
      { tokenIds: [5, 6, 7], policyMask: [1, 1, 0] },
      { tokenIds: [8, 9], policyMask: [0, 1] },
    ]);
    expect([x.batchSize, x.seqLen]).toEqual([2, 3]);
    expect(Array.from(x.inputIds)).toEqual([5, 6, 7, 8, 9, 0]);
    expect(Array.from(x.attentionMask)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(Array.from(x.lossMask)).toEqual([0, 1, 0, 0, 1, 0]);
  });

  it('rejects a mask of the wrong length', () => {
    expect(() => buildTrainInputs([{ tokenIds: [1, 2], policyMask: [1] }])).toThrow(TrainBatchError);
  });
});

describe('tokenWeights', () => {
  const mask = Uint8Array.of(0, 1, 1, 1, 0, 1, 0, 0);
  it('token-mean: every token the same weight', () => {
    expect(Array.from(tokenWeights(mask, 2, 4, 'token-mean'))).toEqual([0, 0.25, 0.25, 0.25, 0, 0.25, 0, 0]);
  });
  it('seq-mean-token-mean: every rollout the same weight', () => {
    const w = tokenWeights(mask, 2, 4, 'seq-mean-token-mean');
    expect(Array.from(w).map((x) => +x.toFixed(6))).toEqual([0, 0.166667, 0.166667, 0.166667, 0, 0.5, 0, 0]);
  });
  it('an empty mask gives zero weights', () => {
    expect(Array.from(tokenWeights(new Uint8Array(4), 1, 4, 'token-mean'))).toEqual([0, 0, 0, 0]);
  });
});

describe('slicing', () => {
  it('selects rows and renormalises the weights over the minibatch', () => {
    expect(Array.from(selectRows(Int32Array.of(1, 2, 3, 4, 5, 6), 2, [2, 0]))).toEqual([5, 6, 1, 2]);
    const x = buildTrainInputs([
      { tokenIds: [1, 2], policyMask: [0, 1] },
      { tokenIds: [3, 4], policyMask: [0, 1] },
    ]);
    const full: TrainBatch = {
      ...x,
      tokenWeights: tokenWeights(x.lossMask, 2, 2, 'token-mean'),
      advantages: Float32Array.of(0, 1, 0, 2),
      oldLogProbs: new Float32Array(4),
      refLogProbs: null,
      returns: null,
      oldValues: null,
      loss: { clipRatio: 0.2, klCoef: 0, entropyCoef: 0, valueCoef: 0, valueClip: 0.5 },
    };
    const mb = sliceTrainBatch(full, [1], 'token-mean');
    expect(mb.batchSize).toBe(1);
    expect(Array.from(mb.advantages)).toEqual([0, 2]);
    expect(Array.from(mb.tokenWeights)).toEqual([0, 1]);
  });
});
