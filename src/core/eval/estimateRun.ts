/**
 * The cost estimate shown before a run on live APIs, for the user to confirm: expected and
 * worst-case calls and dollars per method, from the pool's prices and typical token counts.
 *
 *   promptTokens   = mean over questions of ceil(len(agent prompt with the question) / 4)
 *   usd(call to m) = (promptTokens · m.inputPer1M + completionTokens · m.outputPer1M) / 1e6
 *       expected: completionTokens = typicalCompletionTokens (default 64)
 *       worst:    completionTokens = maxTokens (512, what the call asks for)
 *   calls per question (each capped by maxCalls and the environment's maxTurns):
 *       single, cheapest, largest, random  1 (random: the pool's mean price)
 *       oracle                             ≤ 1 (counted as 1, at the pool's mean price)
 *       cascade                            expected Σ_{k<K} (1 − p)^k with answer rate p (default 0.5), at most K
 *       policy                             expected 1.36 (the paper's upper figure, §2.6), at most maxTurns, mean price
 *   worst-case dollars per question are also capped by maxSpendUsd.
 * Calls to the offline pool are free and counted apart: `live` covers the other providers only.
 */
import { CANDIDATE_MAX_TOKENS } from '../env/envRecords';
import type { PoolModelRecord } from '../env/trajectory';
import { renderAgentPrompt } from '../protocol/prompt';
import { OFFLINE_PROVIDER } from '../offline/offlinePool';
import { baselineQuery, costOrder, largestIndex } from './baselines';
import { methodId } from './methodIds';
import type { EvalMethodSpec, EvalRunSpec } from './evalTypes';
import { PAPER_CALLS_PER_QUESTION } from './paperResults';
import { DEFAULT_TEACHER_MAX_ROUTES, teacherConfirms } from '../defaultPolicy/teacher';

export interface EstimateOptions {
  typicalCompletionTokens?: number;
  /** Chance that a cascade step states an answer (0..1). */
  answerRate?: number;
  policyCallsPerQuestion?: number;
  sizesB?: Readonly<Record<string, number>>;
}

export interface Range {
  expected: number;
  max: number;
}

export interface MethodEstimate {
  method: string;
  callsPerQuestion: Range;
  calls: Range;
  usd: Range;
  /** Calls and dollars to providers other than the offline pool. */
  live: { calls: Range; usd: Range };
}

export interface RunEstimate {
  questions: number;
  episodes: number;
  methods: MethodEstimate[];
  total: { calls: Range; usd: Range; live: { calls: Range; usd: Range } };
  /** True when the run would call a live provider: ask the user first. */
  needsConfirmation: boolean;
  assumptions: { promptTokens: number; typicalCompletionTokens: number; maxTokens: number; answerRate: number; policyCallsPerQuestion: number };
}

/** Expected calls of one question as weights per pool index, and the most calls it can make. */
function callWeights(m: EvalMethodSpec, pool: readonly PoolModelRecord[], cap: number, o: Required<Pick<EstimateOptions, 'answerRate' | 'policyCallsPerQuestion'>> & EstimateOptions): { weights: number[]; maxIndices: number[] } {
  const w = pool.map(() => 0);
  const uniform = (total: number): number[] => pool.map(() => total / pool.length);
  switch (m.kind) {
    case 'single': {
      const i = pool.findIndex((p) => p.name === m.model);
      if (i >= 0 && cap > 0) w[i] = 1;
      return { weights: w, maxIndices: i >= 0 && cap > 0 ? [i] : [] };
    }
    case 'cheapest':
    case 'largest': {
      const i = m.kind === 'cheapest' ? (costOrder(pool)[0] as number) : largestIndex(pool, o.sizesB);
      if (cap > 0) w[i] = 1;
      return { weights: w, maxIndices: cap > 0 ? [i] : [] };
    }
    case 'random':
    case 'oracle':
      return { weights: cap > 0 ? uniform(1) : w, maxIndices: cap > 0 ? [mostExpensive(pool)] : [] };
    case 'cascade': {
      const order = costOrder(pool).slice(0, cap);
      order.forEach((i, k) => (w[i] = (1 - o.answerRate) ** k));
      return { weights: w, maxIndices: order };
    }
    case 'teacher': {
      // Cheapest first, escalating like the cascade; below α 0.5 one more call confirms a stated answer.
      const order = costOrder(pool);
      const routes = Math.min(cap, DEFAULT_TEACHER_MAX_ROUTES);
      order.slice(0, routes).forEach((i, k) => (w[i] = (1 - o.answerRate) ** k));
      const last = order[order.length - 1] as number;
      if (teacherConfirms({ alpha: m.alpha }) && routes > 1) w[last] = (w[last] ?? 0) + o.answerRate;
      return { weights: w, maxIndices: order.slice(-routes) };
    }
    case 'policy': {
      const n = Math.min(cap, o.policyCallsPerQuestion);
      return { weights: uniform(n), maxIndices: Array.from({ length: cap }, () => mostExpensive(pool)) };
    }
  }
}

