import { describe, expect, it } from 'vitest';
import { buildExampleTrajectory, createInProcessEngine, exampleEngineRequest, type Engine } from '../../core';
import { createAppStore } from './appStore';
import { runEpisodeIntoStore } from './bindEngine';
import { fakeEngine } from '../testing/fakeEngine';
import { selectTotalSteps } from './steps';

describe('runEpisodeIntoStore', () => {
  it('loads the finished trajectory of an engine run', async () => {
    const store = createAppStore();
    await runEpisodeIntoStore(createInProcessEngine({ now: () => 0 }), store, exampleEngineRequest(), 'example');
    expect(store.getState().loadStatus).toBe('ready');
    expect(store.getState().trajectory).toEqual(await buildExampleTrajectory());
  });

  it('shows an engine error where the user is looking and keeps the app usable', async () => {
    const store = createAppStore();
    // Fake engine at the boundary under test: the worker could not start.
    const broken: Engine = fakeEngine({
      // eslint-disable-next-line require-yield
      async *runEpisode() {
        throw new TypeError('Failed to fetch the worker script');
      },
    });
    await runEpisodeIntoStore(broken, store, exampleEngineRequest(), 'example');
    expect(store.getState().loadStatus).toBe('failed');
    expect(store.getState().loadError).toContain('Failed to fetch the worker script');
  });
});

describe('runEpisodeIntoStore, live', () => {
  it('grows the trajectory event by event, follows the live end, and records a failed call in its round', async () => {
    const store = createAppStore();
    const engine = createInProcessEngine({ now: () => 0 });
    const base = exampleEngineRequest();
    const req = {
      ...base,
      episode: { ...base.episode, id: 'live-1' },
      policy: { kind: 'human' as const },
      candidates: { kind: 'scripted' as const, replies: { 'LLaMA-3.1-8B-Instruct': { kind: 'server' as const, message: 'HTTP 500 from the provider' }, 'LLaMA-3.1-70B-Instruct': 'Philip K. Dick.' } },
    };
    const turns = [
      '<think>cheap first</think><search>LLaMA-3.1-8B-Instruct: who wrote it</search>',
      '<think>escalate</think><search>LLaMA-3.1-70B-Instruct: who wrote it</search>',
      '<think>got it</think><answer>Philip K. Dick</answer>',
    ];
    const seenRounds: number[] = [];
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.awaitedTurn !== null && prev.awaitedTurn === null) {
        seenRounds.push(s.trajectory?.rounds.length ?? -1);
        expect(s.revealed).toBe(selectTotalSteps(s)); // the cursor is at the live end
        void engine.submitTurn('live-1', turns[s.awaitedTurn.roundIndex] ?? '');
      }
    });
    const t = await runEpisodeIntoStore(engine, store, req, 'live');
    unsubscribe();
    expect(seenRounds).toEqual([0, 1, 2]);
    const s = store.getState();
    expect(s.phase).toBe('finished');
    expect(s.trajectory).toBe(t);
    expect(t?.rounds[0]?.call?.error).toEqual({ kind: 'server', message: 'HTTP 500 from the provider' });
    expect(t?.reward).toMatchObject({ em: 1, format: 0 });
    expect(s.revealed).toBe(selectTotalSteps(s));
  });

  it('does not move the cursor of a replay while it streams', async () => {
    const store = createAppStore();
    await runEpisodeIntoStore(createInProcessEngine({ now: () => 0 }), store, exampleEngineRequest(), 'example');
    expect(store.getState()).toMatchObject({ revealed: 0, phase: 'finished', source: 'example' });
  });
});
