/**
 * The plain-data shapes of an evaluation run (DESIGN.md §7): what is evaluated (a pool, a
 * question list, the methods, the settings), the events a run streams, the per-question rows, the
 * resumable state and the summary. Everything here crosses postMessage and goes into files unchanged:
 * no functions, no class instances, never a key.
 */
import type { EnvSettings, PoolModelRecord, QuestionRecord, Trajectory } from '../env/trajectory';
import type { RngSnapshot } from '../math/rng';
import type { RewardMetric } from '../reward/total';
import type { EvaluationRow, RunLimits, SamplingConfig } from '../share/shareState';

export const EVAL_STATE_VERSION = 1;

/**
 * A method answers every question of the run on the same pool, through the real environment and reward.
 *   single    one route to the named pool model, then its reply's answer (direct answer)
 *   random    one route to a pool model drawn with the run's seed, then its answer
 *   cheapest  one route to the cheapest model (output price, then input price, then pool order)
 *   largest   one route to the largest model (parameters when known, else output price)
 *   cascade   cheapest first; escalate while the reply cannot help (or is empty / None); answer the first stated answer
 *   oracle    the cheapest model whose recorded score is correct (offline pool only); no call when none is
 *   teacher   the cost-aware teacher cascade of the embedded policy's warm-up data (defaultPolicy/teacher.ts):
 *             cheapest first, escalate when a reply cannot help; below α 0.5 it confirms a stated answer
 *             with a larger model, from α 0.5 it stops at the first. `alpha` is the teacher's, not the
 *             reward's (the run's α scores every method). Trust per model: EvalDeps.teacherTrust.
 *   policy    a router policy the host supplies (an ONNX model, the same weights used as a prompt-only router, a human)
 */
export type EvalMethodSpec =
  | { kind: 'single'; model: string }
  | { kind: 'random' }
  | { kind: 'cheapest' }
  | { kind: 'largest' }
  | { kind: 'cascade' }
  | { kind: 'oracle' }
  | { kind: 'teacher'; alpha: number }
  | {
      kind: 'policy';
      id: string;
      label?: string;
      /**
       * The model folder the host runs for this id when the id alone does not name it: the app's
       * "embedded policy (by α)" method (id `embedded`) records the variant it resolved for the run's α,
       * so a resumed run loads the same one (and the spec fingerprint changes with it).
       */
      variant?: string;
    };

export type EvalMethodKind = EvalMethodSpec['kind'];

/** What a run evaluates. */
export interface EvalRunSpec {
  /** Names the run (episode ids derive from it). */
  id: string;
  /** For tables and files: 'offline', 'offline-heldout', 'nq', … (each question also carries its own dataset). */
  dataset: string;
  questions: QuestionRecord[];
  pool: PoolModelRecord[];
  methods: EvalMethodSpec[];
  /** The candidate prompt ({query}). */
  agentTemplate: string;
  settings: EnvSettings;
  /** Weight of the cost reward (§2.4); each method scores with its own cost window. */
  alpha: number;
  metric?: RewardMetric;
  /** Root of the run's randomness: per-episode seeds (random baseline, policy sampling) are drawn from it. */
  seed: number;
  /** Per question: max calls and max spend (USD); null = no limit beyond the environment's turns. */
  limits: RunLimits;
  /** Sampling of policy methods (the seed is replaced per episode by the run's draw). */
  sampling?: SamplingConfig;
}

/** One question × one method: the CSV row (DESIGN.md §7 exports). */
export interface EvalRow {
  /** Question id (or its index when it has none). */
  id: string;
  questionIndex: number;
  dataset: string;
  method: string;
  em: 0 | 1;
  f1: number;
  /** 0 valid, −1 invalid (§2.4). */
  format: 0 | -1;
  costUnits: number;
  costUsd: number;
  /** Calls sent to a provider (refused by the budget or an unknown name: not counted). */
  calls: number;
  turns: number;
  /** Pool names of the models called, in call order. */
  models: string[];
  /** The reward total (α and the method's cost window). */
  reward: number;
  status: Trajectory['status'];
}

/** Per method, the means over its questions. Extends the share link's row (share/shareState.ts). */
export interface MethodSummary extends EvaluationRow {
  questions: number;
  /** Share of episodes with format 0. */
  formatValidRate: number;
  turns: number;
  /** Mean reward total. */
  reward: number;
  /** Share of this method's calls per pool model name (sums to 1 when it made any call). */
  routingShare: Record<string, number>;
  /** One model takes more than 90% of the calls (DESIGN.md §2.6, routing collapse). */
  collapsed: boolean;
}

export interface EvalSummary {
  runId: string;
  dataset: string;
  questions: number;
  alpha: number;
  seed: number;
  limits: RunLimits;
  methods: MethodSummary[];
  /** Method ids on the Pareto front of mean cost units vs EM. */
  paretoFront: string[];
  /** The same front without the oracle (an upper bound that knows the answers, which usually dominates everything). */
  paretoFrontWithoutOracle: string[];
}

/**
 * Everything needed to resume a paused (or cancelled, or crashed) run exactly: the rows done (which
 * questions each method has answered, with their metrics), each method's cost window, and the run's
 * rng position. The trajectories themselves are streamed as events and kept by the host.
 */
export interface EvalState {
  version: typeof EVAL_STATE_VERSION;
  runId: string;
  /** A fingerprint of the spec; resuming under another spec is refused. */
  specKey: string;
  rows: EvalRow[];
  /** sqrt-cost values of each method's window, oldest first (reward/costReward.ts). */
  costWindows: Record<string, number[]>;
  rng: RngSnapshot;
  /** Wall time spent so far (ETA and reports). */
  elapsedMs: number;
}

export interface RunningMetrics {
  done: number;
  em: number;
  f1: number;
  costUnits: number;
  costUsd: number;
  calls: number;
}

export type EvalStatus = 'completed' | 'paused' | 'cancelled';

export type EvalEvent =
  | { type: 'eval.started'; runId: string; total: number; done: number; methods: string[]; questions: number }
  /** One finished episode, its row and the whole trajectory. */
  | { type: 'eval.episode'; method: string; questionIndex: number; row: EvalRow; trajectory: Trajectory }
  | { type: 'eval.progress'; done: number; total: number; elapsedMs: number; etaMs: number | null; running: Record<string, RunningMetrics> }
  /** Always last: the summary of what is done, and the state to resume from (also after completion). */
  | { type: 'eval.finished'; status: EvalStatus; summary: EvalSummary; state: EvalState; reason?: string };
