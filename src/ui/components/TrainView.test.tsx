/**
 * The Train view's run controls and chart pick in jsdom, through the real controller and store over a fake
 * TrainEngine (named as such) whose run streams step 1, then waits for the pause to arrive as the worker's
 * does (issue 16): the buttons go running → pausing → paused and re-enable, the 'pause' checkpoint is listed
 * and selected for Resume; a picked chart step opens its sample trajectories in the timeline.
 * (recharts' hit-testing needs layout, which jsdom lacks: the click itself is covered by pickedStep here and
 * by e2e/specs/trainPause.spec.ts in Chromium.)
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryKeyVault, type TrainEngine, type TrainRunEvent } from '../../core';
import { createAppController } from '../session/appController';
import { ControllerContext } from '../session/controllerContext';
import { createAppStore } from '../store/appStore';
import { AppStoreContext } from '../store/useApp';
import { fakeEngine } from '../testing/fakeEngine';
import { checkpointInfo, stepMetrics } from '../testing/trainFixtures';
import { bladeRunnerFixture, edgeCaseFixture } from '../testing/trajectoryFixtures';
import { pickedStep, stepChartProps } from './charts/MetricChart';
import { Timeline } from './Timeline';
import { TrainCharts } from './TrainCharts';
import { TrainCheckpoints } from './TrainCheckpoints';
import { TrainControls } from './TrainControls';

afterEach(cleanup);

/** A run that streams step 1 and then stops only when pauseTraining is called, with a 'pause' checkpoint at step 1. */
function createPausableFakeTrainEngine() {
  let pause: () => void = () => undefined;
  const paused = new Promise<void>((resolve) => (pause = resolve));
  const stored = checkpointInfo('run-1@000001', 1);
  let listed = false;
  const calls: string[] = [];
  async function* run(): AsyncGenerator<TrainRunEvent> {
    yield { type: 'train.started', runId: 'run-1', step: 0, totalSteps: 24, resumed: false };
    yield { type: 'train.step', metrics: stepMetrics(1), samples: [bladeRunnerFixture(), edgeCaseFixture()] };
    await paused;
    listed = true;
    yield { type: 'train.checkpointed', step: 1, reason: 'pause' };
    yield { type: 'train.stored', checkpoint: stored };
    yield { type: 'train.finished', step: 1, status: 'aborted' };
  }
  const unused = () => Promise.reject(new Error('not expected in this test'));
  const engine: TrainEngine = {
    startTraining: () => (calls.push('start'), run()),
    resumeTraining: () => (calls.push('resume'), run()),
    stepTraining: () => (calls.push('step'), run()),
    pauseTraining: async () => (calls.push('pause'), pause(), true),
    listCheckpoints: async () => (listed ? [stored] : []),
    deleteCheckpoint: unused,
    exportCheckpoint: unused,
    importCheckpoint: unused,
    usePolicy: unused,
  };
  return { engine, calls };
}

function renderTrainView() {
  const store = createAppStore();
  const fake = createPausableFakeTrainEngine();
  const controller = createAppController({ engine: fakeEngine(), trainEngine: fake.engine, store, keys: createMemoryKeyVault(), dataRoot: 'http://app/data/', baseUrl: 'http://app/' });
  render(
    <AppStoreContext.Provider value={store}>
      <ControllerContext.Provider value={controller}>
        <TrainControls />
        <TrainCheckpoints />
        <TrainCharts />
        <Timeline />
      </ControllerContext.Provider>
    </AppStoreContext.Provider>,
  );
  return { store, controller, ...fake };
}

const button = (id: string) => screen.getByTestId(id) as HTMLButtonElement;
const enabled = () => Object.fromEntries(['train.start', 'train.pause', 'train.stepOnce', 'train.resume'].map((id) => [id.slice(6), !button(id).disabled]));

