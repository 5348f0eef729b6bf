/**
 * The cost–accuracy Pareto front (DESIGN.md §7): a point is on the front when no other point is at
 * most as costly and at least as accurate, and strictly better in one of the two:
 *   q dominates p  ⇔  cost(q) ≤ cost(p) ∧ em(q) ≥ em(p) ∧ (cost(q) < cost(p) ∨ em(q) > em(p))
 * Exact duplicates do not dominate each other: both stay. Pure; O(n log n).
 */

export interface ParetoPoint {
  id: string;
  /** Mean cost per question (reference units, or dollars: any one unit for all points). */
  costUnits: number;
  em: number;
}

/** The non-dominated points, by increasing cost (then decreasing EM, then id). */
export function paretoFront<P extends ParetoPoint>(points: readonly P[]): P[] {
  const sorted = [...points].sort((a, b) => a.costUnits - b.costUnits || b.em - a.em || a.id.localeCompare(b.id));
  const front: P[] = [];
  let bestEm = Number.NEGATIVE_INFINITY;
  for (const p of sorted) {
    // Cheaper-or-equal points came first; p survives only if it beats their best EM, or ties a point of equal cost and EM.
    const last = front[front.length - 1];
    const duplicate = last !== undefined && last.costUnits === p.costUnits && last.em === p.em;
    if (p.em > bestEm || duplicate) {
      front.push(p);
      bestEm = p.em;
    }
  }
  return front;
}

/** True when `p` is dominated by some point of `points`. */
export function isDominated(p: ParetoPoint, points: readonly ParetoPoint[]): boolean {
  return points.some((q) => q.costUnits <= p.costUnits && q.em >= p.em && (q.costUnits < p.costUnits || q.em > p.em));
}
