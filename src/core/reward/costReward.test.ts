/**
 * The rolling-window cost reward (DESIGN.md §2.4 "Cost reward"). Numbers were worked by hand and
 * confirmed with numpy 2.4 (`np.percentile`, default linear method) and `cost_reward_sequence` in
 * src/cli/conformance/oracle.py; the numpy reprs are pasted next to the expectations.
 */
import { describe, expect, it } from 'vitest';
import { COST_WINDOW_SIZE, costRewardSequence, createCostWindow, percentileLinear } from './costReward';

describe('percentileLinear: np.percentile with linear interpolation', () => {
  it('interpolates between order statistics at (n − 1)·q', () => {
    // sorted [0, 2, 3, 4]: 5th at 0.15 → 0 + 2·0.15; 95th at 2.85 → 4 − 1·0.15.
    // np.percentile([0,2,3,4], 5)  → 0.30000000000000004
    // np.percentile([0,2,3,4], 95) → 3.8499999999999996
    expect(percentileLinear([0, 2, 3, 4], 0.05)).toBe(0.30000000000000004);
    expect(percentileLinear([0, 2, 3, 4], 0.95)).toBe(3.8499999999999996);
  });

  it('sorts its input first', () => {
    // sorted [0.1, 0.2, 0.3, 0.5, 0.7, 0.9]: 5th at 0.25 → 0.125; 95th at 4.75 → 0.9 − 0.2·0.25 = 0.85.
    // np.percentile(..., 5) → 0.125, np.percentile(..., 95) → 0.85
    const values = [0.1, 0.7, 0.2, 0.5, 0.9, 0.3];
    expect(percentileLinear(values, 0.05)).toBe(0.125);
    expect(percentileLinear(values, 0.95)).toBe(0.85);
  });

  it('handles two values and one value', () => {
    // np.percentile([3,1], 5) → 1.1, np.percentile([3,1], 95) → 2.9, np.percentile([7], 5) → 7.0
    expect(percentileLinear([3, 1], 0.05)).toBe(1.1);
    expect(percentileLinear([3, 1], 0.95)).toBe(2.9);
    expect(percentileLinear([7], 0.05)).toBe(7);
  });
});

describe('cost reward: x = sqrt(cost), lo/hi = 5th/95th percentile, 1 − clip((x − lo)/(hi − lo), 0, 1)', () => {
  it('gives 0.5 for a single value (min = max, so hi − lo < 1e-8)', () => {
    expect(createCostWindow().score(150.6)).toBe(0.5);
  });

  it('uses percentiles (not min/max) from two values on, so the larger value clips to 0', () => {
    // costs 0, 100 → x 0, 10; lo = 0.5, hi = 9.5; (10 − 0.5)/9 > 1 → clip 1 → reward 0.
    expect(costRewardSequence([0, 100])).toEqual([0.5, 0]);
  });

  it('clips below 0 to reward 1 for the cheapest value', () => {
    // costs 100, 0 → x 10, 0; lo = 0.5, hi = 9.5; (0 − 0.5)/9 < 0 → clip 0 → reward 1.
    expect(costRewardSequence([100, 0])).toEqual([0.5, 1]);
  });

  it('matches a hand-computed sequence on a small window', () => {
    // costs 0, 16, 4, 9, 1 → x 0, 4, 2, 3, 1.
    //  1: [0]              → 0.5
    //  2: [0,4]            lo 0.2, hi 3.8, x 4 → clipped → 0
    //  3: [0,2,4]          lo 0.2, hi 3.8, x 2 → 1 − 1.8/3.6 ≈ 0.5
    //  4: [0,2,3,4]        lo 0.3, hi 3.85, x 3 → 1 − 2.7/3.55 ≈ 0.2394
    //  5: [0,1,2,3,4]      lo 0.2, hi 3.8, x 1 → 1 − 0.8/3.6 ≈ 0.7778
    // oracle: [0.5, 0.0, 0.4999999999999999, 0.23943661971830976, 0.7777777777777777]
    // Same operation order as numpy, so the values are bit-identical.
    expect(costRewardSequence([0, 16, 4, 9, 1])).toEqual([0.5, 0, 0.4999999999999999, 0.23943661971830976, 0.7777777777777777]);
  });

  it('gives 0.5 for a constant window', () => {
    expect(costRewardSequence([4, 4, 4])).toEqual([0.5, 0.5, 0.5]);
  });

  it('shares one window across calls, in order', () => {
    const w = createCostWindow();
    expect(w.score(0)).toBe(0.5);
    expect(w.score(100)).toBe(0); // sees the 0 from the first call
    expect(w.values()).toEqual([0, 10]);
  });

  it('can resume from an initial window (a checkpoint)', () => {
    const w = createCostWindow([0, 4, 2, 3]);
    expect(w.score(1)).toBe(0.7777777777777777);
  });
});

describe('cost window: the last 1000 values', () => {
  it('holds 1000 values', () => {
    expect(COST_WINDOW_SIZE).toBe(1000);
  });

  it('drops the oldest value on the 1001st push', () => {
    const w = createCostWindow();
    for (let i = 0; i < 1001; i++) w.score(i * i); // x = i
    const values = w.values();
    expect(values).toHaveLength(1000);
    expect(values[0]).toBe(1);
    expect(values[999]).toBe(1000);
  });

  it('scores the 1001st value against the window without the first value', () => {
    // costs: 51 × 0, 949 × 4, then 1 → x: 51 × 0, 949 × 2, then 1.
    // After eviction the window is 50 × 0, one 1, 949 × 2 (1000 values):
    //   lo = lerp(s[49] = 0, s[50] = 1, 0.95) = 0.95, hi = 2 → 1 − 0.05/1.05 ≈ 0.952381.
    // Without eviction (1001 values) lo would be s[50] = 0 and the reward 0.5.
    // oracle: 0.952380952380955
    const costs = [...Array<number>(51).fill(0), ...Array<number>(949).fill(4), 1];
    const rewards = costRewardSequence(costs);
    expect(rewards[1000]).toBe(0.952380952380955);
  });

  it('keeps only the last 1000 values of an initial window', () => {
    const initial = Array.from({ length: 1200 }, (_, i) => i);
    const values = createCostWindow(initial).values();
    expect(values).toHaveLength(1000);
    expect(values[0]).toBe(200);
  });
});
