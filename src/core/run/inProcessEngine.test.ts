/**
 * The in-process engine's data and candidate wiring: the offline pool read once per data root (the real
 * mirror through an inline node:fs DataRoot), human episodes on it, HTTP candidates over a stub fetch
 * (errors recorded per round, keys never recorded), connection tests, and a broken data root.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataRootError, type DataRoot } from '../data/dataRoot';
import { createDataRootCache } from '../data/dataRootCache';
import { countingReads, mirrorDataRoot, MIRROR_DIR } from '../../testing/dataRoot';
import type { EngineEpisodeRequest } from '../engine';
import { DEFAULT_ENV_SETTINGS, type PoolModelRecord, type Trajectory } from '../env/trajectory';
import type { FetchLike } from '../providers/fetchPort';
import { PROVIDER_PRESETS } from '../providers/providerConfig';
import type { EpisodeEvent } from './episodeEvents';
import { createInProcessEngine } from './inProcessEngine';

const MIRROR = MIRROR_DIR;
const CANARY = 'sk-canary-unit-0123456789';

function mirrorRoot(reads: string[] = []): (location: string) => DataRoot {
  return (location) => countingReads(mirrorDataRoot(location), reads);
}

const noSleep = async () => {};
/** Timeouts never fire in these tests (the instant sleep would otherwise time every call out). */
const setTimer = () => () => {};

function request(pool: PoolModelRecord[], candidates: EngineEpisodeRequest['candidates'], id = 'e1'): EngineEpisodeRequest {
  return {
    dataRoot: MIRROR,
    episode: {
      id,
      question: { text: 'who sings i\'ve got to be me', goldAnswers: ['Sammy Davis, Jr'] },
      template: 'compact',
      prompt: 'Route, then answer. Question: who sings i\'ve got to be me?',
      pool,
      agentTemplate: 'Answer briefly: {query}',
      settings: { ...DEFAULT_ENV_SETTINGS },
      alpha: 0,
    },
    policy: { kind: 'human' },
    candidates,
  };
}

/** Runs a human episode, submitting `turns` in order. */
async function play(engine: ReturnType<typeof createInProcessEngine>, req: EngineEpisodeRequest, turns: string[]): Promise<{ events: EpisodeEvent[]; t: Trajectory }> {
  const events: EpisodeEvent[] = [];
  let t: Trajectory | undefined;
  for await (const e of engine.runEpisode(req)) {
    events.push(e);
    if (e.type === 'round.started') await engine.submitTurn(req.episode.id, turns[e.roundIndex] ?? '<think>x</think><answer>none</answer>');
    if (e.type === 'episode.finished') t = e.trajectory;
  }
  if (t === undefined) throw new Error('no episode.finished');
  return { events, t };
}

describe.skipIf(!existsSync(MIRROR))('offline pool through the engine', () => {
  it('loads the pool and questions once per data root, and plays a human episode on it', async () => {
    const reads: string[] = [];
    const engine = createInProcessEngine({ now: () => 0, dataRoots: createDataRootCache(mirrorRoot(reads)) });
    const info = await engine.loadOfflinePool({ dataRoot: MIRROR });
    expect(info.pool.length).toBe(9);
    expect(info.pool.every((m) => m.simulated === true && m.provider === 'offline')).toBe(true);
    expect(info.questions.length).toBeGreaterThan(500);
    await engine.loadOfflinePool({ dataRoot: MIRROR });
    const readsAfterTwoLoads = reads.length;

    const model = info.pool[0]?.name ?? '';
    const turns = [`<think>ask</think><search>${model}: who sings i've got to be me</search>`, '<think>done</think><answer>Sammy Davis, Jr</answer>'];
    const a = await play(engine, request(info.pool, { kind: 'offline' }, 'a'), turns);
    const b = await play(engine, request(info.pool, { kind: 'offline' }, 'b'), turns);
    expect(reads.length).toBe(readsAfterTwoLoads);
    expect(a.t.status).toBe('answered');
    expect(a.t.rounds[0]?.call?.reply).toBeTruthy();
    expect(b.t.rounds[0]?.call?.reply).toBe(a.t.rounds[0]?.call?.reply);
    expect(a.t.reward).toMatchObject({ format: 0, em: 1 });
    expect(a.events.filter((e) => e.type === 'round.started')).toHaveLength(2);
  });

  it('loads the QA sets and the reference data', async () => {
    const engine = createInProcessEngine({ now: () => 0, dataRoots: createDataRootCache(mirrorRoot()), defaultDataRoot: MIRROR });
    expect(await engine.loadQuestions('bamboogle')).toHaveLength(125);
    const ref = await engine.loadReferenceData();
    expect(ref.agentPrompt).toContain('{query}');
    expect(ref.paperPool).toHaveLength(6);
    expect(ref.llmRouterPool).toHaveLength(9);
  });
});

