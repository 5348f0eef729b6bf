/**
 * The rollout half of an RL step: which questions, G rollouts each through the injected `rollout`
 * port (the real episode runner in the app, a synthetic task in tests), which rollouts are excluded,
 * and the Router-R1 reward of the kept ones with the run's shared cost window.
 *
 * Scoring happens HERE, not in the episode: the loop owns the cost window (it is checkpointed), and
 * scores the kept rollouts in a fixed order (question, then group index), so rewards never depend on
 * how rollouts were scheduled. A rollout port built on runEpisode should give it a throwaway window;
 * the trajectory's own reward, if any, is replaced.
 */
import type { Rng } from '../math/rng';
import type { QuestionRecord, Trajectory } from '../env/trajectory';
import { isScorable, scoreTrajectory } from '../env/metrics';
import type { CostWindow } from '../reward/costReward';
import type { RewardMetric } from '../reward/total';
import type { RolloutSequence } from '../learner/trainBatch';
import type { ExcludedRollout } from './trainMetrics';

export interface RolloutRequest {
  question: QuestionRecord;
  /** 0-based RL step, position of the question in the step, rollout index within its group. */
  step: number;
  questionIndex: number;
  groupIndex: number;
  /** This rollout's own stream: root.fork('train.rollout').fork(`${step}.${questionIndex}.${groupIndex}`). */
  rng: Rng;
  alpha: number;
}

export interface Rollout {
  /** The finished episode (status, rounds with calls, metrics); scored by the loop. */
  trajectory: Trajectory;
  /** The tokens the learner trains on and which of them the policy wrote. */
  sequence: RolloutSequence;
}

/** Runs one episode of the current policy. Rejects only on abort or a bug (a thrown rollout is excluded). */
export type RolloutPort = (req: RolloutRequest, opts: { signal?: AbortSignal }) => Promise<Rollout>;

export interface KeptRollout {
  questionIndex: number;
  groupIndex: number;
  rollout: Rollout;
}

/**
 * k question indices out of n: without replacement when k ≤ n (a partial Fisher–Yates), else whole
 * shuffled passes concatenated. Draws from `rng` (the run's running questions stream).
 */
export function sampleQuestionIndices(rng: Rng, n: number, k: number): number[] {
  const out: number[] = [];
  while (out.length < k) {
    const pool = Array.from({ length: n }, (_, i) => i);
    const take = Math.min(n, k - out.length);
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(rng.nextFloat() * (n - i));
      [pool[i], pool[j]] = [pool[j] as number, pool[i] as number];
      out.push(pool[i] as number);
    }
  }
  return out;
}

/** Why a finished rollout cannot be trained on, or null when it can. Unknown model names are the policy's own mistake (kept). */
export function rolloutProblem(r: Rollout): string | null {
  const t = r.trajectory;
  if (!isScorable(t) || t.metrics === null) return `episode ${t.status}${t.error === undefined ? '' : `: ${t.error}`}`;
  for (const round of t.rounds) {
    const err = round.call?.error;
    if (err != null && err.kind !== 'unknown-model') return `candidate call failed in round ${round.index} (${err.kind}): ${err.message}`;
  }
  const { tokenIds, policyMask } = r.sequence;
  if (tokenIds.length !== policyMask.length) return `the sequence has ${tokenIds.length} tokens but ${policyMask.length} mask entries`;
  if (!policyMask.some((m, i) => m === 1 && i > 0)) return 'no policy tokens to train on';
  return null;
}

export interface CollectOptions {
  step: number;
  groupSize: number;
  alpha: number;
  rolloutRoot: Rng;
  signal?: AbortSignal;
  /** The host's turn before each rollout's signal check (TrainDeps.yieldToHost). */
  yieldToHost?: () => Promise<void>;
}

/** G rollouts per question, one after another (the policy and its KV cache have one user at a time). */
export async function collectRollouts(questions: readonly QuestionRecord[], rollout: RolloutPort, o: CollectOptions): Promise<{ kept: KeptRollout[]; excluded: ExcludedRollout[] }> {
  const kept: KeptRollout[] = [];
  const excluded: ExcludedRollout[] = [];
  for (let q = 0; q < questions.length; q++) {
    for (let g = 0; g < o.groupSize; g++) {
      await o.yieldToHost?.();
      o.signal?.throwIfAborted();
      const rng = o.rolloutRoot.fork(`${o.step}.${q}.${g}`);
      let result: Rollout;
      try {
        result = await rollout({ question: questions[q] as QuestionRecord, step: o.step, questionIndex: q, groupIndex: g, rng, alpha: o.alpha }, { signal: o.signal });
      } catch (err) {
        if (o.signal?.aborted === true) throw err;
        excluded.push({ questionIndex: q, groupIndex: g, reason: `rollout threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` });
        continue;
      }
      const problem = rolloutProblem(result);
      if (problem === null) kept.push({ questionIndex: q, groupIndex: g, rollout: result });
      else excluded.push({ questionIndex: q, groupIndex: g, reason: problem });
    }
  }
  return { kept, excluded };
}

/** Scores the kept rollouts in order with the shared window (§2.4). → scored trajectories, same order */
export function scoreRollouts(kept: readonly KeptRollout[], window: CostWindow, alpha: number, metric: RewardMetric): Trajectory[] {
  return kept.map(({ rollout: { trajectory: t } }) => {
    const costReward = window.score(t.metrics?.costUnits ?? 0);
    return scoreTrajectory(t, { costReward, alpha, metric });
  });
}
