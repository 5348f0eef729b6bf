import { describe, expect, it } from 'vitest';
import { duneEpisodeRequest } from '../../testing/duneEpisode';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { CandidateCallError, type CandidateCaller, type Policy } from '../policy/ports';
import { createCostWindow } from '../reward/costReward';
import type { Trajectory } from '../env/trajectory';
import type { EpisodeEvent } from './episodeEvents';
import { DEFAULT_AGENT_TEMPLATE } from '../protocol/prompt';
import { runEpisode, runEpisodeToEnd, type EpisodeDeps } from './runEpisode';
import { createScriptedCaller, createScriptedPolicy } from './scripted';

const SMALL = 'LLaMA-3.1-8B-Instruct';
const LARGE = 'LLaMA-3.1-70B-Instruct';
const T_ROUTE_SMALL = `<think>try the small one</think>\n<search>${SMALL}: Who wrote Dune?</search>`;
const T_ROUTE_LARGE = `<think>ask the large one</think>\n<search>${LARGE}: Who wrote Dune?</search>`;
const T_ANSWER = '<think>it says Herbert</think>\n<answer>Frank Herbert</answer>';

const request = duneEpisodeRequest;

/** A clock that advances 7 ms per reading. */
function tickingClock(): () => number {
  let t = 1000;
  return () => (t += 7);
}

const deps = (policy: Policy, caller: CandidateCaller, over: Partial<EpisodeDeps> = {}): EpisodeDeps => ({
  policy,
  caller,
  tokenizer: createByteTokenizer(),
  costWindow: createCostWindow(),
  now: tickingClock(),
  ...over,
});

async function collect(gen: AsyncGenerator<EpisodeEvent, Trajectory>, onEvent?: (e: EpisodeEvent) => void): Promise<{ events: EpisodeEvent[]; result: Trajectory }> {
  const events: EpisodeEvent[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done === true) return { events, result: next.value };
    events.push(next.value);
    onEvent?.(next.value);
  }
}

const replies = { [SMALL]: "Sorry, I can't help.", [LARGE]: 'Frank Herbert wrote Dune.' };

