/**
 * Fits an episode's token limits into a policy model's positions. The reference limits (prompt 2048,
 * rolling context 4096, 1024 new tokens: DESIGN.md §2.2) need 5,120 positions; a small model (the
 * tiny test router has 512) would index past its position table mid-generation and crash. The
 * positions an episode can use are at most maxContextTokens (what the rolling window feeds) plus
 * maxNewTokens (what one generation adds), so:
 *
 *   fits already (context + new ≤ capacity)  → unchanged (every model with enough positions runs the reference)
 *   else  new     = min(maxNewTokens, max(1, ⌊capacity / 4⌋))   a quarter for the turn being written
 *         context = capacity − new                              the rest for prompt + response so far
 *         prompt  = min(maxPromptTokens, context)
 *
 * The environment then left-truncates the prompt and ends the episode as 'context-full' once the
 * response fills the window, instead of the model failing. The fitted settings are recorded in the
 * trajectory, so a record shows the limits it ran under.
 *
 * The capacity is what the graph can embed: hosts derive it from config.maxPositionEmbeddings, which
 * loadModelFolder (checkConfigAgainstGraph) refuses when it exceeds the graph's rotary cache. A capacity
 * under 2 positions (one of context, one to generate) cannot hold an episode at all and is refused.
 */
import type { EnvSettings } from '../env/trajectory';

export class ContextCapacityError extends Error {
  override name = 'ContextCapacityError';
}

/** `capacity`: positions for prompt + response + generation (the model's maximum less its chat framing). */
export function fitSettingsToCapacity(settings: EnvSettings, capacity: number | undefined): EnvSettings {
  if (capacity === undefined || Number.isNaN(capacity) || capacity === Infinity) return settings;
  if (!(capacity >= 2)) {
    throw new ContextCapacityError(`The policy model leaves ${Math.floor(capacity)} positions for the episode after its chat framing; it needs at least 2. Use a model with more positions (max_position_embeddings) or a shorter chat template.`);
  }
  if (settings.maxContextTokens + settings.maxNewTokens <= capacity) return settings;
  const cap = Math.floor(capacity);
  const maxNewTokens = Math.min(settings.maxNewTokens, Math.max(1, Math.floor(cap / 4)));
  const maxContextTokens = Math.min(settings.maxContextTokens, cap - maxNewTokens);
  return { ...settings, maxNewTokens, maxContextTokens, maxPromptTokens: Math.min(settings.maxPromptTokens, maxContextTokens) };
}
