/**
 * The reward breakdown (DESIGN.md §2.4) and the episode metrics, shown once the cursor reaches the end:
 * the reward is computed on the whole response, so it is only meaningful for the finished episode.
 */
import type { EpisodeMetrics, RewardBreakdown } from '../../core';
import { formatCostUnits, formatScore, formatUsd } from '../format';
import { useApp } from '../store/useApp';
import { selectIsAtEnd } from '../store/steps';

function Row({ id, label, value, note }: { id: string; label: string; value: string; note?: string }) {
  return (
    <div className="reward-row">
      <dt>{label}</dt>
      <dd>
        <span className="value" data-testid={id}>
          {value}
        </span>
        {note !== undefined && <span className="muted note"> {note}</span>}
      </dd>
    </div>
  );
}

function Breakdown({ reward }: { reward: RewardBreakdown }) {
  return (
    <dl className="reward-list">
      <Row id="reward.format" label="Format" value={formatScore(reward.format)} note={reward.format === 0 ? 'well-formed' : 'penalty: malformed response'} />
      <Row id="reward.answer" label="Extracted answer" value={reward.answer ?? '—'} note={reward.answer === null ? 'no <answer> block' : undefined} />
      <Row id="reward.em" label="Exact match" value={formatScore(reward.em)} />
      <Row id="reward.f1" label="F1" value={formatScore(reward.f1)} />
      <Row id="reward.costReward" label="Cost reward" value={formatScore(reward.costReward)} note="1 = cheapest in window" />
      <Row id="reward.alpha" label="α (cost weight)" value={formatScore(reward.alpha)} />
      <Row id="reward.metric" label="Outcome metric" value={reward.metric.toUpperCase()} />
      <div className="reward-row reward-total">
        <dt>Total reward</dt>
        <dd>
          <span className="value" data-testid="reward.total">
            {formatScore(reward.total)}
          </span>
        </dd>
      </div>
    </dl>
  );
}

function Metrics({ metrics }: { metrics: EpisodeMetrics }) {
  return (
    <dl className="reward-list metrics">
      <Row id="reward.metrics.costUnits" label="Cost (reference)" value={formatCostUnits(metrics.costUnits)} note="completion tokens × $/1M" />
      <Row id="reward.metrics.costUsd" label="Cost ($)" value={formatUsd(metrics.costUsd)} note="prompt tokens included" />
      <Row id="reward.metrics.routes" label="Routes" value={String(metrics.routes)} />
      <Row id="reward.metrics.calls" label="Calls" value={String(metrics.calls)} />
      <Row id="reward.metrics.turns" label="Turns" value={String(metrics.turns)} />
    </dl>
  );
}

export function RewardPanel() {
  const reward = useApp((s) => s.trajectory?.reward ?? null);
  const metrics = useApp((s) => s.trajectory?.metrics ?? null);
  const atEnd = useApp(selectIsAtEnd);
  const running = useApp((s) => s.phase === 'starting' || s.phase === 'generating' || s.phase === 'calling');
  return (
    <section className="panel reward" aria-labelledby="reward-heading" data-testid="reward">
      <h2 id="reward-heading" className="panel-title">
        Reward breakdown
      </h2>
      {running ? (
        <p className="muted" data-testid="reward.pending">
          The episode is running: it is scored on the whole response once it ends.
        </p>
      ) : !atEnd ? (
        <p className="muted" data-testid="reward.pending">
          Scored on the whole response when the episode ends. Step to the end (<kbd>End</kbd>) to see it.
        </p>
      ) : reward === null ? (
        <p className="muted" data-testid="reward.none">
          This trajectory was not scored.
        </p>
      ) : (
        <>
          <Breakdown reward={reward} />
          <p className="formula muted small">format −1 → −1 · EM 0 → 0 · EM 1 → (1 − α) + α · cost reward</p>
        </>
      )}
      {atEnd && metrics !== null && (
        <>
          <h3 className="panel-subtitle">Episode metrics</h3>
          <Metrics metrics={metrics} />
        </>
      )}
    </section>
  );
}
