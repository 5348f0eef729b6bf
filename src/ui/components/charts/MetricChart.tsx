/**
 * One Train view line chart: the given metrics per step, skipped steps marked with a dashed red line,
 * and a click on a step handed to `onPick` (the Train view opens that step's samples). Bounded series
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

/** The step of a clicked point (recharts gives the x value as activeLabel). */
export function pickedStep(state: { activeLabel?: string | number | undefined } | null | undefined): number | null {
  const x = Number(state?.activeLabel);
  return Number.isFinite(x) ? x : null;
}

/** The size, margins and click-to-pick of every per-step Train chart (spread onto the recharts chart). */
export function stepChartProps(onPick: ((step: number) => void) | undefined, left = -12) {
  return {
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    margin: { top: 4, right: 8, bottom: 0, left },
    onClick: (state: Parameters<typeof pickedStep>[0]) => {
      const step = pickedStep(state);
      if (step !== null) onPick?.(step);
    },
  };
}

export function MetricChart({ spec, points, onPick }: { spec: LineChartSpec; points: readonly TrainPoint[]; onPick?: (step: number) => void }) {
  const skipped = points.filter((p) => p.skipped !== null);
  return (
    <ChartFrame id={spec.id} title={spec.title} points={points}>
      <LineChart
        data={points as TrainPoint[]}
        {...stepChartProps(onPick)}
      >
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
