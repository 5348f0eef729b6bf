/**
 * One round of the episode: the thought, then the action (route with its reply, the answer, or an
 * invalid action), revealed sub-step by sub-step. The most recent sub-step is highlighted.
 */
import { useEffect, useRef } from 'react';
import { findTagBlocks, type InvalidReason, type PoolModelRecord, type RoundRecord } from '../../core';
import type { StepStage } from '../store/steps';
import { formatMs } from '../format';
import { ReplyStep } from './ReplyStep';
import { RouteStep } from './RouteStep';
import { SegmentedText } from './SegmentedText';
import { hasScrolledAway } from '../hooks/useFollowLive';

export interface RoundCardProps {
  /** Position in Trajectory.rounds (also the test id). */
  index: number;
  round: RoundRecord;
  pool: readonly PoolModelRecord[];
  /** The revealed sub-steps of this round, in order. */
  stages: readonly StepStage[];
  /** The cursor's sub-step when it is in this round. */
  currentStage: StepStage | null;
  rawTextShown: boolean;
  /** Offered on finished model episodes: edit this round and let the policy continue from it. */
  onFork?: () => void;
}

const INVALID_TEXT: Record<InvalidReason, string> = {
  'no-action': 'no <search> or <answer> block',
  placeholder: 'the placeholder llm-name / your-query',
  'no-colon': 'no colon between model name and query',
  'empty-query': 'an empty query',
};

export function RoundCard({ index, round, pool, stages, currentStage, rawTextShown, onFork }: RoundCardProps) {
  const id = `timeline.round.${index}`;
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    // Keep the newest sub-step in view (not while the user has scrolled away from a live run); jsdom has no scrollIntoView.
    if (currentStage !== null && !hasScrolledAway()) ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [currentStage]);
  const thoughts = findTagBlocks(round.text, ['think']).map((b) => b.content.trim());
  const stageClass = (stage: StepStage): string => `step step-${stage}${stage === currentStage ? ' step-current' : ''}`;
  const action = round.action;

  return (
    <li ref={ref} className={`round-card${currentStage !== null ? ' round-current' : ''}`} data-testid={id} aria-current={currentStage !== null ? 'step' : undefined}>
      <header className="round-header">
        <h3>Round {index + 1}</h3>
        <span className={`badge badge-${action.type}`} data-testid={`${id}.action`}>
          {action.type}
        </span>
        {!round.routingEnabled && <span className="badge badge-warn">final turn · routing disabled</span>}
        <span className="round-meta muted">
          generated in {formatMs(round.generationMs)} · context {round.contextTokens} tokens
        </span>
        {onFork !== undefined && (
          <button type="button" className="fork-button" onClick={onFork} data-testid={`${id}.fork`} title="Edit this round's thought, route or reply, and let the policy continue from there">
            Fork here
          </button>
        )}
      </header>

      {stages.includes('think') && (
        <div className={stageClass('think')} data-testid={`${id}.think`}>
          <div className="step-label">Think</div>
          {thoughts.length > 0 ? (
            thoughts.map((t, i) => (
              <p key={i} className="thought">
                {t}
              </p>
            ))
          ) : (
            <p className="muted">No &lt;think&gt; block in this turn.</p>
          )}
        </div>
      )}

      {stages.includes('route') && action.type === 'route' && (
        <RouteStep testId={id} className={stageClass('route')} action={action} call={round.call} pool={pool} routingEnabled={round.routingEnabled} />
      )}
      {stages.includes('reply') && <ReplyStep testId={id} className={stageClass('reply')} call={round.call} observation={round.observation} simulated={round.call?.poolIndex != null && pool[round.call.poolIndex]?.simulated === true} />}

      {stages.includes('answer') && action.type === 'answer' && (
        <div className={stageClass('answer')} data-testid={`${id}.answer`}>
          <div className="step-label">Answer</div>
          <p className="answer-text">{action.answer === '' ? <span className="muted">(empty)</span> : action.answer}</p>
        </div>
      )}

      {stages.includes('invalid') && action.type === 'invalid' && (
        <div className={`${stageClass('invalid')} step-invalid`} data-testid={`${id}.invalid`}>
          <div className="step-label">Invalid action</div>
          <p>
            Not a valid route or answer: {INVALID_TEXT[action.reason]}. No call was made and nothing was appended; the policy
            continues (reference behaviour).
          </p>
          {action.content !== '' && <code className="block-code">{action.content}</code>}
        </div>
      )}

      {rawTextShown && stages.length > 0 && (
        <div className="raw" data-testid={`${id}.raw`}>
          <div className="step-label">
            Raw generation{round.rawText !== round.text && <span className="muted"> (kept up to the first stop tag)</span>}
          </div>
          <SegmentedText text={round.rawText} testId={`${id}.raw.text`} />
        </div>
      )}
    </li>
  );
}
