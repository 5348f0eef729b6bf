/**
 * The live charts of a training run: reward (mean and parts), EM, cost per question, format-error
 * rate, calls per question, KL, entropy, PPO's value loss (PPO runs only), routing share per model and the
 * step-time split. Clicking a point of any of them shows that step's sample trajectories in the timeline
 * below (TrainSamples switches between them).
 */
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import { MetricChart } from './charts/MetricChart';
import { RoutingShareChart } from './charts/RoutingShareChart';
import { StepTimeChart } from './charts/StepTimeChart';
import { hasValueLoss, LINE_CHARTS, VALUE_LOSS_CHART } from './charts/trainCharts';
import { TrainSamples } from './TrainSamples';

export function TrainCharts() {
  const points = useApp((s) => s.trainPoints);
  const sampleSteps = useApp((s) => s.trainSamples.length);
  const controller = useController();
  const onPick = (step: number): void => void controller?.showTrainStep(step);
  const skipped = points.filter((p) => p.skipped !== null).length;
  return (
    <section className="train-charts" aria-label="Training charts" data-testid="train.charts">
      <p className="muted small">
        {points.length} step{points.length === 1 ? '' : 's'} charted (the last 500 kept)
        {skipped > 0 && <span className="error-text"> · {skipped} skipped (NaN/Inf or nothing to train on), marked in red</span>}
        {sampleSteps > 0 && <> · click a point to open that step&apos;s sample trajectories in the timeline</>}
      </p>
      <TrainSamples />
      <div className="train-chart-grid">
        {LINE_CHARTS.map((spec) => (
          <MetricChart key={spec.id} spec={spec} points={points} onPick={onPick} />
        ))}
        {hasValueLoss(points) && <MetricChart spec={VALUE_LOSS_CHART} points={points} onPick={onPick} />}
        <RoutingShareChart points={points} onPick={onPick} />
        <StepTimeChart points={points} onPick={onPick} />
      </div>
    </section>
  );
}
