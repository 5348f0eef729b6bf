/**
 * The Train view (mode "Train"): RL fine-tuning of the router in the browser (DESIGN.md §4). The
 * configuration, the run controls, the stored checkpoints and the live charts; the run itself lives in
 * the engine worker. Renders from the store only.
 */
import { ModeSwitch } from './ModeSwitch';
import { TrainCharts } from './TrainCharts';
import { TrainCheckpoints } from './TrainCheckpoints';
import { TrainControls } from './TrainControls';
import { TrainForm } from './TrainForm';

export function TrainView() {
  return (
    <section className="panel setup train-view" aria-label="Train" data-testid="train.view">
      <ModeSwitch />
      <p className="muted small">
        GRPO with the Router-R1 reward on the offline pool: G rollouts per question through the real environment, group-normalised advantages, the
        clipped policy loss with a KL term on our own ONNX training graph, AdamW, then the new weights are synced into the rollout policy.
      </p>
      <TrainForm />
      <TrainControls />
      <TrainCheckpoints />
      <TrainCharts />
    </section>
  );
}
