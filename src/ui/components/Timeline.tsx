/**
 * The round timeline: one card per revealed round; later rounds stay hidden until stepped to. While an
 * episode runs the page follows its live end (useFollowLive), unless the user scrolls away.
 */
import { useRef } from 'react';
import { useFollowLive } from '../hooks/useFollowLive';
import { useApp } from '../store/useApp';
import { selectCurrentStep, selectIsAtEnd, selectSteps } from '../store/steps';
import { RoundCard } from './RoundCard';
import { StreamingRound } from './StreamingRound';
import { ForkEditor } from './ForkEditor';

const STATUS_TEXT = {
  answered: 'The policy answered.',
  'out-of-turns': 'Out of turns: no answer after the final turn.',
  'context-full': 'The context filled up before an answer.',
  aborted: 'The episode was aborted.',
  failed: 'The episode failed.',
} as const;

export function Timeline() {
  const trajectory = useApp((s) => s.trajectory);
  const revealed = useApp((s) => s.revealed);
  const steps = useApp(selectSteps);
  const current = useApp(selectCurrentStep);
  const atEnd = useApp(selectIsAtEnd);
  const rawTextShown = useApp((s) => s.rawTextShown);
  const running = useApp((s) => s.phase === 'starting' || s.phase === 'generating' || s.phase === 'calling');
  const modelReady = useApp((s) => s.modelInfo !== null);
  const openForkEditor = useApp((s) => s.openForkEditor);
  const forkEditorRound = useApp((s) => s.forkEditorRound);
  const streamedChars = useApp((s) => s.streaming?.text.length ?? 0);
  const liveEnd = useRef<HTMLLIElement>(null);
  useFollowLive(liveEnd, `${trajectory?.rounds.length ?? 0}:${revealed}:${streamedChars}`, running);
  if (trajectory === null) return null;
  // A finished model episode can be forked at any round (the model continues after the edited one).
  const canFork = !running && modelReady && trajectory.policy.kind === 'onnx' && trajectory.agentTemplate !== undefined;

  const revealedPerRound = trajectory.rounds.map(() => 0);
  for (const step of steps.slice(0, revealed)) revealedPerRound[step.round] = (revealedPerRound[step.round] ?? 0) + 1;
  const stagesPerRound = trajectory.rounds.map((_, i) => steps.filter((st) => st.round === i).map((st) => st.stage));

  return (
    <section className="timeline-section" aria-label="Round timeline">
      <ol className="timeline" data-testid="timeline">
        {trajectory.rounds.map((round, i) =>
          (revealedPerRound[i] ?? 0) > 0 ? (
            <RoundCard
              key={i}
              index={i}
              round={round}
              pool={trajectory.pool}
              stages={(stagesPerRound[i] ?? []).slice(0, revealedPerRound[i])}
              currentStage={current?.round === i ? current.stage : null}
              rawTextShown={rawTextShown}
              {...(canFork ? { onFork: () => openForkEditor(i) } : {})}
            />
          ) : null,
        )}
        <StreamingRound />
        <li ref={liveEnd} className="timeline-anchor" aria-hidden="true" />
      </ol>
      {canFork && forkEditorRound !== null && trajectory.rounds[forkEditorRound] !== undefined && <ForkEditor key={forkEditorRound} round={trajectory.rounds[forkEditorRound]} pool={trajectory.pool} />}
      {revealed === 0 && trajectory.rounds.length > 0 && (
        <p className="timeline-hint muted" data-testid="timeline.empty">
          {trajectory.rounds.length} rounds recorded. Press <kbd>→</kbd> or <strong>Next</strong> to reveal the first step.
        </p>
      )}
      {atEnd && !running && (
        <p className={`timeline-end status-${trajectory.status}`} data-testid="timeline.end">
          Episode ended · {STATUS_TEXT[trajectory.status]}
          {trajectory.error !== undefined && <span className="error-text"> {trajectory.error}</span>}
        </p>
      )}
    </section>
  );
}
