/**
 * EM and F1 per dataset and method, with Router-R1-Qwen's published EM beside ours (labelled as the
 * paper's; "indicative" when the questions are not the paper's), and per-method cost and calls. A row
 * opens that method's episodes.
 */
import { clickableRowProps } from '../common/clickableRow';
import { useMemo } from 'react';
import { datasetTable, PAPER_SOURCE } from '../../../core';
import { useController } from '../../session/controllerContext';
import { useApp } from '../../store/useApp';
import { pct } from './evalFormat';

export function EvalDatasetTable() {
  const controller = useController();
  const rows = useApp((s) => s.evalRows);
  const summary = useApp((s) => s.evalSummary);
  const methods = useMemo(() => [...new Set(rows.map((r) => r.method))], [rows]);
  const table = useMemo(() => datasetTable(rows, methods), [rows, methods]);
  const byMethod = new Map((summary?.methods ?? []).map((m) => [m.method, m]));
  return (
    <div className="eval-table" data-testid="eval.table">
      <h3 className="panel-subtitle">EM and F1 per dataset</h3>
      <table className="pool-table">
        <thead>
          <tr>
            <th scope="col">Dataset</th>
            <th scope="col">Method</th>
            <th scope="col" className="num">n</th>
            <th scope="col" className="num">EM</th>
            <th scope="col" className="num">F1</th>
            <th scope="col" className="num" title="Mean reference cost units per question">units / q</th>
            <th scope="col" className="num">calls / q</th>
            <th scope="col" className="num" title={PAPER_SOURCE}>
              Router-R1-Qwen EM (paper)
            </th>
          </tr>
        </thead>
        <tbody>
          {table.map((r, i) => {
            const m = byMethod.get(r.method);
            return (
              <tr key={`${r.dataset}|${r.method}`} {...clickableRowProps(() => void controller?.openEvalMethod(r.method), `Open the ${r.method} episodes (Enter)`)} data-testid={`eval.table.row.${i}`} data-method={r.method} data-em={r.em} data-f1={r.f1}>
                <td>{r.dataset}</td>
                <td>{r.method}</td>
                <td className="num">{r.questions}</td>
                <td className="num">{pct(r.em)}</td>
                <td className="num">{pct(r.f1)}</td>
                <td className="num">{m === undefined ? '' : m.costUnits.toPrecision(4)}</td>
                <td className="num">{m === undefined ? '' : m.calls.toFixed(2)}</td>
                <td className="num muted" data-testid={`eval.table.row.${i}.paper`}>
                  {r.paper === null ? '—' : `${pct(r.paper.em)} (${r.paper.benchmark}${r.paper.comparable ? '' : ', other questions: indicative'})`}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
