/**
 * A small, realistic example episode built with the scripted fakes: the policy asks a cheap model,
 * which cannot help, escalates to a large one, and answers. Used by demos, docs and tests; all texts
 * are the project's own (the reference templates are never committed).
 */
import { REFERENCE_MODEL_IDS } from '../protocol/modelNames';
import { DEFAULT_AGENT_TEMPLATE, renderCompactPromptForPool } from '../protocol/prompt';
import type { EngineEpisodeRequest } from '../engine';
import { DEFAULT_ENV_SETTINGS, type PoolModelRecord, type Trajectory } from '../env/trajectory';
import { createInProcessEngine } from './inProcessEngine';

const QUESTION = 'Who wrote the novel that the film Blade Runner is based on?';

function scriptedModel(name: string, pricePer1M: number, referenceId: string): PoolModelRecord {
  return { name, provider: 'scripted', providerModelId: name, inputPer1M: pricePer1M, outputPer1M: pricePer1M, referenceId };
}

export const EXAMPLE_POOL: readonly PoolModelRecord[] = [
  scriptedModel('Qwen2.5-7B-Instruct', 0.3, REFERENCE_MODEL_IDS.qwen7b),
  scriptedModel('LLaMA-3.1-8B-Instruct', 0.18, REFERENCE_MODEL_IDS.llama8b),
  scriptedModel('LLaMA-3.1-70B-Instruct', 0.88, REFERENCE_MODEL_IDS.llama70b),
];

/** The policy's turns as generated (raw). The first one runs on past </search> and gets cut there. */
const POLICY_TURNS = [
  '<think>Blade Runner is a film adaptation of a science-fiction novel. A small, cheap model may know its author, ' +
    'so I will try it first.</think>\n<search>LLaMA-3.1-8B-Instruct: Which novel is the film Blade Runner based on, and who wrote it?</search>' +
    '\n\n<information>The film is based on',
  '<think>The small model could not help. This needs a model with broader knowledge, so I will ask the 70B model.</think>\n' +
    '<search>LLaMA-3.1-70B-Instruct: Who wrote the novel that the film Blade Runner is based on?</search>',
  '<think>The 70B model says the film is based on Do Androids Dream of Electric Sheep?, written by Philip K. Dick.</think>\n' +
    '<answer>Philip K. Dick</answer>',
];

const CANDIDATE_REPLIES: Record<string, string> = {
  'LLaMA-3.1-8B-Instruct': "I'm sorry, I am not sure which novel the film is based on, so I can't tell you who wrote it.",
  'LLaMA-3.1-70B-Instruct':
    'Blade Runner (1982) is based on the novel "Do Androids Dream of Electric Sheep?" (1968) by the American writer Philip K. Dick.',
};

/** The example as an engine request: the worker runs it like any other episode. */
export function exampleEngineRequest(): EngineEpisodeRequest {
  const pool = EXAMPLE_POOL.map((m) => ({ ...m }));
  return {
    episode: {
      id: 'example-blade-runner',
      question: { id: 'example-1', text: QUESTION, goldAnswers: ['Philip K. Dick'] },
      template: 'compact',
      prompt: renderCompactPromptForPool(pool, QUESTION),
      pool,
      agentTemplate: DEFAULT_AGENT_TEMPLATE,
      settings: { ...DEFAULT_ENV_SETTINGS },
      alpha: 0,
    },
    policy: { kind: 'scripted', id: 'scripted-example', turns: [...POLICY_TURNS], msPerChar: 2 },
    candidates: { kind: 'scripted', replies: { ...CANDIDATE_REPLIES } },
  };
}

/** The example run to its end in this thread (a fresh cost window; every time comes from the script). */
export async function buildExampleTrajectory(): Promise<Trajectory> {
  const engine = createInProcessEngine({ now: () => 0 });
  let last: Trajectory | undefined;
  for await (const event of engine.runEpisode(exampleEngineRequest())) {
    if (event.type === 'episode.finished') last = event.trajectory;
  }
  if (last === undefined) throw new Error('The example episode ended without episode.finished.');
  return last;
}
