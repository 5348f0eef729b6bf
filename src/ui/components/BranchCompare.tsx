/**
 * Two branches side by side after a fork: the original episode and the fork (live while it runs) —
 * their rounds, answers, costs and rewards. The rounds before the fork are the same in both. The demo
 * gallery's α comparison uses the same view: one question run by two variants (no fork round).
 */
import type { Trajectory } from '../../core';
import { useApp } from '../store/useApp';

function actionText(r: Trajectory['rounds'][number]): string {
  const a = r.action;
  if (a.type === 'route') return `route → ${a.modelName.trim()}: ${a.query.trim()}`;
  if (a.type === 'answer') return `answer: ${a.answer}`;
  return 'invalid action';
}

function Branch({ t, label, testId, forkRound }: { t: Trajectory; label: string; testId: string; forkRound: number }) {
  const answer = [...t.rounds].reverse().find((r) => r.action.type === 'answer')?.action;
  return (
    <div className="branch" data-testid={testId}>
      <h3>{label}</h3>
      <ol className="branch-rounds">
        {t.rounds.map((r) => (
          <li key={r.index} className={r.index === forkRound ? 'branch-fork-round' : r.index < forkRound ? 'muted' : ''} data-testid={`${testId}.round.${r.index}`}>
            {actionText(r)}
            {r.call?.reply != null && <span className="muted small"> · reply {r.call.reply.slice(0, 60)}</span>}
          </li>
        ))}
      </ol>
      <dl className="kv">
        <dt>Answer</dt>
        <dd data-testid={`${testId}.answer`}>{answer?.type === 'answer' ? answer.answer : <span className="muted">none</span>}</dd>
        <dt>Status</dt>
        <dd data-testid={`${testId}.status`}>{t.status}</dd>
        <dt>Cost</dt>
        <dd data-testid={`${testId}.cost`}>{t.metrics === null ? '—' : `${t.metrics.costUnits.toFixed(1)} units · $${t.metrics.costUsd.toFixed(6)}`}</dd>
        <dt>Reward</dt>
        <dd data-testid={`${testId}.reward`}>{t.reward === null ? '—' : `${t.reward.total.toFixed(3)} (EM ${t.reward.em})`}</dd>
      </dl>
    </div>
  );
}

export function BranchCompare() {
  const fork = useApp((s) => s.fork);
  const current = useApp((s) => s.trajectory);
  const demo = useApp((s) => s.demoComparison);
  if (demo !== null && current !== null && current.id === demo.left.trajectory.id) {
    const label = (r: typeof demo.left, where: string) => `${r.variant} · α ${r.alpha} (${where})`;
    return (
      <section className="panel branches" aria-label="α comparison" data-testid="demos.compare">
        <h2 className="panel-title">α comparison · the same question, two policies</h2>
        <div className="branch-grid">
          <Branch t={demo.left.trajectory} label={label(demo.left, 'in the timeline')} testId="demos.compare.left" forkRound={-1} />
          <Branch t={demo.right.trajectory} label={label(demo.right, 'recorded')} testId="demos.compare.right" forkRound={-1} />
        </div>
      </section>
    );
  }
  if (fork === null || current === null || current.id !== fork.episodeId) return null;
  return (
    <section className="panel branches" aria-label="Branches" data-testid="branches">
      <h2 className="panel-title">Branches · forked at round {fork.roundIndex + 1}</h2>
      <div className="branch-grid">
        <Branch t={fork.base} label="Original" testId="branches.base" forkRound={fork.roundIndex} />
        <Branch t={current} label={`Fork from round ${fork.roundIndex + 1}`} testId="branches.fork" forkRound={fork.roundIndex} />
      </div>
    </section>
  );
}
