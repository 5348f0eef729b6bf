/**
 * Hand-made episodes for the demo gallery's tests: scripted turns and replies through the real episode
 * runner, so they are consistent trajectories. Test support only; nothing in the app imports it.
 */
import { DEFAULT_ENV_SETTINGS, type Trajectory } from '../env/trajectory';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { createCostWindow } from '../reward/costReward';
import { EXAMPLE_POOL } from '../run/exampleTrajectory';
import { DEFAULT_AGENT_TEMPLATE } from '../protocol/prompt';
import { runEpisodeToEnd } from '../run/runEpisode';
import { createScriptedCaller, createScriptedPolicy } from '../run/scripted';

export const QWEN = 'Qwen2.5-7B-Instruct';
export const SMALL = 'LLaMA-3.1-8B-Instruct';
export const LARGE = 'LLaMA-3.1-70B-Instruct';
export const CANNOT_HELP = 'I cannot answer this question with any confidence. The base model should consult other LLMs for help with it.';

export const route = (model: string): string => `<think>ask ${model}</think>\n<search>${model}: Who wrote Dune?</search>`;
export const answer = (a: string): string => `<think>done</think>\n<answer>${a}</answer>`;

/** One scripted episode on "Who wrote Dune?" (gold: Frank Herbert). */
export function scriptedEpisode(id: string, turns: readonly string[], replies: Readonly<Record<string, string>>, alpha = 0): Promise<Trajectory> {
  return runEpisodeToEnd(
    {
      id,
      question: { id: `q-${id}`, dataset: 'offline', text: 'Who wrote Dune?', goldAnswers: ['Frank Herbert'] },
      template: 'compact',
      prompt: 'Route, then answer. Question: Who wrote Dune?',
      pool: EXAMPLE_POOL.map((m) => ({ ...m })),
      agentTemplate: DEFAULT_AGENT_TEMPLATE,
      settings: { ...DEFAULT_ENV_SETTINGS },
      alpha,
    },
    { policy: createScriptedPolicy(turns), caller: createScriptedCaller(replies), tokenizer: createByteTokenizer(), costWindow: createCostWindow(), now: () => 0 },
  );
}
