/**
 * The reply sub-step: the candidate's reply (the observation the policy reads), its usage, cost and
 * latency, and any error. A failed or unknown call shows the `None` observation and cost 0.
 */
import type { CallRecord, ObservationRecord } from '../../core';
import { formatCostUnits, formatMs, formatUsd } from '../format';

export interface ReplyStepProps {
  testId: string;
  className: string;
  call: CallRecord | null;
  observation: ObservationRecord | null;
  /** The model is simulated from recorded scores (the offline pool): said beside the reply. */
  simulated?: boolean;
}

export function ReplyStep({ testId, className, call, observation, simulated = false }: ReplyStepProps) {
  const id = `${testId}.reply`;
  return (
    <div className={className} data-testid={id}>
      <div className="step-label">
        Reply{simulated && <span className="badge badge-warn" data-testid={`${id}.simulated`}>simulated from recorded scores</span>}
      </div>
      {call?.error != null && (
        <p className="error-box" role="note" data-testid={`${testId}.error`}>
          <strong>{call.error.kind}</strong>: {call.error.message}
        </p>
      )}
      <blockquote className="reply-text" data-testid={`${id}.text`}>
        {call !== null && call.reply !== null && call.reply !== '' ? call.reply : <span className="muted">None (no reply; the policy reads &lt;information&gt;None&lt;/information&gt;)</span>}
      </blockquote>
      {observation !== null && (
        <p className="muted small" data-testid={`${id}.observation`}>
          Observation appended: {observation.tokenCount} policy tokens
          {observation.truncated && <span className="warn-text"> · cut at the token cap (the closing tag may be missing)</span>}
        </p>
      )}
      {call !== null && (
        <dl className="metrics-row">
          <div>
            <dt>Tokens</dt>
            <dd data-testid={`${testId}.tokens`}>
              {call.usage === null ? '—' : `${call.usage.promptTokens} prompt · ${call.usage.completionTokens} completion`}
            </dd>
          </div>
          <div>
            <dt>Cost</dt>
            <dd data-testid={`${testId}.cost`}>
              {formatCostUnits(call.costUnits)} · {formatUsd(call.costUsd)}
            </dd>
          </div>
          <div>
            <dt>Latency</dt>
            <dd data-testid={`${testId}.latency`}>
              {formatMs(call.latencyMs)}
              {simulated ? <span className="muted"> (simulated)</span> : call.cached && <span className="muted"> (cached)</span>}
            </dd>
          </div>
        </dl>
      )}
    </div>
  );
}
