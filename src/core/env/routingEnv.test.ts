import { describe, expect, it } from 'vitest';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { INVALID_ACTION_NOTICE } from '../protocol/actions';
import { REFERENCE_MODEL_IDS } from '../protocol/modelNames';
import { EnvInitError } from './envInit';
import { createRoutingEnv, EnvPhaseError, stepRoutingEnv, type EnvAction, type EnvEffect, type EnvStep, type RoutingEnvContext, type RoutingEnvInit } from './routingEnv';
import { DEFAULT_ENV_SETTINGS, type EnvSettings, type PoolModelRecord } from './trajectory';

const tok = createByteTokenizer();
const AGENT = 'Q: {query}';
const PROMPT = 'Route, then answer.\nQuestion: Who wrote Dune?';
const SMALL = 'LLaMA-3.1-8B-Instruct';
const LARGE = 'LLaMA-3.1-70B-Instruct';

const model = (name: string, inputPer1M: number, outputPer1M: number, referenceId: string): PoolModelRecord =>
  ({ name, provider: 'scripted', providerModelId: name, inputPer1M, outputPer1M, referenceId });
const POOL = [
  model('Qwen2.5-7B-Instruct', 0.3, 0.3, REFERENCE_MODEL_IDS.qwen7b),
  model(SMALL, 0.18, 0.18, REFERENCE_MODEL_IDS.llama8b),
  model(LARGE, 0.5, 0.88, REFERENCE_MODEL_IDS.llama70b),
  model('Gemma-2-27B-Instruct', 0.8, 0.8, REFERENCE_MODEL_IDS.gemma27b),
];

function init(settings: Partial<EnvSettings> = {}, prompt = PROMPT): RoutingEnvInit {
  return {
    id: 't1',
    question: { text: 'Who wrote Dune', goldAnswers: ['Frank Herbert'] },
    template: 'compact',
    prompt,
    pool: POOL,
    agentTemplate: AGENT,
    settings: { ...DEFAULT_ENV_SETTINGS, ...settings },
    policy: { kind: 'scripted', id: 'test' },
    tokenizer: tok,
  };
}

const gen = (rawText: string, generationMs = 5): EnvAction => ({ type: 'policy.generated', rawText, generationMs });
const reply = (text: string, completionTokens = 10, promptTokens = 20): EnvAction =>
  ({ type: 'candidate.replied', reply: text, usage: { promptTokens, completionTokens }, latencyMs: 100, cached: false });

/** Steps through actions, returning the last step and every effect seen on the way. */
function run(ctx: RoutingEnvContext, first: EnvStep, actions: EnvAction[]): EnvStep & { all: EnvEffect[] } {
  let step = first;
  const all = [...first.effects];
  for (const a of actions) {
    step = stepRoutingEnv(ctx, step.state, a);
    all.push(...step.effects);
  }
  return { ...step, all };
}

function start(settings: Partial<EnvSettings> = {}, prompt = PROMPT) {
  const { ctx, ...first } = createRoutingEnv(init(settings, prompt));
  return { ctx, first, go: (...actions: EnvAction[]) => run(ctx, first, actions) };
}

const only = <T extends EnvEffect['type']>(effects: EnvEffect[], type: T) =>
  effects.filter((e): e is Extract<EnvEffect, { type: T }> => e.type === type);

describe('createRoutingEnv', () => {
  it('asks for the first generation with the prompt as context', () => {
    const { first } = start();
    expect(first.state.phase).toBe('generating');
    expect(first.effects).toEqual([
      {
        type: 'generate',
        request: {
          promptText: PROMPT,
          contextText: '',
          contextTokenIds: tok.encode(PROMPT),
          roundIndex: 0,
          routingEnabled: true,
          maxNewTokens: 1024,
          stop: ['</search>', '</answer>'],
        },
      },
    ]);
    expect(first.state.trajectory).toMatchObject({ prompt: PROMPT, promptTokens: PROMPT.length, rounds: [], response: '', agentTemplate: AGENT });
  });

  it('left-truncates the prompt to maxPromptTokens', () => {
    const { first } = start({ maxPromptTokens: 10 });
    const req = only(first.effects, 'generate')[0]?.request;
    expect(first.state.trajectory.promptTokens).toBe(10);
    expect(first.state.trajectory.prompt).toBe(PROMPT);
    expect(req?.promptText).toBe(PROMPT.slice(-10));
    expect(req?.contextTokenIds).toEqual(tok.encode(PROMPT).slice(-10));
  });

  it('rejects an agent template without {query} and settings that cannot work', () => {
    expect(() => createRoutingEnv({ ...init(), agentTemplate: 'no field' })).toThrow(EnvInitError);
    expect(() => createRoutingEnv(init({ maxObservationTokens: 0 }))).toThrow(/maxObservationTokens/);
    expect(() => createRoutingEnv(init({ maxTurns: -1 }))).toThrow(EnvInitError);
  });
});