function mostExpensive(pool: readonly PoolModelRecord[]): number {
  const order = costOrder(pool);
  return order[order.length - 1] as number;
}

export function estimateRun(spec: Pick<EvalRunSpec, 'questions' | 'pool' | 'methods' | 'agentTemplate' | 'settings' | 'limits'>, opts: EstimateOptions = {}): RunEstimate {
  const o = { answerRate: opts.answerRate ?? 0.5, policyCallsPerQuestion: opts.policyCallsPerQuestion ?? PAPER_CALLS_PER_QUESTION[1], ...opts };
  const completion = opts.typicalCompletionTokens ?? 64;
  const n = spec.questions.length;
  const promptTokens = n === 0 ? 0 : spec.questions.reduce((s, q) => s + Math.ceil(renderAgentPrompt(spec.agentTemplate, baselineQuery(q.text)).length / 4), 0) / n;
  const usdOf = (m: PoolModelRecord, tokens: number): number => (promptTokens * m.inputPer1M + tokens * m.outputPer1M) / 1e6;
  const isLive = (m: PoolModelRecord): boolean => m.provider !== OFFLINE_PROVIDER;
  const cap = Math.min(spec.settings.maxTurns, spec.limits.maxCalls ?? Number.POSITIVE_INFINITY);
  const methods = spec.methods.map((m): MethodEstimate => {
    const { weights, maxIndices } = callWeights(m, spec.pool, cap, o);
    const sum = (f: (p: PoolModelRecord, w: number) => number, idx: readonly number[] | null): number =>
      idx === null ? weights.reduce((s, w, i) => s + f(spec.pool[i] as PoolModelRecord, w), 0) : idx.reduce((s, i) => s + f(spec.pool[i] as PoolModelRecord, 1), 0);
    const spendCap = (usd: number): number => Math.min(usd, spec.limits.maxSpendUsd ?? Number.POSITIVE_INFINITY);
    const perQ = {
      calls: { expected: sum((_, w) => w, null), max: maxIndices.length },
      usd: { expected: sum((p, w) => w * usdOf(p, completion), null), max: spendCap(sum((p) => usdOf(p, CANDIDATE_MAX_TOKENS), maxIndices)) },
      liveCalls: { expected: sum((p, w) => (isLive(p) ? w : 0), null), max: sum((p) => (isLive(p) ? 1 : 0), maxIndices) },
      liveUsd: { expected: sum((p, w) => (isLive(p) ? w * usdOf(p, completion) : 0), null), max: spendCap(sum((p) => (isLive(p) ? usdOf(p, CANDIDATE_MAX_TOKENS) : 0), maxIndices)) },
    };
    const times = (r: Range): Range => ({ expected: r.expected * n, max: r.max * n });
    return { method: methodId(m), callsPerQuestion: perQ.calls, calls: times(perQ.calls), usd: times(perQ.usd), live: { calls: times(perQ.liveCalls), usd: times(perQ.liveUsd) } };
  });
  const add = (pick: (m: MethodEstimate) => Range): Range => methods.reduce((s, m) => ({ expected: s.expected + pick(m).expected, max: s.max + pick(m).max }), { expected: 0, max: 0 });
  const live = { calls: add((m) => m.live.calls), usd: add((m) => m.live.usd) };
  return {
    questions: n,
    episodes: n * spec.methods.length,
    methods,
    total: { calls: add((m) => m.calls), usd: add((m) => m.usd), live },
    needsConfirmation: live.calls.max > 0,
    assumptions: { promptTokens, typicalCompletionTokens: completion, maxTokens: CANDIDATE_MAX_TOKENS, answerRate: o.answerRate, policyCallsPerQuestion: o.policyCallsPerQuestion },
  };
}
