/**
 * The samples of the chart point last clicked: which step, one button per kept sample trajectory (the one
 * in the timeline pressed), or why there are none. A pick brings the timeline into view. Renders from the
 * store; loading a sample is the controller's (showTrainStep).
 */
import { useEffect } from 'react';
import { useController } from '../session/controllerContext';
import { MAX_SAMPLE_STEPS } from '../store/trainSlice';
import { useApp } from '../store/useApp';

export function TrainSamples() {
  const controller = useController();
  const picked = useApp((s) => s.trainPicked);
  const samples = useApp((s) => (s.trainPicked === null ? undefined : s.trainSamples.find((x) => x.step === s.trainPicked?.step)?.trajectories));
  useEffect(() => {
    // jsdom has no scrollIntoView; the timeline sits below the Train view
    if (picked?.sample != null) document.querySelector('[data-testid="timeline"]')?.scrollIntoView?.({ block: 'nearest' });
  }, [picked]);
  if (picked === null) return null;
  if (picked.sample === null || samples === undefined) {
    return (
      <p className="muted small" data-testid="train.samples" data-step={picked.step}>
        Step {picked.step}: no sample trajectories kept (the last {MAX_SAMPLE_STEPS} steps keep theirs; steps from before a resume have none).
      </p>
    );
  }
  return (
    <div className="row-actions train-samples" role="group" aria-label={`Samples of step ${picked.step}`} data-testid="train.samples" data-step={picked.step}>
      <span className="label">Step {picked.step} in the timeline:</span>
      {samples.map((t, i) => (
        <button key={t.id} type="button" aria-pressed={picked.sample === i} onClick={() => void controller?.showTrainStep(picked.step, i)} data-testid={`train.samples.${i}`}>
          Sample {i + 1} · reward {t.reward?.total.toFixed(2) ?? '–'} · {t.metrics?.calls ?? 0} call{t.metrics?.calls === 1 ? '' : 's'}
        </button>
      ))}
    </div>
  );
}
