import { describe, expect, it } from 'vitest';
import { createRng } from '../core/math/rng';
import { BIGRAM_LOGITS, BIGRAM_VALUE, createFakeBigramLearner } from './fakeBigramLearner';
import { cloneParams } from '../core/learner/paramMap';
import { buildTrainInputs, tokenWeights, type TrainBatch } from '../core/learner/trainBatch';

/** A PPO-style batch over vocabulary 5 with KL, entropy and value terms all active. */
async function batchFor(learner: ReturnType<typeof createFakeBigramLearner>, seed: number): Promise<TrainBatch> {
  const rng = createRng(seed);
  const x = buildTrainInputs([
    { tokenIds: [0, 3, 1, 4, 2], policyMask: [0, 1, 1, 0, 1] },
    { tokenIds: [1, 2, 2], policyMask: [0, 1, 1] },
    { tokenIds: [4, 0, 3, 3], policyMask: [0, 0, 1, 1] },
  ]);
  const n = x.batchSize * x.seqLen;
  const lp = await learner.logProbs(x);
  const v = (await learner.values?.(x)) ?? new Float32Array(n);
  const noise = (s: number): number => s * (rng.nextFloat() - 0.5);
  return {
    ...x,
    tokenWeights: tokenWeights(x.lossMask, x.batchSize, x.seqLen, 'token-mean'),
    advantages: Float32Array.from({ length: n }, () => noise(3)),
    oldLogProbs: lp.map((l) => l + noise(0.3)),
    refLogProbs: lp.map((l) => l + noise(1)),
    returns: Float32Array.from({ length: n }, () => noise(2)),
    oldValues: v.map((u) => u + noise(0.2)),
    loss: { clipRatio: 0.2, klCoef: 0.1, entropyCoef: 0.05, valueCoef: 0.5, valueClip: 0.4 },
  };
}

describe('createFakeBigramLearner (test fake of the Learner port)', () => {
  it('its analytic gradients agree with central differences of its loss on every parameter', async () => {
    const learner = createFakeBigramLearner({ vocabSize: 5, valueHead: true, rng: createRng(5).fork('init'), initScale: 1 });
    learner.params().get(BIGRAM_VALUE)?.set([0.1, -0.2, 0.3, 0, 0.5]);
    const batch = await batchFor(learner, 9);
    const out = await learner.computeLossAndGrads(batch);
    expect(out.loss).toBeCloseTo(learner.lossAt(batch, learner.params()), 12);
    const base = learner.params();
    let checked = 0;
    for (const [name, t] of base) {
      const g = out.grads.get(name) as Float32Array;
      for (let i = 0; i < t.length; i++) {
        const plus = cloneParams(base);
        const minus = cloneParams(base);
        (plus.get(name) as Float32Array)[i] = (t[i] as number) + 1e-3;
        (minus.get(name) as Float32Array)[i] = (t[i] as number) - 1e-3;
        // The float32 step actually taken, so rounding of the perturbed value does not count as error.
        const h = ((plus.get(name) as Float32Array)[i] as number) - ((minus.get(name) as Float32Array)[i] as number);
        const fd = (learner.lossAt(batch, plus) - learner.lossAt(batch, minus)) / h;
        expect(Math.abs((g[i] as number) - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
        if (fd !== 0) checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('never touches its params; the reference policy stays the initial one', async () => {
    const learner = createFakeBigramLearner({ vocabSize: 3 });
    const x = buildTrainInputs([{ tokenIds: [0, 1], policyMask: [0, 1] }]);
    learner.params().get(BIGRAM_LOGITS)?.fill(0).set([2], 1);
    const current = await learner.logProbs(x);
    const reference = await learner.logProbs(x, { policy: 'reference' });
    expect(reference[1]).toBeCloseTo(Math.log(1 / 3), 6);
    expect(current[1]).toBeGreaterThan(reference[1] as number);
    expect(learner.probs(0)[1]).toBeCloseTo(Math.exp(current[1] as number), 6);
  });

  it('rejects an aborted call', async () => {
    const learner = createFakeBigramLearner({ vocabSize: 3 });
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(learner.logProbs(buildTrainInputs([{ tokenIds: [0, 1], policyMask: [0, 1] }]), { signal: ac.signal })).rejects.toThrow('stop');
  });
});
