import { describe, expect, it } from 'vitest';
import { broadcastToTokens, gaeAdvantages, grpoAdvantages, maskedWhiten, terminalRewards } from './advantages';

describe('grpoAdvantages', () => {
  it('normalises by the group mean and the unbiased std (verl torch.std), eps 1e-6', () => {
    // mean 0.5; unbiased std = sqrt((4 · 0.25) / 3) = sqrt(1/3)
    const a = grpoAdvantages([1, 0, 0, 1], ['q', 'q', 'q', 'q']);
    const s = Math.sqrt(1 / 3) + 1e-6;
    expect(Array.from(a)).toEqual([0.5 / s, -0.5 / s, -0.5 / s, 0.5 / s]);
    expect(a[0]).toBeCloseTo(0.8660239, 6);
  });

  it('groups independently; a one-rollout group gets mean 0 and std 1 (A = r / (1 + eps)), as verl', () => {
    const a = grpoAdvantages([2, 4, 0.7, -1, -1], [0, 0, 1, 2, 2]);
    const s = Math.SQRT2 + 1e-6; // unbiased std of {2, 4}
    expect(a[0]).toBeCloseTo(-1 / s, 12);
    expect(a[1]).toBeCloseTo(1 / s, 12);
    expect(a[2]).toBeCloseTo(0.7 / (1 + 1e-6), 12);
    expect([a[3], a[4]]).toEqual([0, 0]); // equal rewards: no signal
  });

  it('Dr. GRPO variant: mean-centred only', () => {
    expect(Array.from(grpoAdvantages([1, 0, 0, 0], [0, 0, 0, 0], { eps: 1e-6, normalizeStd: false }))).toEqual([0.75, -0.25, -0.25, -0.25]);
  });

  it('broadcasts one value per rollout onto its masked tokens only', () => {
    const mask = Uint8Array.of(0, 1, 1, 0, 0, 0, 1, 0);
    expect(Array.from(broadcastToTokens([2, -1], mask, 2, 4))).toEqual([0, 2, 2, 0, 0, 0, -1, 0]);
  });
});

describe('gaeAdvantages', () => {
  it('γ = λ = 1 (reference): A_t = R − V_t at every policy token, observation tokens skipped', () => {
    // One row: prompt, two policy tokens, an observation, one policy token; reward 1 on the last policy token.
    const mask = Uint8Array.of(0, 1, 1, 0, 1);
    const values = [9, 0.2, 0.4, 9, 0.7]; // masked values must not leak into the recursion
    const rewards = terminalRewards([1], mask, 1, 5);
    expect(Array.from(rewards)).toEqual([0, 0, 0, 0, 1]);
    const { advantages, returns } = gaeAdvantages({ rewards, values, mask, batchSize: 1, seqLen: 5, gamma: 1, lambda: 1 });
    expect(Array.from(advantages).map((x) => +x.toFixed(12))).toEqual([0, 0.8, 0.6, 0, 0.3]);
    expect(Array.from(returns).map((x) => +x.toFixed(12))).toEqual([0, 1, 1, 0, 1]);
  });

  it('γ = 0.9, λ = 0.8 by hand over a row with a skipped observation', () => {
    const mask = Uint8Array.of(1, 0, 1, 1);
    const values = [0.5, 100, 0.2, 0.1];
    const rewards = [0.1, 0, 0, 1];
    // t=3: δ = 1 − 0.1 = 0.9;                 A3 = 0.9
    // t=2: δ = 0 + 0.9·0.1 − 0.2 = −0.11;     A2 = −0.11 + 0.72·0.9 = 0.538
    // t=0: δ = 0.1 + 0.9·0.2 − 0.5 = −0.22;   A0 = −0.22 + 0.72·0.538 = 0.16736
    const { advantages, returns } = gaeAdvantages({ rewards, values, mask, batchSize: 1, seqLen: 4, gamma: 0.9, lambda: 0.8 });
    expect(advantages[3]).toBeCloseTo(0.9, 12);
    expect(advantages[2]).toBeCloseTo(0.538, 12);
    expect(advantages[1]).toBe(0);
    expect(advantages[0]).toBeCloseTo(0.16736, 12);
    expect(returns[0]).toBeCloseTo(0.66736, 12);
  });

  it('rows are independent', () => {
    const mask = Uint8Array.of(1, 1, 1, 1);
    const { advantages } = gaeAdvantages({ rewards: [0, 1, 0, 2], values: [0, 0, 0, 0], mask, batchSize: 2, seqLen: 2, gamma: 1, lambda: 1 });
    expect(Array.from(advantages)).toEqual([1, 1, 2, 2]);
  });
});

describe('maskedWhiten', () => {
  it('zero mean and unit unbiased variance over the mask; masked entries 0', () => {
    const x = [1, 2, 100, 3, 4];
    const mask = Uint8Array.of(1, 1, 0, 1, 1);
    const w = maskedWhiten(x, mask);
    const kept = [w[0], w[1], w[3], w[4]] as number[];
    expect(kept.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(kept.reduce((a, b) => a + b * b, 0) / 3).toBeCloseTo(1, 6);
    expect(w[2]).toBe(0);
  });
});
