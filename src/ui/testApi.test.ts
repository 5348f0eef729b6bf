import { describe, expect, it } from 'vitest';
import { createAppStore } from './store/appStore';
import { bladeRunnerFixture } from './testing/trajectoryFixtures';
import { createTestApi, installTestApi, shouldInstallTestApi } from './testApi';

describe('shouldInstallTestApi', () => {
  it('installs in every non-production mode', () => {
    expect(shouldInstallTestApi('development', '')).toBe(true);
    expect(shouldInstallTestApi('test', '')).toBe(true);
  });

  it('installs in production only with ?testApi=1', () => {
    expect(shouldInstallTestApi('production', '')).toBe(false);
    expect(shouldInstallTestApi('production', '?testApi=0')).toBe(false);
    expect(shouldInstallTestApi('production', '?testApi=1')).toBe(true);
    expect(shouldInstallTestApi('production', '?x=2&testApi=1')).toBe(true);
  });
});

describe('AppTestApi', () => {
  it('resolves whenLoaded once the trajectory arrives, and steps the store', async () => {
    const store = createAppStore();
    const api = createTestApi(store);
    store.getState().beginLoad('example');
    const loaded = api.whenLoaded();
    store.getState().loadTrajectory(bladeRunnerFixture(), 'example');
    await expect(loaded).resolves.toMatchObject({ loadStatus: 'ready', totalSteps: 8, revealed: 0, rounds: 3 });
    expect(api.stepTo(3)).toMatchObject({ revealed: 3, revealedRounds: 1, currentStep: { round: 0, stage: 'reply' } });
    expect(api.stepToEnd()).toMatchObject({ atEnd: true, reward: { em: 1, format: 0 } });
    expect(api.stepToStart().revealed).toBe(0);
    expect(JSON.parse(JSON.stringify(api.getState()))).toEqual(api.getState());
  });

  it('is installed on the given window', () => {
    const store = createAppStore();
    installTestApi(store, window);
    expect(window.__routerTestApi?.getState().loadStatus).toBe('idle');
    delete window.__routerTestApi;
  });
});
