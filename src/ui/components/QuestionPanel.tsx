/** The question, its gold answers, and the record's identity (dataset, policy, template, status). */
import { useApp } from '../store/useApp';

export function QuestionPanel() {
  const t = useApp((s) => s.trajectory);
  if (t === null) return null;
  const q = t.question;
  return (
    <section className="panel question" aria-labelledby="question-heading">
      <h2 id="question-heading" className="panel-title">
        Question
      </h2>
      <p className="question-text" data-testid="question.text">
        {q.text}
      </p>
      <div className="gold">
        <span className="label">Gold answers</span>
        <ul className="chips" data-testid="question.gold">
          {q.goldAnswers.map((a, i) => (
            <li key={i} className="chip chip-gold">
              {a}
            </li>
          ))}
        </ul>
      </div>
      <dl className="meta-row">
        {q.dataset !== undefined && (
          <div>
            <dt>Dataset</dt>
            <dd>
              {q.dataset}
              {q.id !== undefined && <span className="muted"> #{q.id}</span>}
            </dd>
          </div>
        )}
        <div>
          <dt>Policy</dt>
          <dd data-testid="question.policy">
            {t.policy.kind} · {t.policy.id}
          </dd>
        </div>
        <div>
          <dt>Template</dt>
          <dd>{t.template}</dd>
        </div>
        <div>
          <dt>Rounds</dt>
          <dd>
            {t.rounds.length} (max {t.settings.maxTurns} routing + 1 final)
          </dd>
        </div>
        <div>
          <dt>Trajectory</dt>
          <dd className="mono">{t.id}</dd>
        </div>
      </dl>
    </section>
  );
}
