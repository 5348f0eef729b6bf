import { describe, expect, it } from 'vitest';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import type { Policy } from '../policy/ports';
import { createCostWindow } from '../reward/costReward';
import { DEFAULT_ENV_SETTINGS, type Trajectory } from '../env/trajectory';
import { buildExampleTrajectory, EXAMPLE_POOL } from './exampleTrajectory';
import { DEFAULT_AGENT_TEMPLATE } from '../protocol/prompt';
import { createReplayCaller, createReplayPolicy, replayRequest, ReplayDivergedError } from './replay';
import { runEpisodeToEnd, type EpisodeRequest } from './runEpisode';
import { createScriptedCaller, createScriptedPolicy } from './scripted';

const tok = createByteTokenizer();

/** A scripted policy that also reports byte token ids and made-up log-probs, as an ONNX policy would. */
function withTokens(inner: Policy): Policy {
  return {
    describe: () => ({ kind: 'onnx', id: 'fake-onnx', sampling: { temperature: 1, topP: 0.95, seed: 7 } }),
    async generate(req, opts) {
      const { text } = await inner.generate(req, opts);
      const tokenIds = tok.encode(text);
      return { text, tokenIds, logProbs: tokenIds.map((id) => -id / 256) };
    },
  };
}

/** Every path at once: invalid action with notice, unknown model, API failure, truncated reply, final-turn answer. */
async function recordBusyEpisode(): Promise<Trajectory> {
  const req: EpisodeRequest = {
    id: 'busy',
    question: { id: 'q7', dataset: 'nq', text: 'who wrote dune', goldAnswers: ['Frank Herbert'] },
    template: 'compact',
    prompt: 'Route, then answer. Question: who wrote dune?',
    pool: EXAMPLE_POOL.map((m) => ({ ...m })),
    agentTemplate: DEFAULT_AGENT_TEMPLATE,
    settings: { ...DEFAULT_ENV_SETTINGS, maxObservationTokens: 40, invalidActionNotice: true },
    alpha: 0.7,
  };
  const turns = [
    '<think>hmm</think> I will just guess.',
    '<think>ask</think><search>GPT-9: who wrote dune?</search>',
    '<think>ask qwen</think><search>Qwen2.5-7B-Instruct: who wrote dune?</search>',
    '<think>ask the big one</think><search>LLaMA-3.1-70B-Instruct: who wrote dune?: now</search><information>fake',
    '<think>it was Herbert</think><answer>Frank Herbert</answer> extra',
  ];
  const caller = createScriptedCaller({
    'Qwen2.5-7B-Instruct': { kind: 'rate-limit', message: '429 Too Many Requests' },
    'LLaMA-3.1-70B-Instruct': 'Dune (1965) was written by Frank Herbert, an American author — 🤖 long reply.',
  });
  let t = 0;
  return runEpisodeToEnd(req, {
    policy: withTokens(createScriptedPolicy(turns)),
    caller,
    tokenizer: tok,
    costWindow: createCostWindow([1, 2, 3]),
    now: () => (t += 13),
  });
}

/** Replays with a cost window in the state the recording saw (the reward depends on it). */
async function replay(recorded: Trajectory, now: () => number, opts: { agentTemplate?: string; window?: number[] } = {}): Promise<Trajectory> {
  return runEpisodeToEnd(replayRequest(recorded, opts.agentTemplate), {
    policy: createReplayPolicy(recorded),
    caller: createReplayCaller(recorded),
    tokenizer: tok,
    costWindow: createCostWindow(opts.window ?? [1, 2, 3]),
    now,
  });
}

describe('replay', () => {
  it('the busy episode covers every path', async () => {
    const t = await recordBusyEpisode();
    expect(t.status).toBe('answered');
    expect(t.rounds.map((r) => r.routingEnabled)).toEqual([true, true, true, true, false]);
    expect(t.rounds[0]?.observation?.truncated).toBe(true); // the notice is capped too
    expect(t.rounds.map((r) => r.call?.error?.kind ?? null)).toEqual([null, 'unknown-model', 'rate-limit', null, null]);
    expect(t.rounds[3]?.observation?.truncated).toBe(true);
    expect(t.rounds[3]?.tokenIds?.length).toBeLessThan(tok.encode(t.rounds[3]?.rawText ?? '').length);
    expect(t.reward?.alpha).toBe(0.7);
  });

  it('reproduces a recorded trajectory exactly, whatever the clock says', async () => {
    const recorded = await recordBusyEpisode();
    expect(await replay(recorded, () => 0)).toStrictEqual(recorded);
    let t = 5;
    expect(await replay(recorded, () => (t *= 3))).toStrictEqual(recorded);
  });

  it('reproduces the example trajectory exactly', async () => {
    const recorded = await buildExampleTrajectory();
    expect(await replay(recorded, () => 0, { window: [] })).toStrictEqual(recorded);
  });

  it('reproduces a trajectory that went through JSON', async () => {
    const recorded = JSON.parse(JSON.stringify(await recordBusyEpisode())) as Trajectory;
    expect(await replay(recorded, () => 0)).toStrictEqual(recorded);
  });

  it('fails the episode when the run diverges from the record', async () => {
    const recorded = await buildExampleTrajectory();
    const diverged = await replay(recorded, () => 0, { agentTemplate: 'Another template: {query}', window: [] });
    expect(diverged.status).toBe('failed');
    expect(diverged.error).toMatch(/^ReplayDivergedError: .*agent template/);
    expect(diverged.rounds).toHaveLength(1);
  });

  it('needs an agent template when the record has none', async () => {
    const { agentTemplate, ...withoutTemplate } = await buildExampleTrajectory();
    expect(() => replayRequest(withoutTemplate)).toThrow(ReplayDivergedError);
    expect(replayRequest(withoutTemplate, agentTemplate).agentTemplate).toBe(DEFAULT_AGENT_TEMPLATE);
  });

  it('the replay policy refuses rounds beyond the record', async () => {
    const recorded = await buildExampleTrajectory();
    const policy = createReplayPolicy(recorded);
    const req = { promptText: '', contextText: '', contextTokenIds: [], routingEnabled: true, maxNewTokens: 1, stop: [] };
    for (let i = 0; i < recorded.rounds.length; i++) await policy.generate({ ...req, roundIndex: i }, {});
    await expect(policy.generate({ ...req, roundIndex: 3 }, {})).rejects.toThrow(ReplayDivergedError);
  });
});

describe('trajectory JSON', () => {
  it('round-trips unchanged', async () => {
    for (const t of [await recordBusyEpisode(), await buildExampleTrajectory()]) {
      expect(JSON.parse(JSON.stringify(t))).toStrictEqual(t);
    }
  });
});
