/** The binders' frame batcher: one write per frame, in order, never empty; flush and drop end a stream. */
import { describe, expect, it } from 'vitest';
import { createFrameBatcher } from './frameBatcher';

function setup() {
  const frames: (() => void)[] = [];
  const writes: number[][] = [];
  const batcher = createFrameBatcher<number>((f) => frames.push(f), (items) => writes.push(items));
  return { frames, writes, batcher };
}

describe('createFrameBatcher', () => {
  it('asks for one frame per batch and writes the items in order', () => {
    const { frames, writes, batcher } = setup();
    batcher.push(1);
    batcher.push(2);
    expect(frames).toHaveLength(1);
    expect(writes).toEqual([]);
    frames[0]?.();
    batcher.push(3);
    expect(frames).toHaveLength(2);
    frames[1]?.();
    expect(writes).toEqual([[1, 2], [3]]);
  });

  it('flush writes now and the frame it asked for then writes nothing; drop forgets; nothing pending, no write', () => {
    const { frames, writes, batcher } = setup();
    batcher.push(1);
    batcher.flush();
    frames[0]?.();
    batcher.flush();
    expect(writes).toEqual([[1]]);
    batcher.push(2);
    batcher.drop();
    frames[1]?.();
    expect(writes).toEqual([[1]]);
  });
});
