/**
 * The hierarchical training reward (DESIGN.md §2.4 "Total"): format −1 → −1; no answer or EM 0 → 0;
 * EM 1 → (1 − α) + α·cost_reward. Cost is paid only on correct answers.
 */
import { describe, expect, it } from 'vitest';
import { scoreCompletion, totalReward, type RewardInput } from './total';

const correct = '<think>easy</think><answer>Paris</answer>';
const wrong = '<think>easy</think><answer>Lyon</answer>';
const gold = ['Paris', 'Paris, France'];

const input = (over: Partial<RewardInput>): RewardInput => ({
  completion: correct,
  goldAnswers: gold,
  alpha: 0,
  costReward: 0.5,
  ...over,
});

describe('total reward: format −1 → −1', () => {
  it('beats a correct answer (trailing text after </answer>)', () => {
    const b = scoreCompletion(input({ completion: `${correct} bye` }));
    expect(b.em).toBe(1);
    expect(b.format).toBe(-1);
    expect(b.total).toBe(-1);
  });

  it('also applies with α > 0 and a perfect cost reward', () => {
    expect(totalReward(input({ completion: `${correct} bye`, alpha: 0.9, costReward: 1 }))).toBe(-1);
  });
});

describe('total reward: no answer or EM 0 → 0', () => {
  it('gives 0 for a wrong answer in a valid format', () => {
    const b = scoreCompletion(input({ completion: wrong }));
    expect(b.format).toBe(0);
    expect(b.em).toBe(0);
    expect(b.total).toBe(0);
  });

  it('records no answer as null with EM 0 and F1 0 (rule 5 makes such a completion −1 overall)', () => {
    // A completion without an answer block always breaks format rule 5 (answers ≠ 1), so the
    // "no answer → 0" branch is dominated by the format check.
    const b = scoreCompletion(input({ completion: '<think>hmm</think>' }));
    expect(b.answer).toBeNull();
    expect(b.em).toBe(0);
    expect(b.f1).toBe(0);
    expect(b.total).toBe(-1);
  });
});

describe('total reward: EM 1 → (1 − α) + α·cost_reward', () => {
  it('is 1 with α = 0 whatever the cost reward', () => {
    expect(totalReward(input({ alpha: 0, costReward: 0 }))).toBe(1);
    expect(totalReward(input({ alpha: 0, costReward: 1 }))).toBe(1);
  });

  it('is 0.3 + 0.7·0.25 = 0.475 with α = 0.7 and cost reward 0.25', () => {
    expect(totalReward(input({ alpha: 0.7, costReward: 0.25 }))).toBeCloseTo(0.475, 12);
  });

  it('pays cost only on correct answers: EM 0 stays 0 with α = 0.9 and cost reward 1', () => {
    expect(totalReward(input({ completion: wrong, alpha: 0.9, costReward: 1 }))).toBe(0);
  });

  it('matches on any gold answer after normalisation', () => {
    const b = scoreCompletion(input({ completion: '<think>x</think><answer> paris, FRANCE. </answer>' }));
    expect(b.answer).toBe('paris, FRANCE.');
    expect(b.em).toBe(1);
    expect(b.total).toBe(1);
  });
});

describe('scoreCompletion: the breakdown', () => {
  it('reports every part and defaults to the EM metric', () => {
    expect(scoreCompletion(input({ alpha: 0.7, costReward: 0.25 }))).toEqual({
      format: 0,
      answer: 'Paris',
      em: 1,
      f1: 1,
      outcome: 1,
      costReward: 0.25,
      alpha: 0.7,
      metric: 'em',
      total: expect.closeTo(0.475, 12),
    });
  });

  it('with the F1 option uses s > 0 → (1 − α)·s + α·r_cost', () => {
    // "paris france" vs gold "paris": common 1, P = 1/2, R = 1 → F1 = 2/3; EM is 0.
    const b = scoreCompletion({
      completion: '<think>x</think><answer>Paris France</answer>',
      goldAnswers: ['Paris'],
      alpha: 0.5,
      costReward: 0.4,
      metric: 'f1',
    });
    expect(b.em).toBe(0);
    expect(b.f1).toBe(2 / 3);
    expect(b.total).toBeCloseTo(0.5 * (2 / 3) + 0.5 * 0.4, 12);
  });
});
