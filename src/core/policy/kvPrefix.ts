/**
 * Reuse of the model's KV cache across calls (DESIGN.md §3: "after an observation is appended only
 * the new tokens are prefilled").
 *
 * The environment hands the policy the whole context each round (prompt + response, left-truncated).
 * The cache holds what the model processed last time: that context plus the tokens it generated
 * (all but the last one, which was never fed). The plan:
 *   keep = min(LCP(cachedIds, target), target.length − 1)
 *   truncate the cache to `keep` (reset when keep = 0), then forward(target[keep:]).
 * `keep ≤ target.length − 1` because the loop needs the logits of the target's last position, and
 * the cache keeps keys/values, not logits, so at least one token is always fed.
 *
 * Cases: next round → keep = everything up to where the re-encoded turn text first differs from the
 * generated ids (usually the whole turn), feed the observation; a fork at round k → keep the common
 * rounds; G rollouts of one question run one after another → each keeps the prompt; a left-truncated
 * rolling context → the ids shift, LCP is the chat-template header (or 0: reset), and the rest is
 * re-prefilled, which is exact, just slower.
 */
import type { ForwardOptions, LanguageModel } from './languageModel';

export class EmptyContextError extends Error {
  override name = 'EmptyContextError';
}

export interface PrefillPlan {
  /** Cached positions kept. */
  keep: number;
  /** Ids to feed after them (≥ 1). */
  feed: number[];
}

/** Length of the longest common prefix of two id sequences. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export function planPrefill(cachedIds: readonly number[], target: readonly number[]): PrefillPlan {
  if (target.length === 0) throw new EmptyContextError('The policy got an empty context; the prompt must hold at least one token.');
  const keep = Math.min(commonPrefixLength(cachedIds, target), target.length - 1);
  return { keep, feed: target.slice(keep) };
}

/** Bring the cache to `target` and return the logits of its last position ([V]) and the plan used. */
export async function prefillContext(model: LanguageModel, target: readonly number[], opts: ForwardOptions = {}): Promise<{ logits: Float32Array; plan: PrefillPlan }> {
  const plan = planPrefill(model.cachedIds(), target);
  if (plan.keep === 0) {
    if (model.cachedLength() > 0) model.reset();
  }
  else if (plan.keep < model.cachedLength()) await model.truncate(plan.keep);
  opts.signal?.throwIfAborted();
  const logits = await model.forward(plan.feed, opts);
  return { logits, plan };
}
