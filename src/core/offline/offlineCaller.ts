/**
 * The offline pool as a CandidateCaller (DESIGN.md §5): replies simulated from recorded scores
 * (offlineReplies.ts), with usage and latency simulated deterministically per model. No state, no rng,
 * no clock: the same (model, query) gives the same reply, usage and latency in every run.
 *
 *   completionTokens = max(1, round(words(reply) × tokensPerWord(model)))
 *       tokensPerWord(model) = 1.3 + 0.7 × h(model) ∈ [1.3, 2.0)  (the reply is a compact stand-in for a
 *       real one; the factor spreads verbosity, hence cost, across models as real replies do)
 *   promptTokens     = round(prompt length in UTF-16 units / 4)
 *   latencyMs        = round(baseMs + jitterMs × h(model, query) + completionTokens × (msPerToken + msPerTokenPerB × sizeB))
 *       sizeB from default_llm.json ("49B" → 49; 8 when unknown), so larger models are slower per token.
 */
import { pySplit, pyStrip } from '../text/pyText';
import { CandidateCallError, type CandidateCaller, type CandidateReply } from '../policy/ports';
import type { TokenUsage } from '../env/trajectory';
import { unitHash } from '../math/hash';
import type { OfflineBank, OfflineModel } from './offlineBank';
import { simulateOfflineReply, type OfflineReplyOptions } from './offlineReplies';

export interface OfflineTiming {
  baseMs: number;
  jitterMs: number;
  msPerToken: number;
  msPerTokenPerB: number;
}

/** Rough hosted-API figures: ~0.3–0.5 s to first token, 10–40 ms per token from 7B to 70B. */
export const DEFAULT_OFFLINE_TIMING: OfflineTiming = { baseMs: 300, jitterMs: 200, msPerToken: 8, msPerTokenPerB: 0.45 };

export interface OfflineCallerOptions extends OfflineReplyOptions {
  timing?: Partial<OfflineTiming>;
}

/** Parameter count in billions from a size string ("7B", "141B", "8x7B" → 56); undefined when unreadable. */
export function parseSizeB(size: string): number | undefined {
  const moe = /^\s*(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)\s*B/i.exec(size);
  if (moe !== null) return Number(moe[1]) * Number(moe[2]);
  const plain = /(\d+(?:\.\d+)?)\s*B/i.exec(size);
  return plain === null ? undefined : Number(plain[1]);
}

export function offlineTokensPerWord(model: string): number {
  return 1.3 + 0.7 * unitHash('verbosity', model);
}

export function offlineUsage(model: string, prompt: string, reply: string): TokenUsage {
  return {
    promptTokens: Math.round(prompt.length / 4),
    completionTokens: Math.max(1, Math.round(pySplit(reply).length * offlineTokensPerWord(model))),
  };
}

export function offlineLatencyMs(model: OfflineModel, query: string, completionTokens: number, timing: OfflineTiming = DEFAULT_OFFLINE_TIMING): number {
  const sizeB = parseSizeB(model.size) ?? 8;
  const perToken = timing.msPerToken + timing.msPerTokenPerB * sizeB;
  return Math.round(timing.baseMs + timing.jitterMs * unitHash('latency', model.name, query) + completionTokens * perToken);
}

/**
 * A caller answering for the bank's models. The model is looked up by providerModelId (the bank name),
 * then by display name; anything else is a 'not-found' call error. An aborted signal rejects with its reason.
 */
export function createOfflineCaller(bank: OfflineBank, opts: OfflineCallerOptions = {}): CandidateCaller {
  const timing: OfflineTiming = { ...DEFAULT_OFFLINE_TIMING, ...opts.timing };
  const byName = new Map(bank.models.map((m) => [m.name, m]));
  return {
    async call(req, { signal }): Promise<CandidateReply> {
      signal?.throwIfAborted();
      const model = byName.get(req.model.providerModelId) ?? byName.get(req.model.name);
      if (model === undefined) {
        throw new CandidateCallError(
          'not-found',
          `The offline pool has no recorded scores for "${req.model.providerModelId}". Use one of: ${[...byName.keys()].join(', ')}.`,
          { latencyMs: 0 },
        );
      }
      const query = pyStrip(req.query);
      const { reply } = simulateOfflineReply(bank, model.name, query, opts);
      const usage = offlineUsage(model.name, req.prompt, reply);
      return { reply, usage, latencyMs: offlineLatencyMs(model, query, usage.completionTokens, timing), cached: true };
    },
  };
}
