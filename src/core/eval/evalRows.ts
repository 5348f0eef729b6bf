/**
 * From trajectories to the evaluation's numbers: one row per (question, method), and per-method means
 * (EM, F1, cost, calls, turns, format-valid rate, routing share with the collapse flag). Pure; the
 * order of methods and rows is kept as given so summaries are reproducible.
 */
import type { Trajectory } from '../env/trajectory';
import type { EvaluationSummary } from '../share/shareState';
import type { EvalRow, EvalSummary, MethodSummary, RunningMetrics } from './evalTypes';
import { paretoFront } from './pareto';

/** One model taking more than this share of a method's calls is a routing collapse (DESIGN.md §2.6). */
export const COLLAPSE_SHARE = 0.9;

/** The per-question row of a finished episode. Calls refused by the budget are not counted as calls. */
export function rowOf(t: Trajectory, method: string, questionIndex: number, dataset: string): EvalRow {
  const models: string[] = [];
  for (const round of t.rounds) {
    const call = round.call;
    if (call === null || call.prompt === null || call.poolIndex === null || call.error?.kind === 'budget') continue;
    models.push(t.pool[call.poolIndex]?.name ?? call.modelName);
  }
  const m = t.metrics;
  return {
    id: t.question.id ?? String(questionIndex),
    questionIndex,
    dataset: t.question.dataset ?? dataset,
    method,
    em: m?.em ?? 0,
    f1: m?.f1 ?? 0,
    format: m?.format ?? -1,
    costUnits: m?.costUnits ?? 0,
    costUsd: m?.costUsd ?? 0,
    calls: models.length,
    turns: m?.turns ?? t.rounds.length,
    models,
    reward: t.reward?.total ?? 0,
    status: t.status,
  };
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);

/** Share of calls per model over rows (empty when no call was made). */
export function routingShareOf(rows: readonly EvalRow[]): Record<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    for (const m of r.models) {
      counts.set(m, (counts.get(m) ?? 0) + 1);
      total++;
    }
  }
  const share: Record<string, number> = {};
  for (const [m, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) share[m] = n / total;
  return share;
}

export function isCollapsed(share: Readonly<Record<string, number>>): boolean {
  return Object.values(share).some((s) => s > COLLAPSE_SHARE);
}

/** Means of one method's rows. */
export function summarizeMethod(method: string, rows: readonly EvalRow[]): MethodSummary {
  const routingShare = routingShareOf(rows);
  return {
    method,
    questions: rows.length,
    em: mean(rows.map((r) => r.em)),
    f1: mean(rows.map((r) => r.f1)),
    costUnits: mean(rows.map((r) => r.costUnits)),
    costUsd: mean(rows.map((r) => r.costUsd)),
    calls: mean(rows.map((r) => r.calls)),
    turns: mean(rows.map((r) => r.turns)),
    formatValidRate: mean(rows.map((r) => (r.format === 0 ? 1 : 0))),
    reward: mean(rows.map((r) => r.reward)),
    routingShare,
    collapsed: isCollapsed(routingShare),
  };
}

/** Rows grouped by method, in the given method order (methods with no rows yet included, empty). */
export function rowsByMethod(rows: readonly EvalRow[], methods: readonly string[]): Map<string, EvalRow[]> {
  const out = new Map<string, EvalRow[]>(methods.map((m) => [m, []]));
  for (const r of rows) {
    const list = out.get(r.method);
    if (list === undefined) out.set(r.method, [r]);
    else list.push(r);
  }
  // Question order, whatever order the rows were done in (a resumed run appends).
  for (const list of out.values()) list.sort((a, b) => a.questionIndex - b.questionIndex);
  return out;
}

export interface SummaryHeader {
  runId: string;
  dataset: string;
  questions: number;
  alpha: number;
  seed: number;
  limits: EvalSummary['limits'];
}

export function summarizeRows(header: SummaryHeader, rows: readonly EvalRow[], methods: readonly string[]): EvalSummary {
  const summaries = [...rowsByMethod(rows, methods)].map(([m, rs]) => summarizeMethod(m, rs));
  const points = summaries.filter((s) => s.questions > 0).map((s) => ({ id: s.method, costUnits: s.costUnits, em: s.em }));
  const front = paretoFront(points).map((p) => p.id);
  const withoutOracle = paretoFront(points.filter((p) => p.id !== 'oracle')).map((p) => p.id);
  return { ...header, methods: summaries, paretoFront: front, paretoFrontWithoutOracle: withoutOracle };
}

export function runningMetricsOf(summary: MethodSummary): RunningMetrics {
  return { done: summary.questions, em: summary.em, f1: summary.f1, costUnits: summary.costUnits, costUsd: summary.costUsd, calls: summary.calls };
}

/** The share link's evaluation table (share/shareState.ts) from a summary. */
export function toEvaluationSummary(s: EvalSummary, title = `Evaluation on ${s.dataset}`): EvaluationSummary {
  return {
    title,
    dataset: s.dataset,
    questions: s.questions,
    alpha: s.alpha,
    seed: s.seed,
    rows: s.methods.map((m) => ({ method: m.method, em: m.em, f1: m.f1, costUsd: m.costUsd, costUnits: m.costUnits, calls: m.calls })),
  };
}
