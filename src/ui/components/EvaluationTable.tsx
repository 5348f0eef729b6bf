/** An evaluation summary opened from a link or bundle: method → EM, F1, cost and calls per question. */
import { useApp } from '../store/useApp';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function EvaluationTable() {
  const evaluation = useApp((s) => s.evaluation);
  const close = useApp((s) => s.showEvaluation);
  if (evaluation === null) return null;
  return (
    <section className="panel evaluation" aria-labelledby="evaluation-heading" data-testid="evaluation">
      <h2 id="evaluation-heading" className="panel-title">
        {evaluation.title === '' ? 'Evaluation' : evaluation.title}
      </h2>
      <p className="muted small" data-testid="evaluation.meta">
        {evaluation.dataset} · {evaluation.questions} questions · α = {evaluation.alpha} · seed {evaluation.seed}
      </p>
      <table className="pool-table" data-testid="evaluation.table">
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th scope="col" className="num">EM</th>
            <th scope="col" className="num">F1</th>
            <th scope="col" className="num" title="Mean USD per question">$ / question</th>
            <th scope="col" className="num" title="Mean reference cost units per question">units / question</th>
            <th scope="col" className="num">calls / question</th>
          </tr>
        </thead>
        <tbody>
          {evaluation.rows.map((r, i) => (
            <tr key={i} data-testid={`evaluation.row.${i}`}>
              <td>{r.method}</td>
              <td className="num">{pct(r.em)}</td>
              <td className="num">{pct(r.f1)}</td>
              <td className="num">{r.costUsd.toPrecision(3)}</td>
              <td className="num">{r.costUnits.toPrecision(4)}</td>
              <td className="num">{r.calls.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => close(null)} data-testid="evaluation.close">
        Close
      </button>
    </section>
  );
}
