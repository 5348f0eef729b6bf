import { describe, expect, it } from 'vitest';
import { buildExampleTrajectory, createInProcessEngine, exampleEngineRequest, type Engine } from '../../core';
import { createAppStore } from './appStore';
import { runEpisodeIntoStore } from './bindEngine';

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
    const broken: Engine = {
      // eslint-disable-next-line require-yield
      async *runEpisode() {
        throw new TypeError('Failed to fetch the worker script');
      },
      async submitTurn() {},
      async dispose() {},
    };
    await runEpisodeIntoStore(broken, store, exampleEngineRequest(), 'example');
    expect(store.getState().loadStatus).toBe('failed');
    expect(store.getState().loadError).toContain('Failed to fetch the worker script');
  });
});
