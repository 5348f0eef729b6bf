/**
 * Share of calls per model, per method and α (stacked bars), with a collapse warning when one model
 * takes more than 90% of a method's calls (DESIGN.md §2.6: routing collapse is a known issue).
 */
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { routingShareTable } from '../../../core';
import { useApp } from '../../store/useApp';
import { colorAt, pct } from './evalFormat';
import { plottedSummaries } from './evalSeries';

export function EvalRoutingShare() {
  const history = useApp((s) => s.evalHistory);
  const current = useApp((s) => s.evalSummary);
  const summaries = useMemo(() => plottedSummaries(history, current), [history, current]);
  const rows = useMemo(() => routingShareTable(summaries), [summaries]);
  const models = useMemo(() => [...new Set(rows.flatMap((r) => Object.keys(r.share)))], [rows]);
  const label = (r: { method: string; alpha: number }) => (summaries.length > 1 ? `${r.method} α=${r.alpha}` : r.method);
  const data = useMemo(() => rows.map((r) => ({ name: summaries.length > 1 ? `${r.method} α=${r.alpha}` : r.method, ...r.share })), [rows, summaries.length]);
  return (
    <div className="eval-routing" data-testid="eval.routing" data-rows={rows.length}>
      <h3 className="panel-subtitle">Routing share per model</h3>
      <BarChart width={760} height={Math.max(120, 28 * data.length + 60)} data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" domain={[0, 1]} tickFormatter={(v: number) => pct(v)} />
        {/* every bar labelled (interval 0), wide enough for the longest method id at α */}
        <YAxis type="category" dataKey="name" width={320} interval={0} fontSize={11} />
        <Tooltip formatter={(v) => (typeof v === 'number' ? pct(v) : String(v))} />
        <Legend />
        {models.map((m, i) => (
          <Bar key={m} dataKey={m} stackId="share" fill={colorAt(i)} isAnimationActive={false} />
        ))}
      </BarChart>
      <ul className="small eval-routing-list">
        {rows.map((r, i) => (
          <li key={`${r.method}|${r.alpha}|${i}`} data-testid={`eval.routing.row.${i}`} data-method={r.method} data-collapsed={r.collapsed}>
            {label(r)}: {r.top === null ? 'no calls' : Object.entries(r.share).map(([m, x]) => `${m} ${pct(x)}`).join(', ')}
            {r.collapsed && (
              <strong className="warning-text" role="note" data-testid={`eval.routing.collapse.${i}`}>
                {' '}
                ⚠ routing collapse: {r.top} takes {pct(r.share[r.top ?? ''] ?? 0)} of the calls
              </strong>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
