import { describe, expect, it } from 'vitest';
import { bladeRunnerFixture, edgeCaseFixture, fixtureRound } from '../testing/trajectoryFixtures';
import { buildSteps, roundStages } from './steps';

describe('roundStages', () => {
  it('reveals think → route → reply for a route that was called', () => {
    const round = fixtureRound(0, '<think>x</think><search> Qwen: q </search>', { reply: 'r', poolIndex: 0 });
    expect(roundStages(round)).toEqual(['think', 'route', 'reply']);
  });

  it('has no reply for a route on the final, routing-disabled turn (no call was made)', () => {
    const round = fixtureRound(4, '<think>x</think><search> Qwen: q </search>', undefined, false);
    expect(roundStages(round)).toEqual(['think', 'route']);
  });

  it('reveals think → answer and think → invalid', () => {
    expect(roundStages(fixtureRound(0, '<think>x</think><answer>y</answer>'))).toEqual(['think', 'answer']);
    expect(roundStages(fixtureRound(0, '<think>x</think> no tags'))).toEqual(['think', 'invalid']);
  });
});

describe('buildSteps', () => {
  it('flattens the rounds in order', () => {
    const steps = buildSteps(bladeRunnerFixture());
    expect(steps.map((s) => `${s.round}:${s.stage}`)).toEqual([
      '0:think', '0:route', '0:reply',
      '1:think', '1:route', '1:reply',
      '2:think', '2:answer',
    ]);
  });

  it('keeps a reply step for an unknown model (the call is recorded with its error)', () => {
    const steps = buildSteps(edgeCaseFixture());
    expect(steps.filter((s) => s.round === 0).map((s) => s.stage)).toEqual(['think', 'route', 'reply']);
    expect(steps.filter((s) => s.round === 1).map((s) => s.stage)).toEqual(['think', 'invalid']);
  });
});
