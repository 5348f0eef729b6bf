import { describe, expect, it } from 'vitest';
import { createRng, restoreRng, RngSeedError, xoshiro128ss } from './rng';

const draw = (n: number, f: () => number): number[] => Array.from({ length: n }, f);

describe('xoshiro128**', () => {
  it('matches the reference C implementation from state {1, 2, 3, 4}', () => {
    // Oracle: the reference algorithm (prng.di.unimi.it/xoshiro128starstar.c), re-run in Python.
    const s = Uint32Array.from([1, 2, 3, 4]);
    expect(draw(6, () => xoshiro128ss(s))).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });
});

describe('createRng', () => {
  it('pins the sequences of seed 42, its policy.sampling fork and a negative seed', () => {
    const r = createRng(42);
    expect(draw(5, r.nextUint32)).toEqual([2174187388, 3655377080, 1576843910, 2500470007, 2038500766]);
    const f = createRng(42).fork('policy.sampling');
    expect(draw(3, f.nextFloat)).toEqual([0.07910006113890278, 0.07464453941920035, 0.3190042471542551]);
    expect(draw(3, createRng(-7).nextUint32)).toEqual([1248134652, 3955103785, 2167925811]);
  });

  it('is reproducible and differs across seeds (including seeds that differ only above 32 bits)', () => {
    expect(draw(10, createRng(7).nextUint32)).toEqual(draw(10, createRng(7).nextUint32));
    expect(draw(10, createRng(7).nextUint32)).not.toEqual(draw(10, createRng(8).nextUint32));
    expect(draw(4, createRng(1).nextUint32)).not.toEqual(draw(4, createRng(1 + 2 ** 32).nextUint32));
  });

  it('forks depend on the name and the parent key, never on the parent position', () => {
    const root = createRng(3);
    const before = draw(5, root.fork('a').nextUint32);
    draw(1000, root.nextUint32);
    expect(draw(5, root.fork('a').nextUint32)).toEqual(before);
    expect(draw(5, root.fork('b').nextUint32)).not.toEqual(before);
    expect(draw(5, root.fork('a').fork('b').nextUint32)).not.toEqual(draw(5, root.fork('b').fork('a').nextUint32));
    expect(draw(5, createRng(4).fork('a').nextUint32)).not.toEqual(before);
    // Adding a consumer does not shift another one.
    const x1 = createRng(9).fork('policy.sampling');
    const other = createRng(9).fork('rl.shuffle');
    draw(50, other.nextUint32);
    expect(draw(5, x1.nextUint32)).toEqual(draw(5, createRng(9).fork('policy.sampling').nextUint32));
  });

  it('draws floats in [0, 1) with a plausible mean', () => {
    const r = createRng(11);
    const xs = draw(20000, r.nextFloat);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.5, 1);
  });

  it('resumes exactly from a snapshot', () => {
    const r = createRng(5);
    draw(17, r.nextUint32);
    const snap = r.snapshot();
    const resumed = restoreRng(JSON.parse(JSON.stringify(snap)));
    expect(draw(8, resumed.nextUint32)).toEqual(draw(8, r.nextUint32));
    expect(draw(3, resumed.fork('x').nextUint32)).toEqual(draw(3, createRng(5).fork('x').nextUint32));
  });

  it('rejects seeds that are not safe integers and corrupt snapshots', () => {
    expect(() => createRng(1.5)).toThrow(RngSeedError);
    expect(() => createRng(Number.NaN)).toThrow(RngSeedError);
    expect(() => restoreRng({ key: [1, 2, 3, 4], state: [0, 0, 0, 0] })).toThrow(RngSeedError);
  });
});
