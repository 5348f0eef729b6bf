import { describe, expect, it } from 'vitest';
import { createRng } from '../math/rng';
import { adamWStep, clipGradNorm, cloneAdamWState, createAdamWState, DEFAULT_ADAMW, globalGradNorm } from './adamw';
import type { ParamMap } from './paramMap';

describe('adamWStep', () => {
  it('matches a hand-computed first step (PyTorch AdamW order: decay, then the bias-corrected update)', () => {
    const params: ParamMap = new Map([['w', Float32Array.of(1, -2)]]);
    const grads: ParamMap = new Map([['w', Float32Array.of(0.5, 0)]]);
    const state = createAdamWState(params);
    adamWStep(params, grads, state, { ...DEFAULT_ADAMW, lr: 0.1, weightDecay: 0.01 });
    // m = 0.05, v = 0.00025; step size lr / (1 − 0.9) = 1; denom sqrt(v) / sqrt(1 − 0.999) + eps = 0.5 + 1e-8
    // θ = 1 · (1 − 0.001) − 0.05 / (0.5 + 1e-8) = 0.8990000002
    expect(params.get('w')?.[0]).toBe(Math.fround(0.999 - 0.05 / (0.5 + 1e-8)));
    // g = 0: only the decay acts. θ = −2 · 0.999
    expect(params.get('w')?.[1]).toBe(Math.fround(-2 * 0.999));
    expect(state.step).toBe(1);
    expect(state.m.get('w')?.[0]).toBe(Math.fround(0.05));
    expect(state.v.get('w')?.[0]).toBe(Math.fround(0.00025));
  });

  it('agrees with a float64 textbook re-implementation over 50 steps', () => {
    const rng = createRng(11);
    const n = 20;
    const cfg = { beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1 };
    const params: ParamMap = new Map([['a', Float32Array.from({ length: n }, () => rng.nextFloat() - 0.5)]]);
    const ref = Float64Array.from(params.get('a') ?? []);
    const m = new Float64Array(n);
    const v = new Float64Array(n);
    const state = createAdamWState(params);
    for (let t = 1; t <= 50; t++) {
      const lr = 0.01 * (1 + Math.cos(t)); // any per-step rate
      const g = Float32Array.from({ length: n }, () => 2 * rng.nextFloat() - 1);
      adamWStep(params, new Map([['a', g]]), state, { ...cfg, lr });
      for (let i = 0; i < n; i++) {
        const gi = g[i] as number;
        m[i] = cfg.beta1 * (m[i] as number) + (1 - cfg.beta1) * gi;
        v[i] = cfg.beta2 * (v[i] as number) + (1 - cfg.beta2) * gi * gi;
        const mHat = (m[i] as number) / (1 - cfg.beta1 ** t);
        const vHat = (v[i] as number) / (1 - cfg.beta2 ** t);
        ref[i] = (ref[i] as number) - lr * (mHat / (Math.sqrt(vHat) + cfg.eps) + cfg.weightDecay * (ref[i] as number));
      }
    }
    const p = params.get('a') as Float32Array;
    // The textbook form applies decay to the pre-update θ in the same step: identical to PyTorch's
    // decay-first order up to float32 storage of θ, m and v.
    for (let i = 0; i < n; i++) expect(Math.abs((p[i] as number) - (ref[i] as number))).toBeLessThan(1e-5);
  });

  it('the state is plain data: a clone is independent of later steps', () => {
    const params: ParamMap = new Map([['w', Float32Array.of(1)]]);
    const state = createAdamWState(params);
    adamWStep(params, new Map([['w', Float32Array.of(1)]]), state, { ...DEFAULT_ADAMW, lr: 0.1 });
    const copy = cloneAdamWState(state);
    adamWStep(params, new Map([['w', Float32Array.of(1)]]), state, { ...DEFAULT_ADAMW, lr: 0.1 });
    expect(copy.step).toBe(1);
    expect(copy.m.get('w')?.[0]).toBe(Math.fround(0.1));
    expect(structuredClone(copy)).toEqual(copy);
  });
});

describe('clipGradNorm', () => {
  it('returns the global norm and scales to maxNorm / (norm + 1e-6) when above it', () => {
    const grads: ParamMap = new Map([
      ['a', Float32Array.of(3)],
      ['b', Float32Array.of(0, 4)],
    ]);
    expect(globalGradNorm(grads)).toBe(5);
    expect(clipGradNorm(grads, 1)).toBe(5);
    expect(grads.get('a')?.[0]).toBe(Math.fround(3 / (5 + 1e-6)));
    expect(globalGradNorm(grads)).toBeCloseTo(1, 5);
  });

  it('leaves small gradients alone', () => {
    const grads: ParamMap = new Map([['a', Float32Array.of(0.3, 0.4)]]);
    expect(clipGradNorm(grads, 1)).toBeCloseTo(0.5, 6);
    expect(Array.from(grads.get('a') ?? [])).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });

  it('reports a non-finite norm without scaling', () => {
    const grads: ParamMap = new Map([['a', Float32Array.of(NaN, 1)]]);
    expect(clipGradNorm(grads, 1)).toBeNaN();
    expect(grads.get('a')?.[1]).toBe(1);
  });
});
