/**
 * Per-episode metrics and the reward of a finished trajectory (DESIGN.md §2.4). The reward needs the
 * cost reward of a rolling window shared across episodes, which is state outside the episode, so the
 * runner supplies it: the environment computes metrics when it finishes, the runner adds the reward.
 */
import { resolveInPool, resolveReferenceModel } from '../protocol/modelNames';
import { routeCount, type ModelNameCheck } from '../reward/format';
import { scoreCompletion, type RewardMetric } from '../reward/total';
import type { EpisodeMetrics, Trajectory } from './trajectory';

/**
 * Rule 8 of the format reward for a trajectory's pool: a name is known when the reference's rules
 * resolve it (parity on the paper's pool) or when it resolves in this pool (exact name first).
 */
export function poolModelNameCheck(pool: Trajectory['pool']): ModelNameCheck {
  return (name) => resolveReferenceModel(name) !== undefined || resolveInPool(name, pool) !== undefined;
}

/** EM, F1 and format of the response, its cost, valid routes, calls made and generations. */
export function computeMetrics(t: Pick<Trajectory, 'response' | 'question' | 'rounds' | 'pool'>): EpisodeMetrics {
  const isKnownModel = poolModelNameCheck(t.pool);
  // alpha and the cost reward do not affect em / f1 / format; 0 keeps this free of the shared window.
  const { em, f1, format } = scoreCompletion({ completion: t.response, goldAnswers: t.question.goldAnswers, alpha: 0, costReward: 0, isKnownModel });
  let costUnits = 0;
  let costUsd = 0;
  let calls = 0;
  for (const round of t.rounds) {
    if (round.call === null) continue;
    costUnits += round.call.costUnits;
    costUsd += round.call.costUsd;
    // An unknown model is recorded but never called (no prompt was sent).
    if (round.call.prompt !== null) calls++;
  }
  return { em, f1, format, costUnits, costUsd, routes: routeCount(t.response, isKnownModel), calls, turns: t.rounds.length };
}

export interface TrajectoryScoring {
  /** The cost reward in [0, 1] from the shared CostWindow (push the trajectory's total cost units). */
  costReward: number;
  alpha: number;
  metric?: RewardMetric;
}

/** The trajectory with its reward breakdown (scoreCompletion on the response). */
export function scoreTrajectory(t: Trajectory, scoring: TrajectoryScoring): Trajectory {
  const reward = scoreCompletion({
    completion: t.response,
    goldAnswers: t.question.goldAnswers,
    alpha: scoring.alpha,
    costReward: scoring.costReward,
    isKnownModel: poolModelNameCheck(t.pool),
    ...(scoring.metric === undefined ? {} : { metric: scoring.metric }),
  });
  return { ...t, reward };
}

/** Only episodes that ran to their end are scored (and pushed into the cost window). */
export function isScorable(t: Trajectory): boolean {
  return t.status === 'answered' || t.status === 'out-of-turns' || t.status === 'context-full';
}
