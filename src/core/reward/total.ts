/**
 * The hierarchical training reward of Router-R1 (DESIGN.md §2.4) and the per-episode metrics.
 *   format = −1            → −1
 *   no answer, or EM = 0   → 0
 *   EM = 1                 → (1 − α) + α · r_cost     (cost is paid only on correct answers)
 */
import { exactMatch, f1Score } from './normalize';
import { extractAnswer, formatReward, routeCount, type FormatScore, type ModelNameCheck } from './format';

export type RewardMetric = 'em' | 'f1';

export interface RewardInput {
  completion: string;
  goldAnswers: readonly string[];
  alpha: number;
  /** The normalised cost reward in [0, 1] (from a CostWindow). */
  costReward: number;
  metric?: RewardMetric;
  /** Rule 8 of the format reward; the reference's name rules by default. */
  isKnownModel?: ModelNameCheck;
}

export interface RewardBreakdown {
  format: FormatScore;
  answer: string | null;
  em: 0 | 1;
  f1: number;
  /** The outcome score the total is built on (EM, or F1 with metric 'f1'). */
  outcome: number;
  costReward: number;
  alpha: number;
  metric: RewardMetric;
  total: number;
}

/**
 * With metric 'f1' (an option; the reference trains on EM) the same hierarchy uses the F1 score s:
 * s > 0 → (1 − α)·s + α·r_cost.
 */
export function scoreCompletion(input: RewardInput): RewardBreakdown {
  const metric = input.metric ?? 'em';
  const format = formatReward(input.completion, input.isKnownModel);
  const answer = extractAnswer(input.completion) ?? null;
  const em = answer === null ? 0 : exactMatch(answer, input.goldAnswers);
  const f1 = answer === null ? 0 : f1Score(answer, input.goldAnswers);
  const outcome = metric === 'em' ? em : f1;
  let total: number;
  if (format === -1) total = -1;
  else if (answer === null || outcome === 0) total = 0;
  else total = (1 - input.alpha) * outcome + input.alpha * input.costReward;
  return { format, answer, em, f1, outcome, costReward: input.costReward, alpha: input.alpha, metric, total };
}

export function totalReward(input: RewardInput): number {
  return scoreCompletion(input).total;
}

export { routeCount };
