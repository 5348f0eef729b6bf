import { describe, expect, it } from 'vitest';
import { chartPointCount, hasValueLoss, routingRows, TRAIN_CHART_IDS } from '../components/charts/trainCharts';
import { checkpointInfo, stepMetrics } from '../testing/trainFixtures';
import { createAppStore } from './appStore';
import { MAX_SAMPLE_STEPS, MAX_TRAIN_POINTS } from './trainSlice';

describe('train slice', () => {
  it('a fresh run clears the series; steps append points, samples and the step counter', () => {
    const store = createAppStore();
    const s = store.getState;
    s().trainStarting();
    expect(s().trainStatus).toBe('starting');
    s().trainStarted('run-1', 0, 5, false);
    s().trainStepsAppended([{ metrics: stepMetrics(1), samples: [] }, { metrics: stepMetrics(2), samples: [] }]);
    expect(s()).toMatchObject({ trainStatus: 'running', trainRunId: 'run-1', trainStep: 2, trainTotalSteps: 5 });
    expect(s().trainPoints.map((p) => p.step)).toEqual([1, 2]);
    s().trainStarted('run-2', 0, 5, false);
    expect(s().trainPoints).toEqual([]);
  });

  it('keeps the series bounded and replaces a step seen again (resume after a pause)', () => {
    const store = createAppStore();
    const s = store.getState;
    s().trainStarted('run', 0, 1000, false);
    const steps = Array.from({ length: MAX_TRAIN_POINTS + 20 }, (_, i) => ({ metrics: stepMetrics(i + 1), samples: i % 2 === 0 ? [] : [] }));
    s().trainStepsAppended(steps);
    expect(s().trainPoints).toHaveLength(MAX_TRAIN_POINTS);
    expect(s().trainPoints[0]?.step).toBe(21);
    s().trainStepsAppended([{ metrics: stepMetrics(MAX_TRAIN_POINTS + 20, { rewardMean: -1 }), samples: [] }]);
    expect(s().trainPoints.at(-1)).toMatchObject({ step: MAX_TRAIN_POINTS + 20, rewardMean: -1 });
    expect(s().trainPoints).toHaveLength(MAX_TRAIN_POINTS);
  });

  it('keeps the samples of the last steps only', () => {
    const store = createAppStore();
    const s = store.getState;
    const t = { id: 'x' } as never;
    s().trainStepsAppended(Array.from({ length: MAX_SAMPLE_STEPS + 5 }, (_, i) => ({ metrics: stepMetrics(i + 1), samples: [t] })));
    expect(s().trainSamples).toHaveLength(MAX_SAMPLE_STEPS);
    expect(s().trainSamples[0]?.step).toBe(6);
  });

  it('a skipped step is a gap in KL and entropy, and is marked', () => {
    const store = createAppStore();
    store.getState().trainStepsAppended([{ metrics: stepMetrics(1), samples: [] }, { metrics: stepMetrics(2, { skipped: { reason: 'NaN in grads' } }), samples: [] }]);
    const p = store.getState().trainPoints;
    expect(p[1]).toMatchObject({ skipped: 'NaN in grads' });
    expect(Number.isNaN(p[1]?.kl)).toBe(true);
    expect(chartPointCount(p, 'kl')).toBe(1);
    expect(chartPointCount(p, 'reward')).toBe(2);
    for (const id of TRAIN_CHART_IDS) expect(chartPointCount(p, id), id).toBeGreaterThanOrEqual(1);
  });

  it("PPO's value loss gets its chart; a GRPO run (value loss 0) shows none", () => {
    const store = createAppStore();
    const s = store.getState;
    s().trainStepsAppended([{ metrics: stepMetrics(1), samples: [] }, { metrics: stepMetrics(2), samples: [] }]);
    expect(hasValueLoss(s().trainPoints)).toBe(false);
    s().trainStepsAppended([{ metrics: stepMetrics(3, { valueLoss: 0.42 }), samples: [] }, { metrics: stepMetrics(4, { valueLoss: 0.3, skipped: { reason: 'NaN in grads' } }), samples: [] }]);
    expect(hasValueLoss(s().trainPoints)).toBe(true);
    expect(s().trainPoints[2]?.valueLoss).toBe(0.42);
    expect(chartPointCount(s().trainPoints, 'valueLoss')).toBe(3); // the skipped step is a gap
  });

  it('resume: the history replaces the series and the started step continues it', () => {
    const store = createAppStore();
    const s = store.getState;
    s().trainHistoryLoaded([stepMetrics(1), stepMetrics(2), stepMetrics(3)]);
    s().trainStarted('run', 3, 10, true);
    expect(s().trainPoints).toHaveLength(3);
    expect(s().trainStep).toBe(3);
    s().trainPausing();
    expect(s().trainStatus).toBe('pausing');
    s().trainFinished(4, 'aborted');
    expect(s()).toMatchObject({ trainStatus: 'paused', trainStep: 4 });
  });

  it('checkpoints: a stored one goes first and is selected; a list keeps a still-present selection', () => {
    const store = createAppStore();
    const s = store.getState;
    s().setTrainCheckpoints([checkpointInfo('a@000002', 2), checkpointInfo('a@000001', 1)]);
    expect(s().trainSelectedCheckpoint).toBe('a@000002');
    s().selectTrainCheckpoint('a@000001');
    s().setTrainCheckpoints([checkpointInfo('b@000001', 1), checkpointInfo('a@000001', 1)]);
    expect(s().trainSelectedCheckpoint).toBe('a@000001');
    s().trainCheckpointStored(checkpointInfo('a@000004', 4));
    expect(s().trainCheckpoints.map((c) => c.id)).toEqual(['a@000004', 'b@000001', 'a@000001']);
    expect(s().trainSelectedCheckpoint).toBe('a@000004');
  });

  it('routing rows flatten shares per model (absent = 0)', () => {
    const store = createAppStore();
    store.getState().trainStepsAppended([{ metrics: stepMetrics(1, { routingShare: { A: 1 } }), samples: [] }, { metrics: stepMetrics(2, { routingShare: { B: 0.5, A: 0.5 } }), samples: [] }]);
    expect(routingRows(store.getState().trainPoints)).toEqual({ models: ['A', 'B'], rows: [{ step: 1, A: 1, B: 0 }, { step: 2, A: 0.5, B: 0.5 }] });
  });
});
