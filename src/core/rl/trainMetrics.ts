/**
 * Per-step metrics of an RL run, computed from the scored rollouts and the learner's outputs. Plain
 * data: they cross postMessage to the charts and go into checkpoints.
 *
 * Reward parts add up to the total (DESIGN §2.4), per rollout, then averaged:
 *   format  = −1 when the format is wrong, else 0
 *   outcome = (1 − α) · outcome          when the format is right and the answer scores > 0
 *   cost    = α · r_cost                 same condition (cost is paid only on correct answers)
 *   total   = format + outcome + cost
 */
import type { Trajectory } from '../env/trajectory';

export interface RewardMetrics {
  /** Rollouts that were scored (excluded ones are not). */
  rollouts: number;
  rewardMean: number;
  rewardFormat: number;
  rewardOutcome: number;
  rewardCost: number;
  em: number;
  f1: number;
  formatErrorRate: number;
  /** Mean reference cost units per rollout (each rollout answers one question). */
  costUnitsPerQuestion: number;
  costUsdPerQuestion: number;
  /** Calls made per rollout (failed ones included; unknown names are not calls). */
  callsPerQuestion: number;
  /** Calls per pool model name / all calls (empty when no call was made). */
  routingShare: Record<string, number>;
}

export interface StepTimeMs {
  rollout: number;
  reward: number;
  train: number;
  sync: number;
  total: number;
}

export interface ExcludedRollout {
  questionIndex: number;
  groupIndex: number;
  reason: string;
}

export interface TrainStepMetrics extends RewardMetrics {
  /** Completed steps including this one (1 for the first). */
  step: number;
  lr: number;
  /** Mean over the step's optimizer updates (0 when skipped before any). */
  loss: number;
  policyLoss: number;
  valueLoss: number;
  /** Token-weighted k3 KL to the reference and entropy of the policy, means over updates. */
  kl: number;
  entropy: number;
  clipFraction: number;
  /** Global grad norm before clipping, mean over updates. */
  gradNorm: number;
  updates: number;
  excluded: ExcludedRollout[];
  /** Set when the step's update was skipped (NaN/Inf, or nothing to train on); params were restored. */
  skipped: { reason: string } | null;
  timeMs: StepTimeMs;
}

/** What the update phase reports (optimize.ts): means over the step's optimizer updates, and why it was skipped. */
export type UpdateMetrics = Pick<TrainStepMetrics, 'loss' | 'policyLoss' | 'valueLoss' | 'kl' | 'entropy' | 'clipFraction' | 'gradNorm' | 'updates' | 'skipped'>;

/** Zeros: before the first update, or a step with nothing to train on (`skipped` says why). */
export function noUpdate(skipped: { reason: string } | null): UpdateMetrics {
  return { updates: 0, loss: 0, policyLoss: 0, valueLoss: 0, kl: 0, entropy: 0, clipFraction: 0, gradNorm: 0, skipped };
}

/** One step's metrics, in the order the JSON lines and the charts have always shown them. */
export function stepMetrics(step: number, scored: readonly Trajectory[], lr: number, u: UpdateMetrics, excluded: ExcludedRollout[], timeMs: StepTimeMs): TrainStepMetrics {
  const { loss, policyLoss, valueLoss, kl, entropy, clipFraction, gradNorm, updates, skipped } = u;
  return { step, ...rewardMetrics(scored), lr, loss, policyLoss, valueLoss, kl, entropy, clipFraction, gradNorm, updates, excluded, skipped, timeMs };
}

/** Reward and episode metrics over scored trajectories (each has reward and metrics). */
export function rewardMetrics(scored: readonly Trajectory[]): RewardMetrics {
  const n = scored.length;
  const m: RewardMetrics = {
    rollouts: n,
    rewardMean: 0,
    rewardFormat: 0,
    rewardOutcome: 0,
    rewardCost: 0,
    em: 0,
    f1: 0,
    formatErrorRate: 0,
    costUnitsPerQuestion: 0,
    costUsdPerQuestion: 0,
    callsPerQuestion: 0,
    routingShare: {},
  };
  if (n === 0) return m;
  const calls = new Map<string, number>();
  let totalCalls = 0;
  for (const t of scored) {
    const r = t.reward;
    const x = t.metrics;
    if (r === null || x === null) continue;
    m.rewardMean += r.total;
    m.rewardFormat += r.format;
    const paid = r.format === 0 && r.answer !== null && r.outcome > 0;
    if (paid) {
      m.rewardOutcome += (1 - r.alpha) * r.outcome;
      m.rewardCost += r.alpha * r.costReward;
    }
    m.em += x.em;
    m.f1 += x.f1;
    m.formatErrorRate += x.format === -1 ? 1 : 0;
    m.costUnitsPerQuestion += x.costUnits;
    m.costUsdPerQuestion += x.costUsd;
    m.callsPerQuestion += x.calls;
    for (const round of t.rounds) {
      const c = round.call;
      if (c === null || c.prompt === null || c.poolIndex === null) continue;
      const name = t.pool[c.poolIndex]?.name ?? c.modelName;
      calls.set(name, (calls.get(name) ?? 0) + 1);
      totalCalls++;
    }
  }
  for (const k of ['rewardMean', 'rewardFormat', 'rewardOutcome', 'rewardCost', 'em', 'f1', 'formatErrorRate', 'costUnitsPerQuestion', 'costUsdPerQuestion', 'callsPerQuestion'] as const) m[k] /= n;
  for (const [name, c] of calls) m.routingShare[name] = c / totalCalls;
  return m;
}
