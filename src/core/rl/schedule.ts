/**
 * Learning-rate schedules as pure functions of the step (nanoGPT's `get_lr`): no state, so a resumed
 * run gets the same rate at the same step. `step` counts from 0 (the first RL step).
 *
 *   warmup (step < W):   lr · (step + 1) / W          the first step already moves (not lr · 0)
 *   constant:            lr
 *   cosine:              minLr + ½ (lr − minLr) (1 + cos(π · p)),   p = (step − W) / (total − W) ∈ [0, 1]
 *   linear:              lr + (minLr − lr) · p
 *   after total:         minLr
 */

export type LrSchedule =
  | { kind: 'constant'; lr: number; warmupSteps?: number }
  | { kind: 'cosine' | 'linear'; lr: number; warmupSteps?: number; totalSteps: number; minLr?: number };

export class LrScheduleError extends Error {
  override name = 'LrScheduleError';
}

export function learningRate(s: LrSchedule, step: number): number {
  const warmup = s.warmupSteps ?? 0;
  if (step < warmup) return (s.lr * (step + 1)) / warmup;
  if (s.kind === 'constant') return s.lr;
  const minLr = s.minLr ?? 0;
  const span = s.totalSteps - warmup;
  const p = span <= 0 ? 1 : Math.min(Math.max((step - warmup) / span, 0), 1);
  return s.kind === 'cosine' ? minLr + 0.5 * (s.lr - minLr) * (1 + Math.cos(Math.PI * p)) : s.lr + (minLr - s.lr) * p;
}

/** Errors of a schedule (empty when valid). */
export function checkLrSchedule(s: LrSchedule): string[] {
  const errors: string[] = [];
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) errors.push(`schedule.lr must be a positive number, got ${s.lr}.`);
  if (s.warmupSteps !== undefined && (!Number.isInteger(s.warmupSteps) || s.warmupSteps < 0)) errors.push('schedule.warmupSteps must be a whole number ≥ 0.');
  if (s.kind !== 'constant') {
    if (!Number.isInteger(s.totalSteps) || s.totalSteps < 1) errors.push('schedule.totalSteps must be a whole number ≥ 1 (usually the run\'s steps).');
    if (s.minLr !== undefined && !(s.minLr >= 0 && s.minLr <= s.lr)) errors.push('schedule.minLr must lie in [0, lr].');
  }
  return errors;
}
