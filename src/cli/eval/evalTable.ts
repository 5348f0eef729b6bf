/**
 * The `eval` command's printed table: one line per method with EM, F1, mean cost, calls, turns,
 * format-valid rate, the most-called model's share (with a collapse mark) and the Pareto front mark.
 */
import type { EvalSummary } from '../../core/eval/evalTypes';

/** Single-model methods call one model by construction: no collapse warning for them. */
const choosesModels = (method: string): boolean => !method.startsWith('single:') && method !== 'cheapest' && method !== 'largest';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export function formatSummaryTable(s: EvalSummary): string {
  const front = new Set(s.paretoFront);
  const frontNoOracle = new Set(s.paretoFrontWithoutOracle);
  const header = ['method', 'n', 'EM', 'F1', 'cost units', '$/question', 'calls/q', 'turns/q', 'format ok', 'top model (share)', 'front'];
  const lines = s.methods.map((m) => {
    const top = Object.entries(m.routingShare)[0];
    return [
      m.method,
      String(m.questions),
      m.em.toFixed(3),
      m.f1.toFixed(3),
      m.costUnits.toFixed(2),
      m.costUsd.toExponential(2),
      m.calls.toFixed(2),
      m.turns.toFixed(2),
      pct(m.formatValidRate),
      top === undefined ? '-' : `${top[0]} (${pct(top[1])})${m.collapsed && choosesModels(m.method) ? ' !' : ''}`,
      `${front.has(m.method) ? '*' : ''}${frontNoOracle.has(m.method) && !front.has(m.method) ? '+' : ''}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 || i === 9 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  const title = `${s.dataset}: ${s.questions} questions, α=${s.alpha}, seed ${s.seed}${s.limits.maxCalls === null ? '' : `, ≤${s.limits.maxCalls} calls/q`}${s.limits.maxSpendUsd === null ? '' : `, ≤$${s.limits.maxSpendUsd}/q`}`;
  return [title, fmt(header), ...lines.map(fmt), '* on the Pareto front (mean cost units vs EM); + on it when the oracle is left out; ! routing collapse (one model > 90% of calls)'].join('\n') + '\n';
}