describe('Train view: pause and the button states', () => {
  it('running → pausing → paused: Pause is the only button while running, none while pausing, and all but Pause after; the pause checkpoint is selected', async () => {
    const { store, calls } = renderTrainView();
    expect(enabled()).toEqual({ start: true, pause: false, stepOnce: true, resume: false });
    fireEvent.click(button('train.start'));
    await waitFor(() => expect(store.getState().trainStep).toBe(1));
    expect(screen.getByTestId('train.status').dataset['status']).toBe('running');
    expect(enabled()).toEqual({ start: false, pause: true, stepOnce: false, resume: false });

    fireEvent.click(button('train.pause'));
    expect(calls).toEqual(['start', 'pause']);
    expect(screen.getByTestId('train.status').dataset['status']).toBe('pausing');
    expect(enabled()).toEqual({ start: false, pause: false, stepOnce: false, resume: false });
    await waitFor(() => expect(screen.getByTestId('train.status').dataset['status']).toBe('paused'));
    expect(enabled()).toEqual({ start: true, pause: false, stepOnce: true, resume: true });
    expect(screen.getByTestId('train.step').textContent).toBe('1');
    await waitFor(() => expect(screen.getByTestId('train.checkpoint.0').textContent).toContain('pause'));
    expect(store.getState().trainSelectedCheckpoint).toBe('run-1@000001');
  });

  it('a pause asked for while the run is starting stays asked for when train.started arrives', () => {
    const store = createAppStore();
    store.getState().trainStarting();
    store.getState().trainPausing();
    store.getState().trainStarted('run-1', 0, 24, false);
    expect(store.getState().trainStatus).toBe('pausing');
    store.getState().trainFinished(0, 'aborted');
    expect(store.getState().trainStatus).toBe('paused');
  });
});

describe('Train view: a chart pick opens the step in the timeline', () => {
  it("the picked step's first sample is shown whole in the timeline; its other sample is one click away", async () => {
    const { store, controller } = renderTrainView();
    fireEvent.click(button('train.start'));
    await waitFor(() => expect(store.getState().trainStep).toBe(1));
    expect(screen.queryByTestId('timeline')).toBeNull();
    act(() => void controller.showTrainStep(1)); // what TrainCharts' onPick calls
    expect(store.getState().trajectory?.id).toBe(bladeRunnerFixture().id);
    expect(store.getState().mode).not.toBe('replay'); // the Train view stays
    expect(screen.getByTestId('timeline.round.0')).toBeTruthy(); // revealed whole, not at step 0
    expect(screen.getByTestId('train.samples').dataset['step']).toBe('1');
    expect(button('train.samples.0').getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(button('train.samples.1'));
    expect(store.getState().trajectory?.id).toBe(edgeCaseFixture().id);
    expect(button('train.samples.1').getAttribute('aria-pressed')).toBe('true');
    // a step whose samples are not kept says so and leaves the timeline as it was
    act(() => void controller.showTrainStep(7));
    expect(screen.getByTestId('train.samples').textContent).toContain('Step 7: no sample trajectories kept');
    expect(store.getState().trajectory?.id).toBe(edgeCaseFixture().id);
    await act(async () => void (await controller.pauseTraining()));
  });

  it("pickedStep: the row under the pointer (recharts' active index), else the x value; nothing off the data", () => {
    const rows = [{ step: 5 }, { step: 6 }, { step: 9 }];
    expect(pickedStep({ activeIndex: '2', activeLabel: 3 }, rows)).toBe(9); // the index wins over a tick label
    expect(pickedStep({ activeTooltipIndex: 1 }, rows)).toBe(6);
    expect(pickedStep({ activeIndex: null, activeLabel: '6' }, rows)).toBe(6);
    expect(pickedStep({ activeIndex: null }, rows)).toBeNull();
    expect(pickedStep(null, rows)).toBeNull();
    const picks: number[] = [];
    stepChartProps((s) => picks.push(s), rows).onClick({ activeIndex: '0' });
    stepChartProps((s) => picks.push(s), rows).onClick({ activeIndex: null });
    expect(picks).toEqual([5]);
  });
});
