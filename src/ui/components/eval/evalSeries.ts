/**
 * The series the Evaluation charts draw, derived from the store's summaries (pure; memoised by the
 * components): the summaries on one plot (completed runs on the same questions, plus the run shown when
 * it is paused), Pareto points with the front, the sweep curve, and the paper's cost-study points.
 */
import { paretoPoints, PAPER_COST_STUDY_NQ, type EvalSummary, type ParetoPlotPoint } from '../../../core';
import type { EvalSweep } from '../../store/evalSlice';

export function plottedSummaries(history: readonly EvalSummary[], current: EvalSummary | null): EvalSummary[] {
  if (current === null || history.includes(current)) return history.length > 0 ? [...history] : current === null ? [] : [current];
  return [...history, current];
}

export interface PlotPoint {
  id: string;
  method: string;
  alpha: number;
  costUnits: number;
  em: number;
  onFront: boolean;
  /** The run the point comes from (its summary, the store's object): the point opens that run's episodes. */
  run: EvalSummary;
}

export function ourPoints(summaries: readonly EvalSummary[]): PlotPoint[] {
  // paretoPoints lists each summary's methods with questions, in order: the same walk finds each point's run.
  const runs = summaries.flatMap((s) => s.methods.filter((m) => m.questions > 0).map(() => s));
  return paretoPoints(summaries).flatMap((p: ParetoPlotPoint, i) => {
    const run = runs[i];
    return run === undefined ? [] : [{ id: p.id, method: p.method, alpha: p.alpha, costUnits: p.costUnits, em: p.em, onFront: p.onFront, run }];
  });
}

/** The front as a line: its points by increasing cost. */
export function frontLine(points: readonly PlotPoint[]): PlotPoint[] {
  return points.filter((p) => p.onFront).sort((a, b) => a.costUnits - b.costUnits || a.em - b.em);
}

export function sweepPoints(sweep: EvalSweep | null): (PlotPoint & { value: number })[] {
  if (sweep === null) return [];
  return sweep.points.flatMap(({ value, summary }) => {
    const m = summary.methods.find((x) => x.method === sweep.method);
    return m === undefined ? [] : [{ id: `${sweep.method} ${sweep.parameter}=${value}`, method: sweep.method, alpha: summary.alpha, costUnits: m.costUnits, em: m.em, onFront: false, run: summary, value }];
  });
}

export const PAPER_POINTS = PAPER_COST_STUDY_NQ.map((p) => ({ id: p.label, costUnits: p.costUnits, em: p.em }));