describe('turn cutting', () => {
  it('cuts after the first </search> even when </answer> comes first; the first block is the action', () => {
    const raw = `<think>t</think><answer>Frank Herbert</answer> then <search>${SMALL}: who?</search> trailing`;
    const step = start().go(gen(raw));
    const round = step.state.trajectory.rounds[0];
    expect(round?.text).toBe(raw.slice(0, raw.indexOf('</search>') + '</search>'.length));
    expect(round?.action.type).toBe('answer');
    expect(step.effects).toEqual([{ type: 'finish', status: 'answered' }]);
    expect(step.state.trajectory.response).toBe(round?.text);
  });

  it('cuts after the first </answer> when there is no </search>', () => {
    const raw = '<think>t</think><answer>Frank Herbert</answer><answer>x</answer> more';
    const step = start().go(gen(raw));
    expect(step.state.trajectory.rounds[0]?.text).toBe('<think>t</think><answer>Frank Herbert</answer>');
    expect(step.state.trajectory.status).toBe('answered');
  });

  it('keeps a text with no tags whole, appends nothing else and continues', () => {
    const step = start().go(gen('I am not sure what to do.'));
    const round = step.state.trajectory.rounds[0];
    expect(round).toMatchObject({ text: 'I am not sure what to do.', action: { type: 'invalid', reason: 'no-action' }, call: null, observation: null });
    expect(only(step.effects, 'generate')[0]?.request).toMatchObject({ roundIndex: 1, contextText: 'I am not sure what to do.' });
  });

  it('records only the kept token ids and log-probs', () => {
    const raw = `<search>${SMALL}: q</search>\n\n<information>hallucinated`;
    const ids = tok.encode(raw);
    const step = start().go({ type: 'policy.generated', rawText: raw, tokenIds: ids, logProbs: ids.map(() => -0.5), generationMs: 1 });
    const round = step.state.trajectory.rounds[0];
    const keptLength = `<search>${SMALL}: q</search>`.length;
    expect(round?.tokenIds).toEqual(ids.slice(0, keptLength));
    expect(round?.logProbs).toHaveLength(keptLength);
  });
});

