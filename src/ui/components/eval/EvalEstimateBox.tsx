/** Before a run on live APIs: the estimate of calls and dollars, confirmed or declined by the user. */
import { useController } from '../../session/controllerContext';
import { useApp } from '../../store/useApp';

export function EvalEstimateBox() {
  const controller = useController();
  const estimate = useApp((s) => s.evalEstimate);
  const status = useApp((s) => s.evalStatus);
  const cap = useApp((s) => s.spendingCapUsd);
  if (status !== 'confirming' || estimate === null) return null;
  const live = estimate.total.live;
  return (
    <div className="eval-estimate" role="alertdialog" aria-label="Confirm the cost of this run" data-testid="eval.estimate">
      <p>
        This run calls live APIs: about <strong data-testid="eval.estimate.calls">{Math.round(live.calls.expected)}</strong> calls (at most {live.calls.max}) and about{' '}
        <strong data-testid="eval.estimate.usd">${live.usd.expected.toFixed(4)}</strong> (at most ${live.usd.max.toFixed(4)}), for {estimate.episodes} episodes.
        {cap !== null && ` The session spending cap ($${cap}) stops the run if it is reached; the run pauses and keeps what it has.`} Cached replies are free.
      </p>
      <div className="row-actions">
        <button type="button" className="primary" onClick={() => controller?.confirmEstimate(true)} data-testid="eval.estimate.confirm">
          Run it
        </button>
        <button type="button" onClick={() => controller?.confirmEstimate(false)} data-testid="eval.estimate.decline">
          Don't run
        </button>
      </div>
    </div>
  );
}
