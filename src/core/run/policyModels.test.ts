/**
 * Model policies in the in-process engine, with a fake runtime over the fake LanguageModel: tokens stream
 * as round.token events between round.started and round.generated; the model is loaded once and kept
 * across episodes; an abort mid-generation keeps the recorded rounds; a fork replays the rounds before
 * it, plays the edited turn, and the model continues reusing its KV prefix.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEpisodeRequest, LoadedModelInfo, ModelLoadEvent } from '../engine';
import { DEFAULT_ENV_SETTINGS, type PoolModelRecord } from '../env/trajectory';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { createFakeLanguageModel, type FakeLanguageModel } from '../../testing/fakeLanguageModel';
import { NO_CHAT_FRAMING } from '../policy/tokenizedChat';
import type { EpisodeEvent } from './episodeEvents';
import { createInProcessEngine } from './inProcessEngine';
import type { PolicyRuntime } from './policyModels';

const POOL: PoolModelRecord[] = [{ name: 'small', provider: 'scripted', providerModelId: 'small', inputPer1M: 0.1, outputPer1M: 0.1 }];

function fakeRuntime(): { runtime: PolicyRuntime; loads: number; model: FakeLanguageModel } {
  const tokenizer = { ...createByteTokenizer(), vocabSize: 256 };
  const model = createFakeLanguageModel({ vocabSize: 256, eosTokenIds: [], seed: 3 });
  const state = { runtime: undefined as unknown as PolicyRuntime, loads: 0, model };
  const info = (ref: LoadedModelInfo['ref']): LoadedModelInfo => ({
    ref,
    location: 'memory',
    name: 'fake',
    template: 'compact',
    templateFrom: 'default',
    onnx: { path: 'onnx/model.onnx', variant: 'fp32' },
    files: [],
    estimatedMemoryBytes: 0,
    config: { modelType: 'qwen2', layers: 1, hiddenSize: 8, heads: 1, kvHeads: 1, vocabSize: 256, maxPositions: 4096 },
    tokenizerVocabSize: 256,
    preferredDevice: 'wasm',
    device: { ep: 'wasm', adapterInfo: null, shaderF16: null, threads: 1, fallbackReason: null },
  });
  state.runtime = {
    async load(req, o) {
      state.loads++;
      o.onEvent({ type: 'load.stageStarted', stage: 'files', detail: 'memory' });
      const ref = req.source.kind === 'upload' ? { kind: 'files' as const, id: 'f1' } : req.source;
      return { info: info(ref), model, tokenizer, framing: NO_CHAT_FRAMING, dispose: async () => model.reset() };
    },
    listCached: async () => [],
    deleteCached: async () => false,
    clearCached: async () => 0,
    quota: async () => null,
    deviceInfo: async (loaded) => ({ webgpu: { available: false, reason: 'none', adapterInfo: null, shaderF16: null }, crossOriginIsolated: false, hardwareConcurrency: 1, loaded }),
  };
  return state;
}

function request(id: string, maxNewTokens = 12): EngineEpisodeRequest {
  return {
    episode: {
      id,
      question: { text: 'who wrote hamlet', goldAnswers: ['Shakespeare'] },
      template: 'compact',
      prompt: 'Route, then answer. Question: who wrote hamlet?',
      pool: POOL,
      agentTemplate: 'Answer: {query}',
      settings: { ...DEFAULT_ENV_SETTINGS, maxTurns: 2, maxNewTokens },
      alpha: 0,
    },
    policy: { kind: 'onnx', model: { kind: 'embedded', name: 'fake', baseUrl: 'http://x/' }, preferredDevice: 'wasm', sampling: { temperature: 1, topP: 1, topK: 0, seed: 7 } },
    candidates: { kind: 'scripted', replies: { small: 'William Shakespeare' } },
  };
}

async function collect(events: AsyncIterable<EpisodeEvent>, onEvent?: (e: EpisodeEvent) => void): Promise<EpisodeEvent[]> {
  const out: EpisodeEvent[] = [];
  for await (const e of events) {
    out.push(e);
    onEvent?.(e);
  }
  return out;
}

describe('model policies in the in-process engine', () => {
  it('streams round.token events inside each round, loads the model once and keeps it across episodes', async () => {
    const fake = fakeRuntime();
    const engine = createInProcessEngine({ now: () => 0, policyRuntime: fake.runtime });
    const loadEvents: ModelLoadEvent[] = [];
    for await (const e of engine.loadModel({ source: { kind: 'embedded', name: 'fake', baseUrl: 'http://x/' }, preferredDevice: 'wasm' })) loadEvents.push(e);
    expect(loadEvents.map((e) => e.type)).toEqual(['load.stageStarted', 'model.loaded']);

    const events = await collect(engine.runEpisode(request('e1')));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('episode.started');
    expect(types.at(-1)).toBe('episode.finished');
    const firstGenerated = types.indexOf('round.generated');
    const tokens = events.slice(0, firstGenerated).filter((e) => e.type === 'round.token');
    expect(tokens).toHaveLength(12);
    expect(types.indexOf('round.started')).toBeLessThan(types.indexOf('round.token'));
    const round0 = events.find((e) => e.type === 'round.generated');
    const streamed = tokens.map((e) => (e.type === 'round.token' ? e.text : '')).join('');
    expect(round0?.type === 'round.generated' && round0.round.rawText).toBe(streamed);

    await collect(engine.runEpisode(request('e2')));
    expect(fake.loads).toBe(1); // kept across episodes
    expect((await engine.deviceInfo()).loaded?.name).toBe('fake');
  });

  it('an abort mid-generation finishes as aborted and keeps the rounds already recorded', async () => {
    const fake = fakeRuntime();
    const engine = createInProcessEngine({ now: () => 0, policyRuntime: fake.runtime });
    const controller = new AbortController();
    let tokensInRound1 = 0;
    const events = await collect(engine.runEpisode(request('e3', 40), { signal: controller.signal }), (e) => {
      if (e.type === 'round.token' && e.roundIndex === 1 && ++tokensInRound1 === 5) controller.abort();
    });
    const last = events.at(-1);
    expect(last?.type === 'episode.finished' && last.trajectory.status).toBe('aborted');
    expect(last?.type === 'episode.finished' && last.trajectory.rounds.length).toBe(1);
  });

  it('a fork replays the rounds before it, plays the edited turn, and the model continues on its cached prefix', async () => {
    const fake = fakeRuntime();
    const engine = createInProcessEngine({ now: () => 0, policyRuntime: fake.runtime });
    const first = (await collect(engine.runEpisode(request('e4')))).at(-1);
    if (first?.type !== 'episode.finished') throw new Error('no trajectory');
    const from = first.trajectory;
    expect(from.rounds.length).toBeGreaterThanOrEqual(2);
    const fedBefore = fake.model.stats.tokensFed;
    const forkReq: EngineEpisodeRequest = { ...request('e4-fork'), fork: { from, roundIndex: 1, turnText: '<think>ask</think><search>small: who wrote hamlet</search>', reply: 'Shakespeare' } };
    const events = await collect(engine.runEpisode(forkReq));
    const done = events.at(-1);
    if (done?.type !== 'episode.finished') throw new Error('no trajectory');
    const t = done.trajectory;
    expect(t.rounds[0]?.rawText).toBe(from.rounds[0]?.rawText);
    expect(t.rounds[1]?.action).toMatchObject({ type: 'route', modelName: 'small', query: ' who wrote hamlet' });
    expect(t.rounds[1]?.call?.reply).toBe('Shakespeare');
    // The replayed prefix was not generated again: only the model's continuation streamed tokens.
    expect(events.filter((e) => e.type === 'round.token' && e.roundIndex < 2)).toHaveLength(0);
    expect(fake.model.stats.tokensFed - fedBefore).toBeLessThan(t.rounds.reduce((n, r) => n + r.rawText.length, 0) + t.prompt.length);
  });
});
