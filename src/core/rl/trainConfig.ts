/**
 * The configuration of an RL run (DESIGN.md §4, §2.5), its defaults with the reason for each, and
 * validation that returns every error at once. Defaults are sized for the small in-browser setting
 * (GRPO, small batches); the reference's PPO values are noted beside them.
 */
import type { RewardMetric } from '../reward/total';
import { DEFAULT_ADAMW, type AdamWConfig } from '../learner/adamw';
import { DEFAULT_GRPO, type GrpoOptions } from './advantages';
import { checkLrSchedule, type LrSchedule } from './schedule';
import type { TokenWeighting, LossConfig } from '../learner/trainBatch';

export type RlAlgorithm = 'grpo' | 'ppo';

export interface GaeOptions {
  gamma: number;
  lambda: number;
  /** Whiten the advantages over the batch's policy tokens (verl does). */
  whiten: boolean;
}

export interface TrainConfig {
  /** Names the run's checkpoints. */
  runId: string;
  /** Required: every random choice of the run forks from it (questions, rollouts, minibatches). */
  seed: number;
  /** RL steps in total (a resumed run continues up to this). */
  steps: number;
  questionsPerStep: number;
  /** Rollouts per question (G). */
  groupSize: number;
  algorithm: RlAlgorithm;
  /** Weight of the cost reward (§2.4); 0 in the main experiments. */
  alpha: number;
  metric: RewardMetric;
  /** Optimisation passes over each step's rollouts. */
  epochs: number;
  /** Rollouts per optimizer update. */
  minibatchSize: number;
  aggregation: TokenWeighting;
  loss: LossConfig;
  optimizer: AdamWConfig;
  schedule: LrSchedule;
  /** Global gradient-norm clip (verl grad_clip 1.0). */
  maxGradNorm: number;
  grpo: GrpoOptions;
  gae: GaeOptions;
  /** Save a checkpoint every N completed steps (0: only on pause and at the end). */
  checkpointEvery: number;
  /** Trajectories attached to each train.step event (for the timeline). */
  samplesPerStep: number;
}

/** Everything but runId and seed, which every run must choose. */
export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, 'runId' | 'seed'> = {
  steps: 100,
  questionsPerStep: 8, // reference 64 prompts; 8 keeps a browser step under a minute on the offline pool
  groupSize: 4, // GRPO needs ≥ 2 for a baseline; 4 is a common small-scale choice
  algorithm: 'grpo', // no critic to train: the default for small scale (DESIGN §2.5)
  alpha: 0,
  metric: 'em', // the reference trains on EM
  epochs: 1, // verl ppo_epochs 1
  minibatchSize: 16,
  aggregation: 'token-mean', // verl's default loss_agg_mode
  loss: {
    clipRatio: 0.2, // reference
    klCoef: 0.001, // reference (it applies it in the reward; we use the k3 loss term)
    entropyCoef: 0.001, // reference
    valueCoef: 0.5, // PPO only: one optimizer for policy and value head, so the critic's weight lives here
    valueClip: 0.5, // verl cliprange_value
  },
  optimizer: { ...DEFAULT_ADAMW, weightDecay: 0.01 },
  schedule: { kind: 'constant', lr: 1e-5, warmupSteps: 0 }, // reference actor lr 1e-6 is for 3B models
  maxGradNorm: 1.0,
  grpo: { ...DEFAULT_GRPO },
  gae: { gamma: 1, lambda: 1, whiten: true }, // reference γ = λ = 1
  checkpointEvery: 10,
  samplesPerStep: 4,
};

export function createTrainConfig(over: Partial<TrainConfig> & Pick<TrainConfig, 'runId' | 'seed'>): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    ...over,
    loss: { ...DEFAULT_TRAIN_CONFIG.loss, ...over.loss },
    optimizer: { ...DEFAULT_TRAIN_CONFIG.optimizer, ...over.optimizer },
    grpo: { ...DEFAULT_TRAIN_CONFIG.grpo, ...over.grpo },
    gae: { ...DEFAULT_TRAIN_CONFIG.gae, ...over.gae },
  };
}

export class TrainConfigError extends Error {
  override name = 'TrainConfigError';
  readonly errors: readonly string[];
  constructor(errors: readonly string[]) {
    super(`The training configuration is invalid: ${errors.join(' ')}`);
    this.errors = errors;
  }
}

/** Every problem of the config (empty when valid). Never mutates it. */
export function validateTrainConfig(c: TrainConfig): string[] {
  const e: string[] = [];
  const whole = (v: number, min: number, name: string): void => {
    if (!Number.isInteger(v) || v < min) e.push(`${name} must be a whole number ≥ ${min}, got ${v}.`);
  };
  if (c.runId.length === 0) e.push('runId must not be empty.');
  if (!Number.isSafeInteger(c.seed)) e.push(`seed must be a safe integer, got ${c.seed}.`);
  whole(c.steps, 1, 'steps');
  whole(c.questionsPerStep, 1, 'questionsPerStep');
  whole(c.groupSize, 1, 'groupSize');
  whole(c.epochs, 1, 'epochs');
  whole(c.minibatchSize, 1, 'minibatchSize');
  whole(c.checkpointEvery, 0, 'checkpointEvery');
  whole(c.samplesPerStep, 0, 'samplesPerStep');
  if (c.algorithm === 'grpo' && c.groupSize < 2) e.push('GRPO needs groupSize ≥ 2: the group mean is the baseline.');
  if (!(c.alpha >= 0 && c.alpha <= 1)) e.push(`alpha must lie in [0, 1], got ${c.alpha}.`);
  if (!(c.loss.clipRatio > 0 && c.loss.clipRatio < 1)) e.push('loss.clipRatio must lie in (0, 1).');
  for (const k of ['klCoef', 'entropyCoef', 'valueCoef', 'valueClip'] as const) if (!(c.loss[k] >= 0)) e.push(`loss.${k} must be ≥ 0.`);
  if (!(c.maxGradNorm > 0)) e.push('maxGradNorm must be > 0.');
  const o = c.optimizer;
  if (!(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1)) e.push('optimizer betas must lie in [0, 1).');
  if (!(o.eps > 0) || !(o.weightDecay >= 0)) e.push('optimizer.eps must be > 0 and weightDecay ≥ 0.');
  if (!(c.gae.gamma >= 0 && c.gae.gamma <= 1 && c.gae.lambda >= 0 && c.gae.lambda <= 1)) e.push('gae.gamma and gae.lambda must lie in [0, 1].');
  e.push(...checkLrSchedule(c.schedule));
  return e;
}
