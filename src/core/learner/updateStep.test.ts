/**
 * applyUpdateStep against the hand-written sequence it replaced (clipGradNorm then adamWStep), and its
 * three outcomes: a non-finite loss or gradient touches nothing; a parameter made non-finite is restored
 * ('restore') or left for the caller ('leave').
 */
import { describe, expect, it } from 'vitest';
import { adamWStep, clipGradNorm, createAdamWState, DEFAULT_ADAMW } from './adamw';
import type { ParamMap } from './paramMap';
import { applyUpdateStep } from './updateStep';

const params = (): ParamMap => new Map([['a', Float32Array.of(1, -2, 0.5)], ['b', Float32Array.of(3)]]);
const grads = (): ParamMap => new Map([['a', Float32Array.of(4, 0, -3)], ['b', Float32Array.of(12)]]);
const opts = { maxGradNorm: 1, adamW: DEFAULT_ADAMW, lr: 0.1 } as const;

describe('applyUpdateStep', () => {
  it('is clip → AdamW, bit for bit, and reports the norm before clipping', () => {
    const [p, q] = [params(), params()];
    const [sp, sq] = [createAdamWState(p), createAdamWState(q)];
    const r = applyUpdateStep(p, { loss: 1, grads: grads() }, sp, { ...opts, onNonFiniteParams: 'restore' });
    const g = grads();
    const norm = clipGradNorm(g, 1);
    adamWStep(q, g, sq, { ...DEFAULT_ADAMW, lr: 0.1 });
    expect(r).toEqual({ status: 'applied', gradNorm: norm });
    expect(norm).toBe(13);
    expect(p).toEqual(q);
    expect(sp).toEqual(sq);
  });

  it('rejects a non-finite loss or gradient without touching params or optimizer', () => {
    const p = params();
    const s = createAdamWState(p);
    expect(applyUpdateStep(p, { loss: NaN, grads: grads() }, s, { ...opts, onNonFiniteParams: 'leave' })).toEqual({ status: 'rejected', nonFinite: { in: 'loss' } });
    const bad = grads();
    (bad.get('b') as Float32Array)[0] = Infinity;
    expect(applyUpdateStep(p, { loss: 1, grads: bad }, s, { ...opts, onNonFiniteParams: 'leave' })).toEqual({ status: 'rejected', nonFinite: { in: 'gradient', tensor: 'b' } });
    expect(p).toEqual(params());
    expect(s.step).toBe(0);
  });

  it("restores params an update made non-finite with 'restore', leaves them with 'leave'", () => {
    // a huge lr with no clipping: θ − lr·m̂/(√v̂+eps) overflows float32 to −Infinity
    const huge = { maxGradNorm: Infinity, adamW: DEFAULT_ADAMW, lr: 1e40 };
    const p = params();
    const r = applyUpdateStep(p, { loss: 1, grads: grads() }, createAdamWState(p), { ...huge, onNonFiniteParams: 'restore' });
    expect(r).toMatchObject({ status: 'diverged', nonFinite: { in: 'parameter', tensor: 'a' } });
    expect(p).toEqual(params());
    const q = params();
    applyUpdateStep(q, { loss: 1, grads: grads() }, createAdamWState(q), { ...huge, onNonFiniteParams: 'leave' });
    expect(Number.isFinite((q.get('a') as Float32Array)[0])).toBe(false);
  });
});