describe('routes', () => {
  it('sends the query between the first and second colon, unstripped, with the reference parameters', () => {
    const step = start().go(gen(`<search> ${LARGE}: part one: part two </search>`));
    expect(step.state.phase).toBe('calling');
    expect(step.effects).toEqual([
      { type: 'callCandidate', roundIndex: 0, poolIndex: 2, model: POOL[2], prompt: 'Q:  part one', query: ' part one', params: { temperature: 0, topP: 1, seed: 42, maxTokens: 512 } },
    ]);
    expect(step.state.trajectory.rounds[0]?.call).toMatchObject({ modelName: LARGE, query: ' part one', poolIndex: 2, reply: null, error: null });
  });

  it('resolves names by the reference substring rules and uses Gemma temperature 0.1', () => {
    const step = start().go(gen('<search>gemma: q</search>'));
    expect(only(step.effects, 'callCandidate')[0]).toMatchObject({ poolIndex: 3, params: { temperature: 0.1 } });
    expect(only(start().go(gen('<search>llama 70b please: q</search>')).effects, 'callCandidate')[0]?.poolIndex).toBe(2);
  });

  it.each([
    ['placeholder name', '<search>LLM-Name: who wrote Dune?</search>', 'placeholder'],
    ['placeholder query', `<search>${SMALL}: Your-Query</search>`, 'placeholder'],
    ['no colon', `<search>${SMALL} who wrote Dune?</search>`, 'no-colon'],
    ['empty query', `<search>${SMALL}:   </search>`, 'empty-query'],
    ['empty last part', `<search>${SMALL}: who: </search>`, 'empty-query'],
  ])('an invalid route (%s) makes no call and appends nothing', (_name, raw, reason) => {
    const step = start().go(gen(raw));
    const round = step.state.trajectory.rounds[0];
    expect(round).toMatchObject({ action: { type: 'invalid', reason }, call: null, observation: null });
    expect(only(step.effects, 'callCandidate')).toEqual([]);
    expect(step.state.trajectory.response).toBe(raw);
  });

  it('an unknown model gets <information>None</information>, no call, cost 0 and an unknown-model record', () => {
    const raw = '<search>GPT-9: who wrote Dune?</search>';
    const step = start().go(gen(raw));
    const round = step.state.trajectory.rounds[0];
    expect(only(step.all, 'callCandidate')).toEqual([]);
    expect(round?.call).toMatchObject({ modelName: 'GPT-9', poolIndex: null, prompt: null, params: null, reply: null, costUnits: 0, costUsd: 0 });
    expect(round?.call?.error?.kind).toBe('unknown-model');
    expect(round?.observation).toEqual({ text: '\n\n<information>None</information>\n\n', tokenCount: 35, truncated: false });
    expect(step.state.trajectory.response).toBe(raw + '\n\n<information>None</information>\n\n');
    expect(only(step.effects, 'generate')[0]?.request.roundIndex).toBe(1);
  });

  it('appends the stripped reply and records usage, latency and both costs', () => {
    const raw = `<search>${LARGE}: who wrote Dune?</search>`;
    const step = start().go(gen(raw), reply('  Frank Herbert wrote Dune.\n', 200, 1000));
    const { call, observation, contextTokens } = step.state.trajectory.rounds[0] ?? {};
    const obs = '\n\n<information>Frank Herbert wrote Dune.</information>\n\n';
    expect(observation).toEqual({ text: obs, tokenCount: obs.length, truncated: false });
    expect(call).toMatchObject({ reply: '  Frank Herbert wrote Dune.\n', usage: { promptTokens: 1000, completionTokens: 200 }, latencyMs: 100, error: null });
    expect(call?.costUnits).toBeCloseTo(200 * 0.88, 10);
    expect(call?.costUsd).toBeCloseTo((1000 * 0.5 + 200 * 0.88) / 1e6, 15);
    expect(contextTokens).toBe(PROMPT.length + raw.length + obs.length);
    expect(only(step.effects, 'generate')[0]?.request).toMatchObject({ roundIndex: 1, contextText: raw + obs });
  });

  it('an API failure gets None, cost 0 and the error recorded', () => {
    const step = start().go(gen(`<search>${SMALL}: q</search>`), { type: 'candidate.failed', error: { kind: 'rate-limit', message: '429' }, latencyMs: 42 });
    const round = step.state.trajectory.rounds[0];
    expect(round?.call).toMatchObject({ error: { kind: 'rate-limit', message: '429' }, latencyMs: 42, costUnits: 0, costUsd: 0, reply: null });
    expect(round?.observation?.text).toBe('\n\n<information>None</information>\n\n');
  });

  it('caps the observation at maxObservationTokens, cutting the closing tag', () => {
    const raw = `<search>${SMALL}: q</search>`;
    const step = start({ maxObservationTokens: 20 }).go(gen(raw), reply('Frank Herbert wrote it in 1965.'));
    const obs = step.state.trajectory.rounds[0]?.observation;
    expect(obs).toEqual({ text: '\n\n<information>Frank', tokenCount: 20, truncated: true });
    expect(step.state.trajectory.response).toBe(raw + '\n\n<information>Frank');
    const req = only(step.effects, 'generate')[0]?.request;
    expect(req?.contextTokenIds).toEqual([...tok.encode(PROMPT), ...tok.encode(raw + '\n\n<information>Frank')]);
  });
});

describe('invalid-action notice', () => {
  const raw = 'no action here';
  it('is off by default (reference: no feedback)', () => {
    const step = start().go(gen(raw));
    expect(step.state.trajectory.response).toBe(raw);
  });
  it('appends Search-R1 notice as the observation when enabled', () => {
    const step = start({ invalidActionNotice: true }).go(gen(raw));
    expect(step.state.trajectory.rounds[0]?.observation).toMatchObject({ text: INVALID_ACTION_NOTICE, truncated: false });
    expect(step.state.trajectory.response).toBe(raw + INVALID_ACTION_NOTICE);
  });
  it('is not appended on the final no-route turn', () => {
    const step = start({ maxTurns: 0, invalidActionNotice: true }).go(gen(raw));
    expect(step.state.trajectory.rounds[0]?.observation).toBeNull();
    expect(step.state.trajectory.status).toBe('out-of-turns');
  });
});

