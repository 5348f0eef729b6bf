/**
 * A small episode request for tests: "Who wrote Dune?" over the example pool, a one-line compact-style
 * prompt, the default agent template and settings, α 0. Tests only.
 */
import { DEFAULT_ENV_SETTINGS } from '../core/env/trajectory';
import type { EpisodeRequest } from '../core/run/runEpisode';
import { DEFAULT_AGENT_TEMPLATE } from '../core/protocol/prompt';
import { EXAMPLE_POOL } from '../core/run/exampleTrajectory';

export function duneEpisodeRequest(over: Partial<EpisodeRequest> = {}): EpisodeRequest {
  return {
    id: 'ep',
    question: { text: 'Who wrote Dune?', goldAnswers: ['Frank Herbert'] },
    template: 'compact',
    prompt: 'Route, then answer. Question: Who wrote Dune?',
    pool: EXAMPLE_POOL.map((m) => ({ ...m })),
    agentTemplate: DEFAULT_AGENT_TEMPLATE,
    settings: { ...DEFAULT_ENV_SETTINGS },
    alpha: 0,
    ...over,
  };
}
