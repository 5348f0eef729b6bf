/**
 * A tiny deterministic LanguageModel for tests, without onnxruntime. Its "KV cache" is a
 * hash chain: position i holds h_i = mix(h_{i−1}, id_i), so the logits of a position depend on the
 * whole prefix, and a cache that was truncated or extended wrongly gives different logits than a
 * full recompute (`logitsFor`, the oracle). Counters report how many tokens were fed.
 *
 *   logits_j(h) = 3 · (2 · u(h, j) − 1)            u ∈ [0, 1): a hash of (h, j)
 *              + boost · [j = prefer(prefix)]       an optional script the model "wants" to follow
 */
import type { ForwardOptions, LanguageModel } from '../core/policy/languageModel';

export interface FakeLanguageModelOptions {
  vocabSize: number;
  eosTokenIds?: readonly number[];
  /** The token the model strongly prefers after `prefix` (its cached ids + new ids), if any. */
  prefer?: (prefix: readonly number[]) => number | undefined;
  /** Logit added to the preferred token (default 40: sampling at T = 1 follows the script). */
  boost?: number;
  seed?: number;
}

export interface FakeLanguageModelStats {
  forwardCalls: number;
  tokensFed: number;
  resets: number;
  truncations: number;
}

export interface FakeLanguageModel extends LanguageModel {
  readonly stats: FakeLanguageModelStats;
  /** The logits after `ids` computed from scratch, without the cache. → [V] */
  logitsFor(ids: readonly number[]): Float32Array;
}

export class FakeModelInputError extends Error {
  override name = 'FakeModelInputError';
}

export function createFakeLanguageModel(o: FakeLanguageModelOptions): FakeLanguageModel {
  const seed = (o.seed ?? 1) >>> 0;
  const boost = o.boost ?? 40;
  const ids: number[] = [];
  const states: number[] = []; // h_i per cached position
  const stats: FakeLanguageModelStats = { forwardCalls: 0, tokensFed: 0, resets: 0, truncations: 0 };

  const logitsAt = (h: number, prefix: readonly number[]): Float32Array => {
    const out = new Float32Array(o.vocabSize); // [V]
    for (let j = 0; j < o.vocabSize; j++) out[j] = 3 * (2 * (mix(h, j + 0x51ed27) / 0x1_0000_0000) - 1);
    const p = o.prefer?.(prefix);
    if (p !== undefined && p >= 0 && p < o.vocabSize) out[p] = (out[p] ?? 0) + boost;
    return out;
  };
  const check = (input: readonly number[]): void => {
    for (const id of input) {
      if (!Number.isInteger(id) || id < 0 || id >= o.vocabSize) throw new FakeModelInputError(`Token id ${id} is outside the vocabulary [0, ${o.vocabSize}).`);
    }
  };

  return {
    vocabSize: o.vocabSize,
    eosTokenIds: [...(o.eosTokenIds ?? [])],
    stats,
    async forward(input: readonly number[], opts: ForwardOptions = {}) {
      opts.signal?.throwIfAborted();
      if (input.length === 0) throw new FakeModelInputError('forward needs at least one new token.');
      check(input);
      await Promise.resolve(); // a real model answers asynchronously
      opts.signal?.throwIfAborted();
      // Atomic: compute first, then commit.
      let h = states[states.length - 1] ?? seed;
      const next = input.map((id) => (h = mix(h, id)));
      stats.forwardCalls++;
      stats.tokensFed += input.length;
      ids.push(...input);
      states.push(...next);
      return logitsAt(h, ids);
    },
    reset() {
      stats.resets++;
      ids.length = 0;
      states.length = 0;
    },
    async truncate(prefixLength: number) {
      if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > ids.length) {
        throw new FakeModelInputError(`Cannot truncate a cache of ${ids.length} positions to ${prefixLength}.`);
      }
      stats.truncations++;
      ids.length = prefixLength;
      states.length = prefixLength;
      await Promise.resolve();
    },
    cachedLength: () => ids.length,
    cachedIds: () => ids.slice(),
    logitsFor(prefix: readonly number[]) {
      check(prefix);
      let h = seed;
      for (const id of prefix) h = mix(h, id);
      return logitsAt(h, prefix);
    },
  };
}

/** A 32-bit mix of (h, x): MurmurHash3's fmix32 over h ⊕ x·φ. */
function mix(h: number, x: number): number {
  let k = (h ^ Math.imul(x + 1, 0x9e3779b1)) >>> 0;
  k ^= k >>> 16;
  k = Math.imul(k, 0x85ebca6b);
  k ^= k >>> 13;
  k = Math.imul(k, 0xc2b2ae35);
  k ^= k >>> 16;
  return k >>> 0;
}

export interface TurnScriptOptions {
  tokenizer: { encode(text: string): number[]; decode(ids: readonly number[]): string };
  /** The turns the model "wants" to write, one per round. */
  turns: readonly string[];
  /** Text that precedes the response in the model input (e.g. the chat template's assistant header). */
  responseMarker: string;
  /** Text that ends an observation; the round index is how many the response holds. */
  observationEnd?: string;
  /** Preferred after a complete turn (omit to let the stop strings end it). */
  eosId?: number;
}

/**
 * A `prefer` script for createFakeLanguageModel: after the marker, round k writes turns[k] token by
 * token (as the tokenizer encodes it), then EOS. Works on ids, so a turn may split characters.
 */
export function createTurnScript(o: TurnScriptOptions): (prefix: readonly number[]) => number | undefined {
  const marker = o.tokenizer.encode(o.responseMarker);
  const end = o.tokenizer.encode(o.observationEnd ?? '</information>\n\n');
  const turns = o.turns.map((t) => o.tokenizer.encode(t));
  return (prefix) => {
    const at = lastIndexOfSeq(prefix, marker);
    if (at < 0) return undefined;
    const response = prefix.slice(at + marker.length);
    const round = countSeq(response, end);
    const lastEnd = lastIndexOfSeq(response, end);
    const within = lastEnd < 0 ? response : response.slice(lastEnd + end.length);
    const target = turns[round];
    if (target === undefined || within.some((id, i) => target[i] !== id)) return undefined;
    return within.length === target.length ? o.eosId : target[within.length];
  };
}

function lastIndexOfSeq(ids: readonly number[], seq: readonly number[]): number {
  if (seq.length === 0) return -1;
  for (let i = ids.length - seq.length; i >= 0; i--) if (seq.every((x, j) => ids[i + j] === x)) return i;
  return -1;
}

function countSeq(ids: readonly number[], seq: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + seq.length <= ids.length; i++) if (seq.every((x, j) => ids[i + j] === x)) n++;
  return n;
}
