/**
 * The rolling-window cost reward of the Router-R1 reference (DESIGN.md §2.4):
 *   x      = sqrt(total reference cost of the trajectory)
 *   window = the last 1000 values of x, one window shared by everything scored, in order
 *   lo, hi = 5th / 95th percentiles of the window (numpy "linear"), or min / max with < 2 values
 *   r_cost = 0.5 if hi − lo < 1e-8, else 1 − clip((x − lo) / (hi − lo), 0, 1)
 */

export const COST_WINDOW_SIZE = 1000;
const Q_LOW = 0.05;
const Q_HIGH = 0.95;
const EPS = 1e-8;

/** numpy's `_lerp`: a + (b − a)·t, computed from the b side when t ≥ 0.5 (as numpy does, for exactness). */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** `np.percentile(values, 100·q)` with the default linear method. values: any order, length ≥ 1. */
export function percentileLinear(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const virtual = (n - 1) * q;
  const lo = Math.floor(virtual);
  const hi = Math.min(lo + 1, n - 1);
  const gamma = virtual - lo;
  return lerp(sorted[lo] as number, sorted[hi] as number, gamma);
}

export interface CostWindow {
  /** Pushes sqrt(costUnits) into the window and returns the cost reward in [0, 1]. */
  score(costUnits: number): number;
  /** The values currently in the window (oldest first); for checkpoints and display. */
  values(): readonly number[];
}

export function createCostWindow(initial: readonly number[] = [], size = COST_WINDOW_SIZE): CostWindow {
  const window: number[] = initial.slice(-size);
  return {
    score(costUnits) {
      const x = Math.sqrt(costUnits);
      window.push(x);
      if (window.length > size) window.shift();
      let lo: number;
      let hi: number;
      if (window.length >= 2) {
        lo = percentileLinear(window, Q_LOW);
        hi = percentileLinear(window, Q_HIGH);
      } else {
        lo = Math.min(...window);
        hi = Math.max(...window);
      }
      const denom = hi - lo;
      if (denom < EPS) return 0.5;
      const scaled = (x - lo) / denom;
      return 1.0 - Math.min(Math.max(scaled, 0.0), 1.0);
    },
    values: () => window.slice(),
  };
}

/** cost_reward_sequence: the cost reward of each cost in turn, from a fresh window. */
export function costRewardSequence(costs: readonly number[]): number[] {
  const w = createCostWindow();
  return costs.map((c) => w.score(c));
}
