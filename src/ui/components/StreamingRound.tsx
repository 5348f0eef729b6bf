/**
 * The round the model is writing now: its streamed tokens, coloured by segment as they arrive (the store
 * gets them batched per animation frame). Replaced by the round's card once the round is generated.
 */
import { useApp } from '../store/useApp';
import { SegmentedText } from './SegmentedText';

export function StreamingRound() {
  const streaming = useApp((s) => s.streaming);
  const isModel = useApp((s) => s.trajectory?.policy.kind === 'onnx');
  const generating = useApp((s) => s.phase === 'generating');
  if (streaming === null || !isModel || !generating) return null;
  const id = `timeline.round.${streaming.roundIndex}.stream`;
  return (
    <li className="round-card round-current round-streaming" data-testid={id} aria-live="polite">
      <header className="round-header">
        <h3>Round {streaming.roundIndex + 1}</h3>
        <span className="badge badge-warn">writing…</span>
        <span className="round-meta muted" data-testid={`${id}.tokens`}>
          {streaming.tokens} tokens
        </span>
      </header>
      {streaming.text === '' ? <p className="muted">Reading the context…</p> : <SegmentedText text={streaming.text} testId={`${id}.text`} />}
    </li>
  );
}