describe('turn limit', () => {
  const search = `<think>ask</think><search>${SMALL}: q</search>`;
  it('runs maxTurns routing turns, then one final turn where a search gets no call', () => {
    const actions = [1, 2, 3, 4].flatMap(() => [gen(search), reply('I do not know.')]);
    const step = start().go(...actions, gen(search));
    const t = step.state.trajectory;
    expect(only(step.all, 'generate').map((e) => e.request.routingEnabled)).toEqual([true, true, true, true, false]);
    expect(only(step.all, 'callCandidate')).toHaveLength(4);
    expect(t.rounds[4]).toMatchObject({ routingEnabled: false, action: { type: 'route' }, call: null, observation: null });
    expect(step.effects).toEqual([{ type: 'finish', status: 'out-of-turns' }]);
    expect(t.response.endsWith(search)).toBe(true);
    expect(t.metrics).toMatchObject({ turns: 5, calls: 4, routes: 5 });
  });

  it('an answer on the final turn ends the episode as answered', () => {
    const step = start({ maxTurns: 1 }).go(gen('nothing'), gen('<think>x</think><answer>Frank Herbert</answer>'));
    expect(step.state.trajectory.status).toBe('answered');
    expect(step.state.trajectory.rounds.map((r) => r.routingEnabled)).toEqual([true, false]);
  });
});

describe('context window', () => {
  it('left-truncates the rolling context to maxContextTokens', () => {
    const raw = 'x'.repeat(30);
    const step = start({ maxContextTokens: 50 }).go(gen(raw));
    const req = only(step.effects, 'generate')[0]?.request;
    expect(req?.contextTokenIds).toEqual([...tok.encode(PROMPT), ...tok.encode(raw)].slice(-50));
    expect(req?.contextText).toBe(raw);
    expect(step.state.trajectory.rounds[0]?.contextTokens).toBe(PROMPT.length + 30);
  });

  it('finishes with context-full when the response alone fills the window', () => {
    const step = start({ maxContextTokens: 50 }).go(gen('y'.repeat(50)));
    expect(step.effects).toEqual([{ type: 'finish', status: 'context-full' }]);
    expect(step.state.trajectory.status).toBe('context-full');
    expect(step.state.trajectory.rounds).toHaveLength(1);
  });
});

describe('finishing', () => {
  it('computes the metrics of the response', () => {
    const t1 = `<think>ask</think>\n<search>${LARGE}: who wrote Dune?</search>`;
    const t2 = '<think>it says Herbert</think>\n<answer>Frank Herbert</answer>';
    const step = start().go(gen(t1), reply('Frank Herbert.', 10, 20), gen(t2));
    expect(step.state.phase).toBe('done');
    expect(step.state.trajectory.metrics).toEqual({ em: 1, f1: 1, format: 0, costUnits: 8.8, costUsd: (20 * 0.5 + 10 * 0.88) / 1e6, routes: 1, calls: 1, turns: 2 });
    expect(step.state.trajectory.reward).toBeNull();
  });

  it('rejects actions out of order', () => {
    const { ctx, first } = start();
    expect(() => stepRoutingEnv(ctx, first.state, reply('x'))).toThrow(EnvPhaseError);
    const calling = stepRoutingEnv(ctx, first.state, gen(`<search>${SMALL}: q</search>`));
    expect(() => stepRoutingEnv(ctx, calling.state, gen('x'))).toThrow(/expects it only while generating/);
  });

  it('an interruption during a call keeps the round and records the call as aborted', () => {
    const { go } = start();
    const step = go(gen(`<search>${SMALL}: q</search>`), { type: 'episode.interrupted', status: 'aborted', message: 'stopped by user' });
    const t = step.state.trajectory;
    expect(t.status).toBe('aborted');
    expect(t.error).toBe('stopped by user');
    expect(t.rounds[0]?.call?.error?.kind).toBe('aborted');
    expect(t.rounds[0]?.observation).toBeNull();
    expect(t.metrics?.calls).toBe(1);
    expect(step.effects).toEqual([{ type: 'finish', status: 'aborted' }]);
  });

  it('ignores an interruption after the end', () => {
    const step = start().go(gen('<answer>x</answer>'), { type: 'episode.interrupted', status: 'failed', message: 'late' });
    expect(step.state.trajectory.status).toBe('answered');
    expect(step.effects).toEqual([]);
  });
});
