import { describe, expect, it } from 'vitest';
import { aggregationOf, escalationOf, isAlphaContrast, isMultiRound, isOneCall, pickDemos } from './pickDemos';
import { answer, CANNOT_HELP, LARGE, QWEN, route, scriptedEpisode, SMALL } from './demoFixtures';

const AGREE = { [SMALL]: 'The answer is **Frank Herbert**.', [LARGE]: 'Based on what I know, it is **Frank Herbert**.', [QWEN]: 'The answer is **Isaac Asimov**.' };

describe('demo category pickers', () => {
  it('finds an escalation: a cannot-help reply, then another model that states an answer', async () => {
    const t = await scriptedEpisode('esc', [route(SMALL), route(LARGE), answer('Frank Herbert')], { [SMALL]: CANNOT_HELP, [LARGE]: AGREE[LARGE] });
    expect(escalationOf(t)).toEqual({ from: SMALL, to: LARGE });
    expect(isMultiRound(t)).toBe(true);
    expect(aggregationOf(t)).toBeUndefined(); // only one reply states an answer
  });

  it('does not call a cannot-help followed by the same model, or by another refusal, an escalation', async () => {
    const same = await scriptedEpisode('same', [route(SMALL), route(SMALL), answer('Frank Herbert')], { [SMALL]: CANNOT_HELP });
    expect(escalationOf(same)).toBeUndefined();
    const refusals = await scriptedEpisode('ref', [route(SMALL), route(LARGE), answer('Frank Herbert')], { [SMALL]: CANNOT_HELP, [LARGE]: CANNOT_HELP });
    expect(escalationOf(refusals)).toBeUndefined();
  });

  it('finds an aggregation only when two models agree with each other and with the answer', async () => {
    const agree = await scriptedEpisode('agg', [route(SMALL), route(LARGE), answer('frank herbert')], AGREE);
    expect(aggregationOf(agree)).toEqual({ models: [SMALL, LARGE], answer: 'frank herbert' });
    const disagree = await scriptedEpisode('dis', [route(QWEN), route(LARGE), answer('Frank Herbert')], AGREE);
    expect(aggregationOf(disagree)).toBeUndefined();
    const otherAnswer = await scriptedEpisode('oth', [route(SMALL), route(LARGE), answer('Isaac Asimov')], AGREE);
    expect(aggregationOf(otherAnswer)).toBeUndefined();
    const sameModelTwice = await scriptedEpisode('twice', [route(SMALL), route(SMALL), answer('Frank Herbert')], AGREE);
    expect(aggregationOf(sameModelTwice)).toBeUndefined();
  });

  it('tells one call from multi-round, and needs an answer for both', async () => {
    const one = await scriptedEpisode('one', [route(LARGE), answer('Frank Herbert')], AGREE);
    expect(isOneCall(one)).toBe(true);
    expect(isMultiRound(one)).toBe(false);
    const unanswered = await scriptedEpisode('none', [route(SMALL), route(LARGE), route(QWEN), route(SMALL), 'no answer here'], AGREE);
    expect(unanswered.status).not.toBe('answered');
    expect(isMultiRound(unanswered)).toBe(false);
    const refused = await scriptedEpisode('refused', [route(SMALL), answer('Frank Herbert')], { [SMALL]: CANNOT_HELP });
    expect(isOneCall(refused)).toBe(false);
  });

  it('contrasts two runs only when routes and costs differ', async () => {
    const a = await scriptedEpisode('a', [route(SMALL), route(LARGE), answer('Frank Herbert')], AGREE, 0);
    const b = await scriptedEpisode('b', [route(SMALL), answer('Frank Herbert')], AGREE, 0.8);
    expect(isAlphaContrast(a, b)).toBe(true);
    expect(isAlphaContrast(b, b)).toBe(false);
  });

  it('picks one entry per category, never reusing an episode, in category order; reports what is missing', async () => {
    const a0 = [
      await scriptedEpisode('a0-1', [route(SMALL), route(LARGE), answer('Frank Herbert')], AGREE, 0), // aggregation
      await scriptedEpisode('a0-2', [route(SMALL), route(LARGE), answer('Frank Herbert')], { [SMALL]: CANNOT_HELP, [LARGE]: AGREE[LARGE] }, 0), // escalation
      await scriptedEpisode('a0-3', [route(LARGE), answer('Frank Herbert')], AGREE, 0), // one call
    ];
    const a08 = [
      await scriptedEpisode('a08-1', [route(SMALL), answer('Frank Herbert')], AGREE, 0.8), // differs from a0-1
      await scriptedEpisode('a08-2', [route(SMALL), route(LARGE), answer('Frank Herbert')], { [SMALL]: CANNOT_HELP, [LARGE]: AGREE[LARGE] }, 0.8),
      await scriptedEpisode('a08-3', [route(LARGE), answer('Frank Herbert')], AGREE, 0.8),
    ];
    // Question ids must match across variants for the α comparison.
    for (const [i, t] of a08.entries()) t.question.id = a0[i]?.question.id ?? '';
    const runs = [
      { variant: 'router-nano-a0', alpha: 0, trajectories: a0 },
      { variant: 'router-nano-a08', alpha: 0.8, trajectories: a08 },
    ];
    const picked = pickDemos(runs);
    expect(picked.entries.map((e) => [e.category, e.variant, e.trajectory.id, e.compare?.trajectory.id])).toEqual([
      ['multi-round', 'router-nano-a08', 'a08-2', undefined],
      ['escalation', 'router-nano-a0', 'a0-2', undefined],
      ['alpha-compare', 'router-nano-a0', 'a0-1', 'a08-1'],
      ['one-call', 'router-nano-a0', 'a0-3', undefined],
    ]);
    expect(picked.missing).toEqual(['aggregation']); // its only episode (a0-1) went to the α comparison
    const compare = picked.entries.find((e) => e.category === 'alpha-compare');
    expect(compare?.compare).toMatchObject({ variant: 'router-nano-a08', alpha: 0.8 });
    for (const e of picked.entries) expect(e.description).not.toContain('\n');
    expect(pickDemos(runs)).toEqual(picked); // deterministic
  });

  it('prefers, among wrong answers, an episode where some reply states an answer over one of refusals only', async () => {
    const refusals = await scriptedEpisode('r', [route(SMALL), route(LARGE), answer('unknown')], { [SMALL]: CANNOT_HELP, [LARGE]: CANNOT_HELP });
    const stated = await scriptedEpisode('s', [route(QWEN), route(LARGE), answer('Isaac Asimov')], { [QWEN]: AGREE[QWEN], [LARGE]: CANNOT_HELP });
    const picked = pickDemos([{ variant: 'a', alpha: 0, trajectories: [refusals, stated] }]);
    expect(picked.entries.find((e) => e.category === 'multi-round')?.trajectory.id).toBe('s');
  });

  it('finds nothing in episodes that never answer', async () => {
    const junk = await scriptedEpisode('junk', ['gibberish', 'more', 'still', 'none', 'end'], {});
    const picked = pickDemos([
      { variant: 'a', alpha: 0, trajectories: [junk] },
      { variant: 'b', alpha: 0.8, trajectories: [junk] },
    ]);
    expect(picked.entries).toEqual([]);
    expect(picked.missing.sort()).toEqual(['aggregation', 'alpha-compare', 'escalation', 'multi-round', 'one-call']);
  });
});
