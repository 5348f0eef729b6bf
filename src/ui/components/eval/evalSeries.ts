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

/**
 * Costs go on a log axis: our methods sit at 1–50 units and the paper's at 5–150, which a linear axis
 * squeezes into its left quarter. A zero cost (no call made) is drawn at the floor.
 */
export const LOG_COST_FLOOR = 0.1;

/** The point with `plotCost`: its cost on the log axis (at least LOG_COST_FLOOR). */
export const onLogAxis = <P extends { costUnits: number }>(points: readonly P[]): (P & { plotCost: number })[] =>
  points.map((p) => ({ ...p, plotCost: Math.max(p.costUnits, LOG_COST_FLOOR) }));

/** Powers of ten (and 3×) covering every plotted cost: the log axis's ticks and domain. */
export function logCostTicks(costs: readonly number[]): number[] {
  const xs = costs.map((c) => Math.max(c, LOG_COST_FLOOR));
  if (xs.length === 0) return [1, 10, 100];
  const lo = Math.floor(Math.log10(Math.min(...xs)));
  const hi = Math.ceil(Math.log10(Math.max(...xs)));
  const ticks: number[] = [];
  for (let e = lo; e <= Math.max(hi, lo + 1); e++) {
    ticks.push(Number((10 ** e).toPrecision(1)));
    if (e < Math.max(hi, lo + 1)) ticks.push(Number((3 * 10 ** e).toPrecision(1)));
  }
  return ticks;
}

/** Pixels per character of a 10 px label, and the plot's inner size in pixels (EvalParetoPlot's chart). */
const LABEL_CHAR_PX = 5.6;
const LABEL_HEIGHT_PX = 12;
export const PLOT_INNER_PX = { width: 556, height: 236 };

/**
 * A label row per point so that labels of nearby points do not overlap: 0 above the point, 1 below, 2
 * further above, 3 further below … Greedy by increasing cost: each label takes the first row whose
 * labels it does not collide with (boxes in plot pixels, x on the log axis `ticks` span, y on EM 0–1).
 */
export function labelRows(points: readonly { id: string; costUnits: number; em: number }[], ticks: readonly number[]): number[] {
  const lo = Math.log10(ticks[0] ?? LOG_COST_FLOOR);
  const span = Math.max(1e-9, Math.log10(ticks[ticks.length - 1] ?? 1000) - lo);
  const xOf = (c: number): number => ((Math.log10(Math.max(c, LOG_COST_FLOOR)) - lo) / span) * PLOT_INNER_PX.width;
  const placed: { row: number; x0: number; x1: number; y: number }[] = [];
  const rows = new Array<number>(points.length).fill(0);
  const order = points.map((_, i) => i).sort((a, b) => (points[a]?.costUnits ?? 0) - (points[b]?.costUnits ?? 0));
  for (const i of order) {
    const p = points[i];
    if (p === undefined) continue;
    const x = xOf(p.costUnits);
    const half = (p.id.length * LABEL_CHAR_PX) / 2;
    const yPoint = (1 - p.em) * PLOT_INNER_PX.height;
    let row = 0;
    const yOf = (r: number): number => yPoint + (r % 2 === 0 ? -1 : 1) * (Math.floor(r / 2) + 1) * LABEL_HEIGHT_PX;
    while (placed.some((q) => q.x0 < x + half && x - half < q.x1 && Math.abs(q.y - yOf(row)) < LABEL_HEIGHT_PX) && row < 7) row++;
    placed.push({ row, x0: x - half, x1: x + half, y: yOf(row) });
    rows[i] = row;
  }
  return rows;
}

/** The label's vertical offset from its point for a row of labelRows (negative: above). */
export const labelOffsetPx = (row: number): number => (row % 2 === 0 ? -1 : 1) * (Math.floor(row / 2) + 1) * LABEL_HEIGHT_PX + (row % 2 === 0 ? 0 : 4);
