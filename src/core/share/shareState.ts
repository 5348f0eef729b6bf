/**
 * What a share link or bundle carries (DESIGN.md §8): the run configuration, and optionally one
 * trajectory to replay or an evaluation summary to look at. Plain data, never a key: the pool records
 * provider ids and model ids only; base URLs and keys stay with the recipient's own settings (a link
 * that could point a provider at another host would be a way to steal keys).
 */
import { DEFAULT_ENV_SETTINGS, type EnvSettings, type PoolModelRecord, type QuestionRecord, type Trajectory } from '../env/trajectory';
import type { RewardMetric } from '../reward/total';

export type SharePolicyKind = 'human' | 'onnx' | 'scripted' | 'replay';

export interface SharePolicy {
  kind: SharePolicyKind;
  /** 'you' for "you are the router"; an embedded policy's id for onnx. */
  id: string;
}

/** The policy's sampling (used by the onnx policy; recorded for every kind so a run can be repeated). */
export interface SamplingConfig {
  temperature: number;
  topP: number;
  /** 0 = off. */
  topK: number;
  seed: number;
}

/** Per-question limits beyond the environment's turns; null = no limit. */
export interface RunLimits {
  maxCalls: number | null;
  maxSpendUsd: number | null;
}

export interface ShareConfig {
  policy: SharePolicy;
  /** Names the policy writes, provider ids, provider model ids and prices; never keys or base URLs. */
  pool: PoolModelRecord[];
  /** Weight of the cost reward (DESIGN.md §2.4). */
  alpha: number;
  metric: RewardMetric;
  sampling: SamplingConfig;
  limits: RunLimits;
  settings: EnvSettings;
  /** The sender's data root when it was not the app's default (shown, never fetched on open). */
  dataRoot: string | null;
  question: QuestionRecord | null;
}

/** One method's row of an evaluation summary: means per question. */
export interface EvaluationRow {
  method: string;
  em: number;
  f1: number;
  costUsd: number;
  costUnits: number;
  calls: number;
}

/** A method → EM / F1 / cost / calls table (an evaluation fills it; a link can carry it). */
export interface EvaluationSummary {
  title: string;
  dataset: string;
  questions: number;
  alpha: number;
  seed: number;
  rows: EvaluationRow[];
}

export interface ShareState {
  config: ShareConfig;
  trajectory?: Trajectory;
  evaluation?: EvaluationSummary;
}

export type ShareKind = 'trajectory' | 'evaluation' | 'config';

/** What a link opens: a trajectory to step through, an evaluation table, or a setup ready to run. */
export function shareKind(state: ShareState): ShareKind {
  return state.trajectory !== undefined ? 'trajectory' : state.evaluation !== undefined ? 'evaluation' : 'config';
}

/** Why each default is what it is. */
export const DEFAULT_SAMPLING: SamplingConfig = {
  temperature: 1, // the reference's rollout temperature
  topP: 1, // no nucleus cut, as in the reference rollouts
  topK: 0, // off
  seed: 42, // the reference's candidate seed; any fixed value makes runs repeatable
};

export const DEFAULT_LIMITS: RunLimits = { maxCalls: null, maxSpendUsd: null }; // turns already bound an episode

export const DEFAULT_SHARE_CONFIG: ShareConfig = {
  policy: { kind: 'human', id: 'you' }, // the first screen: "you are the router"
  pool: [],
  alpha: 0, // the paper's main experiments
  metric: 'em', // the reference trains on exact match
  sampling: DEFAULT_SAMPLING,
  limits: DEFAULT_LIMITS,
  settings: DEFAULT_ENV_SETTINGS,
  dataRoot: null,
  question: null,
};

/** The configuration a trajectory was run with (a trajectory link carries both; the codec drops the overlap). */
export function configOfTrajectory(t: Trajectory, base: ShareConfig = DEFAULT_SHARE_CONFIG): ShareConfig {
  const sampling = t.policy.sampling;
  return {
    ...base,
    policy: { kind: t.policy.kind, id: t.policy.id },
    pool: t.pool.map((m) => ({ ...m })),
    alpha: t.reward?.alpha ?? base.alpha,
    metric: t.reward?.metric ?? base.metric,
    sampling: sampling === undefined ? base.sampling : { ...base.sampling, ...sampling, topK: sampling.topK ?? base.sampling.topK },
    settings: { ...t.settings },
    question: { ...t.question, goldAnswers: [...t.question.goldAnswers] },
  };
}
