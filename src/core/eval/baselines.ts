/**
 * Baselines as router policies (DESIGN.md §7): each one writes ordinary protocol turns
 * (<think>…</think><search>Model: question</search>, then <think>…</think><answer>…</answer>), decided
 * from the replies it has read, so it runs through the real environment, calls, costs and reward, and
 * its trajectories look like any router's. One policy instance per episode (it remembers its routes).
 *
 * The answer is the reply's direct answer (eval/directAnswer.ts). Not for: choosing the question set or
 * scoring (runEvaluation does that).
 */
import type { Rng } from '../math/rng';
import type { PoolModelRecord } from '../env/trajectory';
import type { GenerateRequest, Policy } from '../policy/ports';
import { parseSizeB } from '../offline/offlineCaller';
import { CORRECT_SCORE } from '../offline/offlineReplies';
import { pyStrip } from '../text/pyText';
import { extractDirectAnswer, isCannotHelp } from './directAnswer';
import type { EvalMethodSpec } from './evalTypes';
import { EvalMethodError, methodId } from './methodIds';

/** The baselines of this module (the teacher cascade lives in defaultPolicy/teacher.ts; policies come from the host). */
export type BaselineSpec = Exclude<EvalMethodSpec, { kind: 'policy' | 'teacher' }>;

/** What tables and the Evaluate view call the teacher method. */
export const TEACHER_METHOD_LABEL = 'teacher cascade';

/** What a baseline may know about the run besides the replies. */
export interface BaselineContext {
  pool: readonly PoolModelRecord[];
  /** The question text as asked. */
  question: string;
  /** This episode's rng (the random baseline draws its model from it). */
  rng: Rng;
  /** Parameter counts in billions by pool name (for 'largest'); else read from the name ("…-70B…"). */
  sizesB?: Readonly<Record<string, number>>;
  /** Recorded scores of this question by pool name (for 'oracle'); undefined when unknown. */
  recordedScores?: Readonly<Record<string, number>>;
}

/** Pool indices from cheapest to dearest: output price, then input price, then pool order. */
export function costOrder(pool: readonly PoolModelRecord[]): number[] {
  return pool
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.outputPer1M - b.m.outputPer1M || a.m.inputPer1M - b.m.inputPer1M || a.i - b.i)
    .map((x) => x.i);
}

/** The largest model: by parameters when every model's size is known, else by output price (ties: pool order). */
export function largestIndex(pool: readonly PoolModelRecord[], sizesB: Readonly<Record<string, number>> = {}): number {
  const sizes = pool.map((m) => sizesB[m.name] ?? parseSizeB(m.name));
  const bySize = sizes.every((s) => s !== undefined);
  let best = 0;
  for (let i = 1; i < pool.length; i++) {
    const a = pool[i] as PoolModelRecord;
    const b = pool[best] as PoolModelRecord;
    const diff = bySize ? (sizes[i] ?? 0) - (sizes[best] ?? 0) || a.outputPer1M - b.outputPer1M : a.outputPer1M - b.outputPer1M;
    if (diff > 0) best = i;
  }
  return best;
}

/** The cheapest pool model whose recorded score counts as correct (≥ 0.5); undefined when none does. */
export function oracleIndex(pool: readonly PoolModelRecord[], scores: Readonly<Record<string, number>> | undefined): number | undefined {
  if (scores === undefined) return undefined;
  return costOrder(pool).find((i) => {
    const m = pool[i] as PoolModelRecord;
    return (scores[m.name] ?? scores[m.providerModelId] ?? 0) >= CORRECT_SCORE;
  });
}

/** The sub-query a baseline sends: the question without colons (a second colon would cut the query, §2.2). */
export function baselineQuery(question: string): string {
  return pyStrip(question.replace(/:/g, ''));
}

/** The replies of an episode so far, in order: each <information> block's text ('None' for a failed call). */
export function repliesInContext(contextText: string): string[] {
  return contextText
    .split('<information>')
    .slice(1)
    .map((part) => {
      const end = part.indexOf('</information>');
      return pyStrip(end < 0 ? part : part.slice(0, end));
    });
}

const TAGS = /<\/?(think|search|answer|information)>/g;

function routeTurn(model: PoolModelRecord, question: string, why: string): string {
  return `<think>${why}</think>\n<search>${model.name}: ${baselineQuery(question)}</search>`;
}

function answerTurn(answer: string | undefined, why: string): string {
  const text = (answer ?? '').replace(TAGS, '').trim();
  return `<think>${why}</think>\n<answer>${text === '' ? 'unknown' : text}</answer>`;
}

/**
 * The ordered plan of a baseline: the pool indices it will try, in order (one for the direct methods,
 * the cost order for the cascade, none for an oracle that knows no model is right).
 */
export function baselinePlan(spec: BaselineSpec, ctx: BaselineContext): number[] {
  const { pool } = ctx;
  if (pool.length === 0) throw new EvalMethodError('The pool has no model; add at least one before evaluating.');
  switch (spec.kind) {
    case 'single': {
      const i = pool.findIndex((m) => m.name === spec.model);
      if (i < 0) throw new EvalMethodError(`single:${spec.model} names no pool model; use one of: ${pool.map((m) => m.name).join(', ')}.`);
      return [i];
    }
    case 'random':
      return [ctx.rng.nextUint32() % pool.length];
    case 'cheapest':
      return [costOrder(pool)[0] as number];
    case 'largest':
      return [largestIndex(pool, ctx.sizesB)];
    case 'cascade':
      return costOrder(pool);
    case 'oracle': {
      const i = oracleIndex(pool, ctx.recordedScores);
      return i === undefined ? [] : [i];
    }
  }
}

/**
 * A baseline as a Policy. Each turn: if a reply so far states an answer → answer it (the cascade stops
 * at the first); else, while routing is allowed and the plan has models left, route the next one; else
 * answer with the last reply's answer, or "unknown".
 */
export function createBaselinePolicy(spec: BaselineSpec, ctx: BaselineContext): Policy {
  const plan = baselinePlan(spec, ctx);
  const id = methodId(spec);
  let routed = 0;
  return {
    describe: () => ({ kind: 'scripted', id: `baseline:${id}` }),
    async generate(req: GenerateRequest, { signal }) {
      signal?.throwIfAborted();
      const replies = repliesInContext(req.contextText);
      const last = replies[replies.length - 1];
      const stated = last === undefined ? undefined : extractDirectAnswer(last);
      if (stated !== undefined) return { text: answerTurn(stated, `The reply states an answer; ${id} answers with it.`) };
      const next = plan[routed];
      const mayRoute = req.routingEnabled && next !== undefined && (spec.kind === 'cascade' || routed === 0);
      if (mayRoute) {
        routed++;
        const model = ctx.pool[next] as PoolModelRecord;
        const why = routed === 1 ? `The ${id} baseline asks ${model.name}.` : `The previous model could not help; the cascade escalates to ${model.name}.`;
        return { text: routeTurn(model, ctx.question, why) };
      }
      const why = plan.length === 0 ? 'No model in the pool is recorded as answering this correctly.' : isCannotHelp(last) ? 'No model stated an answer.' : 'No further call is allowed.';
      return { text: answerTurn(undefined, why) };
    },
  };
}
