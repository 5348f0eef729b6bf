/**
 * The training stream's binder (see bindEngine.ts): the only `for await` over a training run's events
 * (start, step or resume). `train.step` with its samples reaches the store once per frame; the rest at
 * once. Must not: build requests, pause the run or list checkpoints (trainActions.ts does).
 */
import type { TrainRunEvent, TrainStepMetrics, Trajectory } from '../../core';
import type { AppStore } from './appStore';
import { createFrameBatcher, nextFrame, type FrameScheduler } from './frameBatcher';

/** Runs the stream to its end; a failure is written to the store (trainFailed), never thrown. */
export async function runTrainingIntoStore(events: () => AsyncIterable<TrainRunEvent>, store: AppStore, opts: { schedule?: FrameScheduler } = {}): Promise<void> {
  const s = store.getState;
  s().trainStarting();
  const steps = createFrameBatcher<{ metrics: TrainStepMetrics; samples: Trajectory[] }>(opts.schedule ?? nextFrame, (batch) => s().trainStepsAppended(batch));
  try {
    for await (const e of events()) {
      switch (e.type) {
        case 'train.started':
          s().trainStarted(e.runId, e.step, e.totalSteps, e.resumed);
          break;
        case 'train.step':
          steps.push({ metrics: e.metrics, samples: e.samples });
          break;
        case 'train.checkpointed':
          break; // 'train.stored' follows with the stored checkpoint's id
        case 'train.stored':
          s().trainCheckpointStored(e.checkpoint);
          break;
        case 'train.device':
          s().trainDeviceReported(e.device, e.note);
          break;
        case 'train.history':
          s().trainHistoryLoaded(e.metrics);
          break;
        case 'train.finished':
          steps.flush();
          s().trainFinished(e.step, e.status);
          break;
        default: {
          const unknown: never = e;
          return unknown;
        }
      }
    }
  } catch (err) {
    steps.flush();
    s().trainFailed(err instanceof Error ? err.message : String(err));
  }
}
