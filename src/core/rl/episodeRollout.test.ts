import { describe, expect, it } from 'vitest';
import { createRng } from '../math/rng';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { DEFAULT_ENV_SETTINGS } from '../env/trajectory';
import { EXAMPLE_POOL } from '../run/exampleTrajectory';
import { DEFAULT_AGENT_TEMPLATE } from '../protocol/prompt';
import { createScriptedCaller, createScriptedPolicy } from '../run/scripted';
import { createEpisodeRollout, trajectorySequence } from './episodeRollout';
import { rolloutProblem, type RolloutRequest } from './rollouts';
import { createFakeBigramLearner } from '../../testing/fakeBigramLearner';
import { createTrainConfig } from './trainConfig';
import { runTrainLoop } from './trainLoop';

const SMALL = 'LLaMA-3.1-8B-Instruct';
const TURNS = [`<think>ask</think>\n<search>${SMALL}: Who wrote Dune?</search>`, '<think>it says Herbert</think>\n<answer>Frank Herbert</answer>'];
const question = { text: 'Who wrote Dune?', goldAnswers: ['Frank Herbert'] };
const tokenizer = createByteTokenizer();

function port(reply: Parameters<typeof createScriptedCaller>[0][string], framing?: { prefixIds: number[]; suffixIds: number[] }) {
  return createEpisodeRollout({
    tokenizer,
    caller: createScriptedCaller({ [SMALL]: reply }),
    policy: () => createScriptedPolicy(TURNS),
    request: (q, id) => ({ id, question: q, template: 'compact', prompt: `Route, then answer. Question: ${q.text}`, pool: EXAMPLE_POOL.map((m) => ({ ...m })), agentTemplate: DEFAULT_AGENT_TEMPLATE, settings: { ...DEFAULT_ENV_SETTINGS } }),
    now: () => 0,
    ...(framing === undefined ? {} : { framing }),
  });
}

const req = (): RolloutRequest => ({ question, step: 0, questionIndex: 0, groupIndex: 0, rng: createRng(1), alpha: 0 });

describe('createEpisodeRollout', () => {
  it('runs the real episode and returns the token view: prompt and observations masked, turn texts trained', async () => {
    const r = await port('Frank Herbert wrote Dune.')(req(), {});
    expect(r.trajectory.status).toBe('answered');
    expect(rolloutProblem(r)).toBeNull();
    const { tokenIds, policyMask } = r.sequence;
    expect(tokenizer.decode(tokenIds)).toBe(r.trajectory.prompt + r.trajectory.response);
    const trained = tokenizer.decode(tokenIds.filter((_, i) => policyMask[i] === 1));
    expect(trained).toBe(r.trajectory.rounds.map((x) => x.text).join(''));
    expect(tokenizer.decode(tokenIds.filter((_, i) => policyMask[i] === 0))).toContain('<information>Frank Herbert wrote Dune.</information>');
  });

  it('chat framing ids are added around the prompt and masked', async () => {
    const r = await port('Frank Herbert.', { prefixIds: [1, 2], suffixIds: [3] })(req(), {});
    expect(r.sequence.tokenIds.slice(0, 2)).toEqual([1, 2]);
    const promptLength = r.trajectory.promptTokens;
    expect(r.sequence.tokenIds[2 + promptLength]).toBe(3);
    expect(r.sequence.policyMask.slice(0, 3 + promptLength).every((m) => m === 0)).toBe(true);
  });

  it('a failed candidate call marks the rollout for exclusion', async () => {
    const r = await port({ kind: 'server', message: 'HTTP 503' })(req(), {});
    expect(rolloutProblem(r)).toMatch(/candidate call failed in round 0 \(server\)/);
  });

  it('an abort rejects instead of returning an aborted episode', async () => {
    const ac = new AbortController();
    ac.abort(new Error('pause'));
    await expect(port('x')(req(), { signal: ac.signal })).rejects.toThrow('pause');
  });

  it('trajectorySequence keeps the recorded observation token count', async () => {
    const r = await port('Frank Herbert wrote Dune.')(req(), {});
    const obs = r.trajectory.rounds[0]?.observation;
    expect(obs).not.toBeNull();
    expect(trajectorySequence(r.trajectory, tokenizer).tokenIds.length).toBe(r.trajectory.promptTokens + r.trajectory.rounds.reduce((n, x) => n + tokenizer.encode(x.text).length + (x.observation?.tokenCount ?? 0), 0));
  });
});

describe('trainLoop over real episodes', () => {
  it('runs steps end to end: episodes, the Router-R1 reward, a byte-level learner, metrics with routing share', async () => {
    const learner = createFakeBigramLearner({ vocabSize: 256 });
    const cfg = createTrainConfig({ runId: 'episodes', seed: 3, steps: 2, questionsPerStep: 2, groupSize: 2, minibatchSize: 2, checkpointEvery: 0, schedule: { kind: 'constant', lr: 0.01 } });
    const { metrics } = await runTrainLoop(cfg, { learner, questions: [question, { text: 'Who wrote Emma?', goldAnswers: ['Jane Austen'] }], rollout: port('Frank Herbert wrote Dune.'), syncWeights: () => undefined, now: () => 0 });
    expect(metrics).toHaveLength(2);
    const m = metrics[0];
    expect(m?.rollouts).toBe(4);
    expect(m?.callsPerQuestion).toBe(1);
    expect(m?.routingShare).toEqual({ [SMALL]: 1 });
    expect(m?.skipped).toBeNull();
    expect(m?.updates).toBe(2);
    expect(Number.isFinite(m?.loss)).toBe(true);
  });
});
