/**
 * A test fake: a synthetic RL task for the train-loop tests (only tests import it). Contexts
 * c ∈ [0, C) are questions; the policy (a bigram table, the fake learner's weights) reads token c and
 * emits one token; tokens C..C+K−1 are the K actions, answered as "choice{k}". The question's gold
 * answer names the rewarded action, and the real Router-R1 reward scores the response, so EM 1 → 1.
 */
import { DEFAULT_ENV_SETTINGS, TRAJECTORY_VERSION, type CallRecord, type PoolModelRecord, type QuestionRecord, type RoundRecord, type Trajectory } from '../core/env/trajectory';
import { computeMetrics } from '../core/env/metrics';
import { parseAction } from '../core/protocol/actions';
import { softmax } from '../core/math/logits';
import type { Rng } from '../core/math/rng';
import { BIGRAM_LOGITS } from './fakeBigramLearner';
import type { ParamMap } from '../core/learner/paramMap';
import type { Rollout, RolloutPort, RolloutRequest } from '../core/rl/rollouts';

export const POOL: PoolModelRecord[] = [
  { name: 'Small-8B', provider: 'offline', providerModelId: 'small', inputPer1M: 0.1, outputPer1M: 0.2 },
  { name: 'Large-70B', provider: 'offline', providerModelId: 'large', inputPer1M: 0.9, outputPer1M: 0.9 },
];

export interface SyntheticTask {
  contexts: number;
  actions: number;
  vocabSize: number;
  questions: QuestionRecord[];
  rewarded(c: number): number;
}

export function createSyntheticTask(contexts = 4, actions = 4): SyntheticTask {
  const rewarded = (c: number): number => (c + 1) % actions;
  const questions = Array.from({ length: contexts }, (_, c) => ({ id: `q${c}`, text: `context ${c}`, goldAnswers: [`choice${rewarded(c)}`] }));
  return { contexts, actions, vocabSize: contexts + actions, questions, rewarded };
}

export function contextOf(q: QuestionRecord): number {
  return Number(q.text.split(' ')[1]);
}

/** A finished trajectory with one answer round after optional calls, with metrics (not scored). */
export function syntheticTrajectory(question: QuestionRecord, response: string, calls: CallRecord[] = [], status: Trajectory['status'] = 'answered'): Trajectory {
  const round = (index: number, text: string, call: CallRecord | null): RoundRecord => ({ index, routingEnabled: true, rawText: text, text, generationMs: 0, action: parseAction(text), call, observation: null, contextTokens: 0 });
  const rounds = calls.map((c, i) => round(i, `<search>${c.modelName}: ${c.query}</search>`, c));
  rounds.push(round(rounds.length, response, null));
  const t: Trajectory = {
    version: TRAJECTORY_VERSION,
    id: `${question.id ?? 'q'}`,
    question,
    template: 'compact',
    prompt: question.text,
    promptTokens: 1,
    policy: { kind: 'scripted', id: 'synthetic' },
    pool: POOL.map((m) => ({ ...m })),
    settings: { ...DEFAULT_ENV_SETTINGS },
    rounds,
    response,
    reward: null,
    metrics: null,
    status,
  };
  return { ...t, metrics: computeMetrics(t) };
}

export function callTo(poolIndex: number, costUnits: number, error: CallRecord['error'] = null): CallRecord {
  const m = POOL[poolIndex] as PoolModelRecord;
  return { modelName: m.name, query: 'q', poolIndex, prompt: 'p', params: null, reply: error === null ? 'r' : null, usage: null, latencyMs: 1, costUnits, costUsd: costUnits / 1e6, cached: true, error };
}

export function answerText(action: number | null): string {
  return `<think>pick</think>\n<answer>${action === null ? 'none' : `choice${action}`}</answer>`;
}

/** Draws from softmax(row) with one uniform. */
export function sampleFrom(logits: Float32Array, rng: Rng): number {
  const p = softmax(logits);
  let u = rng.nextFloat();
  for (let j = 0; j < p.length; j++) {
    u -= p[j] as number;
    if (u < 0) return j;
  }
  return p.length - 1;
}

export interface SyntheticRollouts {
  rollout: RolloutPort;
  /** The weights port of the "rollout session": the loop syncs into it. */
  syncWeights(params: ParamMap): void;
  /** P(rewarded action | c) under the rollout policy's weights. */
  pRewarded(c: number): number;
  syncs: number;
}

export interface SyntheticRolloutOptions {
  /** Replace the gold answer for this request (the shuffled-reward control). */
  gold?: (req: RolloutRequest, c: number) => string;
  /** Decorate a rollout (failed calls, throws) before it is returned. */
  tamper?: (req: RolloutRequest, r: Rollout) => Rollout;
}

export function createSyntheticRollouts(task: SyntheticTask, initial: ParamMap, o: SyntheticRolloutOptions = {}): SyntheticRollouts {
  const V = task.vocabSize;
  const W = Float32Array.from(initial.get(BIGRAM_LOGITS) as Float32Array); // [V, V] the rollout session's copy
  const self: SyntheticRollouts = {
    syncs: 0,
    syncWeights(params) {
      W.set(params.get(BIGRAM_LOGITS) as Float32Array);
      self.syncs++;
    },
    pRewarded(c) {
      return softmax(W.subarray(c * V, (c + 1) * V))[task.contexts + task.rewarded(c)] as number;
    },
    async rollout(req, { signal }) {
      signal?.throwIfAborted();
      await Promise.resolve();
      const c = contextOf(req.question);
      const tok = sampleFrom(W.subarray(c * V, (c + 1) * V), req.rng);
      const action = tok >= task.contexts ? tok - task.contexts : null;
      const question = o.gold === undefined ? req.question : { ...req.question, goldAnswers: [o.gold(req, c)] };
      const r: Rollout = { trajectory: syntheticTrajectory(question, answerText(action)), sequence: { tokenIds: [c, tok], policyMask: [0, 1] } };
      return o.tamper === undefined ? r : o.tamper(req, r);
    },
  };
  return self;
}
