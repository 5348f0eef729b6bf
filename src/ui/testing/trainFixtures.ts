/** Train step metrics for UI tests (plain data, as `train.step` carries them). */
import type { TrainCheckpointInfo, TrainStepMetrics } from '../../core';

export function stepMetrics(step: number, over: Partial<TrainStepMetrics> = {}): TrainStepMetrics {
  return {
    step,
    rollouts: 4,
    rewardMean: 0.1 * step,
    rewardFormat: -0.5,
    rewardOutcome: 0.5,
    rewardCost: 0,
    em: 0.25,
    f1: 0.3,
    formatErrorRate: 0.5,
    costUnitsPerQuestion: 10,
    costUsdPerQuestion: 0.001,
    callsPerQuestion: 1,
    routingShare: { 'Model-A': 0.75, 'Model-B': 0.25 },
    lr: 1e-4,
    loss: 0.1,
    policyLoss: 0.1,
    valueLoss: 0,
    kl: 0.01,
    entropy: 2,
    clipFraction: 0,
    gradNorm: 1,
    updates: 1,
    excluded: [],
    skipped: null,
    timeMs: { rollout: 100, reward: 1, train: 50, sync: 10, total: 161 },
    ...over,
  };
}

export function checkpointInfo(id: string, step: number, over: Partial<TrainCheckpointInfo> = {}): TrainCheckpointInfo {
  return { id, runId: id.split('@')[0] ?? id, step, totalSteps: 10, seed: 7, reason: 'pause', savedAtEpochMs: step, tensorBytes: 1024, policyName: 'tiny-router', lastReward: null, ...over };
}
