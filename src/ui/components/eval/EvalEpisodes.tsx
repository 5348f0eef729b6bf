/**
 * The selected method's episodes, one row per question, of the current run or of the earlier run whose
 * Pareto point was clicked (evalSelectedRun); a row opens its trajectory (of that run) in the timeline.
 */
import { clickableRowProps } from '../common/clickableRow';
import { useMemo } from 'react';
import { useController } from '../../session/controllerContext';
import { useApp } from '../../store/useApp';

export function EvalEpisodes() {
  const controller = useController();
  const rows = useApp((s) => s.evalRows);
  const method = useApp((s) => s.evalSelectedMethod);
  const run = useApp((s) => s.evalSelectedRun);
  const listed = run?.rows ?? rows;
  const mine = useMemo(() => (method === null ? [] : listed.filter((r) => r.method === method).sort((a, b) => a.questionIndex - b.questionIndex)), [listed, method]);
  if (method === null) return <p className="muted small">Click a row or a point to see that method's episodes.</p>;
  return (
    <div className="eval-episodes" data-testid="eval.episodes" data-method={method} data-alpha={run?.summary.alpha}>
      <h3 className="panel-subtitle">
        Episodes of {method}
        {run === null ? '' : ` (earlier run at α ${run.summary.alpha})`}
      </h3>
      <table className="pool-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Question id</th>
            <th scope="col" className="num">EM</th>
            <th scope="col" className="num">F1</th>
            <th scope="col" className="num">calls</th>
            <th scope="col">models</th>
          </tr>
        </thead>
        <tbody>
          {mine.map((r) => (
            <tr key={r.questionIndex} {...clickableRowProps(() => void controller?.openEvalEpisode(r.method, r.questionIndex, run?.summary), `Open episode ${r.questionIndex} in the timeline (Enter)`)} data-testid={`eval.episode.${r.questionIndex}`}>
              <td>{r.questionIndex}</td>
              <td>{r.id}</td>
              <td className="num">{r.em}</td>
              <td className="num">{r.f1.toFixed(2)}</td>
              <td className="num">{r.calls}</td>
              <td>{r.models.join(' → ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
