/**
 * Checkpoints of an RL run and the port that stores them. A checkpoint holds everything needed to
 * continue the run exactly where it stopped: the trainable weights, the optimizer state, the config,
 * the seed, the completed step count, the questions rng, the shared cost window and the metric history.
 * Storage (IndexedDB / OPFS, a file) is an adapter's job; the in-memory store here is for tests and
 * Node runs. Plain data only (Maps of Float32Arrays survive structuredClone).
 */
import type { RngSnapshot } from '../math/rng';
import type { AdamWState } from '../learner/adamw';
import { cloneAdamWState } from '../learner/adamw';
import { cloneParams, type ParamMap } from '../learner/paramMap';
import type { TrainConfig } from './trainConfig';
import type { TrainStepMetrics } from './trainMetrics';

export const TRAIN_CHECKPOINT_VERSION = 1;

export type CheckpointReason = 'interval' | 'pause' | 'end';

export interface TrainCheckpoint {
  version: typeof TRAIN_CHECKPOINT_VERSION;
  runId: string;
  seed: number;
  /** Completed RL steps; the run continues with step index `step`. */
  step: number;
  config: TrainConfig;
  params: ParamMap;
  optimizer: AdamWState;
  /** The running stream the question sampler draws from (every other stream is a per-step fork). */
  rng: { questions: RngSnapshot };
  /** The shared cost window's values, oldest first (DESIGN §2.4). */
  costWindow: number[];
  /** Metrics of every completed step (no trajectories). */
  metrics: TrainStepMetrics[];
  reason: CheckpointReason;
  /** The injected clock's reading when saved. */
  savedAtMs: number;
}

export interface CheckpointStore {
  save(checkpoint: TrainCheckpoint): Promise<void>;
  /** The latest checkpoint of the run, if any. */
  load(runId: string): Promise<TrainCheckpoint | undefined>;
}

/** Deep copy: a stored checkpoint never aliases the live params or optimizer state. */
export function cloneCheckpoint(c: TrainCheckpoint): TrainCheckpoint {
  return {
    ...c,
    config: JSON.parse(JSON.stringify(c.config)) as TrainConfig,
    params: cloneParams(c.params),
    optimizer: cloneAdamWState(c.optimizer),
    rng: { questions: { key: [...c.rng.questions.key], state: [...c.rng.questions.state] } },
    costWindow: [...c.costWindow],
    metrics: c.metrics.map((m) => JSON.parse(JSON.stringify(m)) as TrainStepMetrics),
  };
}

export interface MemoryCheckpointStore extends CheckpointStore {
  /** Every save, in order (copies). */
  readonly saved: readonly TrainCheckpoint[];
}

export function createMemoryCheckpointStore(): MemoryCheckpointStore {
  const saved: TrainCheckpoint[] = [];
  return {
    saved,
    async save(c) {
      saved.push(cloneCheckpoint(c));
    },
    async load(runId) {
      for (let i = saved.length - 1; i >= 0; i--) {
        const c = saved[i];
        if (c?.runId === runId) return cloneCheckpoint(c);
      }
      return undefined;
    },
  };
}
