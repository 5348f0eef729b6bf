/**
 * The record-building pieces of the routing environment (DESIGN.md §2.2–2.3): candidate parameters,
 * call costs, call records, the observation token cap and the kept-token prefix of a cut turn.
 * Pure functions over plain data; the reducer in routingEnv.ts composes them.
 */
import { resolveReferenceModel } from '../protocol/modelNames';
import type { CallParams, Tokenizer } from '../policy/ports';
import type { CallError, CallRecord, ObservationRecord, PoolModelRecord, TokenUsage } from './trajectory';

/** Reference candidate sampling (§2.3): greedy except Gemma (0.1), top-p 1, seed 42, 512 new tokens. */
export const CANDIDATE_TOP_P = 1;
export const CANDIDATE_SEED = 42;
export const CANDIDATE_MAX_TOKENS = 512;

/** The reference temperature of a pool model; the reference id is authoritative when the model has one. */
export function candidateParams(model: PoolModelRecord): CallParams {
  const resolved = resolveReferenceModel(model.referenceId ?? model.name);
  return { temperature: resolved?.temperature ?? 0, topP: CANDIDATE_TOP_P, seed: CANDIDATE_SEED, maxTokens: CANDIDATE_MAX_TOKENS };
}

/** Reference cost units (§2.3): completion tokens × price per 1M, no division by 1e6, prompt tokens free. */
export function costUnitsOf(usage: TokenUsage, model: PoolModelRecord): number {
  return usage.completionTokens * model.outputPer1M;
}

/** Real dollars, prompt tokens included (what the UI shows beside the reference units). */
export function costUsdOf(usage: TokenUsage, model: PoolModelRecord): number {
  return (usage.promptTokens * model.inputPer1M + usage.completionTokens * model.outputPer1M) / 1e6;
}

interface RouteTarget {
  modelName: string;
  query: string;
}

/** A route whose name resolves to no pool model: no call is made, the policy gets None, cost 0. */
export function unknownModelCall(route: RouteTarget, pool: readonly PoolModelRecord[]): CallRecord {
  const names = pool.map((m) => m.name).join(', ');
  const error: CallError = {
    kind: 'unknown-model',
    message: `"${route.modelName}" resolves to no model of the pool (${names}); no call was made and the policy got <information>None</information>.`,
  };
  return { ...emptyCall(route, null), error };
}

/** The record of a call that has been sent and not answered yet. */
export function pendingCall(route: RouteTarget, poolIndex: number, prompt: string, params: CallParams): CallRecord {
  return { ...emptyCall(route, poolIndex), prompt, params };
}

function emptyCall(route: RouteTarget, poolIndex: number | null): CallRecord {
  return {
    modelName: route.modelName,
    query: route.query,
    poolIndex,
    prompt: null,
    params: null,
    reply: null,
    usage: null,
    latencyMs: 0,
    costUnits: 0,
    costUsd: 0,
    cached: false,
    error: null,
  };
}

export function repliedCall(call: CallRecord, model: PoolModelRecord, r: { reply: string; usage: TokenUsage; latencyMs: number; cached: boolean }): CallRecord {
  return {
    ...call,
    reply: r.reply,
    usage: { promptTokens: r.usage.promptTokens, completionTokens: r.usage.completionTokens },
    latencyMs: r.latencyMs,
    costUnits: costUnitsOf(r.usage, model),
    costUsd: costUsdOf(r.usage, model),
    cached: r.cached,
  };
}

/** A failed call costs nothing (the reference bills only replies). */
export function failedCall(call: CallRecord, error: CallError, latencyMs: number): CallRecord {
  return { ...call, error: { kind: error.kind, message: error.message }, latencyMs, costUnits: 0, costUsd: 0 };
}

export interface CappedObservation {
  /** The kept token ids: they enter the rolling context as they are (not re-encoded). */
  ids: number[];
  record: ObservationRecord;
}

/**
 * The observation cap (§2.2): tokenize the whole observation string, keep the first `maxTokens` ids,
 * and the text is their decoding. Like the reference, this can cut the closing `</information>` tag.
 */
export function capObservation(tokenizer: Tokenizer, observation: string, maxTokens: number): CappedObservation {
  const all = tokenizer.encode(observation);
  if (all.length <= maxTokens) return { ids: all, record: { text: observation, tokenCount: all.length, truncated: false } };
  const ids = all.slice(0, maxTokens);
  return { ids, record: { text: tokenizer.decode(ids), tokenCount: ids.length, truncated: true } };
}

/**
 * How many of a policy's reported token ids belong to the kept text of a cut turn: the shortest
 * prefix whose decoding starts with the kept text. Binary search on decoded length (monotone for
 * prefix decoding), then a check; if the ids do not decode to the text, all are kept rather than
 * guessing. Idempotent, so replaying recorded (already cut) ids gives the same prefix.
 */
export function keptTokenCount(tokenizer: Tokenizer, ids: readonly number[], rawText: string, keptText: string): number {
  if (keptText === rawText) return ids.length;
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokenizer.decode(ids.slice(0, mid)).length >= keptText.length) hi = mid;
    else lo = mid + 1;
  }
  return tokenizer.decode(ids.slice(0, lo)).startsWith(keptText) ? lo : ids.length;
}