describe('a missing data root', () => {
  it('fails the offline episode before any event with what to fix, and is retried next time', async () => {
    const engine = createInProcessEngine({ now: () => 0, dataRoots: createDataRootCache(mirrorRoot()) });
    const req = { ...request([], { kind: 'offline' }), dataRoot: '/nowhere' };
    await expect(play(engine, req, [])).rejects.toThrow(DataRootError);
    await expect(engine.loadOfflinePool({ dataRoot: '/nowhere' })).rejects.toThrow(/does not exist/);
  });

  it('says so when no data root is configured at all', async () => {
    const engine = createInProcessEngine({ now: () => 0 });
    await expect(engine.loadOfflinePool()).rejects.toThrow('No data root is configured');
  });
});

describe('HTTP candidates', () => {
  const vllm = { ...PROVIDER_PRESETS.vllm, baseUrl: 'http://127.0.0.1:9/v1' };
  const openai = { ...PROVIDER_PRESETS.openai, baseUrl: 'http://127.0.0.1:9/v1' };
  const model = (provider: string, id: string): PoolModelRecord => ({ name: 'Test-Model', provider, providerModelId: id, inputPer1M: 1, outputPer1M: 1 });
  const json = (status: number, body: unknown) => ({ ok: status < 300, status, headers: { get: () => null }, text: async () => JSON.stringify(body) });
  const reply = (text: string) => json(200, { choices: [{ message: { content: text } }], usage: { prompt_tokens: 5, completion_tokens: 3 } });

  it('records a provider error in its round and goes on; the key is in no event', async () => {
    const seen: string[] = [];
    const fetch: FetchLike = async (_url, init) => {
      seen.push(init.headers['authorization'] ?? init.headers['Authorization'] ?? '');
      return json(500, { error: { message: `boom for ${CANARY}` } });
    };
    const engine = createInProcessEngine({ now: () => 0, fetch, sleep: noSleep, setTimer });
    const req = request([model('openai', 'm')], { kind: 'http', providers: [openai], keys: { openai: CANARY } });
    const { events, t } = await play(engine, req, ['<think>a</think><search>Test-Model: who</search>', '<think>b</think><answer>x</answer>']);
    expect(t.rounds[0]?.call?.error?.kind).toBe('server');
    expect(t.rounds[0]?.observation?.text).toContain('<information>None</information>');
    expect(t.status).toBe('answered');
    expect(seen.length).toBeGreaterThan(1); // retried
    expect(seen.every((h) => h === `Bearer ${CANARY}`)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(CANARY);
  });

  it('tests a connection without retries, cache or cap, and redacts the key from failures', async () => {
    let calls = 0;
    const fetch: FetchLike = async () => (++calls, json(401, { error: { message: `bad key ${CANARY}` } }));
    const engine = createInProcessEngine({ now: () => 0, fetch, sleep: noSleep, setTimer });
    const failed = await engine.testConnection({ provider: openai, modelId: 'm', key: CANARY });
    expect(failed).toMatchObject({ ok: false, error: { kind: 'auth' } });
    expect(JSON.stringify(failed)).not.toContain(CANARY);
    expect(calls).toBe(1);
    const ok = createInProcessEngine({ now: () => 0, fetch: async () => reply('OK'), sleep: noSleep, setTimer });
    expect(await ok.testConnection({ provider: vllm, modelId: 'm' })).toMatchObject({ ok: true, reply: 'OK' });
  });
});
