/**
 * Streamed tokens reach the store batched per frame: many round.token events between two frames make
 * one update; round.generated replaces the stream with the round's record. And a model episode's
 * settings fit the model's positions.
 */
import { describe, expect, it } from 'vitest';
import { buildExampleTrajectory, type EngineEpisodeRequest, type EpisodeEvent, type LoadedModelInfo } from '../../core';
import { fakeEngine } from '../testing/fakeEngine';
import { settingsForModel } from '../session/modelActions';
import { createAppStore } from './appStore';
import { runEpisodeIntoStore } from './bindEngine';

describe('token streaming into the store', () => {
  it('batches round.token events per frame and clears the stream when the round is recorded', async () => {
    const t = await buildExampleTrajectory();
    const round = t.rounds[0];
    if (round === undefined) throw new Error('example has rounds');
    const frames: (() => void)[] = [];
    const store = createAppStore();
    const seen: (string | null)[] = [];
    store.subscribe((s, prev) => s.streaming !== prev.streaming && seen.push(s.streaming?.text ?? null));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const engine = fakeEngine({
      async *runEpisode(): AsyncGenerator<EpisodeEvent> {
        yield { type: 'episode.started', trajectory: { ...t, rounds: [] } };
        yield { type: 'round.started', roundIndex: 0, routingEnabled: true, contextTokens: 10 };
        for (const text of ['<thi', 'nk>', 'a']) yield { type: 'round.token', roundIndex: 0, text, tokenId: 1, logProb: -1 };
        await gate;
        yield { type: 'round.token', roundIndex: 0, text: 'b', tokenId: 2, logProb: -1 };
        await gate;
        yield { type: 'round.generated', round };
        yield { type: 'episode.finished', trajectory: t };
      },
    });
    const done = runEpisodeIntoStore(engine, store, { episode: { id: 'e1' } } as unknown as EngineEpisodeRequest, 'live', { schedule: (f) => void frames.push(f) });
    await new Promise((r) => setTimeout(r, 0));
    expect(frames).toHaveLength(1); // three tokens, one frame
    frames.shift()?.();
    expect(store.getState().streaming).toEqual({ roundIndex: 0, text: '<think>a', tokens: 3 });
    release();
    await done;
    frames.forEach((f) => f()); // a frame after the round was recorded writes nothing
    expect(store.getState().streaming).toBeNull();
    expect(seen).toEqual(['', '<think>a', null]);
  });

  it('fits a model episode into the model positions', () => {
    const info = { template: 'compact', config: { maxPositions: 512 } } as LoadedModelInfo;
    const s = settingsForModel({ maxTurns: 4, maxObservationTokens: 600, maxPromptTokens: 2048, maxContextTokens: 4096, maxNewTokens: 1024, invalidActionNotice: false }, info, 1024);
    expect(s.maxNewTokens).toBe(128);
    expect(s.maxContextTokens + s.maxNewTokens).toBeLessThanOrEqual(512);
    expect(s.maxPromptTokens).toBeLessThan(s.maxContextTokens);
  });
});
