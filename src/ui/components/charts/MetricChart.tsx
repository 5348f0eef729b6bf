/**
 * One Train view line chart: the given metrics per step, skipped steps marked with a dashed red line,
 * and a click on a step (the point under the pointer) handed to `onPick` (the Train view opens that step's samples). Bounded series
 * come in as props; no animation (the series grows every step).
 */
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrainPoint } from '../../store/trainSlice';
import { chartPointCount, type LineChartSpec } from './trainCharts';

export interface ChartFrameProps {
  id: string;
  title: string;
  points: readonly TrainPoint[];
  children: React.ReactNode;
}

/** The titled box every Train chart sits in (test id `charts.<id>`, its point count as data). */
export function ChartFrame({ id, title, points, children }: ChartFrameProps) {
  return (
    <figure className="train-chart" data-testid={`charts.${id}`} data-points={chartPointCount(points, id)}>
      <figcaption className="label">{title}</figcaption>
      {points.length === 0 ? <p className="muted small train-chart-empty">No steps yet.</p> : children}
    </figure>
  );
}

export const CHART_WIDTH = 330;
export const CHART_HEIGHT = 170;

/** What recharts hands a chart's onClick: the hovered point's index into the data, and its x value. */
export interface ChartClickState {
  activeIndex?: number | string | null | undefined;
  activeTooltipIndex?: number | string | null | undefined;
  activeLabel?: string | number | undefined;
}

/**
 * The step of a clicked point: the data row under the pointer (recharts' active index), else its x value
 * (activeLabel; recharts takes it from the tooltip axis' ticks, which need not be the rows); null off the data.
 */
export function pickedStep(state: ChartClickState | null | undefined, rows: readonly { step: number }[]): number | null {
  const index = state?.activeIndex ?? state?.activeTooltipIndex;
  const row = index === null || index === undefined || index === '' ? undefined : rows[Number(index)];
  if (row !== undefined) return row.step;
  const x = state?.activeLabel === undefined ? Number.NaN : Number(state.activeLabel);
  return Number.isFinite(x) ? x : null;
}

/** The size, margins and click-to-pick of every per-step Train chart (spread onto the recharts chart over `rows`). */
export function stepChartProps(onPick: ((step: number) => void) | undefined, rows: readonly { step: number }[], left = -12) {
  return {
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    margin: { top: 4, right: 8, bottom: 0, left },
    style: onPick === undefined ? {} : { cursor: 'pointer' },
    onClick: (state: ChartClickState | null | undefined) => {
      const step = pickedStep(state, rows);
      if (step !== null) onPick?.(step);
    },
  };
}

export function MetricChart({ spec, points, onPick }: { spec: LineChartSpec; points: readonly TrainPoint[]; onPick?: (step: number) => void }) {
  const skipped = points.filter((p) => p.skipped !== null);
  return (
    <ChartFrame id={spec.id} title={spec.title} points={points}>
      <LineChart data={points as TrainPoint[]} {...stepChartProps(onPick, points)}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} fontSize={11} />
        <YAxis fontSize={11} width={56} />
        <Tooltip isAnimationActive={false} />
        {spec.lines.length > 1 && <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />}
        {skipped.map((p) => (
          <ReferenceLine key={`skip-${p.step}`} x={p.step} stroke="#c0392b" strokeDasharray="4 2" label={{ value: 'skipped', fontSize: 9, fill: '#c0392b', position: 'insideTop' }} />
        ))}
        {spec.lines.map((l) => (
          <Line key={l.key} type="linear" dataKey={l.key} name={l.label} stroke={l.color} dot={{ r: 2 }} activeDot={{ r: 4 }} isAnimationActive={false} connectNulls={false} />
        ))}
      </LineChart>
    </ChartFrame>
  );
}
