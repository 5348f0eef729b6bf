import { describe, expect, it } from 'vitest';
import { renderAgentPrompt } from '../protocol/prompt';
import { formattedLength, TextBudget } from './textBudget';

describe('formattedLength', () => {
  it('is the length renderAgentPrompt renders, on 3,000 seeded random templates, without rendering', () => {
    let x = 0x2545f491;
    const next = (n: number): number => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x % n;
    };
    const pieces = ['{query}', '{query!s}', '{query:}', '{{', '}}', 'a', '\n', 'é', '🙂', ' '];
    for (let i = 0; i < 3_000; i++) {
      const template = Array.from({ length: next(30) }, () => pieces[next(pieces.length)]).join('');
      const query = 'q'.repeat(next(50));
      expect(formattedLength(template, () => query.length), template).toBe(renderAgentPrompt(template, query).length);
    }
  });
});

describe('TextBudget', () => {
  it('charges a part to its own budget and every enclosing one, and says which one is exceeded', () => {
    const link = new TextBudget(10, 'the link');
    const round = link.child(6, 'round 0');
    expect(round.charge(5)).toBeNull();
    expect(round.wouldExceed(2)).toBe('would bring round 0 to 7 characters of text; it may hold at most 6');
    expect(link.child(6, 'round 1').charge(6)).toBe('would bring the link to 11 characters of text; it may hold at most 10');
    expect(link.charge(5)).toBeNull(); // the refused charge above was not counted
    expect(link.charge(1)).not.toBeNull();
  });
});
