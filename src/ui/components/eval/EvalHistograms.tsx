/** Calls and turns per question of one method (the selected one, else the first), as bar charts. */
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { methodHistograms, type HistogramBin } from '../../../core';
import { useApp } from '../../store/useApp';

function Histogram({ bins, label, testId }: { bins: HistogramBin[]; label: string; testId: string }) {
  return (
    <figure className="eval-hist" data-testid={testId} data-bins={JSON.stringify(bins.map((b) => b.count))}>
      <figcaption className="small muted">{label}</figcaption>
      <BarChart width={300} height={160} data={bins} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="value" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Bar dataKey="count" fill="#2f6fde" isAnimationActive={false} />
      </BarChart>
    </figure>
  );
}

export function EvalHistograms() {
  const rows = useApp((s) => s.evalRows);
  const selected = useApp((s) => s.evalSelectedMethod);
  const method = selected ?? rows[0]?.method ?? null;
  const h = useMemo(() => (method === null ? null : methodHistograms(rows, method)), [rows, method]);
  if (h === null) return null;
  return (
    <div className="eval-hists" data-testid="eval.hists" data-method={method}>
      <h3 className="panel-subtitle">Per question: {method}</h3>
      <div className="row-actions">
        <Histogram bins={h.calls} label="calls per question" testId="eval.hist.calls" />
        <Histogram bins={h.turns} label="turns per question" testId="eval.hist.turns" />
      </div>
    </div>
  );
}
