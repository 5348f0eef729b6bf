/**
 * Validation of an episode's setup, at the edge, before anything runs: a bad setting or agent
 * template is a configuration mistake to fix, not something to discover mid-episode.
 */
import { renderAgentPrompt } from '../protocol/prompt';
import type { EnvSettings, PoolModelRecord } from './trajectory';

export class EnvInitError extends Error {
  override name = 'EnvInitError';
}

/** Settings that must be positive: with 0, `slice(-0)` would keep everything instead of nothing. */
const POSITIVE_SETTINGS = ['maxObservationTokens', 'maxPromptTokens', 'maxContextTokens', 'maxNewTokens'] as const;

export function checkEnvInit(init: { settings: EnvSettings; agentTemplate: string; pool: readonly PoolModelRecord[] }): void {
  const s = init.settings;
  if (!Number.isInteger(s.maxTurns) || s.maxTurns < 0) {
    throw new EnvInitError(`settings.maxTurns must be an integer ≥ 0 (reference: 4), got ${s.maxTurns}.`);
  }
  for (const key of POSITIVE_SETTINGS) {
    if (!Number.isInteger(s[key]) || s[key] < 1) throw new EnvInitError(`settings.${key} must be an integer ≥ 1, got ${s[key]}.`);
  }
  // A template without {query} would send every candidate the same text.
  const probe = '\u0000query\u0000';
  if (!renderAgentPrompt(init.agentTemplate, probe).includes(probe)) {
    throw new EnvInitError('The agent template has no {query} field; candidates would never see the sub-query. Add {query} where it belongs.');
  }
  for (const m of init.pool) {
    if (!(m.inputPer1M >= 0) || !(m.outputPer1M >= 0)) {
      throw new EnvInitError(`Pool model "${m.name}" needs prices ≥ 0 per 1M tokens (got ${m.inputPer1M} in, ${m.outputPer1M} out).`);
    }
  }
}
