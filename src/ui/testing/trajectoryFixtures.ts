/**
 * Trajectory fixtures for UI tests: built with core's own parser, observation wrapper and reward, so
 * they are consistent records. Test support only; the app never imports this file.
 */
import {
  DEFAULT_ENV_SETTINGS,
  TRAJECTORY_VERSION,
  cutTurn,
  parseAction,
  scoreCompletion,
  wrapObservation,
  type CallError,
  type CallRecord,
  type PoolModelRecord,
  type RoundRecord,
  type Trajectory,
} from '../../core';

export const FIXTURE_POOL: PoolModelRecord[] = [
  { name: 'LLaMA-3.1-8B-Instruct', provider: 'scripted', providerModelId: 'llama-8b', inputPer1M: 0.18, outputPer1M: 0.18, referenceId: 'meta/llama-3.1-8b-instruct', simulated: true },
  { name: 'LLaMA-3.1-70B-Instruct', provider: 'scripted', providerModelId: 'llama-70b', inputPer1M: 0.88, outputPer1M: 0.88, referenceId: 'meta/llama-3.1-70b-instruct', simulated: true },
];

interface FixtureCall {
  reply: string | null;
  poolIndex: number | null;
  completionTokens?: number;
  latencyMs?: number;
  error?: CallError;
}

function callFor(round: RoundRecord['action'], c: FixtureCall): CallRecord {
  const model = c.poolIndex === null ? undefined : FIXTURE_POOL[c.poolIndex];
  const completionTokens = c.reply === null ? 0 : (c.completionTokens ?? 12);
  const usage = c.reply === null ? null : { promptTokens: 40, completionTokens };
  return {
    modelName: round.type === 'route' ? round.modelName : '',
    query: round.type === 'route' ? round.query : '',
    poolIndex: c.poolIndex,
    prompt: model === undefined ? null : `Answer: ${round.type === 'route' ? round.query : ''}`,
    params: model === undefined ? null : { temperature: 0, topP: 1, seed: 42, maxTokens: 512 },
    reply: c.reply,
    usage,
    latencyMs: c.latencyMs ?? (model === undefined ? 0 : 250),
    costUnits: model === undefined || usage === null ? 0 : usage.completionTokens * model.outputPer1M,
    costUsd: model === undefined || usage === null ? 0 : (usage.promptTokens * model.inputPer1M + usage.completionTokens * model.outputPer1M) / 1e6,
    cached: false,
    error: c.error ?? null,
  };
}

/** One round from the policy's text; `call` is given for routes that reached the environment. */
export function fixtureRound(index: number, text: string, call?: FixtureCall, routingEnabled = true): RoundRecord {
  const kept = cutTurn(text);
  const action = parseAction(kept);
  const rec = call === undefined ? null : callFor(action, call);
  const obsText = rec === null ? null : wrapObservation(rec.reply ?? undefined);
  return {
    index,
    routingEnabled,
    rawText: text,
    text: kept,
    generationMs: 100,
    action,
    call: rec,
    observation: obsText === null ? null : { text: obsText, tokenCount: 10, truncated: false },
    contextTokens: 200 + index * 50,
  };
}

export function fixtureTrajectory(id: string, question: string, goldAnswers: string[], rounds: RoundRecord[], alpha = 0): Trajectory {
  const response = rounds.map((r) => r.text + (r.observation?.text ?? '')).join('');
  const reward = scoreCompletion({ completion: response, goldAnswers, alpha, costReward: 0.5 });
  const calls = rounds.filter((r) => r.call !== null);
  return {
    version: TRAJECTORY_VERSION,
    id,
    question: { text: question, goldAnswers },
    template: 'compact',
    prompt: `Route the question to helper models, then answer.\nQuestion: ${question}`,
    promptTokens: 64,
    policy: { kind: 'scripted', id: 'fixture' },
    pool: FIXTURE_POOL,
    settings: DEFAULT_ENV_SETTINGS,
    rounds,
    response,
    reward,
    metrics: {
      em: reward.em,
      f1: reward.f1,
      format: reward.format,
      costUnits: calls.reduce((a, r) => a + (r.call?.costUnits ?? 0), 0),
      costUsd: calls.reduce((a, r) => a + (r.call?.costUsd ?? 0), 0),
      routes: rounds.filter((r) => r.action.type === 'route').length,
      calls: calls.length,
      turns: rounds.length,
    },
    status: rounds.at(-1)?.action.type === 'answer' ? 'answered' : 'out-of-turns',
  };
}

/** The shape of the project's example: 8B cannot help, 70B answers, then the answer (3 rounds, 7 steps). */
export function bladeRunnerFixture(): Trajectory {
  return fixtureTrajectory('fixture-blade-runner', 'Who directed the film Blade Runner?', ['Ridley Scott'], [
    fixtureRound(0, '<think>A small model may know who directed Blade Runner.</think>\n<search> LLaMA-3.1-8B-Instruct: Who directed Blade Runner? </search>', { reply: 'I am not sure.', poolIndex: 0, completionTokens: 6 }),
    fixtureRound(1, '<think>The 8B model could not help; ask the 70B model.</think>\n<search> LLaMA-3.1-70B-Instruct: Who directed the 1982 film Blade Runner? </search>', { reply: 'Ridley Scott directed Blade Runner (1982).', poolIndex: 1, completionTokens: 11 }),
    fixtureRound(2, '<think>The 70B model says Ridley Scott.</think>\n<answer> Ridley Scott </answer>'),
  ]);
}

/** Edge cases: an unknown model (error, `None` observation), an invalid action, then a wrong answer. */
export function edgeCaseFixture(): Trajectory {
  return fixtureTrajectory('fixture-edge', 'What is the capital of Australia', ['Canberra'], [
    fixtureRound(0, '<think>Ask a model.</think>\n<search> GPT-9: capital of Australia? </search>', {
      reply: null,
      poolIndex: null,
      error: { kind: 'unknown-model', message: 'No pool model matches "GPT-9".' },
    }),
    fixtureRound(1, '<think>Try again.</think>\n<search> llm-name: your-query </search>'),
    fixtureRound(2, '<think>I will guess.</think>\n<answer>Sydney</answer>'),
  ]);
}
