import { describe, expect, it } from 'vitest';
import { segmentText } from './segments';

describe('segmentText', () => {
  it('splits finished blocks and plain text', () => {
    expect(segmentText('a<think>x</think> <search>M: q</search><information>r</information><answer>y</answer>')).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'think', text: '<think>x</think>' },
      { kind: 'text', text: ' ' },
      { kind: 'route', text: '<search>M: q</search>' },
      { kind: 'information', text: '<information>r</information>' },
      { kind: 'answer', text: '<answer>y</answer>' },
    ]);
  });

  it('runs an unclosed block to the end while it streams, and keeps a partial tag as text', () => {
    expect(segmentText('<think>still writ')).toEqual([{ kind: 'think', text: '<think>still writ' }]);
    expect(segmentText('abc<thi')).toEqual([{ kind: 'text', text: 'abc<thi' }]);
    expect(segmentText('')).toEqual([]);
  });
});
