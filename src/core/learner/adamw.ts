/**
 * AdamW (Loshchilov & Hutter 2019) over named Float32Array tensors, as PyTorch's `torch.optim.AdamW`
 * (non-amsgrad) computes it, per element, in float64 arithmetic, stored in float32:
 *
 *   θ ← θ · (1 − lr · λ)                                   decoupled weight decay (first, as PyTorch)
 *   m ← β1 · m + (1 − β1) · g
 *   v ← β2 · v + (1 − β2) · g²
 *   θ ← θ − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)       bias-corrected, t = 1, 2, …
 *
 * Global-norm gradient clipping (PyTorch `clip_grad_norm_`):
 *   n = sqrt(Σ_tensors Σ_i g_i²);  if n > maxNorm: g ← g · maxNorm / (n + 1e-6)
 *
 * The state is plain data (a step count and two ParamMaps) so a checkpoint stores it as it is.
 */
import { assertSameLayout, cloneParams, zerosLike, type ParamMap } from './paramMap';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay λ (PyTorch default 0.01); applied to every trainable tensor. */
  weightDecay: number;
}

/** PyTorch's defaults. */
export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

export interface AdamWState {
  /** Updates taken so far (t of the bias correction). */
  step: number;
  m: ParamMap;
  v: ParamMap;
}

export function createAdamWState(params: ReadonlyMap<string, Float32Array>): AdamWState {
  return { step: 0, m: zerosLike(params), v: zerosLike(params) };
}

export function cloneAdamWState(s: AdamWState): AdamWState {
  return { step: s.step, m: cloneParams(s.m), v: cloneParams(s.v) };
}

/** One update, in place on `params` and `state`. */
export function adamWStep(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>, state: AdamWState, cfg: AdamWConfig & { lr: number }): void {
  assertSameLayout(params, grads, 'adamWStep gradients');
  assertSameLayout(params, state.m, 'adamWStep optimizer state');
  const t = state.step + 1;
  const { lr, beta1, beta2, eps, weightDecay } = cfg;
  const stepSize = lr / (1 - beta1 ** t);
  const sqrtBias2 = Math.sqrt(1 - beta2 ** t);
  const decay = 1 - lr * weightDecay;
  for (const [name, p] of params) {
    const g = grads.get(name) as Float32Array;
    const m = state.m.get(name) as Float32Array;
    const v = state.v.get(name) as Float32Array;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] as number;
      const mi = beta1 * (m[i] as number) + (1 - beta1) * gi;
      const vi = beta2 * (v[i] as number) + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = (p[i] as number) * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtBias2 + eps);
    }
  }
  state.step = t;
}

/** sqrt(Σ g²) over every tensor, accumulated in float64. */
export function globalGradNorm(grads: ReadonlyMap<string, Float32Array>): number {
  let s = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) s += (g[i] as number) ** 2;
  return Math.sqrt(s);
}

/**
 * Scales the gradients in place so their global norm is at most maxNorm; returns the norm BEFORE
 * clipping. A non-finite norm is returned as it is and nothing is scaled (the caller skips the step).
 */
export function clipGradNorm(grads: ReadonlyMap<string, Float32Array>, maxNorm: number): number {
  const norm = globalGradNorm(grads);
  if (!Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of grads.values()) for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * coef;
  return norm;
}
