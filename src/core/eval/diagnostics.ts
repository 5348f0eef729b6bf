/**
 * Diagnostics of evaluation results (DESIGN.md §2.6, §7), pure functions over rows and summaries:
 * the per-dataset EM/F1 table with the paper's number beside ours, Pareto points per method and α,
 * routing share per model with the collapse flag, and histograms of calls and turns per question.
 */
import type { EvalRow, EvalSummary, MethodSummary } from './evalTypes';
import { isCollapsed, routingShareOf } from './evalRows';
import { paperBenchmarkOf, PAPER_ROUTER_R1_QWEN_EM } from './paperResults';
import { paretoFront, type ParetoPoint } from './pareto';

export interface DatasetTableRow {
  dataset: string;
  method: string;
  questions: number;
  em: number;
  f1: number;
  /** Router-R1-Qwen's EM on the matching benchmark (the paper's, labelled so), when there is one. */
  paper: { label: string; benchmark: string; em: number; comparable: boolean } | null;
}

/** EM and F1 per (dataset, method), datasets in first-seen order, methods in the given order. */
export function datasetTable(rows: readonly EvalRow[], methods: readonly string[]): DatasetTableRow[] {
  const datasets: string[] = [];
  for (const r of rows) if (!datasets.includes(r.dataset)) datasets.push(r.dataset);
  const out: DatasetTableRow[] = [];
  for (const dataset of datasets) {
    const ref = paperBenchmarkOf(dataset);
    const paper = ref === undefined ? null : { label: 'Router-R1-Qwen (paper)', benchmark: ref.benchmark, em: PAPER_ROUTER_R1_QWEN_EM[ref.benchmark], comparable: ref.comparable };
    for (const method of methods) {
      const rs = rows.filter((r) => r.dataset === dataset && r.method === method);
      if (rs.length === 0) continue;
      out.push({ dataset, method, questions: rs.length, em: mean(rs.map((r) => r.em)), f1: mean(rs.map((r) => r.f1)), paper });
    }
  }
  return out;
}

export interface ParetoPlotPoint extends ParetoPoint {
  method: string;
  alpha: number;
  onFront: boolean;
}

/** One point per method and α (several summaries, e.g. an α sweep), the front flagged over all of them. */
export function paretoPoints(summaries: readonly EvalSummary[]): ParetoPlotPoint[] {
  const points = summaries.flatMap((s) =>
    s.methods.filter((m) => m.questions > 0).map((m) => ({ id: summaries.length > 1 ? `${m.method}@α=${s.alpha}` : m.method, method: m.method, alpha: s.alpha, costUnits: m.costUnits, em: m.em })),
  );
  const front = new Set(paretoFront(points).map((p) => p.id));
  return points.map((p) => ({ ...p, onFront: front.has(p.id) }));
}

export interface RoutingShareRow {
  method: string;
  alpha: number;
  share: Record<string, number>;
  collapsed: boolean;
  /** The model with the largest share (null when no call was made). */
  top: string | null;
}

/** Routing share per model per method and α, with the collapse flag (one model > 90% of calls). */
export function routingShareTable(summaries: readonly EvalSummary[]): RoutingShareRow[] {
  return summaries.flatMap((s) => s.methods.map((m: MethodSummary) => ({ method: m.method, alpha: s.alpha, share: m.routingShare, collapsed: m.collapsed, top: topModel(m.routingShare) })));
}

/** Routing share of a subset of rows (e.g. one dataset), with its collapse flag. */
export function routingShare(rows: readonly EvalRow[]): { share: Record<string, number>; collapsed: boolean } {
  const share = routingShareOf(rows);
  return { share, collapsed: isCollapsed(share) };
}

export interface HistogramBin {
  value: number;
  count: number;
}

/** Counts per integer value, every value from 0 to the largest present (empty bins included). */
export function histogram(values: readonly number[]): HistogramBin[] {
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  const bins: HistogramBin[] = Array.from({ length: max + 1 }, (_, value) => ({ value, count: 0 }));
  for (const v of values) {
    const bin = bins[v];
    if (bin !== undefined) bin.count++;
  }
  return bins;
}

/** Histograms of calls and turns per question of one method. */
export function methodHistograms(rows: readonly EvalRow[], method: string): { calls: HistogramBin[]; turns: HistogramBin[] } {
  const rs = rows.filter((r) => r.method === method);
  return { calls: histogram(rs.map((r) => r.calls)), turns: histogram(rs.map((r) => r.turns)) };
}

function topModel(share: Readonly<Record<string, number>>): string | null {
  let best: string | null = null;
  for (const [m, s] of Object.entries(share)) if (best === null || s > (share[best] ?? 0)) best = m;
  return best;
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
}
