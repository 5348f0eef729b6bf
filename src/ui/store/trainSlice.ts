/**
 * The Train view's state: the configuration form, the run's status and step counter, the device it
 * runs on, the chart series (one flat point per step, bounded), the sample trajectories of recent steps
 * (bounded) and the stored checkpoints. Written by train actions from engine events only; plain data.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { PolicyDeviceReport, PreferredDevice, TrainCheckpointInfo, TrainStepMetrics, Trajectory } from '../../core';
import type { AppState } from './appStore';

/** Chart points kept (older ones drop off the left edge). */
export const MAX_TRAIN_POINTS = 500;
/** Steps whose sample trajectories are kept for the timeline. */
export const MAX_SAMPLE_STEPS = 50;

/**
 * What the form trains: an embedded folder under public/models/ by name (tiny-router, or one the embedded
 * index lists: router-nano-a0, router-nano-a08, their -warmup baselines), 'mix:warmups' (the two warm-ups
 * mixed: TRAIN_POLICY_WARMUP_MIX), or 'loaded' (the model loaded in "Model policy", when it is an embedded
 * folder or a checkpoint).
 */
export type TrainPolicyChoice = string;
/** The form's policy value for "the loaded model". */
export const TRAIN_POLICY_LOADED = 'loaded';
/**
 * The form's policy value for the α demo's start: the two warm-ups mixed 50/50 (routing not yet decided),
 * as cli/train/examples/alpha-shift.json; `name`'s folder gives tokenizer, config and router.json. Not a
 * folder name (folder names have no ':').
 */
export const TRAIN_POLICY_WARMUP_MIX = 'mix:warmups';
export const WARMUP_MIX = { name: 'router-nano-a0-warmup', with: 'router-nano-a08-warmup', weight: 0.5 } as const;

export interface TrainForm {
  policy: TrainPolicyChoice;
  alpha: number;
  /** G: rollouts per question. */
  groupSize: number;
  /** Questions per step. */
  batch: number;
  lr: number;
  klCoef: number;
  steps: number;
  seed: number;
  checkpointEvery: number;
  /** Rollout sampling temperature (top-p and top-k come from the run's sampling settings). */
  temperature: number;
  /** GRPO (group baseline, the default) or PPO (a value head trained beside the policy, GAE advantages). */
  algorithm: 'grpo' | 'ppo';
  device: PreferredDevice;
}

export const DEFAULT_TRAIN_FORM: TrainForm = {
  policy: 'tiny-router',
  alpha: 0,
  groupSize: 2, // the GRPO minimum: a step of the tiny model takes about a second on wasm
  batch: 2,
  lr: 1e-4, // the tiny router learns visibly at this rate (cli/train/examples/tiny.json)
  klCoef: 0.001,
  steps: 20,
  seed: 7,
  checkpointEvery: 5,
  temperature: 1, // RL needs exploration: the reference's rollout temperature
  algorithm: 'grpo', // no critic to train: the default at small scale (DESIGN §2.5)
  device: 'wasm', // SwiftShader WebGPU is ~40× slower than wasm; 'auto' picks a real GPU when there is one
};

/**
 * The α demo in one click: the form set to cli/train/examples/alpha-shift.json (the two warm-ups mixed 50/50,
 * α 0.9, G 4 × 8 questions = one update of 32 rollouts per step, lr 1e-4 constant, KL 0.001, 24 steps, seed 3,
 * checkpoint every 12, temperature 1; the split, env settings and entropy bonus are the form's fixed ones, the
 * same as the file's). Over 24 steps the cost per question falls and the 49B model's share with it.
 */
export const ALPHA_SHIFT_PRESET = {
  policy: TRAIN_POLICY_WARMUP_MIX,
  alpha: 0.9,
  groupSize: 4,
  batch: 8,
  lr: 1e-4,
  klCoef: 0.001,
  steps: 24,
  seed: 3,
  checkpointEvery: 12,
  temperature: 1,
  algorithm: 'grpo',
  device: 'wasm',
} as const satisfies TrainForm;

export type TrainStatus = 'idle' | 'starting' | 'running' | 'pausing' | 'paused' | 'completed' | 'failed';

/** One step as the charts read it (NaN: no value, drawn as a gap). */
export interface TrainPoint {
  step: number;
  rewardMean: number;
  rewardFormat: number;
  rewardOutcome: number;
  rewardCost: number;
  em: number;
  costUnits: number;
  formatErrorRate: number;
  callsPerQuestion: number;
  kl: number;
  entropy: number;
  /** PPO's critic loss (0 under GRPO, which trains none). */
  valueLoss: number;
  routing: Record<string, number>;
  timeRollout: number;
  timeReward: number;
  timeTrain: number;
  timeSync: number;
  /** Why the update was skipped (NaN/Inf, nothing to train on), or null. */
  skipped: string | null;
}

