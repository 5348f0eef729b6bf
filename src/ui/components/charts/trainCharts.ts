/**
 * What each Train view chart plots, as data (the chart components and the test API read the same
 * table), and the pure reshaping the charts need: routing shares flattened per model, the step-time
 * split, and how many points a chart holds (finite values only: a skipped step is a gap).
 */
import type { TrainPoint } from '../../store/trainSlice';

export type NumericKey = { [K in keyof TrainPoint]: TrainPoint[K] extends number ? K : never }[keyof TrainPoint];

export interface LineSpec {
  key: NumericKey;
  label: string;
  color: string;
}

export interface LineChartSpec {
  id: string;
  title: string;
  lines: LineSpec[];
}

/** The line charts, in display order (routing share and step time have their own components). */
export const LINE_CHARTS: readonly LineChartSpec[] = [
  {
    id: 'reward',
    title: 'Reward (mean and parts)',
    lines: [
      { key: 'rewardMean', label: 'mean', color: '#1f5fbf' },
      { key: 'rewardFormat', label: 'format', color: '#c0392b' },
      { key: 'rewardOutcome', label: 'outcome', color: '#2e8b57' },
      { key: 'rewardCost', label: 'cost', color: '#b7791f' },
    ],
  },
  { id: 'em', title: 'Exact match', lines: [{ key: 'em', label: 'EM', color: '#2e8b57' }] },
  { id: 'cost', title: 'Cost per question (reference units)', lines: [{ key: 'costUnits', label: 'cost', color: '#b7791f' }] },
  { id: 'formatErrors', title: 'Format-error rate', lines: [{ key: 'formatErrorRate', label: 'format errors', color: '#c0392b' }] },
  { id: 'calls', title: 'Calls per question', lines: [{ key: 'callsPerQuestion', label: 'calls', color: '#6b46c1' }] },
  { id: 'kl', title: 'KL to the reference (k3)', lines: [{ key: 'kl', label: 'KL', color: '#1f5fbf' }] },
  { id: 'entropy', title: 'Entropy', lines: [{ key: 'entropy', label: 'entropy', color: '#2c7a7b' }] },
];

/** PPO's critic: shown only for runs that train one (a GRPO run's value loss is 0 throughout). */
export const VALUE_LOSS_CHART: LineChartSpec = { id: 'valueLoss', title: 'Value loss (PPO critic)', lines: [{ key: 'valueLoss', label: 'value loss', color: '#d53f8c' }] };

/** Whether the run trains a critic (any step with a value loss), so the value-loss chart is shown. */
export const hasValueLoss = (points: readonly TrainPoint[]): boolean => points.some((p) => p.valueLoss > 0);

export const STEP_TIME_PARTS: readonly LineSpec[] = [
  { key: 'timeRollout', label: 'rollout', color: '#1f5fbf' },
  { key: 'timeReward', label: 'reward', color: '#b7791f' },
  { key: 'timeTrain', label: 'train', color: '#c0392b' },
  { key: 'timeSync', label: 'sync', color: '#2e8b57' },
];

/** Every chart id, routing share and step time included (test ids are `charts.<id>`). */
export const TRAIN_CHART_IDS: readonly string[] = [...LINE_CHARTS.map((c) => c.id), 'routing', 'stepTime'];

const PALETTE = ['#1f5fbf', '#c0392b', '#2e8b57', '#b7791f', '#6b46c1', '#2c7a7b', '#d53f8c', '#4a5568', '#dd6b20'];

export function modelColor(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

/** Routing share rows `{ step, [model]: share }` and the models, in first-seen order. */
export function routingRows(points: readonly TrainPoint[]): { rows: Record<string, number>[]; models: string[] } {
  const models: string[] = [];
  for (const p of points) for (const m of Object.keys(p.routing)) if (!models.includes(m)) models.push(m);
  const rows = points.map((p) => {
    const row: Record<string, number> = { step: p.step };
    for (const m of models) row[m] = p.routing[m] ?? 0;
    return row;
  });
  return { rows, models };
}

/** How many points chart `id` shows: steps with at least one finite value (routing: every step; no calls is a share of 0). */
export function chartPointCount(points: readonly TrainPoint[], id: string): number {
  if (id === 'routing') return points.length;
  const keys = id === 'stepTime' ? STEP_TIME_PARTS.map((l) => l.key) : ([...LINE_CHARTS, VALUE_LOSS_CHART].find((c) => c.id === id)?.lines.map((l) => l.key) ?? []);
  return points.filter((p) => keys.some((k) => Number.isFinite(p[k]))).length;
}
