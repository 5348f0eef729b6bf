import { describe, expect, it } from 'vitest';
import { bladeRunnerFixture, edgeCaseFixture } from '../testing/trajectoryFixtures';
import { createAppStore } from './appStore';
import { selectCurrentStep, selectIsAtEnd, selectRevealedRoundCount, selectRevealedStageCount, selectSteps, selectTotalSteps } from './steps';

function loadedStore() {
  const store = createAppStore();
  store.getState().loadTrajectory(bladeRunnerFixture(), 'example');
  return store;
}

describe('trajectory slice', () => {
  it('starts empty and idle', () => {
    const s = createAppStore().getState();
    expect(s.trajectory).toBeNull();
    expect(s.loadStatus).toBe('idle');
    expect(selectTotalSteps(s)).toBe(0);
    expect(selectIsAtEnd(s)).toBe(false);
  });

  it('goes loading → ready, and a new trajectory rewinds the cursor', () => {
    const store = createAppStore();
    store.getState().beginLoad('example');
    expect(store.getState()).toMatchObject({ loadStatus: 'loading', source: 'example' });
    store.getState().loadTrajectory(bladeRunnerFixture(), 'example');
    store.getState().stepToEnd();
    store.getState().loadTrajectory(edgeCaseFixture(), 'imported');
    expect(store.getState()).toMatchObject({ loadStatus: 'ready', source: 'imported', revealed: 0, loadError: null });
  });

  it('records a failure with its message', () => {
    const store = createAppStore();
    store.getState().beginLoad('example');
    store.getState().failLoad('boom');
    expect(store.getState()).toMatchObject({ loadStatus: 'failed', loadError: 'boom', trajectory: null });
  });

  it('does not touch other slices’ keys', () => {
    const store = createAppStore();
    store.getState().togglePrompt();
    store.getState().loadTrajectory(bladeRunnerFixture(), 'example');
    expect(store.getState().promptOpen).toBe(true);
  });
});

describe('cursor slice', () => {
  it('steps forward and back within [0, total]', () => {
    const store = loadedStore();
    const total = selectTotalSteps(store.getState());
    expect(total).toBe(8);
    store.getState().stepBack();
    expect(store.getState().revealed).toBe(0);
    for (let i = 0; i < total + 3; i++) store.getState().stepForward();
    expect(store.getState().revealed).toBe(total);
    expect(selectIsAtEnd(store.getState())).toBe(true);
    store.getState().stepBack();
    expect(store.getState().revealed).toBe(total - 1);
  });

  it('jumps to start, end and any clamped position', () => {
    const store = loadedStore();
    store.getState().stepToEnd();
    expect(store.getState().revealed).toBe(8);
    store.getState().stepToStart();
    expect(store.getState().revealed).toBe(0);
    store.getState().stepTo(99);
    expect(store.getState().revealed).toBe(8);
    store.getState().stepTo(-4);
    expect(store.getState().revealed).toBe(0);
    store.getState().stepTo(4.7);
    expect(store.getState().revealed).toBe(4);
  });

  it('does nothing without a trajectory', () => {
    const store = createAppStore();
    store.getState().stepForward();
    store.getState().stepToEnd();
    expect(store.getState().revealed).toBe(0);
  });

  it('derives the current step and what each round shows', () => {
    const store = loadedStore();
    expect(selectCurrentStep(store.getState())).toBeNull();
    store.getState().stepTo(4);
    const s = store.getState();
    expect(selectCurrentStep(s)).toEqual({ round: 1, stage: 'think' });
    expect(selectRevealedRoundCount(s)).toBe(2);
    expect(selectRevealedStageCount(s, 0)).toBe(3);
    expect(selectRevealedStageCount(s, 1)).toBe(1);
    expect(selectRevealedStageCount(s, 2)).toBe(0);
  });

  it('memoises the step list per trajectory (stable for React selectors)', () => {
    const store = loadedStore();
    const a = selectSteps(store.getState());
    store.getState().stepForward();
    expect(selectSteps(store.getState())).toBe(a);
  });
});

describe('ui slice', () => {
  it('toggles the prompt view and raw generations', () => {
    const store = createAppStore();
    expect(store.getState()).toMatchObject({ promptOpen: false, rawTextShown: false });
    store.getState().togglePrompt();
    store.getState().toggleRawText();
    expect(store.getState()).toMatchObject({ promptOpen: true, rawTextShown: true });
    store.getState().togglePrompt();
    expect(store.getState().promptOpen).toBe(false);
  });
});