export interface TrainSlice {
  trainForm: TrainForm;
  trainStatus: TrainStatus;
  trainRunId: string | null;
  trainStep: number;
  trainTotalSteps: number;
  trainError: string | null;
  trainDevice: { report: PolicyDeviceReport; note: string } | null;
  trainPoints: TrainPoint[];
  trainSamples: { step: number; trajectories: Trajectory[] }[];
  /** The chart point clicked: its step and which of its samples the timeline shows (null: none kept for that step). */
  trainPicked: { step: number; sample: number | null } | null;
  trainCheckpoints: TrainCheckpointInfo[];
  /** The checkpoint Resume / Export / Use as policy act on. */
  trainSelectedCheckpoint: string | null;
  setTrainForm(patch: Partial<TrainForm>): void;
  trainStarting(): void;
  trainStarted(runId: string, step: number, totalSteps: number, resumed: boolean): void;
  trainPausing(): void;
  trainDeviceReported(report: PolicyDeviceReport, note: string): void;
  trainHistoryLoaded(metrics: readonly TrainStepMetrics[]): void;
  trainStepsAppended(steps: readonly { metrics: TrainStepMetrics; samples: Trajectory[] }[]): void;
  trainFinished(step: number, status: 'completed' | 'aborted'): void;
  trainFailed(error: string): void;
  setTrainCheckpoints(list: TrainCheckpointInfo[]): void;
  trainCheckpointStored(info: TrainCheckpointInfo): void;
  selectTrainCheckpoint(id: string | null): void;
  trainSamplePicked(step: number, sample: number | null): void;
}

const nanIfSkipped = (m: TrainStepMetrics, v: number): number => (m.skipped !== null ? Number.NaN : v);

export function toTrainPoint(m: TrainStepMetrics): TrainPoint {
  return {
    step: m.step,
    rewardMean: m.rewardMean,
    rewardFormat: m.rewardFormat,
    rewardOutcome: m.rewardOutcome,
    rewardCost: m.rewardCost,
    em: m.em,
    costUnits: m.costUnitsPerQuestion,
    formatErrorRate: m.formatErrorRate,
    callsPerQuestion: m.callsPerQuestion,
    kl: nanIfSkipped(m, m.kl),
    entropy: nanIfSkipped(m, m.entropy),
    valueLoss: nanIfSkipped(m, m.valueLoss),
    routing: { ...m.routingShare },
    timeRollout: m.timeMs.rollout,
    timeReward: m.timeMs.reward,
    timeTrain: m.timeMs.train,
    timeSync: m.timeMs.sync,
    skipped: m.skipped?.reason ?? null,
  };
}

/** Appends by step (a step seen again replaces the old point: a resume after a pause inside a step). */
function mergePoints(old: readonly TrainPoint[], add: readonly TrainPoint[]): TrainPoint[] {
  const first = add[0]?.step;
  const kept = first === undefined ? [...old] : old.filter((p) => p.step < first);
  return [...kept, ...add].slice(-MAX_TRAIN_POINTS);
}

export const createTrainSlice: StateCreator<AppState, [], [], TrainSlice> = (set, get) => ({
  trainForm: DEFAULT_TRAIN_FORM,
  trainStatus: 'idle',
  trainRunId: null,
  trainStep: 0,
  trainTotalSteps: 0,
  trainError: null,
  trainDevice: null,
  trainPoints: [],
  trainSamples: [],
  trainPicked: null,
  trainCheckpoints: [],
  trainSelectedCheckpoint: null,
  setTrainForm: (patch) => set({ trainForm: { ...get().trainForm, ...patch } }),
  trainStarting: () => set({ trainStatus: 'starting', trainError: null }),
  trainStarted: (trainRunId, trainStep, trainTotalSteps, resumed) => {
    // a pause asked for while the run was starting stays asked for (the loop stops at its first boundary)
    const trainStatus = get().trainStatus === 'pausing' ? 'pausing' : 'running';
    set(resumed || get().trainRunId === trainRunId ? { trainStatus, trainRunId, trainStep, trainTotalSteps } : { trainStatus, trainRunId, trainStep, trainTotalSteps, trainPoints: [], trainSamples: [], trainPicked: null });
  },
  trainPausing: () => {
    if (get().trainStatus === 'running' || get().trainStatus === 'starting') set({ trainStatus: 'pausing' });
  },
  trainDeviceReported: (report, note) => set({ trainDevice: { report, note } }),
  trainHistoryLoaded: (metrics) => set({ trainPoints: metrics.map(toTrainPoint).slice(-MAX_TRAIN_POINTS), trainSamples: [], trainPicked: null }),
  trainStepsAppended: (steps) => {
    if (steps.length === 0) return;
    const samples = [...get().trainSamples, ...steps.filter((s) => s.samples.length > 0).map((s) => ({ step: s.metrics.step, trajectories: s.samples }))];
    set({
      trainPoints: mergePoints(get().trainPoints, steps.map((s) => toTrainPoint(s.metrics))),
      trainSamples: samples.slice(-MAX_SAMPLE_STEPS),
      trainStep: (steps.at(-1) as { metrics: TrainStepMetrics }).metrics.step,
    });
  },
  trainFinished: (trainStep, status) => set({ trainStep, trainStatus: status === 'completed' ? 'completed' : 'paused' }),
  trainFailed: (trainError) => set({ trainStatus: 'failed', trainError }),
  setTrainCheckpoints: (trainCheckpoints) => {
    const sel = get().trainSelectedCheckpoint;
    set({ trainCheckpoints, trainSelectedCheckpoint: sel !== null && trainCheckpoints.some((c) => c.id === sel) ? sel : (trainCheckpoints[0]?.id ?? null) });
  },
  trainCheckpointStored: (info) => set({ trainCheckpoints: [info, ...get().trainCheckpoints.filter((c) => c.id !== info.id)], trainSelectedCheckpoint: info.id }),
  selectTrainCheckpoint: (trainSelectedCheckpoint) => set({ trainSelectedCheckpoint }),
  trainSamplePicked: (step, sample) => set({ trainPicked: { step, sample } }),
});
