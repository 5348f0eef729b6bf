/** Step time split into rollout / reward / train / sync (ms), stacked per step. */
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrainPoint } from '../../store/trainSlice';
import { ChartFrame, stepChartProps } from './MetricChart';
import { STEP_TIME_PARTS } from './trainCharts';

export function StepTimeChart({ points, onPick }: { points: readonly TrainPoint[]; onPick?: (step: number) => void }) {
  return (
    <ChartFrame id="stepTime" title="Step time (ms)" points={points}>
      <BarChart
        data={points as TrainPoint[]}
        {...stepChartProps(onPick, points, -4)}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis dataKey="step" allowDecimals={false} fontSize={11} />
        <YAxis fontSize={11} width={52} />
        <Tooltip isAnimationActive={false} />
        <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />
        {STEP_TIME_PARTS.map((p) => (
          <Bar key={p.key} dataKey={p.key} name={p.label} stackId="time" fill={p.color} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartFrame>
  );
}