describe('runEpisode', () => {
  it('yields the events of each step in order and returns the finished trajectory', async () => {
    const { events, result } = await collect(runEpisode(request(), deps(createScriptedPolicy([T_ROUTE_SMALL, T_ROUTE_LARGE, T_ANSWER]), createScriptedCaller(replies))));
    expect(events.map((e) => e.type)).toEqual([
      'episode.started',
      'round.started', 'round.generated', 'route.called', 'candidate.replied', 'observation.appended',
      'round.started', 'round.generated', 'route.called', 'candidate.replied', 'observation.appended',
      'round.started', 'round.generated',
      'episode.finished',
    ]);
    const finished = events[events.length - 1];
    expect(finished?.type === 'episode.finished' && finished.trajectory).toBe(result);
    expect(events[1]).toMatchObject({ type: 'round.started', roundIndex: 0, routingEnabled: true });
    expect(events[3]).toMatchObject({ type: 'route.called', roundIndex: 0, poolIndex: 1, modelName: SMALL, query: ' Who wrote Dune?', prompt: DEFAULT_AGENT_TEMPLATE.replace('{query}', ' Who wrote Dune?') });
    expect(result.status).toBe('answered');
    expect(result.policy).toEqual({ kind: 'scripted', id: 'scripted' });
    expect(result.reward).toMatchObject({ format: 0, em: 1, total: 1 });
  });

  it('measures generation time with the injected clock when the policy reports none', async () => {
    const result = await runEpisodeToEnd(request(), deps(createScriptedPolicy([T_ANSWER]), createScriptedCaller({})));
    expect(result.rounds[0]?.generationMs).toBe(7);
  });

  it('reports an unknown model as a failed candidate without a call', async () => {
    const { events } = await collect(runEpisode(request(), deps(createScriptedPolicy(['<think>x</think><search>GPT-9: who?</search>', T_ANSWER]), createScriptedCaller({}))));
    expect(events.map((e) => e.type)).toEqual(['episode.started', 'round.started', 'round.generated', 'candidate.failed', 'observation.appended', 'round.started', 'round.generated', 'episode.finished']);
  });

  it('records a CandidateCallError and goes on', async () => {
    const caller = createScriptedCaller({ [SMALL]: { kind: 'server', message: '503 from provider' }, [LARGE]: 'Frank Herbert.' });
    const { events, result } = await collect(runEpisode(request(), deps(createScriptedPolicy([T_ROUTE_SMALL, T_ROUTE_LARGE, T_ANSWER]), caller)));
    expect(events.filter((e) => e.type === 'candidate.failed')).toHaveLength(1);
    expect(result.rounds[0]?.call).toMatchObject({ error: { kind: 'server', message: '503 from provider' }, latencyMs: 200, costUnits: 0 });
    expect(result.rounds[0]?.observation?.text).toBe('\n\n<information>None</information>\n\n');
    expect(result.metrics).toMatchObject({ calls: 2, routes: 2, em: 1 });
  });

  it('computes cost units, dollars and metrics of the episode', async () => {
    const result = await runEpisodeToEnd(request(), deps(createScriptedPolicy([T_ROUTE_SMALL, T_ROUTE_LARGE, T_ANSWER]), createScriptedCaller(replies)));
    // Scripted usage: completion = round(1.3 × words): 4 words → 5, 4 words → 5.
    expect(result.rounds.map((r) => r.call?.usage?.completionTokens ?? null)).toEqual([5, 5, null]);
    expect(result.metrics?.costUnits).toBeCloseTo(5 * 0.18 + 5 * 0.88, 10);
    // The example pool charges the same price for prompt and completion tokens.
    const [small, large] = result.rounds.map((r) => r.call?.usage);
    const usd = (((small?.promptTokens ?? 0) + 5) * 0.18 + ((large?.promptTokens ?? 0) + 5) * 0.88) / 1e6;
    expect(small?.promptTokens).toBeGreaterThan(0);
    expect(result.metrics?.costUsd).toBeCloseTo(usd, 15);
    expect(result.metrics).toMatchObject({ em: 1, f1: 1, format: 0, routes: 2, calls: 2, turns: 3 });
  });

  it('pushes each scored episode into the shared cost window and uses alpha', async () => {
    const costWindow = createCostWindow();
    const policy = () => createScriptedPolicy([T_ROUTE_LARGE, T_ANSWER]);
    await runEpisodeToEnd(request(), deps(policy(), createScriptedCaller(replies), { costWindow }));
    const second = await runEpisodeToEnd(request({ alpha: 0.5 }), deps(createScriptedPolicy([T_ANSWER]), createScriptedCaller(replies), { costWindow }));
    expect(costWindow.values()).toHaveLength(2);
    // The cheaper second episode is the window's minimum: cost reward 1, total (1 − α) + α·1.
    expect(second.reward).toMatchObject({ costReward: 1, alpha: 0.5, total: 1 });
  });

  it('on abort during a call, finishes as aborted with everything recorded so far', async () => {
    const ac = new AbortController();
    const caller: CandidateCaller = {
      async call(_req, { signal }) {
        ac.abort(new Error('stopped by user'));
        signal?.throwIfAborted();
        throw new Error('unreachable');
      },
    };
    const costWindow = createCostWindow();
    const { events, result } = await collect(runEpisode(request(), deps(createScriptedPolicy([T_ROUTE_SMALL]), caller, { signal: ac.signal, costWindow })));
    expect(events.map((e) => e.type)).toEqual(['episode.started', 'round.started', 'round.generated', 'route.called', 'episode.finished']);
    expect(result.status).toBe('aborted');
    expect(result.error).toBe('Error: stopped by user');
    expect(result.rounds).toHaveLength(1);
    expect(result.rounds[0]).toMatchObject({ text: T_ROUTE_SMALL, call: { modelName: SMALL, error: { kind: 'aborted' } }, observation: null });
    expect(result.response).toBe(T_ROUTE_SMALL);
    expect(result.reward).toBeNull();
    expect(result.metrics).toMatchObject({ turns: 1, calls: 1 });
    expect(costWindow.values()).toEqual([]);
  });

  it('on abort between events, stops before the next effect and keeps the rounds', async () => {
    const ac = new AbortController();
    const gen = runEpisode(request(), deps(createScriptedPolicy([T_ROUTE_SMALL, T_ROUTE_LARGE, T_ANSWER]), createScriptedCaller(replies), { signal: ac.signal }));
    const { events, result } = await collect(gen, (e) => {
      if (e.type === 'observation.appended') ac.abort();
    });
    expect(events.map((e) => e.type).slice(-2)).toEqual(['observation.appended', 'episode.finished']);
    expect(result.status).toBe('aborted');
    expect(result.rounds).toHaveLength(1);
    expect(result.rounds[0]?.call?.reply).toBe(replies[SMALL]);
    expect(result.response).toBe(T_ROUTE_SMALL + `\n\n<information>${replies[SMALL]}</information>\n\n`);
  });

  it('a policy exception fails the episode with its message and keeps what was recorded', async () => {
    const result = await runEpisodeToEnd(request(), deps(createScriptedPolicy([T_ROUTE_SMALL]), createScriptedCaller(replies)));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^ScriptExhaustedError: .*add turns/);
    expect(result.rounds).toHaveLength(1);
    expect(result.rounds[0]?.observation).not.toBeNull();
    expect(result.reward).toBeNull();
  });

  it('a caller that throws something other than CandidateCallError fails the episode', async () => {
    const caller: CandidateCaller = {
      call: async () => {
        throw new TypeError('Failed to fetch');
      },
    };
    const result = await runEpisodeToEnd(request(), deps(createScriptedPolicy([T_ROUTE_SMALL, T_ANSWER]), caller));
    expect(result.status).toBe('failed');
    expect(result.error).toBe('TypeError: Failed to fetch');
    expect(result.rounds[0]?.call?.error?.kind).toBe('aborted');
  });

  it('uses the latency a CandidateCallError reports, else the clock', async () => {
    const caller: CandidateCaller = {
      call: async (req) => {
        throw new CandidateCallError('timeout', 'no reply in 60 s', req.poolIndex === 1 ? { latencyMs: 60000 } : {});
      },
    };
    const result = await runEpisodeToEnd(request(), deps(createScriptedPolicy([T_ROUTE_SMALL, T_ROUTE_LARGE, T_ANSWER]), caller));
    expect(result.rounds.map((r) => r.call?.latencyMs)).toEqual([60000, 7, undefined]);
  });
});
